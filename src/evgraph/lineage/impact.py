"""What rests on a study, report, review or intervention, and what the rules would say without it.

Dependents come from the projection (:mod:`evgraph.lineage.projection`); a withdrawal re-runs the rules
on the rows of their own queries with the withdrawn evidence taken out, so it never touches the store.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import networkx as nx

from evgraph.lineage.projection import (
    DEPENDENT_KINDS,
    KINDS,
    Node,
    node,
    provenance_graph,
    sorted_nodes,
)
from evgraph.lookup import resolve
from evgraph.rules import Derivation, EvidenceRows, derive, evidence_from, read_rows
from evgraph.rules.records import Evidence
from evgraph.store import Store, Table
from evgraph.terms import IRI

#: The kinds ``impact`` takes.
WITHDRAWABLE = ("Study", "Report", "EvidenceReview", "Intervention")
#: The rules' tables that name a study in their ?study column.
_STUDY_TABLES = ("internal/claim-evidence", "internal/study-facts", "internal/study-appraisals",
                 "internal/study-findings")


@dataclass(frozen=True)
class Step:
    """One node on a path, and the edge to the next node (none for the last)."""

    node: Node
    relation: str | None = None
    link: str | None = None

    def to_json(self) -> dict:
        """The step as a JSON-ready dict."""
        return {"iri": str(self.node.iri), "label": self.node.label, "kind": self.node.kind,
                "relation": self.relation, "link": self.link}


@dataclass(frozen=True)
class Dependent:
    """Something that rests on the subject, the path it rests on it by, and whether every link on that path
    is confirmed by a source (``support`` "confirmed") or one is only a curation candidate ("candidate")."""

    node: Node
    path: tuple[Step, ...]
    support: str

    def to_json(self) -> dict:
        """The dependent as a JSON-ready dict."""
        return {"iri": str(self.node.iri), "label": self.node.label, "kind": self.node.kind,
                "support": self.support, "path": [s.to_json() for s in self.path]}


@dataclass(frozen=True)
class Outcome:
    """A derived level and verdict."""

    derived: str | None
    verdict: str

    @classmethod
    def of(cls, derivation: Derivation, evidence: Evidence) -> "Outcome":
        """The outcome of one derivation, levels by label."""
        return cls(evidence.label(derivation.derived) if derivation.derived else None, derivation.verdict.value)


@dataclass(frozen=True)
class Withdrawal:
    """A claim that loses evidence when the subject is withdrawn: its published level, and the rules' result
    before and after, on confirmed studies and with curation's candidates counted as confirmed."""

    node: Node
    published: str | None
    lost_confirmed: tuple[Node, ...]
    lost_candidates: tuple[Node, ...]
    before: Outcome
    after: Outcome
    candidates_before: Outcome
    candidates_after: Outcome

    def to_json(self) -> dict:
        """The withdrawal as a JSON-ready dict."""
        return {"iri": str(self.node.iri), "label": self.node.label, "published": self.published,
                "derived_before": self.before.derived, "derived_after": self.after.derived,
                "verdict_before": self.before.verdict, "verdict_after": self.after.verdict,
                "lost_confirmed": [str(n.iri) for n in self.lost_confirmed],
                "lost_candidates": [str(n.iri) for n in self.lost_candidates],
                "counting_candidates": {"derived_before": self.candidates_before.derived,
                                        "derived_after": self.candidates_after.derived,
                                        "verdict_before": self.candidates_before.verdict,
                                        "verdict_after": self.candidates_after.verdict}}


@dataclass
class Impact:
    """Everything resting on a subject and, when asked, what its withdrawal would change."""

    subject: Node
    dependents: list[Dependent]
    withdrawn: list[Withdrawal] | None = None
    withdrawn_studies: list[Node] = field(default_factory=list)

    def to_json(self) -> dict:
        """The impact as a JSON-ready dict (``withdrawn`` is null unless a withdrawal was asked for)."""
        return {"subject": {"iri": str(self.subject.iri), "label": self.subject.label, "kind": self.subject.kind},
                "dependents": [d.to_json() for d in self.dependents],
                "withdrawn_studies": [str(n.iri) for n in self.withdrawn_studies],
                "withdrawn": None if self.withdrawn is None else [w.to_json() for w in self.withdrawn]}


def _paths_to(graph: nx.DiGraph, subject: IRI, confirmed_only: bool) -> dict[IRI, list[IRI]]:
    """Breadth-first up the edges into ``subject`` (never through an organisation): each node reached, with
    the shortest path from it down to the subject, neighbours taken in IRI order."""
    paths = {subject: [subject]}
    queue = deque([subject])
    while queue:
        current = queue.popleft()
        for parent in sorted_nodes(graph.predecessors(current)):
            if parent in paths or graph.nodes[parent]["kind"] == "organisation":
                continue
            if confirmed_only and graph.edges[parent, current]["link"] != "confirmed":
                continue
            paths[parent] = [parent] + paths[current]
            queue.append(parent)
    return paths


