"""The reference backend: an rdflib Dataset whose default graph is the union of its named graphs."""

from __future__ import annotations

import warnings
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Mapping

from rdflib import BNode, Dataset, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.query import Result

from evgraph.errors import DataError, QueryError
from evgraph.paths import Layout
from evgraph.store import inputs
from evgraph.store.base import Store, Table, Triple
from evgraph.store.query_policy import check_query, guard_rdflib
from evgraph.terms import IRI, XSD_STRING, BlankNode, Literal, Term


def to_term(node) -> Term | None:
    """An evgraph term for an rdflib term."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return IRI(str(node))
    if isinstance(node, BNode):
        return BlankNode(str(node))
    if isinstance(node, RdfLiteral):
        if node.language:
            return Literal(str(node), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", node.language.lower())
        if str(node.datatype) == _XSD_DECIMAL:
            return Literal(_canonical_decimal(str(node)), _XSD_DECIMAL)
        return Literal(str(node), str(node.datatype) if node.datatype else XSD_STRING)
    raise TypeError(f"unsupported term {node!r}")


_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _canonical_decimal(lexical: str) -> str:
    """A decimal written as Oxigraph (XSD 1.1) writes it: "18.0" is "18", "0.50" is "0.5"; a malformed
    lexical form is kept as it is, for the shapes to report."""
    try:
        return format(Decimal(lexical.strip()).normalize(), "f")
    except InvalidOperation:
        return lexical


def from_term(term: Term):
    """An rdflib term for an evgraph term."""
    if isinstance(term, IRI):
        return URIRef(str(term))
    if isinstance(term, BlankNode):
        return BNode(str(term))
    if term.language:
        return RdfLiteral(term.lexical, lang=term.language)
    datatype = None if term.datatype == XSD_STRING else URIRef(term.datatype)
    return RdfLiteral(term.lexical, datatype=datatype)


class RdflibStore(Store):
    """All graphs in one rdflib Dataset; slower than Oxigraph, kept as the reference implementation."""

    backend = "rdflib"

    def __init__(self, layout: Layout):
        super().__init__(layout)
        self._dataset = Dataset(default_union=True)
        guard_rdflib()  # rdflib would load what FROM names, and call a SERVICE

    def _query(self, sparql: str, bindings: Mapping[str, Term] | None) -> Result:
        check_query(sparql, self)
        try:
            return self._dataset.query(sparql, initBindings={k: from_term(v) for k, v in (bindings or {}).items()})
        except Exception as error:  # pyparsing reports syntax errors with its own exception types
            if type(error).__name__ == "ParseException":
                raise QueryError(f"The query is not valid SPARQL: {error}") from None
            raise

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        result = self._query(sparql, bindings)
        if result.type != "SELECT":
            raise QueryError("Expected a SELECT query.")
        names = tuple(str(v) for v in result.vars)
        return Table(names, [{name: to_term(value) for name, value in zip(names, row)} for row in result])

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._query(sparql, bindings)
        if result.type != "ASK":
            raise QueryError("Expected an ASK query.")
        return bool(result.askAnswer)

    def construct(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[Triple]:
        result = self._query(sparql, bindings)
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return [(to_term(s), to_term(p), to_term(o)) for s, p, o in result.graph]

    def serialize_select(self, sparql: str, bindings: Mapping[str, Term] | None, media: str) -> bytes:
        return self._query(sparql, bindings).serialize(format=media)

    def load_file(self, path: Path, graph: IRI) -> dict[IRI, int]:
        trig = path.suffix == ".trig"
        kind = "TriG" if trig else "Turtle"
        parsed = Dataset()
        content = inputs.read_input(path, "trig" if trig else "turtle")
        base = path.absolute().as_uri()  # relative IRIs resolve against the file, as when rdflib opens it
        try:
            if trig:
                with warnings.catch_warnings():  # rdflib's own TriG parser uses its deprecated ConjunctiveGraph
                    warnings.simplefilter("ignore", DeprecationWarning)
                    parsed.parse(data=content, format="trig", publicID=base)
            else:
                parsed.graph(URIRef(str(graph))).parse(data=content, format="turtle", publicID=base)
        except BadSyntax as error:
            raise DataError(f"{path}:{error.lines + 1}: {kind} syntax error: {error._why}.",
                            hint="Fix the file and run the command again.") from None
        except UnicodeDecodeError as error:
            raise DataError(f"{path}: not UTF-8 text ({error.reason}).") from None
        except Exception as error:  # rdflib reports some errors (bad IRIs, literals) with plain exceptions
            raise DataError(f"{path}: could not be read as {kind}: {error}") from None
        tally = inputs.Tally(str(path))  # rdflib parses a whole file at once, so it is counted after
        for _, _, o, _ in parsed.quads():
            tally.add(str(o) if isinstance(o, RdfLiteral) else None)
        sizes: dict[IRI, int] = {}
        for context in parsed.graphs():
            if len(context) == 0:
                continue
            if context.identifier == DATASET_DEFAULT_GRAPH_ID:
                s, p, o = next(iter(context))
                raise DataError(f"{path}: {len(context)} triple(s) outside every GRAPH block, e.g. {s.n3()} {p.n3()} {o.n3()}.",
                                hint="Put each triple in the named graph of the document it comes from (docs/provenance.md).")
            target = self._dataset.graph(context.identifier)
            for triple in context:
                target.add(triple)
            sizes[IRI(str(context.identifier))] = len(context)
        return sizes

    def replace_graph(self, graph: IRI, triples: Iterable[Triple]) -> None:
        target = self._dataset.graph(URIRef(str(graph)))
        target.remove((None, None, None))
        for s, p, o in triples:
            target.add((from_term(s), from_term(p), from_term(o)))

    def dump(self, graphs: Iterable[IRI] | None = None, subjects: Iterable[IRI] | None = None) -> bytes:
        wanted = None if graphs is None else {str(g) for g in graphs}
        chosen = None if subjects is None else [URIRef(str(s)) for s in sorted(set(subjects))]
        out = Dataset()
        for context in self._dataset.graphs():
            name = str(context.identifier)
            if name == "urn:x-rdflib:default" or (wanted is not None and name not in wanted):
                continue
            target = out.graph(context.identifier)
            triples = context if chosen is None else (t for s in chosen for t in context.triples((s, None, None)))
            for triple in triples:
                target.add(triple)
        lines = out.serialize(format="nquads", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
