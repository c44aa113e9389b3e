"""The shapes graph read into plain values: shapes, their targets, paths and constraints, as pySHACL finds them.

The shapes are read with one SPARQL query over the store's shapes graphs. Which nodes are shapes follows
pySHACL's rules (``ShapesGraph._build_node_shape_cache``): typed ``sh:NodeShape``/``sh:PropertyShape``, subjects
of a target, ``sh:property`` or ``sh:node``, and values of a shape-expecting parameter. A shape whose
parameters or values fall outside what :mod:`evgraph.validation.compiled` compiles carries the reason in
:attr:`Shape.unsupported`; the caller runs it with pySHACL instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from evgraph.namespaces import OWL, RDF, RDFS, SH, XSD
from evgraph.store import Store
from evgraph.terms import IRI, BlankNode, Literal, Term

#: Every parameter pySHACL reads as a core or SPARQL constraint (``pyshacl.constraints.ALL_CONSTRAINT_PARAMETERS``).
CONSTRAINT_PARAMETERS = frozenset(SH[name] for name in (
    "and", "class", "closed", "datatype", "disjoint", "equals", "hasValue", "ignoredProperties", "in", "languageIn",
    "lessThan", "lessThanOrEquals", "maxCount", "maxExclusive", "maxInclusive", "maxLength", "minCount",
    "minExclusive", "minInclusive", "minLength", "node", "nodeKind", "not", "or", "pattern", "property",
    "qualifiedMaxCount", "qualifiedMinCount", "qualifiedValueShape", "qualifiedValueShapesDisjoint", "sparql",
    "uniqueLang", "xone"))
_SUPPORTED = frozenset(SH[name] for name in (
    "and", "class", "datatype", "hasValue", "in", "maxCount", "maxExclusive", "maxInclusive", "minCount",
    "minExclusive", "minInclusive", "node", "nodeKind", "not", "or", "pattern", "property", "sparql", "uniqueLang",
    "xone"))
_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_NODE_KINDS = frozenset(SH[k] for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral",
                                        "IRIOrLiteral"))
#: Shapes graph features that change how every shape runs (rules rewrite the data, functions and custom components
#: extend the language): the whole pass then runs with pySHACL.
_GLOBAL_FEATURES = (SH.rule, SH.ConstraintComponent, SH.SPARQLFunction, SH.Function, SH.parameter, SH.js,
                    SH.JSFunction, SH.TargetType, SH.SPARQLTargetType)
_NUMERIC = frozenset(XSD[n] for n in ("integer", "decimal", "double", "float"))

Path = object  # IRI, or a tuple: ("inverse", Path), ("sequence", [Path]), ("alternative", [Path]), (modifier, Path)


@dataclass(frozen=True)
class Target:
    """One target declaration: ``node``, ``class``, ``subjectsOf`` or ``objectsOf`` with its value, or ``sparql``."""

    kind: str
    value: Term | None = None
    select: str = ""
    prefixes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint: its SELECT text, declared prefixes and messages."""

    node: Term
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: frozenset[str]


@dataclass(frozen=True)
class Constraint:
    """One parameter value of a shape: ``kind`` is the SHACL parameter's local name, ``value`` its value (a term, a
    shape, a tuple of shapes or terms, a pattern with its flags, or a :class:`SparqlConstraint`)."""

    kind: str
    value: object


@dataclass(eq=False)
class Shape:
    """A node or property shape with what pySHACL reads of it."""

    node: Term
    is_property: bool
    path: Path | None = None
    severity: str = str(SH.Violation)
    messages: frozenset[str] = frozenset()
    deactivated: bool = False
    targets: list[Target] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    unsupported: str | None = None
    has_targets: bool = False  # declares a target, even one the compiler does not read

    def __repr__(self) -> str:
        return f"Shape({self.node!r})"

    @property
    def allowed(self) -> bool:
        """True when pySHACL (run with allow_warnings) counts this shape's results as allowed: Warning or Info."""
        return self.severity in (str(SH.Warning), str(SH.Info))


