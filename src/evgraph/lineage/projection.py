"""The provenance graph as a networkx DiGraph, built from the rows of one query (internal/provenance-edges).

An edge runs from a node to what it rests on: guide → recommendation → study → report. The graph
algorithms of the lineage commands see exactly the nodes and edges that query returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from evgraph.queries import run
from evgraph.store import Store
from evgraph.terms import IRI, sort_key

#: Each class the projection keeps, and the kind it is called by; a node of several is the first listed.
KINDS = {"Guidance": "guide", "Recommendation": "recommendation", "Rating": "rating",
         "EvidenceReview": "review", "Study": "study", "Report": "report", "Intervention": "intervention",
         "Organisation": "organisation"}
_PRIORITY = list(KINDS.values())

#: The kinds a withdrawal can take support from: what ``impact`` lists as dependents.
CLAIM_KINDS = ("recommendation", "rating")
DEPENDENT_KINDS = ("guide", "review") + CLAIM_KINDS

#: Relations between pieces of evidence (not who stands behind them, nor what they are about).
EVIDENCE_RELATIONS = frozenset({"^ev:inGuidance", "ev:basedOn", "prov:wasDerivedFrom", "ev:supportedBy",
                                "ev:includes", "ev:proposedStudy", "^ev:reportsStudy"})


@dataclass(frozen=True)
class Node:
    """A node of the projection: its IRI, kind and label."""

    iri: IRI
    kind: str
    label: str


def provenance_graph(store: Store) -> nx.DiGraph:
    """The projection: nodes carry ``kind`` and ``label``; edges carry ``relations`` (sorted), ``link``
    ("confirmed" when any relation is, else "candidate") and ``via`` (the candidate-link nodes)."""
    graph = nx.DiGraph()
    for row in run(store, "internal/provenance-edges"):
        ends = []
        for end in ("from", "to"):
            node, kind = row[end], KINDS[str(row[f"{end}Class"]).rsplit("#", 1)[-1]]
            label = str(row[f"{end}Label"]) if row[f"{end}Label"] is not None else str(node)
            if node in graph:
                known = graph.nodes[node]
                kind = min(kind, known["kind"], key=_PRIORITY.index)
                label = min(label, known["label"])
            graph.add_node(node, kind=kind, label=label)
            ends.append(node)
        source, target = ends
        data = graph.get_edge_data(source, target) or {"relations": (), "links": (), "via": ()}
        graph.add_edge(source, target,
                       relations=tuple(sorted({*data["relations"], str(row["relation"])})),
                       links=tuple(sorted({*data["links"], str(row["link"])})),
                       via=tuple(sorted({*data["via"], *([row["via"]] if row["via"] is not None else [])},
                                        key=sort_key)))
    for _, _, data in graph.edges(data=True):
        data["link"] = "confirmed" if "confirmed" in data["links"] else "candidate"
    return graph


def node(graph: nx.DiGraph, iri: IRI) -> Node:
    """One node's kind and label (a node the projection lacks is an unknown kind, labelled by its IRI)."""
    data = graph.nodes[iri] if iri in graph else {"kind": "unknown", "label": str(iri)}
    return Node(iri, data["kind"], data["label"])


def evidence_view(graph: nx.DiGraph) -> nx.DiGraph:
    """The projection without organisations and interventions: only evidence resting on evidence."""
    edges = [(u, v) for u, v, data in graph.edges(data=True) if set(data["relations"]) & EVIDENCE_RELATIONS]
    return graph.edge_subgraph(edges)


def sorted_nodes(nodes) -> list[IRI]:
    """Nodes in IRI order: every traversal visits neighbours in this order, so its answer is reproducible."""
    return sorted(nodes, key=sort_key)
