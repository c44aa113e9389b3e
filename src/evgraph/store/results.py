"""SPARQL answers as the Protocol sends them, never more than a row cap: results in the W3C formats, graphs as
sorted N-Triples.

The embedded Oxigraph store is read lazily, so an answer over the cap stops at the first row too many; an
answer from elsewhere (another backend, an external server's reply) is read the same way. Results pass through
one SPARQL JSON document that Oxigraph then writes in the format asked for, so every format holds the same rows.
"""

from __future__ import annotations

import functools
import json
from typing import Callable, Iterable

import pyoxigraph as ox

from evgraph.errors import EndpointError, EvgraphError, QueryError
from evgraph.store.base import Store
from evgraph.store.oxigraph_store import OxigraphStore, from_term
from evgraph.store.sparql_text import form_keyword, names_dataset
from evgraph.terms import XSD_STRING

#: The W3C results formats a SELECT or ASK answer is written in.
RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


class TooManyRows(QueryError):
    """The answer has more rows than the server sends."""

    status = 422


def _released(function: Callable[..., bytes]) -> Callable[..., bytes]:
    """Let an error leave without its traceback, whose frames hold Oxigraph's answer: that may be dropped only by
    the thread that made it, and the error may be handled on another (the server's event loop). An error Oxigraph
    raises while evaluating becomes a :class:`QueryError` saying so."""
    @functools.wraps(function)
    def released(*args, **kwargs) -> bytes:
        try:
            return function(*args, **kwargs)
        except EvgraphError as error:
            failure = error
        except (OSError, RuntimeError) as error:
            failure = QueryError(f"The query could not be answered: {error}")
        raise failure.with_traceback(None) from None
    return released


def _too_many(max_rows: int, unit: str) -> TooManyRows:
    return TooManyRows(f"The answer has more than {max_rows} {unit}; add a LIMIT.")


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unsupported term {term!r}")


def _written(answer, fmt: str, max_rows: int) -> bytes:
    """An Oxigraph answer (solutions or a boolean) in one of :data:`RESULT_FORMATS`, refused past ``max_rows``."""
    if isinstance(answer, ox.QueryBoolean):
        document: dict = {"head": {}, "boolean": bool(answer)}
    elif isinstance(answer, ox.QuerySolutions):
        names = [variable.value for variable in answer.variables]
        bindings = []
        for solution in answer:
            if len(bindings) == max_rows:
                raise _too_many(max_rows, "rows")
            bindings.append({name: _json_term(solution[name]) for name in names if solution[name] is not None})
        document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    else:
        raise QueryError("Expected a SELECT or ASK query.")
    text = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return ox.parse_query_results(text, ox.QueryResultsFormat.JSON).serialize(format=RESULT_FORMATS[fmt])


def _ntriples(triples: Iterable, max_rows: int) -> bytes:
    """Oxigraph triples as sorted N-Triples, each once, refused past ``max_rows`` distinct triples."""
    seen: dict = {}
    for triple in triples:
        seen.setdefault(triple, None)
        if len(seen) > max_rows:
            raise _too_many(max_rows, "triples")
    return "".join(sorted(f"{triple} .\n" for triple in seen)).encode("utf-8")


def _run(store: OxigraphStore, sparql: str):
    """Oxigraph's answer, read lazily. The default graph is the union of the named graphs, unless the query
    names its own with FROM or FROM NAMED (Oxigraph's union option would override them). The query policy
    applies here too, whoever called."""
    from evgraph.store.query_policy import check_query

    check_query(sparql, store, speaker="endpoint")
    try:
        return store._store.query(sparql, use_default_graph_as_union=not names_dataset(sparql))
    except SyntaxError as error:
        raise QueryError(f"The query is not valid SPARQL: {error}") from None


@_released
def select_answer(store: Store, sparql: str, fmt: str, max_rows: int) -> bytes:
    """The answer to a SELECT or ASK query in ``fmt`` (json, xml, csv or tsv).

    Raises :class:`TooManyRows` when it has more than ``max_rows`` rows, :class:`QueryError` when the query
    does not parse or is of another form.
    """
    if isinstance(store, OxigraphStore):
        return _written(_run(store, sparql), fmt, max_rows)
    if form_keyword(sparql) == "ASK":  # another backend: its answer, read whole, then written the same way
        document: dict = {"head": {}, "boolean": store.ask(sparql)}
    else:
        table = store.select(sparql)
        document = {"head": {"vars": list(table.variables)}, "results": {"bindings": [
            {name: _json_term(from_term(value)) for name, value in row.items() if value is not None}
            for row in table.rows[:max_rows + 1]]}}
    answer = ox.parse_query_results(json.dumps(document).encode("utf-8"), ox.QueryResultsFormat.JSON)
    return _written(answer, fmt, max_rows)


@_released
def graph_answer(store: Store, sparql: str, max_rows: int) -> bytes:
    """The answer to a CONSTRUCT or DESCRIBE query as sorted N-Triples, each triple once.

    Raises :class:`TooManyRows` past ``max_rows`` distinct triples.
    """
    if isinstance(store, OxigraphStore):
        answer = _run(store, sparql)
        if not isinstance(answer, ox.QueryTriples):
            raise QueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return _ntriples(answer, max_rows)
    return _ntriples((ox.Triple(*(from_term(term) for term in triple)) for triple in store.construct(sparql)),
                     max_rows)


@_released
def reformat_results(raw: bytes, fmt: str, max_rows: int, source: str) -> bytes:
    """A SPARQL server's JSON results document written again in ``fmt``, refused past ``max_rows`` rows."""
    try:
        answer = ox.parse_query_results(raw, ox.QueryResultsFormat.JSON)
        return _written(answer, fmt, max_rows)
    except SyntaxError as error:
        raise EndpointError(f"The SPARQL server at {source} sent results that do not parse: {error}") from None


@_released
def reformat_graph(raw: bytes, max_rows: int, source: str) -> bytes:
    """A SPARQL server's N-Triples answer as sorted N-Triples, each triple once, refused past ``max_rows``."""
    try:
        return _ntriples(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES), max_rows)
    except SyntaxError as error:
        raise EndpointError(f"The SPARQL server at {source} sent N-Triples that do not parse: {error}") from None