class ShapesGraph:
    """The triples of some shapes graphs, indexed by subject, and the shapes in them."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]):
        self.index: dict[Term, dict[Term, list[Term]]] = {}
        self.by_object: dict[tuple[Term, Term], list[Term]] = {}
        self.by_predicate: dict[Term, list[Term]] = {}
        terms: set[Term] = set()
        for s, p, o in triples:
            objects = self.index.setdefault(s, {}).setdefault(p, [])
            if o not in objects:
                if not objects:
                    self.by_predicate.setdefault(p, []).append(s)
                objects.append(o)
                self.by_object.setdefault((p, o), []).append(s)
                terms.update((p, o))
        self.shapes: dict[Term, Shape] = {}
        self.global_unsupported = next((f"the shapes use {f}" for f in _GLOBAL_FEATURES if f in terms), None)
        self._find_shapes()

    # -- reading -------------------------------------------------------------------------------------

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return self.index.get(node, {}).get(IRI(predicate), [])

    def subjects(self, predicate: str, obj: Term | None = None) -> list[Term]:
        if obj is not None:
            return self.by_object.get((IRI(predicate), obj), [])
        return self.by_predicate.get(IRI(predicate), [])

    def items(self, node: Term) -> list[Term] | None:
        """The members of an RDF list, or None when it is not a well-formed list."""
        found, seen = [], set()
        while node != RDF.nil:
            firsts, rests = self.objects(node, RDF.first), self.objects(node, RDF.rest)
            if len(firsts) != 1 or len(rests) != 1 or node in seen:
                return None
            seen.add(node)
            found.append(firsts[0])
            node = rests[0]
        return found

    # -- which nodes are shapes (pySHACL's rules) --------------------------------------------------------

    def _find_shapes(self) -> None:
        node_shapes = set(self.subjects(RDF.type, SH.NodeShape))
        property_shapes = set(self.subjects(RDF.type, SH.PropertyShape))
        implied = {s for p in (*_TARGETS, SH.property, SH.node) for s in self.subjects(p)}
        valued = {o for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
                  for s in self.subjects(p) for o in self.objects(s, p)}
        for p in (SH["and"], SH["or"], SH.xone):
            for s in self.subjects(p):
                for lst in self.objects(s, p):
                    valued.update(self.items(lst) or ())
        for node in sorted(node_shapes | property_shapes | implied | valued, key=str):
            paths = self.objects(node, SH.path)
            if node in node_shapes or (node not in property_shapes and not paths):
                self.shapes[node] = Shape(node, is_property=False)
                if paths:  # pySHACL refuses the whole shapes graph
                    self.global_unsupported = self.global_unsupported or "a node shape with sh:path"
            else:
                self.shapes[node] = Shape(node, is_property=True, path=paths[0] if len(paths) == 1 else None)
                if len(paths) != 1:
                    self.global_unsupported = self.global_unsupported or "a property shape without one sh:path"
        for shape in self.shapes.values():
            _read_shape(self, shape)

    def top_level(self, only: Iterable[Term] | None = None) -> list[Shape]:
        """The shapes pySHACL validates against their own targets: all that declare one, or those named."""
        if only is not None:
            return [self.shapes[n] for n in only if n in self.shapes]
        return [s for s in self.shapes.values() if s.has_targets]

    def filtered_out(self, listed: Iterable[Term]) -> frozenset[Term]:
        """The IRI shapes pySHACL skips when only ``listed`` are used (``use_shapes``): those some shape names
        that neither are listed nor hang, as blank nodes, under a listed one (``_gather_shapes``)."""
        expecting = (SH["and"], SH["not"], SH["or"], SH.xone, SH.property, SH.node, SH.qualifiedValueShape)
        lists = (SH["and"], SH["or"], SH.xone)
        gathered: set[Term] = set()
        frontier = list(listed)
        for _ in range(12):
            children = []
            for node in frontier:
                gathered.add(node)
                for p in expecting:
                    for o in self.objects(node, p):
                        members = (self.items(o) or []) if p in lists else [o]
                        children += [m for m in members if isinstance(m, BlankNode) and m not in gathered]
            frontier = children
        named = {o for p in expecting if p not in lists for s in self.subjects(p) for o in self.objects(s, p)}
        named |= {m for p in lists for s in self.subjects(p) for o in self.objects(s, p) for m in self.items(o) or []}
        return frozenset(n for n in named - gathered if isinstance(n, IRI))

    def closure(self, shape: Shape) -> list[Shape]:
        """The shape and every shape it reaches through shape-expecting parameters."""
        found: dict[int, Shape] = {}
        stack = [shape]
        while stack:
            current = stack.pop()
            if id(current) in found:
                continue
            found[id(current)] = current
            stack.extend(nested(current))
        return list(found.values())

    def unsupported(self, shape: Shape) -> str | None:
        """Why this top-level shape (or one it reaches) cannot be compiled, or None."""
        if self.global_unsupported:
            return self.global_unsupported
        reached = self.closure(shape)
        found = next((s.unsupported for s in reached if s.unsupported), None)
        if found:
            return found
        if _cyclic(shape):
            return "shapes that name each other in a cycle"
        reporting = [shape]
        for current in reporting:  # the shapes whose own results reach the report: sh:property, not sh:node
            reporting += [c.value for c in current.constraints if c.kind == "property"]  # type: ignore[misc]
        if any(not s.messages and any(c.kind not in ("property", "sparql") for c in s.constraints)
               for s in reporting):
            return "a result needs pySHACL's default message"
        if any(c.kind == "sparql" for s in reached if s not in reporting for c in s.constraints):
            return "sh:sparql in a shape another shape names"
        return None


def nested(shape: Shape) -> list[Shape]:
    """The shapes a shape's constraints name (sh:node, sh:property, sh:or, ...)."""
    found = []
    for c in shape.constraints:
        if isinstance(c.value, Shape):
            found.append(c.value)
        elif isinstance(c.value, tuple) and c.value and isinstance(c.value[0], Shape):
            found.extend(c.value)
    return found


