"""The default backend: an embedded Oxigraph store (pyoxigraph), in memory or on disk (:mod:`evgraph.store.cache`)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import pyoxigraph as ox

from evgraph.errors import DataError, QueryError
from evgraph.paths import Layout
from evgraph.store import inputs
from evgraph.store.base import Store, Table, Triple, role_of
from evgraph.store.query_policy import check_query
from evgraph.store.sparql_text import names_dataset, service_word, with_values
from evgraph.terms import IRI, BlankNode, Literal, Term

_RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def to_term(node) -> Term | None:
    """An evgraph term for an Oxigraph term."""
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return IRI(node.value)
    if isinstance(node, ox.BlankNode):
        return BlankNode(node.value)
    if isinstance(node, ox.Literal):
        return Literal(node.value, node.datatype.value, node.language)
    raise TypeError(f"unsupported term {node!r}")


def term_converter():
    """:func:`to_term` remembering what it converted: a result repeats the same terms many times over, and
    looking one up costs a fifth of building it again."""
    seen: dict = {}

    def convert(node) -> Term | None:
        try:
            return seen[node]
        except KeyError:
            term = seen[node] = to_term(node)
            return term

    return convert


def from_term(term: Term):
    """An Oxigraph term for an evgraph term."""
    if isinstance(term, IRI):
        return ox.NamedNode(str(term))
    if isinstance(term, BlankNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(term.lexical, language=term.language)
    return ox.Literal(term.lexical, datatype=ox.NamedNode(term.datatype))


def table_of(solutions: ox.QuerySolutions) -> Table:
    """Oxigraph's solutions as a :class:`Table` of evgraph terms."""
    names = tuple(v.value for v in solutions.variables)
    convert = term_converter()
    return Table(names, [dict(zip(names, map(convert, solution))) for solution in solutions])


