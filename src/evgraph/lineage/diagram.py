"""Pictures of provenance: the tree above and below one node, as a plain value ready to draw.

A :class:`Diagram` is built from the projection (:mod:`evgraph.lineage.projection`) and the rules'
verdicts; :mod:`evgraph.lineage.drawing` formats it as Mermaid, Graphviz DOT, SVG or an HTML page. Node
ids (n1, n2, …) follow kind, label and IRI order, so the same graph always draws to the same bytes.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import networkx as nx

from evgraph.lineage.impact import dependents
from evgraph.lineage.projection import KINDS, evidence_view, provenance_graph
from evgraph.lookup import resolve
from evgraph.rules import derive_all, read_evidence
from evgraph.store import Store
from evgraph.terms import IRI

if TYPE_CHECKING:
    from evgraph.audit import Audit

#: What ``diagram`` takes, by class local name.
SUBJECT_KINDS = ("Recommendation", "Rating", "Study", "Organisation", "EvidenceReview", "Report", "Guidance",
                 "PracticeGuide", "Guidebook", "Intervention")
#: Kinds top of a tree first: the order nodes are numbered, listed and counted in.
KIND_ORDER = ("organisation", "guide", "recommendation", "rating", "review", "study", "report", "intervention")
CLAIM_KINDS = ("recommendation", "rating")
#: At most this many nodes directly above or below one node are drawn; a note counts the rest.
FAN_OUT = 8
#: At most this many nodes are drawn in all (notes aside): a branch that would pass it is left out, and counted.
MAX_NODES = 40
#: One colour per verdict (fill, border) and what it means; a recommendation or rating is drawn in its
#: verdict's colours ("not checked": a rating with no published level, which the rules do not check).
VERDICT_COLOURS = {
    "consistent": ("#d7f0d8", "#2e7d32", "the recorded studies meet the published level"),
    "overclaim": ("#f9d3cf", "#b3261e", "published above what the recorded studies support"),
    "underclaim": ("#fcecc2", "#7a5c00", "published below what the recorded studies support"),
    "cannot-verify": ("#dde4eb", "#4a5a6a", "facts needed to check the published level are missing"),
    "no-rule": ("#eeeeee", "#6b6b6b", "the published level has no machine-readable criteria"),
    "not checked": ("#ffffff", "#9e9e9e", "no published level for the rules to check"),
}
_PLURALS = {"organisation": "organisations", "guide": "guides", "recommendation": "recommendations",
            "rating": "ratings", "review": "reviews", "study": "studies", "report": "reports",
            "intervention": "interventions"}
_CLASS_KIND = {**KINDS, "PracticeGuide": "guide", "Guidebook": "guide"}


@dataclass(frozen=True)
class DiagramNode:
    """One box: its id, IRI (none for a note, or a guide an explanation names only by title), kind, label and,
    for a recommendation or rating, the verdict it is coloured by."""

    id: str
    iri: str | None
    kind: str
    label: str
    verdict: str | None = None


@dataclass(frozen=True)
class DiagramEdge:
    """An arrow from a node to what it rests on: ``link`` "confirmed", "candidate", or "more" (a note's)."""

    source: str
    target: str
    link: str


@dataclass(frozen=True)
class Diagram:
    """The provenance tree around one subject, ready to draw; ``omitted`` nodes are only counted, in notes."""

    subject: DiagramNode
    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    omitted: int = 0

    @property
    def title(self) -> str:
        """What the diagram shows, in words."""
        return f"Provenance of {self.subject.label}"

    def verdicts(self) -> list[str]:
        """The verdicts its nodes are coloured by, in legend order."""
        present = {n.verdict for n in self.nodes}
        return [v for v in VERDICT_COLOURS if v in present]

    def links(self) -> list[str]:
        """The kinds of arrow it has."""
        present = {e.link for e in self.edges}
        return [link for link in ("confirmed", "candidate", "more") if link in present]


# -- building ----------------------------------------------------------------------------------------


def build_diagram(store: Store, text: str) -> Diagram:
    """The diagram of what ``text`` names: a recommendation, rating, study, organisation, guide, review, report
    or intervention, with each recommendation and rating coloured by the rules' verdict."""
    match = resolve(store, text, SUBJECT_KINDS)
    graph = provenance_graph(store)
    if match.iri not in graph:
        graph.add_node(match.iri, kind=_CLASS_KIND[match.kind], label=match.label)
    verdicts = {d.subject: d.verdict.value for d in derive_all(read_evidence(store))}
    return diagram_of(graph, match.iri, verdicts)


def diagram_of(graph: nx.DiGraph, subject: IRI, verdicts: Mapping[str, str], fan_out: int = FAN_OUT,
               max_nodes: int = MAX_NODES) -> Diagram:
    """The tree around ``subject`` in a projection-shaped graph.

    Above it: what rests on it (:func:`~evgraph.lineage.impact.dependents`, and a report's studies). Below it:
    what it rests on, evidence on evidence down to reports; an organisation's first step is everything it
    stands behind. Arrows are the graph's edges between the nodes drawn. Neighbours are taken in kind, label
    and IRI order, at most ``fan_out`` per node and ``max_nodes`` in all; a note counts the rest.
    """
    evidence = evidence_view(graph)
    kind = graph.nodes[subject]["kind"]
    above_allowed = {d.node.iri for d in dependents(graph, subject)}
    above_allowed |= {p for p in graph.predecessors(subject) if graph.nodes[p]["kind"] == "study"}

    def below(iri: IRI) -> Iterable[IRI]:
        if iri == subject and kind == "organisation":
            return graph.successors(iri)
        return evidence.successors(iri) if iri in evidence else ()

    def above(iri: IRI) -> Iterable[IRI]:
        return (p for p in graph.predecessors(iri) if p in above_allowed)

    def key(iri: IRI) -> tuple:
        return KIND_ORDER.index(graph.nodes[iri]["kind"]), graph.nodes[iri]["label"].lower(), str(iri)

    shown = {subject}
    reached = {"above": _walk(subject, above, key, shown, fan_out, max_nodes),
               "below": _walk(subject, below, key, shown, fan_out, max_nodes)}
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(shown, key=key), start=1)}
    nodes = [DiagramNode(ids[iri], str(iri) if isinstance(iri, IRI) else None, graph.nodes[iri]["kind"],
                         graph.nodes[iri]["label"],
                         verdicts.get(iri, "not checked") if graph.nodes[iri]["kind"] in CLAIM_KINDS else None)
             for iri in sorted(shown, key=key)]
    edges = [DiagramEdge(ids[u], ids[v], graph.edges[u, v]["link"]) for u, v in graph.subgraph(shown).edges]
    omitted: set[IRI] = set()
    for direction, step in (("above", above), ("below", below)):
        for iri in sorted(reached[direction], key=key):
            hidden = sorted((other for other in step(iri) if other not in shown), key=key)
            if not hidden:
                continue
            omitted.update(hidden)
            note = f"n{len(nodes) + 1}"
            counts = Counter(graph.nodes[h]["kind"] for h in hidden)
            words = ", ".join(f"{n} {k if n == 1 else _PLURALS[k]}" for k, n in counts.items())
            nodes.append(DiagramNode(note, None, "note", f"… and {len(hidden)} more: {words}"))
            edges.append(DiagramEdge(note, ids[iri], "more") if direction == "above"
                         else DiagramEdge(ids[iri], note, "more"))
    order = {node.id: i for i, node in enumerate(nodes)}
    edges.sort(key=lambda e: (order[e.source], order[e.target]))
    return Diagram(nodes[order[ids[subject]]], tuple(nodes), tuple(edges), len(omitted))


