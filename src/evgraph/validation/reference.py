"""The reference engine: pySHACL over rdflib graphs built from the store's N-Quads.

It runs the passes :func:`evgraph.validation.validate` describes, and the shapes the compiled engine leaves to it
(:func:`run_shapes`). Blank nodes keep the store's labels, so a blank focus node reads the same in both engines.
The only module of the package that imports rdflib and pySHACL: the compiled engine asks it how rdflib reads a
term (:func:`rdflib_term`) where its report must match pySHACL's.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator

from evgraph.errors import DataError
from evgraph.namespaces import RDF, RDFS, SH
from evgraph.store import Store
from evgraph.terms import IRI, XSD_STRING, BlankNode, Term
from evgraph.validation.report import Violation, path_text, report_of, severity_name

if TYPE_CHECKING:
    from rdflib import Graph

#: What makes a shape validate nodes of its own: without these, pySHACL validates it only where another names it.
_TARGET_PREDICATES = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def graph_of(store: Store, graphs: Iterable[IRI]) -> "Graph":
    """An rdflib graph merging some of the store's named graphs, blank nodes keeping the store's labels."""
    from rdflib import BNode, Dataset, Graph

    class SameLabels(dict):
        def get(self, key, default=None):  # the N-Quads parser asks this for the node of each label
            return BNode(key)

    dataset, union = Dataset(), Graph()
    with quiet_rdflib():
        dataset.parse(data=store.dump(list(graphs)), format="nquads", bnode_context=SameLabels())
    union.addN((s, p, o, union) for s, p, o, _ in dataset.quads())
    return union


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for an ill-typed literal ("79x"^^xsd:integer); the shapes report it instead."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def run(store: Store, data: "Graph", shapes: "Graph", use_shapes: list[str] | None = None) -> list[Violation]:
    """pySHACL's results for a data graph and a shapes graph, each located in the store's files."""
    from pyshacl import (
        validate as shacl_validate,  # heavy; imported when validating, not at CLI start-up
    )
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import Graph, URIRef

    from evgraph.store.query_policy import guard_rdflib

    guard_rdflib()
    # The ontology is merged into the data graph rather than passed as ont_graph: pySHACL only copies class
    # axioms from ont_graph, and shapes here also read the concept schemes.
    logging.disable(logging.ERROR)  # pySHACL logs a shape it cannot load (to a logger it resets each call)
    try:
        with quiet_rdflib():
            _, results, text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                              allow_warnings=True, abort_on_first=False, use_shapes=use_shapes,
                                              do_owl_imports=False)
    except ReportableRuntimeError as error:  # a shape pySHACL cannot load or run: bad input, not a bug
        raise unusable_shapes(error.message) from None
    finally:
        logging.disable(logging.NOTSET)
    if not isinstance(results, Graph):  # it may also report such a shape instead of raising
        raise unusable_shapes(str(text or results))
    # Only top-level results: nested sh:detail results repeat them in engine terms.
    reports = results.subjects(URIRef(RDF.type), URIRef(SH.ValidationReport))
    return [_violation(results, r, store) for report in reports for r in results.objects(report, URIRef(SH.result))]


def validate_store(store: Store, with_rules: bool, derived_files: set[IRI]) -> list[Violation]:
    """Both passes with pySHACL alone: the curated data with every shape but the derived-graph shapes, then (with
    the rules) those shapes over the data and the rules' output."""
    from rdflib import URIRef

    data = graph_of(store, store.graphs_of("data", "ontology"))
    pass_one = [g for g in store.graphs_of("shapes") if g not in derived_files]
    violations = run(store, data, graph_of(store, pass_one))
    if with_rules:
        from evgraph.rules import add_derivations

        add_derivations(store)
        derived = sorted(str(s) for s in graph_of(store, sorted(derived_files)).subjects(
            URIRef(RDF.type), URIRef(SH.NodeShape)) if isinstance(s, URIRef))
        if derived:
            data += graph_of(store, store.graphs_of("derived"))
            violations += run(store, data, graph_of(store, store.graphs_of("shapes")), derived)
    return violations


def run_shapes(store: Store, data_graphs: list[IRI], shapes_graphs: list[IRI], shapes: Iterable[Term]) -> list[Violation]:
    """pySHACL's results for some shapes only: the others keep their constraints (a shape may name them) but lose
    their targets, so pySHACL validates no node against them alone."""
    from rdflib import BNode, URIRef

    keep = {URIRef(str(s)) if isinstance(s, IRI) else BNode(str(s)) for s in shapes}
    graph = graph_of(store, shapes_graphs)
    classes = set(graph.subjects(URIRef(RDFS.subClassOf), URIRef(RDFS.Class))) | {URIRef(RDFS.Class)}
    for s, p, o in list(graph):
        if s in keep:
            continue
        if str(p) in _TARGET_PREDICATES or (str(p) == RDF.type and o in classes):
            graph.remove((s, p, o))
    return run(store, graph_of(store, data_graphs), graph)


@lru_cache(maxsize=65536)
def rdflib_term(term: Term):
    """The rdflib term pySHACL holds for a store's term, as parsed from the store's N-Quads: a typed literal's
    lexical form rewritten to its value's canonical form, an ill-typed one flagged."""
    import rdflib

    if isinstance(term, IRI):
        return rdflib.URIRef(str(term))
    if isinstance(term, BlankNode):
        return rdflib.BNode(str(term))
    with quiet_rdflib():
        if term.language:
            return rdflib.Literal(term.lexical, lang=term.language)
        if term.datatype == XSD_STRING:
            return rdflib.Literal(term.lexical)
        return rdflib.Literal(term.lexical, datatype=rdflib.URIRef(term.datatype))


def unusable_shapes(reason: str) -> DataError:
    """The error for a shapes graph pySHACL cannot load or run."""
    first = " ".join(reason.split("For reference, see")[0].split())
    return DataError(f"The shapes could not be run: {first}", hint="Fix the shape it names and run the command again.")


def _violation(results: "Graph", result, store: Store) -> Violation:
    from rdflib import URIRef

    def value(predicate: str):
        return results.value(result, URIRef(predicate))

    focus, shape, found, severity = value(SH.focusNode), value(SH.sourceShape), value(SH.value), value(SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, URIRef(SH.resultMessage)))
    location = store.locate(IRI(focus)) if isinstance(focus, URIRef) else None
    return Violation(
        focus=str(focus),
        path=path_text(_path(results, value(SH.resultPath))),
        value=None if found is None else str(found),
        message=messages[0] if messages else "",
        severity=severity_name(str(severity)),
        shape=str(shape) if isinstance(shape, URIRef) else None,  # blank-node shapes have no useful name
        file=str(location.path) if location else None,
        line=location.line if location else None,
    )


def _path(results: "Graph", path):
    """A result path read from the report graph into :data:`evgraph.validation.shapes_model.Path` form."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    if path is None:
        return None
    if isinstance(path, URIRef):
        return IRI(str(path))
    inverse = results.value(path, URIRef(SH.inversePath))
    if inverse is not None:
        return ("inverse", _path(results, inverse))
    if results.value(path, URIRef(RDF.first)) is not None:
        return ("sequence", [_path(results, step) for step in Collection(results, path)])
    return ("other", path)


__all__ = ["report_of", "run", "run_shapes", "unusable_shapes", "validate_store"]
