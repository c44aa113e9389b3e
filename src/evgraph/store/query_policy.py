"""The one place that decides whether a SPARQL query may run: read-only, no SERVICE, FROM only over the store's graphs.

Every surface asks before a query reaches an engine: ``evgraph query`` (catalogue, .rq file, ``-e`` text), each
backend's ``select``, ``ask`` and ``construct`` (so the library's own reads pass too, and a caller that forgot is
still refused), the server's ``/sparql`` and the SHACL-SPARQL of the shapes (:func:`check_shapes`, before pySHACL
runs). A refusal is one :class:`QueryError` sentence. Nothing here runs a query: the text is read with comments,
strings, IRIs, variables and local names masked (:mod:`evgraph.store.sparql_text`), so "service" or "from" inside
them never counts, and a word a parser may read as the keyword (Oxigraph's reads ``SERVICEex:s`` as SERVICE and
``FROMex:g`` as FROM) counts as one.

Refused: SPARQL Update in every form (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ADD, MOVE, COPY, WITH); SERVICE
(a query never calls another server); FROM and FROM NAMED naming anything but one of the store's own graphs (a
query never opens a file or URL it names). :func:`guard_rdflib` also switches off rdflib's own graph loading and
SERVICE calls, for whoever evaluates SPARQL with it in this process (the rdflib backend, pySHACL).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from evgraph.errors import QueryError
from evgraph.namespaces import GRAPH_BASE
from evgraph.store.sparql_text import (
    dataset_clauses,
    expand_codepoints,
    form_keyword,
    service_word,
    update_keyword,
)

if TYPE_CHECKING:
    from evgraph.store.base import Store

#: Who refuses, as a sentence names it at its start and inside it: evgraph itself, or the server's endpoint.
SPEAKERS = {"evgraph": ("evgraph", "evgraph"), "endpoint": ("The endpoint", "this endpoint")}

_SERVICE_REFUSED = ("The query uses SERVICE, which {} refuses: it answers from its own graph and never calls another"
                    " server.")
_SHACL = "http://www.w3.org/ns/shacl#"
#: The SHACL-SPARQL texts pySHACL would run: constraints, validators, SPARQL-based targets, functions and rules.
_SHAPE_QUERIES = (f"PREFIX sh: <{_SHACL}> SELECT ?graph ?kind ?text WHERE {{ VALUES ?kind {{ sh:select sh:ask"
                  " sh:construct } GRAPH ?graph { ?node ?kind ?text } } ORDER BY ?graph ?kind ?text")


class _Reading(NamedTuple):
    """What the text says, read once per text: each item None when absent."""

    update: str | None
    service: str | None
    unreadable_from: str | None
    graphs: tuple[tuple[str, str], ...]  # (FROM or FROM NAMED, the graph's IRI), in order
    form: str | None


def check_text(text: str, speaker: str = "evgraph") -> str | None:
    """Refuse what the text alone shows may not run (an update, SERVICE, a FROM naming no readable graph); the
    query form it opens with (SELECT, ASK, CONSTRUCT or DESCRIBE), or None when it opens with none."""
    reading = _read(text)
    subject, object_ = SPEAKERS[speaker]
    if reading.update:
        raise QueryError(f"{subject} is read-only: {reading.update} is a SPARQL Update; send a query (SELECT, ASK,"
                         " CONSTRUCT or DESCRIBE).")
    if reading.service and reading.service.upper() == "SERVICE":
        raise QueryError(_SERVICE_REFUSED.format(object_))
    if reading.service:
        raise QueryError(f"The query has '{reading.service}' outside its IRIs, strings and names, where it may be read"
                         f" as SERVICE, which {object_} refuses (it never calls another server); rename it.")
    if reading.unreadable_from:
        raise QueryError(f"The query has '{reading.unreadable_from}' outside its IRIs, strings and names, where it may"
                         " be read as FROM, and no graph IRI that can be checked follows it; write FROM <graph IRI>, or"
                         " rename it.")
    return reading.form


def checked_form(text: str, speaker: str = "evgraph") -> str:
    """:func:`check_text`, and the form, which the text must open with: else the parser's complaint."""
    form = check_text(text, speaker)
    if form is None:
        from evgraph.store.oxigraph_store import syntax_error

        complaint = syntax_error(text)
        raise QueryError(f"The query is not valid SPARQL: {complaint}" if complaint else
                         "The query does not open with SELECT, ASK, CONSTRUCT or DESCRIBE (after its PREFIX and BASE"
                         " declarations).")
    return form


