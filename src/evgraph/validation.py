"""SHACL validation of the curated data (pySHACL) into a :class:`Report` value.

pySHACL reads rdflib graphs, so this module (alone above :mod:`evgraph.store`) builds them from the
store's N-Quads. It runs in two passes: the curated data first, with every shape except those of
``shapes/derived.ttl``; then, with the rules, the derived-graph shapes over the rules' output.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from evgraph.errors import DataError
from evgraph.namespaces import PREFIXES, RDF, SH
from evgraph.store import Store
from evgraph.terms import IRI

if TYPE_CHECKING:
    from rdflib import Graph

#: The shapes file whose shapes read the derived graph; validated only after the rules ran.
DERIVED_SHAPES = "derived.ttl"

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))  # most specific first


@dataclass(frozen=True)
class Violation:
    """One SHACL result, located in the data file that defines its focus node."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None
    file: str | None
    line: int | None

    def to_json(self) -> dict:
        """The result as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """The outcome of validating a store: conforms when there is no result of severity Violation."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def by_focus(self) -> dict[str, list[Violation]]:
        """Results grouped by focus node, in file order."""
        grouped: dict[str, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.focus, []).append(violation)
        return grouped

    def count(self, severity: str) -> int:
        """How many results have this severity."""
        return sum(1 for v in self.violations if v.severity == severity)

    def to_json(self) -> dict:
        """The report as a JSON-ready dict."""
        return {"conforms": self.conforms, "violations": [v.to_json() for v in self.violations]}


def validate(store: Store, with_rules: bool = True) -> Report:
    """Validate the curated data against its shapes, with the ontology for class hierarchy and schemes.

    With ``with_rules`` the rules then run, and the shapes that compare published and derived levels
    check their output; their warnings join the report. Shapes whose SHACL-SPARQL the query policy refuses
    (SERVICE, FROM, an update) raise :class:`QueryError` before anything runs.
    """
    from evgraph.store.query_policy import check_shapes, guard_rdflib

    check_shapes(store)  # a shape's SPARQL that calls a server or reads a file named in it never reaches pySHACL
    guard_rdflib()
    from pyshacl import (
        validate as shacl_validate,  # heavy; imported when validating, not at CLI start-up
    )
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import Dataset, Graph, URIRef

    def graph(graphs: list[IRI], keep=lambda name: True) -> Graph:
        dataset, union = Dataset(), Graph()
        dataset.parse(data=store.dump(graphs), format="nquads")
        union.addN((s, p, o, union) for s, p, o, name in dataset.quads() if keep(str(name)))
        return union

    def run(data: Graph, shapes: Graph, use_shapes: list[str] | None = None) -> list[Violation]:
        # The ontology is merged into the data graph rather than passed as ont_graph: pySHACL only
        # copies class axioms from ont_graph, and shapes here also read the concept schemes.
        logging.disable(logging.ERROR)  # pySHACL logs a shape it cannot load (to a logger it resets each call)
        try:
            _, results, text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                              allow_warnings=True, abort_on_first=False, use_shapes=use_shapes,
                                              do_owl_imports=False)
        except ReportableRuntimeError as error:  # a shape pySHACL cannot load or run: bad input, not a bug
            raise _unusable_shapes(error.message) from None
        finally:
            logging.disable(logging.NOTSET)
        if not isinstance(results, Graph):  # it may also report such a shape instead of raising
            raise _unusable_shapes(str(text or results))
        # Only top-level results: nested sh:detail results repeat them in engine terms.
        reports = results.subjects(URIRef(RDF.type), URIRef(SH.ValidationReport))
        return [_violation(results, r, store) for report in reports for r in results.objects(report, URIRef(SH.result))]

    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.ERROR)  # rdflib logs a traceback for "79x"^^xsd:integer; the shapes report it
    try:
        derived_files = {g for f in store.files_of("shapes") if f.relative == DERIVED_SHAPES for g in f.graphs}
        data = graph(store.graphs_of("data", "ontology"))
        violations = run(data, graph(store.graphs_of("shapes"), lambda name: name not in derived_files))
        if with_rules:
            from evgraph.rules import add_derivations

            add_derivations(store)
            shapes = graph(store.graphs_of("shapes"))
            derived_shapes = sorted(str(s) for s in graph(sorted(derived_files)).subjects(
                URIRef(RDF.type), URIRef(SH.NodeShape)) if isinstance(s, URIRef))
            if derived_shapes:
                data += graph(store.graphs_of("derived"))
                violations += run(data, shapes, derived_shapes)
    finally:
        rdflib_log.setLevel(level)
    violations.sort(key=lambda v: (v.file or "~", v.line or 0, v.focus, v.message))
    return Report(conforms=not any(v.severity == "Violation" for v in violations), violations=violations)


def _unusable_shapes(reason: str) -> DataError:
    first = " ".join(reason.split("For reference, see")[0].split())
    return DataError(f"The shapes could not be run: {first}", hint="Fix the shape it names and run the command again.")


def _violation(results: Graph, result, store: Store) -> Violation:
    from rdflib import URIRef

    def value(predicate: str):
        return results.value(result, URIRef(predicate))

    focus, shape, found, severity = value(SH.focusNode), value(SH.sourceShape), value(SH.value), value(SH.resultSeverity)
    messages = sorted(str(m) for m in results.objects(result, URIRef(SH.resultMessage)))
    location = store.locate(IRI(focus)) if isinstance(focus, URIRef) else None
    return Violation(
        focus=str(focus),
        path=_path_text(results, value(SH.resultPath)),
        value=None if found is None else str(found),
        message=messages[0] if messages else "",
        severity=_SEVERITY.get(str(severity), str(severity)),
        shape=str(shape) if isinstance(shape, URIRef) else None,  # blank-node shapes have no useful name
        file=str(location.path) if location else None,
        line=location.line if location else None,
    )


def _short(iri: str) -> str:
    for prefix, namespace in _NAMESPACES:
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and not any(c in local for c in "/#?"):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _path_text(results: Graph, path) -> str | None:
    """A SHACL property path in SPARQL syntax (IRI, inverse or sequence), shortened by :data:`PREFIXES`."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(str(path))
    inverse = results.value(path, URIRef(SH.inversePath))
    if inverse is not None:
        return "^" + (_path_text(results, inverse) or "?")
    if results.value(path, URIRef(RDF.first)) is not None:
        return "/".join(_path_text(results, step) or "?" for step in Collection(results, path))
    return None
