"""SHACL validation of the curated data (pySHACL) into a :class:`Report` value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rdflib import Graph
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node, URIRef

from evgraph.namespaces import RDF, SH
from evgraph.rules import add_derivations
from evgraph.store import Store

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


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


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    return str(node)


def validate(store: Store, with_rules: bool = True) -> Report:
    """Validate the store's data against its shapes, with the ontology for class hierarchy.

    With ``with_rules`` the rules run first, so the shapes that compare published and derived levels
    can raise their warnings.
    """
    from pyshacl import validate as shacl_validate  # heavy; imported when validating, not at CLI start-up

    if with_rules:
        add_derivations(store)
    # The ontology is merged into the data graph rather than passed as ont_graph: pySHACL only
    # copies class axioms from ont_graph, and shapes here also read the concept schemes.
    _, results, _ = shacl_validate(
        store.union("data", "ontology", "derived"),
        shacl_graph=store.shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    # Only top-level results: nested sh:detail results repeat them in engine terms.
    top_level = [r for report in results.subjects(RDF.type, SH.ValidationReport) for r in results.objects(report, SH.result)]
    names = store.data_and_ontology_graph.namespace_manager
    violations = [_violation(results, result, store, names) for result in top_level]
    violations.sort(key=lambda v: (v.file or "~", v.line or 0, v.focus, v.message))
    conforms = not any(v.severity == "Violation" for v in violations)
    return Report(conforms=conforms, violations=violations)


def _violation(results: Graph, result: Node, store: Store, names: NamespaceManager) -> Violation:
    focus = results.value(result, SH.focusNode)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
    severity = results.value(result, SH.resultSeverity)
    location = store.locate(focus) if isinstance(focus, URIRef) else None
    value = results.value(result, SH.value)
    shape = results.value(result, SH.sourceShape)
    return Violation(
        focus=str(focus),
        path=_path_text(results, results.value(result, SH.resultPath), names),
        value=_text(value),
        message=messages[0] if messages else "",
        severity=_SEVERITY.get(severity, str(severity)),
        shape=str(shape) if isinstance(shape, URIRef) else None,  # blank-node shapes have no useful name
        file=str(location.path) if location else None,
        line=location.line if location else None,
    )


def _path_text(results: Graph, path: Node | None, names: NamespaceManager) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return path.n3(names)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + inverse.n3(names)
    steps = list(Collection(results, path)) if results.value(path, RDF.first) is not None else []
    return "/".join(step.n3(names) for step in steps) if steps else None
