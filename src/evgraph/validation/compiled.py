"""The compiled engine: each shape becomes a few set-based SPARQL queries run on the store's own engine.

A top-level shape's targets become one pattern binding ``?this`` (its focus nodes, restricted to the given focus
nodes when validating incrementally). Per shape, one query finds every (focus, value) pair some value constraint
(sh:class, sh:datatype, sh:node, sh:or, ...) may refuse, one query counts values for sh:minCount and sh:maxCount,
one query per sh:hasValue and sh:uniqueLang; each sh:sparql constraint runs once with the focus pattern joined in
first (:mod:`evgraph.validation.shacl_sparql`). Property shapes under sh:property are compiled with the parent's
value nodes as their focus nodes.

A value test is a pair of SPARQL expressions, one true only when the value certainly passes, one true only when it
certainly fails (:class:`Test`). Most are exact. A value neither settles — a literal whose datatype rdflib parses,
a number outside what Oxigraph compares as pySHACL does — is decided by :class:`evgraph.validation.exact.Checker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Callable, Iterable

from evgraph.errors import QueryError
from evgraph.namespaces import RDF, RDFS, SH, XSD
from evgraph.store import Store
from evgraph.terms import IRI, Literal, Term
from evgraph.validation import shacl_sparql
from evgraph.validation.exact import Checker, sparql_path
from evgraph.validation.report import path_text, term_text
from evgraph.validation.shapes_model import Constraint, Shape, SparqlConstraint

_TYPE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_FOCUS_KINDS = ("minCount", "maxCount", "hasValue", "uniqueLang")
_RANGE = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
_STRING = f"(isLiteral({{v}}) && DATATYPE({{v}}) IN (<{XSD.string}>, <{RDF.langString}>))"
#: Datatypes rdflib parses into Python values (``rdflib.term.XSDToPython``): only these can be ill-typed for pySHACL.
_PARSED = frozenset(XSD[n] for n in (
    "time", "date", "dateTime", "duration", "dayTimeDuration", "yearMonthDuration", "hexBinary", "boolean",
    "decimal", "integer", "nonPositiveInteger", "long", "nonNegativeInteger", "negativeInteger", "int",
    "unsignedLong", "positiveInteger", "short", "unsignedInt", "byte", "unsignedShort", "unsignedByte", "float",
    "double", "base64Binary")) | {RDF.XMLLiteral, RDF.HTML}
#: Up to this many focus nodes of a SPARQL target are listed in the shape's queries rather than found again by each.
_LISTED = 5000
_SAFE_PATTERN = r"^(?:[A-Za-z0-9 _:/@#%&=~,'\"<>!;-]|\\[.\\/\-dDsSwW^$()\[\]{}*+?|]|[\^$.*+?()\[\]{}|])*$"


class Unsupported(Exception):
    """A shape the compiled engine hands to pySHACL."""


@dataclass(frozen=True)
class Test:
    """Two SPARQL expressions about one value: ``ok`` true only if it passes, ``fail`` true only if it fails (None:
    cannot tell). ``exact`` when one of them is always true."""

    ok: str | None
    fail: str | None
    exact: bool = False


TRUE = Test("true", "false", True)


def _exact(expression: str) -> Test:
    return Test(expression, f"!({expression})", True)


def _all(tests: list[Test]) -> Test:
    if not tests:
        return TRUE
    oks = [t.ok for t in tests]
    fails = [t.fail for t in tests if t.fail is not None]
    return Test(None if None in oks else " && ".join(f"({o})" for o in oks),
                " || ".join(f"({f})" for f in fails) or None, all(t.exact for t in tests))


def _any(tests: list[Test]) -> Test:
    oks = [t.ok for t in tests if t.ok is not None]
    fails = [t.fail for t in tests]
    return Test(" || ".join(f"({o})" for o in oks) or None,
                None if None in fails else " && ".join(f"({f})" for f in fails), all(t.exact for t in tests))


@dataclass(frozen=True)
class Result:
    """One result of a compiled shape, as pySHACL's report holds it."""

    focus: Term
    path: str | None
    value: Term | None
    messages: frozenset[str]
    severity: str
    shape: Term