def dependents(graph: nx.DiGraph, subject: IRI) -> list[Dependent]:
    """Every guide, review, recommendation and rating resting on ``subject``, directly or transitively.

    A dependent's path is its shortest path of confirmed links if it has one, else its shortest path.
    """
    if subject not in graph:
        return []
    confirmed = _paths_to(graph, subject, confirmed_only=True)
    every = _paths_to(graph, subject, confirmed_only=False)
    found = []
    for iri, path in every.items():
        if iri == subject or graph.nodes[iri]["kind"] not in DEPENDENT_KINDS:
            continue
        chosen = confirmed.get(iri, path)
        steps = [Step(node(graph, a), ", ".join(graph.edges[a, b]["relations"]), graph.edges[a, b]["link"])
                 for a, b in zip(chosen, chosen[1:])] + [Step(node(graph, subject))]
        found.append(Dependent(node(graph, iri), tuple(steps), "confirmed" if iri in confirmed else "candidate"))
    order = {kind: i for i, kind in enumerate(DEPENDENT_KINDS)}
    return sorted(found, key=lambda d: (order[d.node.kind], d.node.label.lower(), str(d.node.iri)))


def studies_withdrawn(graph: nx.DiGraph, subject: Node) -> list[IRI]:
    """The studies a withdrawal takes out: the subject if it is a study, an intervention's studies."""
    if subject.kind == "study":
        return [subject.iri]
    if subject.kind == "intervention" and subject.iri in graph:
        return sorted_nodes(p for p in graph.predecessors(subject.iri) if graph.nodes[p]["kind"] == "study"
                            and "ev:evaluates" in graph.edges[p, subject.iri]["relations"])
    return []


def without(rows: EvidenceRows, studies: list[IRI], report: IRI | None = None,
            review: IRI | None = None) -> EvidenceRows:
    """The rules' rows with evidence withdrawn: every row of the studies; the findings a report gives (a finding
    another report also gives stays); the risk-of-bias appraisals made in a review."""
    gone = set(studies)
    tables = dict(rows.tables)
    for name in _STUDY_TABLES:
        keep = [r for r in tables[name] if r.get("study") not in gone]
        if name == "internal/study-findings" and report is not None:
            keep = [r for r in keep if r.get("report") != report]
        if name == "internal/study-appraisals" and review is not None:
            keep = [r for r in keep if r.get("judgedIn") != review]
        tables[name] = Table(tables[name].variables, keep)
    return EvidenceRows(tables, rows.concepts, rows.levels)


def withdrawal(graph: nx.DiGraph, rows: EvidenceRows, subject: Node) -> tuple[list[IRI], list[Withdrawal]]:
    """The studies withdrawing ``subject`` takes out, and each claim whose evidence or result that changes."""
    studies = studies_withdrawn(graph, subject)
    changed = without(rows, studies, report=subject.iri if subject.kind == "report" else None,
                      review=subject.iri if subject.kind == "review" else None)
    before, after = evidence_from(rows), evidence_from(changed)
    found = []
    for iri, claim in sorted(before.claims.items()):
        remaining = after.claims[iri]
        results = [Outcome.of(derive(evidence, c, count_candidates=counted), evidence)
                   for counted in (False, True) for evidence, c in ((before, claim), (after, remaining))]
        lost_confirmed = sorted(set(claim.confirmed) - set(remaining.confirmed))
        lost_candidates = sorted(set(claim.candidates) - set(remaining.candidates))
        if not (lost_confirmed or lost_candidates) and results[0] == results[1] and results[2] == results[3]:
            continue
        published = ", ".join(before.label(p) for p in claim.published) or None
        found.append(Withdrawal(node(graph, iri), published, tuple(node(graph, s) for s in lost_confirmed),
                                tuple(node(graph, s) for s in lost_candidates), *results))
    return studies, sorted(found, key=lambda w: (w.node.label.lower(), str(w.node.iri)))


def impact(graph: nx.DiGraph, subject: Node, rows: EvidenceRows | None = None) -> Impact:
    """What rests on ``subject``; with the rules' rows for the whole graph, also what withdrawing it changes."""
    result = Impact(subject, dependents(graph, subject.iri))
    if rows is not None:
        studies, result.withdrawn = withdrawal(graph, rows, subject)
        result.withdrawn_studies = [node(graph, s) for s in studies]
    return result


def impact_of(store: Store, thing: str, withdraw: bool = False) -> Impact:
    """The impact of the study, report, review or intervention ``thing`` names (resolved like ``why``'s)."""
    match = resolve(store, thing, WITHDRAWABLE)
    graph = provenance_graph(store)
    subject = Node(match.iri, KINDS[match.kind], match.label)
    return impact(graph, subject, read_rows(store) if withdraw else None)
