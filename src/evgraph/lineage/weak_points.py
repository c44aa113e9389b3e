"""Where the evidence is thin: studies many claims hang on, claims on one study, and cut points.

Claims resting on one *confirmed* study (a finding) are kept apart from claims where only one study is
*recorded*, as a curation candidate (a coverage gap). Cut points are the articulation points and bridges
of the evidence graph (the projection without organisations and interventions, taken as undirected),
each with the guides it would cut off from studies if withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from evgraph.lineage.impact import dependents
from evgraph.lineage.projection import (
    CLAIM_KINDS,
    Node,
    evidence_view,
    node,
    provenance_graph,
    sorted_nodes,
)
from evgraph.queries import run
from evgraph.rules import read_evidence
from evgraph.rules.records import Evidence
from evgraph.store import Store, Table
from evgraph.terms import IRI, sort_key


@dataclass(frozen=True)
class StudyLoad:
    """How many claims rest on a study, by confirmed and by candidate links, and the guides above them."""

    study: Node
    confirmed: tuple[Node, ...]
    candidate: tuple[Node, ...]
    guides: tuple[Node, ...]

    def to_json(self) -> dict:
        """The load as a JSON-ready dict."""
        return {"iri": str(self.study.iri), "label": self.study.label,
                "claims_confirmed": [str(n.iri) for n in self.confirmed],
                "claims_candidate": [str(n.iri) for n in self.candidate],
                "guides": [str(n.iri) for n in self.guides]}


@dataclass(frozen=True)
class SingleStudy:
    """A claim and the one study behind it."""

    claim: Node
    study: Node

    def to_json(self) -> dict:
        """The claim as a JSON-ready dict."""
        return {"iri": str(self.claim.iri), "label": self.claim.label, "study": str(self.study.iri),
                "study_label": self.study.label}


@dataclass(frozen=True)
class Cut:
    """What withdrawing one node (or edge) cuts off: per guide, the studies it could reach before and no longer
    can; ``whole`` when the guide reaches no study at all afterwards."""

    guide: Node
    studies_lost: tuple[Node, ...]
    whole: bool

    def to_json(self) -> dict:
        """The cut as a JSON-ready dict."""
        return {"guide": str(self.guide.iri), "label": self.guide.label, "whole": self.whole,
                "studies_lost": [str(n.iri) for n in self.studies_lost]}


@dataclass(frozen=True)
class CutPoint:
    """An articulation point (one node) or a bridge (two nodes) of the evidence graph and what it cuts off."""

    nodes: tuple[Node, ...]
    relation: str | None
    cuts: tuple[Cut, ...]

    def to_json(self) -> dict:
        """The cut point as a JSON-ready dict."""
        return {"nodes": [{"iri": str(n.iri), "label": n.label, "kind": n.kind} for n in self.nodes],
                "relation": self.relation, "cuts": [c.to_json() for c in self.cuts]}


@dataclass
class WeakPoints:
    """The weak points of the whole graph."""

    studies: list[StudyLoad]
    one_confirmed: list[SingleStudy]
    one_recorded: list[SingleStudy]
    articulation_points: list[CutPoint]
    bridges: list[CutPoint]
    duplicates: list[dict]

    def to_json(self) -> dict:
        """The weak points as a JSON-ready dict."""
        return {"studies": [s.to_json() for s in self.studies],
                "one_confirmed_study": [s.to_json() for s in self.one_confirmed],
                "one_recorded_study": [s.to_json() for s in self.one_recorded],
                "articulation_points": [c.to_json() for c in self.articulation_points],
                "bridges": [c.to_json() for c in self.bridges],
                "possible_duplicate_studies": self.duplicates}


def study_loads(graph: nx.DiGraph, top: int | None = None) -> list[StudyLoad]:
    """Studies by how many claims rest on them (then by how many through confirmed links), at most ``top``."""
    loads = []
    for study in sorted_nodes(n for n, kind in graph.nodes(data="kind") if kind == "study"):
        resting = dependents(graph, study)
        claims = [d for d in resting if d.node.kind in CLAIM_KINDS]
        if not claims:
            continue
        loads.append(StudyLoad(node(graph, study),
                               tuple(d.node for d in claims if d.support == "confirmed"),
                               tuple(d.node for d in claims if d.support == "candidate"),
                               tuple(d.node for d in resting if d.node.kind == "guide")))
    loads.sort(key=lambda s: (-(len(s.confirmed) + len(s.candidate)), -len(s.confirmed), s.study.label.lower(),
                              str(s.study.iri)))
    return loads[:top] if top is not None else loads


def single_study_claims(graph: nx.DiGraph, evidence: Evidence) -> tuple[list[SingleStudy], list[SingleStudy]]:
    """Claims on exactly one confirmed study; and claims with no confirmed study and exactly one candidate."""
    confirmed, recorded = [], []
    for iri, claim in sorted(evidence.claims.items()):
        if len(claim.confirmed) == 1:
            confirmed.append(SingleStudy(node(graph, iri), node(graph, claim.confirmed[0])))
        elif not claim.confirmed and len(claim.candidates) == 1:
            recorded.append(SingleStudy(node(graph, iri), node(graph, claim.candidates[0])))
    key = lambda s: (s.claim.label.lower(), str(s.claim.iri))  # noqa: E731
    return sorted(confirmed, key=key), sorted(recorded, key=key)


def _reach(view: nx.DiGraph, guides: list[IRI]) -> dict[IRI, set[IRI]]:
    return {g: {n for n in nx.descendants(view, g) if view.nodes[n]["kind"] == "study"} if g in view else set()
            for g in guides}


def _cuts(graph: nx.DiGraph, before: dict[IRI, set[IRI]], after: dict[IRI, set[IRI]]) -> tuple[Cut, ...]:
    cuts = []
    for guide in sorted_nodes(before):
        lost = before[guide] - after[guide]
        if lost:
            cuts.append(Cut(node(graph, guide), tuple(node(graph, s) for s in sorted_nodes(lost)),
                            not after[guide]))
    return tuple(cuts)


def cut_points(graph: nx.DiGraph) -> tuple[list[CutPoint], list[CutPoint]]:
    """The articulation points and bridges of the evidence graph that cut a guide off from a study."""
    view = nx.DiGraph(evidence_view(graph))
    undirected = view.to_undirected(as_view=True)
    guides = sorted_nodes(n for n, kind in view.nodes(data="kind") if kind == "guide")
    before = _reach(view, guides)
    points = []
    for point in sorted_nodes(nx.articulation_points(undirected)):
        smaller = view.copy()
        smaller.remove_node(point)
        cuts = _cuts(graph, {g: s - {point} for g, s in before.items() if g != point},
                     _reach(smaller, [g for g in guides if g != point]))
        if cuts:
            points.append(CutPoint((node(graph, point),), None, cuts))
    bridges = []
    for a, b in sorted((tuple(sorted_nodes(edge)) for edge in nx.bridges(undirected)),
                       key=lambda e: tuple(sort_key(n) for n in e)):
        upper, lower = (a, b) if view.has_edge(a, b) else (b, a)
        smaller = view.copy()
        smaller.remove_edge(upper, lower)
        cuts = _cuts(graph, before, _reach(smaller, guides))
        if cuts:
            relation = ", ".join(view.edges[upper, lower]["relations"])
            bridges.append(CutPoint((node(graph, upper), node(graph, lower)), relation, cuts))
    return sorted(points, key=_severity), sorted(bridges, key=_severity)


def _severity(point: CutPoint) -> tuple:
    """Whole cuts first, then by the most studies lost, then by name."""
    return (not any(c.whole for c in point.cuts), -max(len(c.studies_lost) for c in point.cuts),
            tuple((n.label.lower(), str(n.iri)) for n in point.nodes))


def weak_points(graph: nx.DiGraph, evidence: Evidence, duplicates: Table, top: int | None = 10) -> WeakPoints:
    """Every weak point of the graph; ``duplicates`` are the rows of the possible-duplicate-studies query."""
    points, bridges = cut_points(graph)
    one_confirmed, one_recorded = single_study_claims(graph, evidence)
    rows = [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in duplicates]
    return WeakPoints(study_loads(graph, top), one_confirmed, one_recorded, points, bridges, rows)


def weak_points_of(store: Store, top: int | None = 10) -> WeakPoints:
    """The weak points of the graph in a store."""
    return weak_points(provenance_graph(store), read_evidence(store), run(store, "possible-duplicate-studies"), top)