class Engine:
    """Runs top-level shapes over the store, with an optional restriction of their focus nodes."""

    def __init__(self, store: Store, skip: frozenset = frozenset(), restrictions: Iterable[str] = ("",)):
        self.store = store
        self.skip = skip
        self.checker = Checker(store, skip)
        self.restrictions = list(restrictions)
        self.names = count(1)
        self.prefixes: dict[str, str] = {}

    def var(self) -> str:
        return f"?_v{next(self.names)}"

    def run(self, shapes: Iterable[Shape]) -> tuple[list[Result], list[Shape]]:
        """The results of the shapes that compile, and the shapes that do not (for pySHACL)."""
        results: list[Result] = []
        refused: list[Shape] = []
        for shape in shapes:
            if shape.deactivated:
                continue
            found: list[Result] = []
            try:
                for restriction in self.restrictions:
                    self.prefixes = {}
                    focus = self.focus(shape, restriction)
                    if focus:
                        self.shape(shape, focus, found)
            except (Unsupported, shacl_sparql.Unreadable, QueryError):
                refused.append(shape)
                continue
            results += found
        return results, refused

    # -- focus nodes -----------------------------------------------------------------------------------

    def focus(self, shape: Shape, restriction: str) -> str:
        """The pattern the shape's queries start from. A SPARQL target (a query of its own, often a scan of the
        whole graph that finds few nodes), and any target once the focus nodes are restricted, is run once and its
        nodes listed (or the shape skipped when there are none): each constraint then reads only those nodes
        rather than joining the whole graph with the target."""
        pattern = self.targets(shape, restriction)
        if restriction or any(t.kind == "sparql" for t in shape.targets):
            nodes = [row["this"] for row in self.select(f"SELECT ?this WHERE {pattern}")]
            if not nodes:
                return ""
            if len(nodes) <= _LISTED and all(isinstance(n, (IRI, Literal)) for n in nodes):
                return f"VALUES ?this {{ {' '.join(n.n3() for n in nodes)} }}"  # type: ignore[union-attr]
        return pattern

    def targets(self, shape: Shape, restriction: str) -> str:
        """A group pattern binding ``?this`` to each of the shape's focus nodes once."""
        parts = []
        for target in shape.targets:
            if target.kind == "node":
                parts.append(f"{{ VALUES ?this {{ {target.value.n3()} }} }}")  # type: ignore[union-attr]
            elif target.kind == "class":
                parts.append(f"{{ ?this {_TYPE} {target.value.n3()} }}")  # type: ignore[union-attr]
            elif target.kind == "subjectsOf":
                parts.append(f"{{ ?this {target.value.n3()} {self.var()} }}")  # type: ignore[union-attr]
            elif target.kind == "objectsOf":
                parts.append(f"{{ {self.var()} {target.value.n3()} ?this }}")  # type: ignore[union-attr]
            else:
                select = shacl_sparql.read_select(target.select)
                if "this" not in select.projection:
                    raise Unsupported("a SPARQL target that does not select ?this")
                self.declare({**dict(target.prefixes), **select.prefixes})
                text = shacl_sparql.restricted(select, restriction) if restriction else target.select[select.form_at:]
                parts.append(f"{{ {text}\n}}")
        if not parts:
            raise Unsupported("no target")
        return f"{{ SELECT DISTINCT ?this WHERE {{ {restriction}\n{' UNION '.join(parts)} }} }}"

    def declare(self, prefixes: dict[str, str]) -> None:
        for name, namespace in prefixes.items():
            if self.prefixes.setdefault(name, namespace) != namespace:
                raise Unsupported(f"the prefix {name}: means two namespaces")

    def select(self, query: str) -> list[dict]:
        return self.store.select(shacl_sparql.prologue(self.prefixes) + query).rows

    # -- one shape on a focus pattern ------------------------------------------------------------------------

    def shape(self, shape: Shape, focus: str, found: list[Result]) -> None:
        if shape.deactivated:
            return
        path = path_text(shape.path) if shape.is_property else None
        step = sparql_path(shape.path) if shape.is_property else ""

        def report(node: Term, value: Term | None, messages: frozenset[str] | None = None) -> None:
            found.append(Result(node, path, value, shape.messages if messages is None else messages,
                                shape.severity, shape.node))

        self.counts(shape, focus, step, report)
        for constraint in shape.constraints:
            if constraint.kind == "hasValue":
                test = f"?this {step} {constraint.value.n3()}" if step else None  # type: ignore[union-attr]
                condition = f"FILTER NOT EXISTS {{ {test} }}" if test else \
                    f"FILTER(!sameTerm(?this, {constraint.value.n3()}))"  # type: ignore[union-attr]
                for row in self.select(f"SELECT ?this WHERE {{ {focus} {condition} }}"):
                    report(row["this"], None)
            elif constraint.kind == "uniqueLang":
                query = (f"SELECT ?this ?lang WHERE {{ {focus} ?this {step} ?_x FILTER(LANG(?_x) != \"\")"
                         " BIND(LCASE(LANG(?_x)) AS ?lang) } GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?_x) > 1)")
                for row in self.select(query):
                    report(row["this"], None)
            elif constraint.kind == "sparql":
                self.sparql(shape, constraint.value, focus, found)  # type: ignore[arg-type]
        self.values(shape, focus, step, report)
        for constraint in shape.constraints:
            if constraint.kind == "property" and constraint.value.node not in self.skip:  # type: ignore[union-attr]
                child = focus
                if step:
                    parent = self.var()
                    child = (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS {parent}) WHERE {{ {focus} }} }}"
                             f" {parent} {step} ?this }} }}")
                self.shape(constraint.value, child, found)  # type: ignore[arg-type]

    def counts(self, shape: Shape, focus: str, step: str, report) -> None:
        bounds = {c.kind: c.value for c in shape.constraints if c.kind in ("minCount", "maxCount")}
        low, high = bounds.get("minCount", 0), bounds.get("maxCount")
        if low == 0 and high is None:
            return
        if low == 1 and high is None:
            query = f"SELECT ?this (0 AS ?n) WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {step} ?_x }} }}"
        else:
            number = "COUNT(DISTINCT ?_x)"
            having = " || ".join(x for x in (low and f"{number} < {low}", high is not None and f"{number} > {high}")
                                 if x)
            query = (f"SELECT ?this (COUNT(DISTINCT ?_x) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {step} ?_x }} }}"
                     f" GROUP BY ?this HAVING ({having})")
        for row in self.select(query):
            number = int(str(row["n"]))
            if number < low:
                report(row["this"], None)
            if high is not None and number > high:
                report(row["this"], None)

    def values(self, shape: Shape, focus: str, step: str, report) -> None:
        """One query for every value constraint of the shape: the pairs some constraint may refuse."""
        checks = [c for c in shape.constraints if c.kind not in (*_FOCUS_KINDS, "sparql", "property")]
        checks = [c for c in checks if not (c.kind == "node" and c.value.node in self.skip)]  # type: ignore[union-attr]
        if not checks:
            return
        tests = [self.value_test(c, "?value") for c in checks]
        binds = " ".join(f"BIND(COALESCE({t.ok or 'false'}, false) AS ?ok{i}) "
                         f"BIND(COALESCE({t.fail or 'false'}, false) AS ?no{i})" for i, t in enumerate(tests))
        flags = " ".join(f"?ok{i} ?no{i}" for i in range(len(tests)))
        reach = f"?this {step} ?value ." if step else "BIND(?this AS ?value)"
        unsettled = " || ".join(f"!?ok{i}" for i in range(len(tests)))
        query = f"SELECT DISTINCT ?this ?value {flags} WHERE {{ {focus} {reach} {binds} FILTER({unsettled}) }}"
        for row in self.select(query):
            for i, (constraint, test) in enumerate(zip(checks, tests)):
                if _true(row[f"ok{i}"]):
                    continue
                if _true(row[f"no{i}"]) or (not test.exact and self.checker.value_fails(constraint, row["value"])):
                    report(row["this"], row["value"])

    # -- value tests -------------------------------------------------------------------------------------

    def value_test(self, constraint: Constraint, v: str) -> Test:
        kind, param = constraint.kind, constraint.value
        if kind == "class":
            return _exact(f"EXISTS {{ {v} {_TYPE} {param.n3()} }}")  # type: ignore[union-attr]
        if kind == "nodeKind":
            name = str(param)[len(SH):]
            tests = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
                     "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})",
                     "IRIOrLiteral": "!isBlank({v})"}
            return _exact(tests[name].format(v=v))
        if kind == "in":
            return _exact(" || ".join(f"sameTerm({v}, {m.n3()})" for m in param))  # type: ignore[union-attr]
        if kind == "datatype":
            return _datatype(param, v)  # type: ignore[arg-type]
        if kind == "pattern":
            return _pattern(*param, v)  # type: ignore[misc]
        if kind in _RANGE:
            within = f"isNumeric({v}) && {v} {_RANGE[kind]} {param.n3()}"  # type: ignore[union-attr]
            refused = (f"!isLiteral({v}) || {_STRING.format(v=v)} || (DATATYPE({v}) IN (<{XSD.integer}>, "
                       f"<{XSD.decimal}>) && isNumeric({v}) && !({v} {_RANGE[kind]} {param.n3()}))")  # type: ignore[union-attr]
            return Test(within, refused)
        if kind == "node":
            return self.shape_test(param, v, strict=True)  # type: ignore[arg-type]
        if kind == "not":
            if param.node in self.skip:  # type: ignore[union-attr]
                return TRUE
            inner = self.shape_test(param, v, strict=False)  # type: ignore[arg-type]
            return Test(inner.fail, inner.ok, inner.exact)
        members = [self.shape_test(m, v, strict=False) for m in param if m.node not in self.skip]  # type: ignore[union-attr]
        if not members:
            return TRUE
        if kind == "or":
            return _any(members)
        if kind == "and":
            return _all(members)
        if all(m.exact for m in members):  # xone
            return _exact(" + ".join(f"IF({m.ok}, 1, 0)" for m in members) + " = 1")
        return Test(None, None)

    def shape_test(self, shape: Shape, v: str, strict: bool) -> Test:
        """Whether a node conforms to a shape (pySHACL's conformance, Warning and Info allowed); ``strict``: whether
        validating it against the shape gives no result at all (sh:node)."""
        if shape.deactivated or (not strict and shape.allowed):
            return TRUE
        parts = []
        path = sparql_path(shape.path) if shape.is_property else ""
        for constraint in shape.constraints:
            kind = constraint.kind
            if kind == "sparql":
                raise Unsupported("sh:sparql in a nested shape")
            if kind == "property":
                if constraint.value.node in self.skip:  # type: ignore[union-attr]
                    continue
                inner: Callable[[str], Test] = lambda y, s=constraint.value: self.shape_test(s, y, strict)  # noqa: E731
            elif kind in _FOCUS_KINDS:
                parts.append(self.focus_test(constraint, path, v))
                continue
            else:
                inner = lambda y, c=constraint: self.value_test(c, y)  # noqa: E731
            parts.append(self.every_value(path, v, inner) if path else inner(v))
        return _all(parts)

    def every_value(self, path: str, v: str, test: Callable[[str], Test]) -> Test:
        y = self.var()
        inner = test(y)
        ok = f"NOT EXISTS {{ {v} {path} {y} FILTER(!COALESCE({inner.ok}, false)) }}" if inner.ok else None
        fail = f"EXISTS {{ {v} {path} {y} FILTER(COALESCE({inner.fail}, false)) }}" if inner.fail else None
        return Test(ok, fail, inner.exact)

    def focus_test(self, constraint: Constraint, path: str, v: str) -> Test:
        kind, param = constraint.kind, constraint.value
        a, b = self.var(), self.var()
        if kind == "hasValue":
            return _exact(f"EXISTS {{ {v} {path} {param.n3()} }}" if path else f"sameTerm({v}, {param.n3()})")  # type: ignore[union-attr]
        if kind == "uniqueLang":
            return _exact(f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b}) && LANG({a}) != \"\""
                          f" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
        if kind == "minCount" and param <= 1:  # type: ignore[operator]
            return _exact(f"EXISTS {{ {v} {path} {a} }}") if param else TRUE
        if kind == "maxCount" and param <= 1:  # type: ignore[operator]
            if param == 0:
                return _exact(f"NOT EXISTS {{ {v} {path} {a} }}")
            return _exact(f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b})) }}")
        return Test(None, None)

    # -- SPARQL-based constraints -------------------------------------------------------------------------

    def sparql(self, shape: Shape, constraint: SparqlConstraint, focus: str, found: list[Result]) -> None:
        if shacl_sparql.needs_pyshacl(constraint.select):
            raise Unsupported("pySHACL pre-binds more than $this, or refuses the text")
        select = shacl_sparql.read_select(constraint.select)
        if not select.joinable or "failure" in select.projection:
            raise Unsupported(select.reason or "?failure")
        self.declare({**dict(constraint.prefixes), **select.prefixes})
        text = constraint.select
        extra = "" if "this" in select.projection else " ?this"
        query = (text[select.form_at:select.projection_at] + extra + text[select.projection_at:select.body_at]
                 + f"\n{focus}\n" + text[select.body_at:])
        projects_this = "this" in select.projection
        seen = set()
        for row in self.select(query):
            this = row["this"]
            named = row.get("this") if projects_this else None
            path, value = row.get("path"), row.get("value")
            others = tuple((k, row[k]) for k in select.projection if k not in ("this", "path", "value")
                           and row.get(k) is not None)
            key = (this, named, path, value, others)
            if key in seen or (named is None and path is None and value is None):
                continue
            seen.add(key)
            value = this if value is None else value  # a node shape's result names the focus node as its value
            bound = {k: term_text(t) for k, t in others}
            bound.update({k: term_text(t) for k, t in (("this", named), ("path", path), ("value", value))
                          if t is not None})
            messages = frozenset(shacl_sparql.format_message(m, bound) for m in constraint.messages | shape.messages)
            found.append(Result(named or this, path_text(path) if isinstance(path, IRI) else None, value, messages,
                                shape.severity, shape.node))


