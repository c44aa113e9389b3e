"""Put the graph on a SPARQL server: every named graph, with the derived graph materialised, then check it."""

from __future__ import annotations

from dataclasses import dataclass

from evgraph.errors import DataError
from evgraph.rules import add_derivations
from evgraph.store import Store, connect, push


@dataclass(frozen=True)
class PushResult:
    """What was uploaded, and where."""

    endpoint: str
    graph_store: str
    graphs: int
    triples: int


def push_graph(store: Store, endpoint: str, graph_store: str, authorization: str | None = None) -> PushResult:
    """Derive, upload every named graph of ``store``, and check the server now holds the same graphs and counts."""
    headers = {"Authorization": authorization} if authorization else None
    add_derivations(store)
    pushed = push(store, graph_store, headers)
    remote = connect(endpoint, headers, store.layout).graph_sizes()
    local = pushed
    differing = sorted(g for g, n in local.items() if remote.get(g) != n)
    if differing:
        raise DataError(f"After the upload, {len(differing)} graph(s) on the server differ from the local ones,"
                        f" e.g. {differing[0]} ({local[differing[0]]} triples here, {remote.get(differing[0], 0)} there).",
                        hint="Check that the server keeps named graphs and that --endpoint and --graph-store are the same dataset.")
    return PushResult(endpoint, graph_store, len(local), sum(local.values()))