class OxigraphStore(Store):
    """Everything in one in-process Oxigraph store; the default graph is the union of the named graphs.

    With ``path`` the store is kept on disk there (RocksDB), and opening it again finds what was loaded.
    """

    backend = "oxigraph"

    def __init__(self, layout: Layout, path: Path | None = None):
        super().__init__(layout)
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        # Changes to what the rules read (any graph but the shapes and the derived one), and how many there had
        # been when the derived graph was last written: equal, the derived graph is current.
        self._changes, self._derived_at = 0, -1

    def add_derived(self, triples: list[Triple]) -> None:
        super().add_derived(triples)
        self._derived_at = self._changes

    def derived_current(self) -> bool:
        return self._derived_at == self._changes

    def close(self) -> None:
        self._store.flush()

    def _query(self, sparql: str, bindings: Mapping[str, Term] | None):
        check_query(sparql, self)  # Oxigraph would call a SERVICE itself: the policy refuses it first
        union = not names_dataset(sparql)  # FROM and FROM NAMED choose the graphs; the union option would override
        substitutions = {ox.Variable(name): from_term(term) for name, term in (bindings or {}).items()}
        try:
            return self._store.query(sparql, use_default_graph_as_union=union, substitutions=substitutions or None)
        except SyntaxError as error:
            raise QueryError(f"The query is not valid SPARQL: {error}") from None
        except RuntimeError as error:
            if "projection" not in str(error):
                raise
        # Oxigraph substitutes only variables the query selects (SEP-0007); bind the others with VALUES.
        return self._store.query(with_values(sparql, bindings), use_default_graph_as_union=union)

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        solutions = self._query(sparql, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("Expected a SELECT query.")
        return table_of(solutions)

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        answer = self._query(sparql, bindings)
        if not isinstance(answer, ox.QueryBoolean):
            raise QueryError("Expected an ASK query.")
        return bool(answer)

    def construct(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[Triple]:
        triples = self._query(sparql, bindings)
        if not isinstance(triples, ox.QueryTriples):
            raise QueryError("Expected a CONSTRUCT or DESCRIBE query.")
        convert = term_converter()
        return [(convert(t.subject), convert(t.predicate), convert(t.object)) for t in triples]

    def serialize_select(self, sparql: str, bindings: Mapping[str, Term] | None, media: str) -> bytes:
        return self._query(sparql, bindings).serialize(format=_RESULT_FORMATS[media])

    def load_file(self, path: Path, graph: IRI) -> dict[IRI, int]:
        # Parsed twice, both times by Oxigraph alone: into a scratch store, whose graphs and sizes are counted
        # and checked by queries, then into this one. No quad becomes a Python object, which is what a load
        # of a million triples would otherwise spend most of its time on.
        trig = path.suffix == ".trig"
        kind = "TriG" if trig else "Turtle"
        content = inputs.read_input(path, "trig" if trig else "turtle")
        rdf_format = ox.RdfFormat.TRIG if trig else ox.RdfFormat.TURTLE
        target = None if trig else ox.NamedNode(str(graph))
        scratch = ox.Store()
        try:
            scratch.load(content, format=rdf_format, to_graph=target)
        except SyntaxError as error:
            raise DataError(f"{path}:{error.lineno}: {kind} syntax error: {error.msg}.",
                            hint="Fix the file and run the command again.") from None
        except UnicodeDecodeError as error:
            raise DataError(f"{path}: not UTF-8 text ({error.reason}).") from None
        except (OSError, ValueError) as error:
            raise DataError(f"{path}: could not be read as {kind}: {error}") from None
        sizes = {IRI(row["g"].value): int(row["n"].value) for row in scratch.query(_GRAPH_SIZES)}
        outside = sorted(str(q.triple) for q in scratch.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        _count(scratch, sum(sizes.values()) + len(outside), len(content), str(path))
        if outside:
            raise DataError(f"{path}: {len(outside)} triple(s) outside every GRAPH block, e.g. {outside[0]}.",
                            hint="Put each triple in the named graph of the document it comes from (docs/provenance.md).")
        self._store.load(content, format=rdf_format, to_graph=target)
        self._changes += 1
        return sizes

    @contextmanager
    def without_graphs(self, graphs: list[IRI]) -> Iterator[None]:
        # Kept as Oxigraph's own quads, blank nodes and all: no Python term per triple either way.
        saved = []
        for graph in graphs:
            target = ox.NamedNode(str(graph))
            saved += self._store.quads_for_pattern(None, None, None, target)
            if self._store.contains_named_graph(target):
                self._store.remove_graph(target)
        try:
            yield
        finally:
            self._store.extend(saved)  # the same graphs again: what the rules read has not changed

    def load_nquads(self, nquads: bytes) -> None:
        """Add the quads of some N-Quads text (such as another store's ``dump``)."""
        self._store.load(nquads, format=ox.RdfFormat.N_QUADS)
        self._changes += 1

    def replace_graph(self, graph: IRI, triples: Iterable[Triple]) -> None:
        if role_of(graph) not in ("shapes", "derived"):
            self._changes += 1
        target = ox.NamedNode(str(graph))
        if self._store.contains_named_graph(target):
            self._store.remove_graph(target)
        triples = list(triples)
        if any(isinstance(term, BlankNode) for triple in triples for term in triple):  # a parse would relabel them
            self._store.extend([ox.Quad(from_term(s), from_term(p), from_term(o), target) for s, p, o in triples])
            return
        # Written as N-Triples and parsed by Oxigraph: far faster than a Python object per quad.
        lines = "".join(f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in triples)
        self._store.load(lines.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=target)

    def dump(self, graphs: Iterable[IRI] | None = None, subjects: Iterable[IRI] | None = None) -> bytes:
        wanted = None if graphs is None else {str(g) for g in graphs}
        if subjects is None and next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None:
            # Every quad is in a named graph, the last term of its line: Oxigraph writes them all, Python keeps
            # the wanted graphs' lines (no Python object per quad).
            lines = self._store.dump(format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
            if wanted is not None:
                names = {f"<{g}>".encode("utf-8") for g in wanted}
                lines = [line for line in lines if line[line.rindex(b" ", 0, -3) + 1:-3] in names]
            return b"".join(sorted(lines))
        if subjects is None:
            candidates = iter(self._store)
        else:
            candidates = (q for s in sorted(set(subjects))
                          for q in self._store.quads_for_pattern(ox.NamedNode(str(s)), None, None, None))
        quads = [q for q in candidates if not isinstance(q.graph_name, ox.DefaultGraph)
                 and (wanted is None or q.graph_name.value in wanted)]
        lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
        return b"".join(sorted(lines))


_ECHAR = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt(term: Term) -> str:
    """An IRI or literal in N-Triples syntax."""
    if isinstance(term, IRI):
        return f"<{term}>"
    text = f'"{term.lexical.translate(_ECHAR)}"'
    if term.language:
        return f"{text}@{term.language}"
    return text if term.datatype == _XSD_STRING else f"{text}^^<{term.datatype}>"


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


#: The formats of :data:`evgraph.store.inputs.FORMATS` :func:`parse_quads` reads: their name in messages and
#: Oxigraph's format (TriX is recognised by the policy, to refuse its DOCTYPE, but not read).
_FILE_FORMATS = {"turtle": ("Turtle", ox.RdfFormat.TURTLE), "trig": ("TriG", ox.RdfFormat.TRIG),
                 "nquads": ("N-Quads", ox.RdfFormat.N_QUADS), "ntriples": ("N-Triples", ox.RdfFormat.N_TRIPLES),
                 "rdfxml": ("RDF/XML", ox.RdfFormat.RDF_XML), "jsonld": ("JSON-LD", ox.RdfFormat.JSON_LD)}


_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_LONGEST_LITERAL = ("SELECT (MAX(STRLEN(STR(?o))) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
                    " FILTER(isLiteral(?o)) }")


def _count(store: ox.Store, triples: int, size: int, source: str) -> None:
    """Apply the input policy's triple and literal limits to what a file loaded into ``store`` (``size`` bytes)."""
    tally = inputs.Tally(source)
    longest = 0
    if size > tally.max_literal:  # no literal is longer than the file that holds it
        found = next(iter(store.query(_LONGEST_LITERAL)))["n"]
        longest = int(found.value) if found is not None else 0
    tally.add_counted(triples, longest)


def _tallied(parser, source: str):
    """The quads a parser yields, counted by the input policy as they come (triples, literal length)."""
    tally = inputs.Tally(source)
    for quad in parser:
        tally.add(quad.object.value if isinstance(quad.object, ox.Literal) else None)
        yield quad


def _parse_file(path: Path, nquads: bytes | None = None) -> list:
    """Oxigraph's quads of one RDF file, its format by suffix (or ``nquads``, the N-Quads a JSON-LD file
    expands to), read under :mod:`evgraph.store.inputs`. A syntax error is a DataError naming the file and,
    where the parser gives one, the line."""
    if nquads is not None:
        inputs.check(nquads, "nquads", str(path))
        content, (kind, rdf_format) = nquads, ("JSON-LD (as N-Quads)", ox.RdfFormat.N_QUADS)
    else:
        fmt = inputs.format_of(path)
        content = inputs.read_input(path, fmt)
        if fmt not in _FILE_FORMATS:
            raise DataError(f"{path}: evgraph does not read {fmt}; expected Turtle, TriG, N-Quads, N-Triples,"
                            " RDF/XML or JSON-LD.")
        kind, rdf_format = _FILE_FORMATS[fmt]
    try:
        return list(_tallied(ox.parse(content, format=rdf_format), str(path)))
    except SyntaxError as error:
        where = f", line {error.lineno}" if error.lineno else ""
        reason = str(error.msg or error).rstrip(".")
        raise DataError(f"{path}{where}: {kind} syntax error: {reason}.") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason}).") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: could not be read as {kind}: {error}") from None


def parse_quads(path: Path, nquads: bytes | None = None) -> list[tuple[Term, Term, Term, IRI | None]]:
    """Parse one RDF file (or ``nquads``, the N-Quads a JSON-LD file expands to) into evgraph terms."""
    parsed = _parse_file(path, nquads)
    return [(to_term(q.subject), to_term(q.predicate), to_term(q.object),
             None if isinstance(q.graph_name, ox.DefaultGraph) else IRI(q.graph_name.value)) for q in parsed]


def read_dump(nquads: bytes) -> list[tuple[Term, Term, Term, IRI | None]]:
    """The quads of N-Quads a store dumped (:meth:`OxigraphStore.dump`), as evgraph terms."""
    return [(to_term(q.subject), to_term(q.predicate), to_term(q.object),
             None if isinstance(q.graph_name, ox.DefaultGraph) else IRI(q.graph_name.value))
            for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)]


