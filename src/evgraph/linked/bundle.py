"""A bundle: one node with everything its explanation rests on, as quads a partner can load alone.

From the node, the bundle follows links between curated nodes (``internal/bundle-links.rq``) a few
steps out: a recommendation reaches its guide, review, studies, candidate links, reports, findings,
appraisals, concerns and derivation. It then adds what those nodes use (``internal/bundle-terms.rq``):
the ontology terms and every concept of the schemes their values come from, the records of the named
graphs holding their facts, the documents they cite and who recorded them. Graph names are kept.
"""

from __future__ import annotations

from evgraph.namespaces import ID_BASE
from evgraph.queries import get_query, run
from evgraph.store import Store
from evgraph.store.sparql_text import with_values
from evgraph.terms import IRI

#: How many links out from the node a bundle follows: node → study → report → its findings.
DEPTH = 3


def members(store: Store, node: IRI, depth: int = DEPTH) -> list[IRI]:
    """The curated nodes within ``depth`` links of ``node`` (see the module docstring), sorted."""
    links: dict[IRI, set[IRI]] = {}
    for row in run(store, "internal/bundle-links"):
        links.setdefault(IRI(str(row["from"])), set()).add(IRI(str(row["to"])))
    found, frontier = {node}, {node}
    for _ in range(depth):
        frontier = {to for source in frontier for to in links.get(source, ())} - found
        found |= frontier
    return sorted(found)


def bundle_quads(store: Store, node: IRI) -> bytes:
    """Sorted N-Quads of the bundle for ``node``: its members' facts and derivations, and what they use."""
    nodes = members(store, node)
    used = store.select(with_values(get_query("internal/bundle-terms", store.layout.queries).text, {"node": nodes}))
    extra = sorted({IRI(str(row["iri"])) for row in used if not str(row["iri"]).startswith(ID_BASE)}
                   | {IRI(str(row["iri"])) for row in used if str(row["kind"]) in ("graph", "agent")})
    curated = store.dump(store.graphs_of("data", "derived"), subjects=nodes + extra)
    vocabulary = store.dump(store.graphs_of("ontology"), subjects=extra)
    return b"".join(sorted(set(curated.splitlines(keepends=True)) | set(vocabulary.splitlines(keepends=True))))
