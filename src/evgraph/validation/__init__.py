"""SHACL validation of the curated data into a :class:`Report` value, by a compiled engine or by pySHACL.

Validation runs in two passes: the curated data (with the ontology, for class hierarchy and schemes) against every
shape except those of ``shapes/derived.ttl``; then, with the rules, the derived-graph shapes over the data and the
rules' output. Two engines give the same report:

- ``compiled`` (the default, :mod:`evgraph.validation.compiled`) turns the shapes into set-based SPARQL run on the
  store's own engine, over a union default graph that holds exactly pySHACL's data graph (:class:`_DataView`: the
  shapes graphs, and in the first pass the derived graph, are taken out of an in-memory store while the queries
  run; a store on disk is copied into memory without them). Naming the graphs with FROM instead is exact too, but
  Oxigraph then looks a bound pattern up in every named graph, one per source document: 10 to 1000 times slower.
  A shape it does not compile is run by pySHACL alone (:func:`evgraph.validation.reference.run_shapes`).
- ``pyshacl`` (:mod:`evgraph.validation.reference`), the reference: pySHACL over rdflib graphs.

The compiled engine gives pySHACL's results after these normalisations, which the reference applies too:
blank nodes keep the store's labels (rdflib would invent new ones on each parse, so a blank focus node would read
differently every run); results are ordered by file, line, focus, message, then path, value, severity and shape
(pySHACL's own order is that of a hash). Values and message variables are written as rdflib writes the terms
(``"1"^^xsd:boolean`` as ``true``). Where the two SPARQL engines differ, results may differ: functions in a shape's
SPARQL see literals in Oxigraph's canonical form where pySHACL sees rdflib's (``STR`` of an ``xsd:dateTime`` in
UTC ends in ``Z`` for one, ``+00:00`` for the other).

:func:`validate` with ``focus`` validates only those nodes (see :mod:`evgraph.validation.incremental`).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

from evgraph.errors import ConfigError
from evgraph.namespaces import RDF, SH
from evgraph.store import Store
from evgraph.terms import IRI, BlankNode, Term
from evgraph.validation.report import (
    Locator,
    Report,
    Violation,
    report_of,
    term_text,
    violation,
)

#: The shapes file whose shapes read the derived graph; validated only after the rules ran.
DERIVED_SHAPES = "derived.ttl"
#: The engines :func:`validate` runs.
ENGINES = ("compiled", "pyshacl")


def validate(store: Store, with_rules: bool = True, engine: str = "compiled",
             focus: Iterable[Term | str] | None = None) -> Report:
    """Validate the curated data against its shapes, with the ontology for class hierarchy and schemes.

    With ``with_rules`` the rules then run, and the shapes that compare published and derived levels check their
    output; their warnings join the report. Shapes whose SHACL-SPARQL the query policy refuses (SERVICE, FROM, an
    update) raise :class:`QueryError` before anything runs. ``engine`` is ``compiled`` or ``pyshacl`` (the
    reference; also used for a store that cannot be written, such as a SPARQL endpoint, and for the rdflib
    backend, whose SPARQL engine evaluates the compiled queries far slower than pySHACL runs). With ``focus``,
    only results about those nodes are reported, and the compiled engine validates only them.
    """
    from evgraph.store.query_policy import check_shapes

    if engine not in ENGINES:
        raise ConfigError(f"Unknown validation engine '{engine}'.", hint=f"Choose one of: {', '.join(ENGINES)}.")
    check_shapes(store)  # a shape's SPARQL that calls a server or reads a file named in it never runs
    nodes = None if focus is None else {f if isinstance(f, (IRI, BlankNode)) else IRI(str(f)) for f in focus}
    derived_files = {g for f in store.files_of("shapes") if f.relative == DERIVED_SHAPES for g in f.graphs}
    if engine == "pyshacl" or not store.writable or store.backend == "rdflib":
        from evgraph.validation import reference

        violations = reference.validate_store(store, with_rules, derived_files)
    else:
        violations = _compiled(store, with_rules, derived_files, nodes)
    if nodes is not None:
        wanted = {term_text(node) for node in nodes}
        violations = [v for v in violations if v.focus in wanted]
    return report_of(violations)


def _compiled(store: Store, with_rules: bool, derived_files: set[IRI], focus: set[Term] | None) -> list[Violation]:
    from evgraph.validation.shapes_model import read_shapes, read_triples

    restrictions = _restrictions(focus)
    shapes_graphs = store.graphs_of("shapes")
    first = [g for g in shapes_graphs if g not in derived_files]
    quads = read_triples(store, shapes_graphs)
    graph = read_shapes(quads, first)
    passes = [_Pass(graph, graph.top_level(), store.graphs_of("data", "ontology"), first)]
    view = _DataView(store)
    # The rules will write the derived graph again: no need to put the old one back after the first pass.
    with view.open([*shapes_graphs, *store.graphs_of("derived")], discard=with_rules and not store.derived_current()) \
            as data:
        passes[0].run(data, restrictions)
    if with_rules:
        from evgraph.rules import add_derivations

        add_derivations(store)
        listed = sorted({s for s, p, o, g in quads if g in derived_files and p == RDF.type and o == SH.NodeShape
                         and isinstance(s, IRI)}, key=str)
        if listed:
            everything = read_shapes(quads, shapes_graphs)
            passes.append(_Pass(everything, everything.top_level(listed),
                                store.graphs_of("data", "ontology", "derived"), shapes_graphs, listed))
            with view.open(shapes_graphs) as data:
                passes[1].run(data, restrictions)
    # pySHACL reads the shapes graphs from the store itself
    return [v for one in passes for v in one.violations(store, restrictions)]


class _DataView:
    """The store as pySHACL's data graph sees it: a union default graph without the shapes graphs (nor, in the
    first pass, the derived graph).

    An in-memory store lends itself: the hidden graphs are taken out while the queries run and put back after. A
    store on disk (:class:`evgraph.store.cache.CachedStore`) is never changed so — a process killed in between
    would leave it without its shapes, and the cache would not know — but copied into memory without them, where
    the queries also run faster than on disk.
    """

    def __init__(self, store: Store):
        from evgraph.store.cache import CachedStore

        self.store = store
        self.copy: Store | None = None
        self.copied: set[IRI] = set()
        self.persistent = isinstance(store, CachedStore)

    @contextmanager
    def open(self, hidden: list[IRI], discard: bool = False) -> Iterator[Store]:
        """The data graph without the ``hidden`` graphs; with ``discard``, the derived graph among them is not put
        back (the rules are about to write it again)."""
        if not self.persistent:
            derived = set(self.store.graphs_of("derived")) if discard else set()
            for graph in derived & set(hidden):
                self.store.replace_graph(graph, [])
            with self.store.without_graphs([g for g in hidden if g not in derived]):
                yield self.store
            return
        if self.copy is None:
            from evgraph.store.oxigraph_store import OxigraphStore

            self.copy = OxigraphStore(self.store.layout)
            self.copy.files = list(self.store.files)
        every = self.store.graphs_of("ontology", "shapes", "data", "derived")
        wanted = [g for g in every if g not in set(hidden)]
        _copy_graphs(self.store, self.copy, [g for g in wanted if g not in self.copied])
        self.copied |= set(wanted)
        yield self.copy


def _copy_graphs(source: Store, target: Store, graphs: list[IRI]) -> None:
    """Copy named graphs from one Oxigraph store into another, quad by quad inside Oxigraph."""
    from evgraph.store.oxigraph_store import from_term

    native = getattr(source, "_store", None)
    if native is None or getattr(target, "_store", None) is None:
        target.load_nquads(source.dump(graphs))  # type: ignore[attr-defined]
        return
    if len(graphs) <= 5000:
        for graph in graphs:
            target._store.extend(native.quads_for_pattern(None, None, None, from_term(graph)))  # type: ignore[attr-defined]
        return
    wanted = {str(g) for g in graphs}  # very many graphs: one pass over the store beats one lookup per graph
    target._store.extend(q for q in native if q.graph_name.value in wanted)  # type: ignore[attr-defined]


def _restrictions(focus: set[Term] | None) -> list[str]:
    """How each query restricts ``?this`` to the focus nodes: IRIs by VALUES; blank nodes (which a query cannot
    name) by keeping every blank focus node, the report then keeping those asked for."""
    if focus is None:
        return [""]
    iris = sorted(str(f) for f in focus if isinstance(f, IRI))
    found = [f"VALUES ?this {{ {' '.join(IRI(i).n3() for i in iris)} }}"] if iris else []
    if any(isinstance(f, BlankNode) for f in focus):
        found.append("FILTER(isBlank(?this))")
    return found


class _Pass:
    """One pass: its shapes, the compiled engine's results, and what pySHACL must run (all of the pass when the
    shapes hold rules or functions, or when the pass names its shapes and one of them does not compile)."""

    def __init__(self, graph, shapes: list, data_graphs: list[IRI], shapes_graphs: list[IRI],
                 listed: list[IRI] | None = None):
        self.graph, self.shapes, self.listed = graph, shapes, listed
        self.data_graphs, self.shapes_graphs = data_graphs, shapes_graphs
        self.results: list = []
        self.refused = [s for s in shapes if graph.unsupported(s)]
        self.compiled = [] if self.whole else [s for s in shapes if s not in self.refused]

    @property
    def whole(self) -> bool:
        return bool(self.graph.global_unsupported or (self.listed and self.refused))

    def run(self, store: Store, restrictions: list[str]) -> None:
        """Run the compiled shapes on a store whose union default graph is the pass's data graph."""
        from evgraph.validation.compiled import Engine

        if self.whole or not restrictions:
            return
        skip = self.graph.filtered_out(self.listed) if self.listed else frozenset()
        self.results, failed = Engine(store, skip, restrictions).run(self.compiled)
        self.refused += failed

    def violations(self, store: Store, restrictions: list[str]) -> list[Violation]:
        from evgraph.validation import reference

        if not restrictions:
            return []
        if self.whole:
            listed = [str(n) for n in self.listed] if self.listed else None
            return reference.run(store, reference.graph_of(store, self.data_graphs),
                                 reference.graph_of(store, self.shapes_graphs), listed)
        locator = Locator(store, {r.focus for r in self.results})
        found = [violation(store, r.focus, r.path, r.value, r.messages, r.severity, r.shape, locator)
                 for r in self.results]
        if self.refused:
            found += reference.run_shapes(store, self.data_graphs, self.shapes_graphs, [s.node for s in self.refused])
        return found


def touched_nodes(store: Store, changed: Iterable[tuple[Term, Term, Term]]):
    """The nodes whose results a change to these triples may alter (:func:`evgraph.validation.incremental.touched`)."""
    from evgraph.validation.incremental import touched

    return touched(store, changed)


__all__ = ["DERIVED_SHAPES", "ENGINES", "Report", "Violation", "touched_nodes", "validate"]