def syntax_error(sparql: str) -> str | None:
    """The parser's complaint about a query, or None when it parses (checked on an empty store).

    A text holding a word that may be read as SERVICE is not run at all, since even over an empty store Oxigraph
    would call that server: it counts as parsing, and :func:`evgraph.store.query_policy.check_text` refuses it.
    """
    if service_word(sparql):
        return None
    try:
        ox.Store().query(sparql)
    except SyntaxError as error:
        return str(error)
    except Exception:  # noqa: BLE001 — evaluation errors on an empty store do not concern syntax
        return None
    return None


_OX_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
               "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


def convert(nquads: bytes, name: str, prefixes: Mapping[str, str]) -> bytes:
    """Sorted N-Quads in one of ``RDF_FORMATS``; triple formats drop graph names (and duplicates).

    The input order is kept, so sorted input gives the same bytes every time.
    """
    from evgraph.store import RDF_FORMATS

    if name == "nquads":
        return nquads  # a dump is Oxigraph's own N-Quads already, one quad a line, no duplicates
    if name == "ntriples":
        # Each line without its graph name (an IRI, the last term), then the distinct lines in byte order: the order
        # of the triples' text, as " ." sorts before whatever could continue a term ("@", "^^"). No quad becomes a
        # Python object, which for a million quads takes most of the time.
        lines = {line[:line.rindex(b" ", 0, -3)] + b" .\n" for line in nquads.splitlines(keepends=True)}
        return b"".join(sorted(lines))
    rdf_format, keeps_graphs = _OX_FORMATS[name], RDF_FORMATS[name]
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    if keeps_graphs:
        items: list = quads
    else:
        seen: dict = {}
        for quad in quads:
            seen.setdefault(quad.triple, None)
        items = sorted(seen, key=str)
    with_prefixes = {"prefixes": dict(prefixes)} if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    return ox.serialize(items, format=rdf_format, **with_prefixes)