def _cyclic(shape: Shape) -> bool:
    """True when a shape reaches itself through shape-expecting parameters."""
    def visit(current: Shape, path: tuple[int, ...]) -> bool:
        if id(current) in path:
            return True
        return any(visit(child, (*path, id(current))) for child in nested(current))

    return visit(shape, ())


def _read_shape(graph: ShapesGraph, shape: Shape) -> None:
    """Fill a shape's severity, messages, targets and constraints, noting the first thing not compiled."""
    node = shape.node

    def refuse(reason: str) -> None:
        shape.unsupported = shape.unsupported or reason

    deactivated = graph.objects(node, SH.deactivated)
    if len(deactivated) > 1 or (deactivated and not (isinstance(deactivated[0], Literal)
                                                     and deactivated[0].datatype == XSD.boolean
                                                     and deactivated[0].lexical in ("true", "false"))):
        refuse("sh:deactivated that is not one xsd:boolean")
    shape.deactivated = bool(deactivated) and deactivated[0].lexical == "true"  # type: ignore[union-attr]
    severities = graph.objects(node, SH.severity)
    if len(severities) > 1 or (severities and not isinstance(severities[0], IRI)):
        refuse("a severity that is not one IRI")
    shape.severity = str(severities[0]) if severities else str(SH.Violation)
    shape.messages = _messages(graph.objects(node, SH.message), refuse)
    if shape.is_property and shape.path is not None:
        shape.path = _read_path(graph, shape.path, refuse)
    shape.targets = _targets(graph, shape, refuse)
    for predicate, values in graph.index.get(node, {}).items():
        if predicate not in CONSTRAINT_PARAMETERS:
            continue
        if predicate not in _SUPPORTED:
            refuse(f"{predicate} is not compiled")
            continue
        _constraints(graph, shape, predicate, values, refuse)


def _messages(values: list[Term], refuse) -> frozenset[str]:
    if any(not isinstance(m, Literal) or m.datatype not in (str(XSD.string), str(RDF.langString)) for m in values):
        refuse("an sh:message that is not text")
    return frozenset(m.lexical for m in values if isinstance(m, Literal))


