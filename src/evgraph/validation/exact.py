"""Exact checks, one node at a time, as pySHACL makes them: for the few values the compiled queries cannot decide.

The compiled queries settle most values in SPARQL (:mod:`evgraph.validation.compiled`); a value they leave open —
a literal whose datatype rdflib parses, a number compared with a bound, a value checked against a nested shape —
comes here. Literals are read with rdflib, as pySHACL reads them; a nested shape is evaluated with one small query
per path it reads, following pySHACL's conformance rules (``Shape.validate`` with ``allow_warnings``).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from functools import lru_cache

from evgraph.namespaces import RDF, RDFS, SH, XSD
from evgraph.store import Store
from evgraph.terms import IRI, RDF_LANG_STRING, XSD_STRING, BlankNode, Literal, Term
from evgraph.validation.reference import rdflib_term as _rdflib
from evgraph.validation.shapes_model import Constraint, Shape

_ALLOWED = (str(SH.Warning), str(SH.Info))


def sparql_path(path) -> str:
    """A SHACL path (:data:`evgraph.validation.shapes_model.Path`) in SPARQL syntax."""
    if isinstance(path, IRI):
        return path.n3()
    kind, inner = path
    if kind == "inverse":
        return f"^({sparql_path(inner)})"
    if kind in ("sequence", "alternative"):
        return "(" + ("/" if kind == "sequence" else "|").join(sparql_path(p) for p in inner) + ")"
    return f"({sparql_path(inner)}){ {'zeroOrMore': '*', 'oneOrMore': '+', 'zeroOrOne': '?'}[kind]}"


def datatype_matches(value: Term, rule: IRI) -> bool:
    """pySHACL's ``DatatypeConstraintComponent`` for one value node."""
    if not isinstance(value, Literal):
        return False
    from decimal import Decimal

    literal = _rdflib(value)
    datatype, language = literal.datatype, literal.language
    if datatype is not None and str(datatype) == rule:
        if getattr(literal, "ill_typed", None) is True:
            return False
        return _actual(literal.value, rule, Decimal)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and datatype:
        return True
    if datatype is None and language is None and rule == XSD.string:
        return _actual(literal.value, rule, Decimal)
    if rule == RDF.langString and language:
        return _actual(literal.value, rule, Decimal)
    return False


def _actual(value, rule: str, decimal) -> bool:
    from datetime import date

    checks = {XSD.string: (str, bytes), str(RDF_LANG_STRING): (str, bytes), XSD.integer: int, XSD.float: float,
              XSD.decimal: decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}
    kind = checks.get(rule)
    return True if kind is None else isinstance(value, kind)


def in_range(value: Term, kind: str, bound: Literal) -> bool:
    """pySHACL's range components (``sh:minInclusive`` and the rest) for one value node."""
    if not isinstance(value, Literal):
        return False
    literal, limit = _rdflib(value), _rdflib(bound)
    if isinstance(limit.value, str) != isinstance(literal.value, str):
        return False
    try:
        compared = _compare(literal, limit)
    except (TypeError, NotImplementedError):
        return False
    return {"minInclusive": compared >= 0, "minExclusive": compared > 0, "maxInclusive": compared <= 0,
            "maxExclusive": compared < 0}[kind]


def _compare(first, second) -> int:
    """pySHACL's ``compare_literal``."""
    if first.eq(second):
        return 0
    if first.value.__class__ in (datetime, time):
        if first.value == second.value:
            return 0
        if first.value > second.value:
            return 1
    elif first > second:
        return 1
    return -1


def pattern_matches(value: Term, pattern: str, flags: str) -> bool:
    """pySHACL's ``PatternConstraintComponent`` for one value node."""
    if isinstance(value, BlankNode):
        return False
    text = str(value)
    if isinstance(value, Literal):
        literal = _rdflib(value)
        plain = literal.value is not None and (literal.datatype is None or str(literal.datatype) in
                                               (str(RDF_LANG_STRING), XSD_STRING))
        text = str(literal.value) if plain else str(literal)
    return _regex(pattern, flags).search(text) is not None


@lru_cache(maxsize=256)
def _regex(pattern: str, flags: str) -> re.Pattern:
    lowered = flags.lower()
    return re.compile(pattern, (re.I if "i" in lowered else 0) | (re.M if "m" in lowered else 0))