_PARSE_FORMATS = {**_OX_FORMATS, "jsonld": ox.RdfFormat.JSON_LD}


def graph_nquads(path: Path) -> dict[IRI | None, bytes]:
    """The quads of one TriG (.trig) or N-Quads (.nq) file as sorted N-Quads per graph name (None: default graph)."""
    lines: dict[IRI | None, set[str]] = {}
    for quad in _parse_file(path):
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else IRI(quad.graph_name.value)
        lines.setdefault(graph, set()).add(str(quad) + " .\n")
    return {graph: "".join(sorted(found)).encode("utf-8") for graph, found in lines.items()}


def parse_nquads(content: bytes, name: str, base_iri: str | None = None) -> bytes:
    """RDF text in one of ``_PARSE_FORMATS`` as N-Quads, sorted, relative IRIs resolved against ``base_iri``."""
    inputs.check(content, name, f"The {name} text")
    try:
        quads = _tallied(ox.parse(content, format=_PARSE_FORMATS[name], base_iri=base_iri), f"The {name} text")
        lines = sorted({str(quad) + " .\n" for quad in quads})
    except SyntaxError as error:
        raise DataError(f"The {name} text does not parse: {error}") from None
    return "".join(lines).encode("utf-8")


def select_in(content: bytes, name: str, sparql: str, base_iri: str | None = None) -> Table:
    """Run a SELECT query over RDF text of one format (parsed into a store of its own)."""
    store = OxigraphStore(Layout.default())
    inputs.check(content, name, f"The {name} text")
    try:
        store._store.extend(_tallied(ox.parse(content, format=_PARSE_FORMATS[name], base_iri=base_iri),
                                     f"The {name} text"))
    except SyntaxError as error:
        raise DataError(f"The {name} text does not parse: {error}") from None
    return store.select(sparql)
