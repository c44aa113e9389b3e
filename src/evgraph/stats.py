"""Counts that describe a store: triples, named graphs, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from evgraph.namespaces import GRAPH_BASE
from evgraph.queries import run
from evgraph.shortnames import short
from evgraph.store import Store


@dataclass(frozen=True)
class Stats:
    """Size of the curated data and what it holds."""

    triples: int
    ontology_triples: int
    shapes_triples: int
    data_graphs: dict[str, int]
    classes: dict[str, int]

    def graph_kinds(self) -> dict[str, tuple[int, int]]:
        """Data graphs grouped by the first segment of their name (source, joint, curation …): count, triples."""
        kinds: dict[str, tuple[int, int]] = {}
        for name, triples in self.data_graphs.items():
            kind = name[len(GRAPH_BASE):].split("/", 1)[0] if name.startswith(GRAPH_BASE) else name
            count, total = kinds.get(kind, (0, 0))
            kinds[kind] = (count + 1, total + triples)
        return dict(sorted(kinds.items()))

    def to_json(self) -> dict:
        """The statistics as a JSON-ready dict."""
        return {
            "triples": self.triples,
            "ontology_triples": self.ontology_triples,
            "shapes_triples": self.shapes_triples,
            "named_graphs": len(self.data_graphs),
            "graphs": self.data_graphs,
            "classes": self.classes,
        }


def compute_stats(store: Store) -> Stats:
    """Count the store's data triples, its data named graphs and the instances of each class."""
    data_graphs = set(store.graphs_of("data"))
    counts = [(short(row["class"]), int(str(row["instances"]))) for row in run(store, "internal/class-counts")]
    return Stats(
        triples=store.triple_count("data"),
        ontology_triples=store.triple_count("ontology"),
        shapes_triples=store.triple_count("shapes"),
        data_graphs={str(g): n for g, n in store.graph_sizes().items() if g in data_graphs},
        classes=dict(sorted(counts, key=lambda item: (-item[1], item[0]))),
    )