class Checker:
    """Evaluates constraints and shapes on single nodes, with small queries over the store."""

    def __init__(self, store: Store, skip: frozenset = frozenset()):
        self.store = store
        self.skip = skip  # shapes pySHACL leaves out (named but not gathered under use_shapes)
        self._values: dict[tuple[Term, str], list[Term]] = {}
        self._evaluated: dict[tuple[int, Term], tuple[bool, list[str]]] = {}

    def values(self, node: Term, path) -> list[Term]:
        """The value nodes of a path from a node."""
        key = (node, sparql_path(path))
        if key not in self._values:
            table = self.store.select(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {key[1]} ?o }}", {"s": node})
            self._values[key] = [row["o"] for row in table if row["o"] is not None]  # type: ignore[misc]
        return self._values[key]

    def has_class(self, node: Term, cls: IRI) -> bool:
        if isinstance(node, Literal):
            return False
        query = (f"ASK {{ ?s <{RDF.type}>/<{RDFS.subClassOf}>* {cls.n3()} }}")
        return self.store.ask(query, {"s": node})

    def value_fails(self, constraint: Constraint, value: Term) -> bool:
        """True when a value-level constraint reports this value node."""
        kind, param = constraint.kind, constraint.value
        if kind == "class":
            return not self.has_class(value, param)  # type: ignore[arg-type]
        if kind == "datatype":
            return not datatype_matches(value, param)  # type: ignore[arg-type]
        if kind == "nodeKind":
            return not node_kind_matches(value, param)  # type: ignore[arg-type]
        if kind == "in":
            return value not in param  # type: ignore[operator]
        if kind == "pattern":
            return not pattern_matches(value, *param)  # type: ignore[misc]
        if kind in ("minInclusive", "minExclusive", "maxInclusive", "maxExclusive"):
            return not in_range(value, kind, param)  # type: ignore[arg-type]
        if kind == "node":
            if param in self.skip:
                return False
            conforms, reports = self.evaluate(param, value)  # type: ignore[arg-type]
            return not conforms or bool(reports)
        if kind == "not":
            return param.node not in self.skip and self.evaluate(param, value)[0]  # type: ignore[union-attr,arg-type]
        members = [m for m in param if m.node not in self.skip]  # type: ignore[union-attr]
        if not members:
            return False
        passed = [self.evaluate(m, value)[0] for m in members]
        return {"or": not any(passed), "and": not all(passed), "xone": sum(passed) != 1}[kind]

    def evaluate(self, shape: Shape, focus: Term) -> tuple[bool, list[str]]:
        """pySHACL's ``Shape.validate`` of one focus node: whether it conforms (Warning and Info results
        allowed), and the severities of the results it gives."""
        key = (id(shape), focus)
        if key in self._evaluated:
            return self._evaluated[key]
        if shape.deactivated:
            return True, []
        values = self.values(focus, shape.path) if shape.is_property else [focus]
        conforms, reports = True, []
        for constraint in shape.constraints:
            passed, found = self._component(shape, constraint, focus, values)
            if not passed and not shape.allowed and any(s not in _ALLOWED for s in found):
                conforms = False
            reports += found
        self._evaluated[key] = (conforms, reports)
        return conforms, reports

    def _component(self, shape: Shape, constraint: Constraint, focus: Term, values: list[Term]) -> tuple[bool, list]:
        kind, param = constraint.kind, constraint.value
        failed = False
        if kind == "minCount":
            failed = len(values) < param  # type: ignore[operator]
        elif kind == "maxCount":
            failed = len(values) > param  # type: ignore[operator]
        elif kind == "hasValue":
            failed = param not in values
        elif kind == "uniqueLang":
            langs = [v.language.lower() for v in values if isinstance(v, Literal) and v.language]
            count = len(set(lang for lang in langs if langs.count(lang) > 1))
            return count == 0, [shape.severity] * count
        elif kind == "property":
            if param.node in self.skip:  # type: ignore[union-attr]
                return True, []
            conforms, reports = True, []
            for value in values:
                passed, found = self.evaluate(param, value)  # type: ignore[arg-type]
                conforms &= passed
                reports += found
            return conforms, reports
        elif kind == "sparql":
            raise NotImplementedError("SPARQL constraints are compiled only on top-level shapes")
        else:
            count = sum(1 for v in values if self.value_fails(constraint, v))
            return count == 0, [shape.severity] * count
        return not failed, [shape.severity] if failed else []


def node_kind_matches(value: Term, kind: IRI) -> bool:
    """pySHACL's ``NodeKindConstraintComponent`` for one value node."""
    if isinstance(value, BlankNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if isinstance(value, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)