def check_query(text: str, store: Store | None = None, speaker: str = "evgraph") -> str:
    """Refuse a query that may not run over ``store``; its form (SELECT, ASK, CONSTRUCT or DESCRIBE).

    Beyond :func:`checked_form`, FROM and FROM NAMED may name only the store's own graphs (any graph of its
    ontology, shapes, data or derived graph); with no store, none.
    """
    form = check_text(text, speaker)
    graphs = _read(text).graphs
    if graphs:
        own = set(store.graphs_of("ontology", "shapes", "data", "derived")) if store is not None else set()
        for keyword, iri in graphs:
            if iri not in own:
                raise QueryError(f"The query reads <{_shown(iri)}> with {keyword}, which is not one of the store's"
                                 f" graphs: {SPEAKERS[speaker][1]} never opens a file or URL a query names.",
                                 hint=f"Name one of its graphs (under {GRAPH_BASE}), or leave {keyword} out to read"
                                      " them all.")
    return form or checked_form(text, speaker)


def _shown(iri: str) -> str:
    """The IRI as a message may show it: a code point escape may have put a control character in it."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in iri)


def check_shapes(store: Store) -> None:
    """Refuse, before pySHACL runs, a shapes file whose SHACL-SPARQL (``sh:select``, ``sh:ask``, ``sh:construct``:
    constraints, validators, SPARQL-based targets, functions, rules) :func:`check_query` refuses; FROM is refused
    there whatever it names, since a shape reads the data graph it is given."""
    files = {graph: file for file in store.files_of("shapes") for graph in file.graphs}
    for row in store.select(_SHAPE_QUERIES):
        file = files.get(row["graph"])  # type: ignore[arg-type]
        if file is None:
            continue
        try:
            check_query(str(row["text"]))
        except QueryError as error:
            kind = "sh:" + str(row["kind"])[len(_SHACL):]
            raise QueryError(f"{file.path}: a shape's {kind} query was not run. {error.message}",
                             hint="Remove SERVICE, FROM and updates from the shapes' SPARQL.") from None


def guard_rdflib() -> None:
    """Stop rdflib's SPARQL engine, in this process, from loading what a FROM, FROM NAMED or LOAD names
    (``SPARQL_LOAD_GRAPHS``) and from calling a SERVICE (refused where rdflib would evaluate it)."""
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    rdflib_sparql.CUSTOM_EVALS["evgraph-no-service"] = _no_service


def _no_service(context, part):
    """rdflib's hook for each part of a query being evaluated: a SERVICE is refused, the rest left to rdflib."""
    if part.name == "ServiceGraphPattern":
        raise QueryError(_SERVICE_REFUSED.format("evgraph"))
    raise NotImplementedError  # rdflib's CUSTOM_EVALS protocol: "not mine", so rdflib evaluates the part itself


# -- reading the text ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _read(text: str) -> _Reading:
    """What the text says, read once per text (the library runs its own queries many times): as written, and with
    its code point escapes written out (rdflib reads ``\\u0053ERVICE`` as SERVICE); refused if either is."""
    readings = [_read_as(text)]
    expanded = expand_codepoints(text)
    if expanded != text:
        readings.append(_read_as(expanded))
    first = readings[0]
    return _Reading(next((r.update for r in readings if r.update), None),
                    next((r.service for r in readings if r.service), None),
                    next((r.unreadable_from for r in readings if r.unreadable_from), None),
                    tuple(dict.fromkeys(graph for r in readings for graph in r.graphs)), first.form)


def _read_as(text: str) -> _Reading:
    clauses = dataset_clauses(text)
    unreadable = next((word for _, iri, word in clauses if iri is None), None)
    graphs = tuple((keyword, iri) for keyword, iri, _ in clauses if iri is not None)
    return _Reading(update_keyword(text), service_word(text), unreadable, graphs, form_keyword(text))
