"""The only package that imports an RDF engine: one :class:`Store` interface, three backends.

- ``oxigraph`` (default): pyoxigraph, embedded, in memory.
- ``rdflib``: the reference implementation, slower.
- ``sparql``: any SPARQL 1.1 Protocol server (``--endpoint URL``), read-only; ``push`` uploads to one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping

from evgraph.errors import ConfigError
from evgraph.paths import Layout
from evgraph.store.base import (
    DERIVED_GRAPH,
    ROLES,
    LoadedFile,
    Location,
    Store,
    Table,
    Triple,
    load_files,
    role_of,
)
from evgraph.terms import IRI, Term

BACKENDS = ("oxigraph", "rdflib")


def load_store(layout: Layout | None = None, *, data: Path | None = None, shapes: Path | None = None,
               ontology: Path | None = None, roles: Iterable[str] = ROLES, backend: str = "oxigraph",
               progress: Callable[[int, int], None] | None = None) -> Store:
    """Load the ontology, shapes and data folders into an embedded store in memory (named graphs:
    docs/provenance.md); ``progress`` is told the bytes read and the bytes in all. The command line keeps
    the loaded store on disk instead (:mod:`evgraph.store.cache`).

    Raises :class:`ConfigError` for a missing folder or unknown backend and :class:`DataError` for an
    empty folder or a file that does not parse (naming the file and line).
    """
    layout = (layout or Layout.default()).with_overrides(data=data, shapes=shapes, ontology=ontology)
    if backend == "oxigraph":
        from evgraph.store.oxigraph_store import OxigraphStore as backend_class
    elif backend == "rdflib":
        from evgraph.store.rdflib_store import RdflibStore as backend_class
    else:
        raise ConfigError(f"Unknown backend '{backend}'.", hint=f"Choose one of: {', '.join(BACKENDS)}.")
    return load_files(backend_class(layout), roles, progress)


def scratch_copy(store: Store, extra: Mapping[IRI, Iterable[Triple]]) -> Store:
    """An in-memory Oxigraph copy of a store's ontology and data graphs, plus ``extra`` named graphs: for a
    what-if that must leave the store, and its derived graph, as they were."""
    from evgraph.store.oxigraph_store import OxigraphStore

    copy = OxigraphStore(store.layout)
    copy.load_nquads(store.dump(store.graphs_of("ontology", "data")))
    for graph, triples in extra.items():
        copy.replace_graph(graph, triples)
    copy.files = [f for f in store.files if f.role in ("ontology", "data")]
    return copy


def connect(endpoint: str, headers: Mapping[str, str] | None = None, layout: Layout | None = None) -> Store:
    """A read-only store over a SPARQL 1.1 endpoint that already holds the graph (see ``push``)."""
    from evgraph.store.sparql_store import SparqlStore

    return SparqlStore(layout or Layout.default(), endpoint, headers)


def push(source: Store, graph_store: str, headers: Mapping[str, str] | None = None) -> dict[IRI, int]:
    """Upload every named graph of ``source`` to a Graph Store Protocol endpoint; each graph pushed, with its size."""
    from evgraph.store.sparql_store import push as push_graphs

    return push_graphs(source, graph_store, headers)


#: The RDF serialisations ``serialize`` writes; those marked False drop graph names.
RDF_FORMATS = {"nquads": True, "trig": True, "turtle": False, "ntriples": False, "rdfxml": False}


def serialize(nquads: bytes, name: str, prefixes: Mapping[str, str]) -> bytes:
    """Re-serialise sorted N-Quads (a store's ``dump``) as one of :data:`RDF_FORMATS`, deterministically."""
    from evgraph.store.oxigraph_store import convert

    return convert(nquads, name, prefixes)


def dump_quads(nquads: bytes) -> list[tuple[Term, Term, Term, IRI | None]]:
    """The quads of N-Quads a store dumped, as evgraph terms (its own output: no input limits apply)."""
    from evgraph.store.oxigraph_store import read_dump

    return read_dump(nquads)


def read_quads(path: Path, nquads: bytes | None = None) -> list[tuple[Term, Term, Term, IRI | None]]:
    """The quads of one RDF file, graph None for the default graph.

    The format follows the suffix: Turtle (.ttl), TriG (.trig), N-Quads (.nq), N-Triples (.nt), RDF/XML
    (.rdf, .owl, .xml) or JSON-LD (.jsonld). With ``nquads``, that text (what a .jsonld file expands to) is
    parsed instead, as N-Quads. Every read follows the input policy (:mod:`evgraph.store.inputs`: sizes,
    no XML DOCTYPE, no remote JSON-LD context). Raises :class:`DataError` naming the file and line of a
    syntax error, or the file and the limit it breaks.
    """
    from evgraph.store.oxigraph_store import parse_quads

    return parse_quads(path, nquads)


def read_graphs(path: Path) -> dict[IRI | None, bytes]:
    """The quads of one TriG (.trig) or N-Quads (.nq) file, such as an export, as sorted N-Quads per graph name.

    The default graph is keyed None. Raises :class:`DataError` naming the file and line of a syntax error.
    """
    from evgraph.store.oxigraph_store import graph_nquads

    return graph_nquads(path)


def check_sparql(text: str) -> str | None:
    """None when ``text`` parses as a SPARQL query, else the parser's complaint."""
    from evgraph.store.oxigraph_store import syntax_error

    return syntax_error(text)


def query_form(text: str) -> str:
    """The form of a query a read-only endpoint may run: SELECT, ASK, CONSTRUCT or DESCRIBE, read from the text
    (nothing is run: only a text that opens with no query form goes to the parser, for its complaint).

    Raises :class:`QueryError` for SPARQL Update (INSERT, LOAD, DROP, …: the endpoint is read-only), for SERVICE
    (the endpoint never calls another server; see :func:`evgraph.store.sparql_text.service_word`), for a FROM it
    cannot read, and for text that opens with no query form, with the parser's complaint. Where FROM and FROM NAMED
    must name the store's own graphs too, use :func:`check_query`.
    """
    from evgraph.store.query_policy import checked_form

    return checked_form(text, "endpoint")


def check_query(text: str, store: Store | None = None, speaker: str = "evgraph") -> str:
    """The form of a query that may run over ``store`` (see :mod:`evgraph.store.query_policy`): refuses, with one
    sentence, SPARQL Update, SERVICE, and FROM or FROM NAMED naming anything but the store's own graphs.

    ``speaker`` names who refuses in the sentence: ``evgraph``, or ``endpoint`` for the server.
    """
    from evgraph.store.query_policy import check_query as check

    return check(text, store, speaker)


def read_results(raw: bytes) -> Table:
    """A SELECT query's answer as a SPARQL JSON results document (UTF-8) read into a :class:`Table`."""
    import json

    from evgraph.store.sparql_store import table_of

    return table_of(json.loads(raw))


def parse_rdf(content: bytes, name: str, base_iri: str | None = None) -> bytes:
    """RDF text (``turtle``, ``trig``, ``nquads``, ``ntriples``, ``rdfxml`` or ``jsonld``) as sorted N-Quads.

    Relative IRIs resolve against ``base_iri``. Raises :class:`DataError` when the text does not parse, or
    breaks the input policy (:mod:`evgraph.store.inputs`).
    """
    from evgraph.store.oxigraph_store import parse_nquads

    return parse_nquads(content, name, base_iri)


def select_rdf(content: bytes, name: str, sparql: str, base_iri: str | None = None) -> Table:
    """Run a SELECT query over one piece of RDF text, in a store of its own (see :func:`parse_rdf`)."""
    from evgraph.store.oxigraph_store import select_in

    return select_in(content, name, sparql, base_iri)


__all__ = ["BACKENDS", "DERIVED_GRAPH", "RDF_FORMATS", "LoadedFile", "Location", "Store", "Table", "Triple",
           "check_query", "check_sparql", "connect", "load_store", "parse_rdf", "push", "query_form", "read_graphs",
           "read_quads", "read_results", "role_of", "scratch_copy", "select_rdf", "serialize"]