def _true(term: Term | None) -> bool:
    return isinstance(term, Literal) and term.lexical in ("true", "1")


def _datatype(rule: IRI, v: str) -> Test:
    literal = f"isLiteral({v})"
    if rule == XSD.string:
        return _exact(f"{literal} && DATATYPE({v}) = <{XSD.string}>")
    if rule == RDF.langString:
        return _exact(f"{literal} && LANG({v}) != \"\"")
    if rule == RDFS.Literal:
        return _exact(literal)
    same = f"{literal} && DATATYPE({v}) = {rule.n3()}"
    if rule not in _PARSED:
        return _exact(same)  # rdflib keeps it as text: it matches whatever its form
    refused = f"!({same})"
    if rule in (XSD.integer, XSD.decimal, XSD.double, XSD.float):
        return Test(f"{same} && isNumeric({v})", refused)
    if rule == XSD.boolean:
        return Test(f"{same} && STR({v}) IN (\"true\", \"false\")", refused)
    if rule in (XSD.date, XSD.dateTime):
        shape = "[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}" + ("T[0-9]{2}:[0-9]{2}:[0-9]{2}" if rule == XSD.dateTime else "")
        return Test(f"{same} && REGEX(STR({v}), \"^{shape}$\") && sameTerm({rule.n3()}(STR({v})), {v})", refused)
    return Test(None, refused)


def _pattern(pattern: str, flags: str, v: str) -> Test:
    import re

    if not re.match(_SAFE_PATTERN, pattern) or set(flags.lower()) - set("im"):
        return Test(None, f"isBlank({v})")
    readable = f"(isIRI({v}) || {_STRING.format(v=v)}) && !REGEX(STR({v}), \"[\\\\x1c-\\\\x1f]|\\\\n$\")"
    matches = f"REGEX(STR({v}), {Literal(pattern).n3()}, {Literal(flags.lower()).n3()})"
    return Test(f"{readable} && {matches}", f"isBlank({v}) || ({readable} && !{matches})")