def _walk(start: IRI, step: Callable[[IRI], Iterable[IRI]], key: Callable, shown: set, fan_out: int,
          max_nodes: int) -> list[IRI]:
    """Add to ``shown`` the neighbours of ``start`` (at most ``fan_out``), then, for each in turn, everything
    past it (``fan_out`` per node) if all of that still fits in ``max_nodes``: a cut leaves whole branches out,
    never their ends. Returns the nodes whose neighbours were taken, for the notes that count the rest."""
    reached, firsts, slots = [start], [], fan_out
    for child in sorted(step(start), key=key):
        if child in shown:
            slots -= 1
        elif slots > 0 and len(shown) < max_nodes:
            shown.add(child)
            firsts.append(child)
            slots -= 1
    for child in firsts:
        branch = _branch(child, step, key, shown, fan_out)
        if len(shown) + len(branch) <= max_nodes:
            shown.update(branch)
            reached += branch
        reached.append(child)
    return list(dict.fromkeys(reached))


def _branch(root: IRI, step: Callable[[IRI], Iterable[IRI]], key: Callable, shown: set, fan_out: int) -> list[IRI]:
    """Breadth-first past ``root``, at most ``fan_out`` neighbours per node: the nodes not yet in ``shown``."""
    found, queue = {}, deque([root])
    while queue:
        slots = fan_out
        for other in sorted(step(queue.popleft()), key=key):
            if other in shown or other in found:
                slots -= 1
            elif slots > 0:
                found[other] = None
                queue.append(other)
                slots -= 1
    return list(found)


def audit_diagrams(store: Store, audit: "Audit") -> dict[str, Diagram]:
    """The diagram of each claim an audit lists, exactly as ``evgraph diagram`` draws it, coloured by the rules'
    verdict of that claim."""
    graph = provenance_graph(store)
    verdicts = {IRI(f.subject): f.explanation.verdict for f in audit.findings if f.explanation and f.explanation.verdict}
    subjects = sorted({IRI(f.subject) for f in audit.findings}, key=str)
    return {str(s): diagram_of(graph, s, verdicts) for s in subjects if s in graph}