def _read_path(graph: ShapesGraph, node: Term, refuse, depth: int = 0) -> Path:
    if isinstance(node, IRI):
        return node
    if depth > 10 or not isinstance(node, BlankNode):
        refuse("a path that is not an IRI or a SHACL path")
        return node
    for key, name in ((SH.inversePath, "inverse"), (SH.zeroOrMorePath, "zeroOrMore"),
                      (SH.oneOrMorePath, "oneOrMore"), (SH.zeroOrOnePath, "zeroOrOne")):
        inner = graph.objects(node, key)
        if len(inner) == 1:
            return (name, _read_path(graph, inner[0], refuse, depth + 1))
    alternatives = graph.objects(node, SH.alternativePath)
    members = graph.items(alternatives[0]) if len(alternatives) == 1 else graph.items(node)
    if members:
        kind = "alternative" if alternatives else "sequence"
        return (kind, [_read_path(graph, m, refuse, depth + 1) for m in members])
    refuse("a path pySHACL would read differently")
    return node


def _targets(graph: ShapesGraph, shape: Shape, refuse) -> list[Target]:
    node = shape.node
    shape.has_targets = any(graph.objects(node, p) for p in (*_TARGETS, SH.target))
    found = [Target("node", t) for t in graph.objects(node, SH.targetNode)]
    found += [Target("class", c) for c in graph.objects(node, SH.targetClass)]
    classes = set(graph.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
    if any(t in classes for t in graph.objects(node, RDF.type)):
        found.append(Target("class", node))  # an implicit class target: the shape is itself a class
        shape.has_targets = True
    found += [Target("subjectsOf", p) for p in graph.objects(node, SH.targetSubjectsOf)]
    found += [Target("objectsOf", p) for p in graph.objects(node, SH.targetObjectsOf)]
    for custom in graph.objects(node, SH.target):
        selects = graph.objects(custom, SH.select)
        if selects and isinstance(selects[0], Literal):
            found.append(Target("sparql", select=selects[0].lexical, prefixes=_prefixes(graph, custom, refuse)))
        else:
            refuse("a target other than a SPARQL target")
    if any(t.kind in ("class", "subjectsOf", "objectsOf") and not isinstance(t.value, IRI) for t in found):
        refuse("a target that is not an IRI")
    if any(t.kind == "node" and isinstance(t.value, BlankNode) for t in found):
        refuse("a blank node target")
    return found


def _prefixes(graph: ShapesGraph, node: Term, refuse) -> tuple[tuple[str, str], ...]:
    """The prefixes a SPARQL constraint or target declares, as pySHACL's ``SPARQLQueryHelper.collect_prefixes``."""
    found = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
    everywhere = {d for o in ontologies for d in graph.objects(o, SH.declare)}
    for holder in graph.objects(node, SH.prefixes):
        own = set(graph.objects(holder, SH.declare))
        for declaration in own if own and holder in ontologies else everywhere | own:
            prefixes, namespaces = graph.objects(declaration, SH.prefix), graph.objects(declaration, SH.namespace)
            if len(prefixes) != 1 or len(namespaces) != 1 or not isinstance(prefixes[0], Literal) \
                    or not isinstance(namespaces[0], Literal):
                refuse("an sh:declare pySHACL would refuse")
                continue
            found[prefixes[0].lexical] = namespaces[0].lexical
    return tuple(found.items())


def _one(values: list[Term], name: str, refuse) -> Term | None:
    if len(values) != 1:
        refuse(f"sh:{name} needs exactly one value")
        return None
    return values[0]


def _constraints(graph: ShapesGraph, shape: Shape, predicate: IRI, values: list[Term], refuse) -> None:
    name = predicate[len(SH):]
    add = shape.constraints.append

    def other(node: Term) -> Shape | None:
        found = graph.shapes.get(node)
        if found is None:
            refuse(f"sh:{name} names {node}, which is not a shape")
        return found

    if name in ("minCount", "maxCount"):
        value = _one(values, name, refuse)
        if not shape.is_property or not isinstance(value, Literal) or value.datatype != XSD.integer \
                or value.whole_number() is None or value.whole_number() < 0:
            refuse(f"sh:{name} pySHACL would refuse")
            return
        add(Constraint(name, value.whole_number()))
    elif name in ("datatype", "nodeKind"):
        value = _one(values, name, refuse)
        if not isinstance(value, IRI) or (name == "nodeKind" and value not in _NODE_KINDS) \
                or value in (RDFS.Datatype,):
            refuse(f"sh:{name} is not compiled for this value")
            return
        add(Constraint(name, value))
    elif name == "class":
        for value in values:
            if not isinstance(value, IRI):
                refuse("sh:class that is not an IRI")
            add(Constraint(name, value))
    elif name == "hasValue":
        for value in values:
            if not isinstance(value, IRI):
                refuse("sh:hasValue that is not an IRI")
            add(Constraint(name, value))
    elif name == "in":
        value = _one(values, name, refuse)
        members = graph.items(value) if value is not None else None
        if not members or any(not isinstance(m, IRI) for m in members):
            refuse("sh:in that is not a list of IRIs")
            return
        add(Constraint(name, tuple(members)))
    elif name == "pattern":
        flags = graph.objects(shape.node, SH.flags)
        for value in values:
            if not isinstance(value, Literal) or (flags and not isinstance(flags[0], Literal)):
                refuse("sh:pattern that is not text")
                return
            add(Constraint(name, (value.lexical, flags[0].lexical if flags else "")))
    elif name in ("minInclusive", "minExclusive", "maxInclusive", "maxExclusive"):
        for value in values:
            if not isinstance(value, Literal) or value.datatype not in _NUMERIC or value.number() is None:
                refuse(f"sh:{name} that is not a number")
                return
            add(Constraint(name, value))
    elif name == "uniqueLang":
        value = _one(values, name, refuse)
        if not shape.is_property or not isinstance(value, Literal) or value.datatype != XSD.boolean \
                or value.boolean() is None:
            refuse("sh:uniqueLang pySHACL would refuse")
            return
        if value.boolean():
            add(Constraint(name, True))
    elif name in ("node", "property", "not"):
        for value in values:
            found = other(value)
            if found is not None:
                if name == "property" and not found.is_property or name == "node" and found.is_property:
                    refuse(f"sh:{name} names a shape of the wrong kind")
                add(Constraint(name, found))
    elif name in ("or", "xone", "and"):
        for value in values:
            members = graph.items(value)
            if not members:
                refuse(f"sh:{name} that is not a list of shapes")
                return
            found = [other(m) for m in members]
            add(Constraint(name, tuple(dict.fromkeys(s for s in found if s is not None))))
    elif name == "sparql":
        if shape.is_property:
            refuse("sh:sparql on a property shape")
        for value in values:
            selects = graph.objects(value, SH.select)
            deactivated = graph.objects(value, SH.deactivated)
            if len(selects) != 1 or not isinstance(selects[0], Literal) or deactivated:
                refuse("an sh:sparql constraint that is not one SELECT")
                continue
            messages = graph.objects(value, SH.message)
            add(Constraint(name, SparqlConstraint(value, selects[0].lexical, _prefixes(graph, value, refuse),
                                                  _messages(messages, refuse))))


def read_triples(store: Store, graphs: list[IRI]) -> list[tuple[Term, Term, Term, Term]]:
    """The triples of some of the store's shapes graphs, each with its graph: (subject, predicate, object, graph)."""
    names = " ".join(IRI(g).n3() for g in graphs)
    if not names:
        return []
    table = store.select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    return table.tuples()  # type: ignore[return-value]


def read_shapes(quads: list[tuple[Term, Term, Term, Term]], graphs: Iterable[IRI]) -> ShapesGraph:
    """The shapes in some of the graphs of :func:`read_triples`."""
    inside = set(graphs)
    return ShapesGraph((s, p, o) for s, p, o, g in quads if g in inside)
