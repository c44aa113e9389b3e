"""Which focus nodes a change can affect: the reach of every shape's targets and constraints.

A shape reads triples along patterns that start at its focus node: its targets, its paths, the value checks at
their ends (sh:class reads the value's types), nested shapes, and the triple patterns of its SHACL-SPARQL. Each
pattern is read with a *context*: the patterns every solution using it also matches (for a path's last step, the
steps before it; for a SPARQL pattern, those of its group and the groups around it, not sibling OPTIONAL, UNION or
EXISTS groups). A changed triple can alter a focus node's results only through a pattern it matches, and only for
focus nodes the pattern's context links to it in a graph that holds the triple. So :func:`touched` gives:

- the subjects and non-literal objects of the changed triples (patterns at the focus node itself);
- for every other pattern a changed triple matches, the focus nodes its context reaches from that triple, found by
  one query per pattern (the context, with the pattern bound to the changed triples, FILTERs left out).

Call it on the store that holds the triples: the new store for added triples, the old one for removed triples; a
node touched in either is validated in both. A pattern that repeats a step (``rdfs:subClassOf*``) has no bounded
context: when a changed triple matches one, the whole shape is run and every node it reports is touched (in each
store, so a result that appears or disappears is caught). When a shape is run by pySHACL (the compiled engine does
not read it), nothing is bounded and :func:`touched` returns None: validate everything.
"""

from __future__ import annotations

from itertools import count
from typing import Iterable

from evgraph.namespaces import RDF, RDFS
from evgraph.store import Store
from evgraph.terms import IRI, BlankNode, Literal, Term
from evgraph.validation import shacl_sparql
from evgraph.validation.shacl_sparql import Atom
from evgraph.validation.shapes_model import (
    Shape,
    ShapesGraph,
    read_shapes,
    read_triples,
)

Read = tuple[Atom, list[Atom], dict[str, str]]  # a pattern, its context, the prefixes its text uses
_FOCUS = "?this"


def touched(store: Store, changed: Iterable[tuple[Term, Term, Term]]) -> set[Term] | None:
    """The focus nodes whose validation results a change to these triples can alter (None: every node)."""
    from evgraph.validation import DERIVED_SHAPES

    triples = list(changed)
    nodes: set[Term] = {t for s, _, o in triples for t in (s, o) if isinstance(t, (IRI, BlankNode))}
    if not triples:
        return nodes
    derived = {g for f in store.files_of("shapes") if f.relative == DERIVED_SHAPES for g in f.graphs}
    quads = read_triples(store, store.graphs_of("shapes"))
    graph = read_shapes(quads, store.graphs_of("shapes"))
    if graph.global_unsupported:
        return None
    in_derived = {s for s, _, _, g in quads if g in derived}
    queries: dict[str, list[dict[str, Term]]] = {}
    unbounded: list[Shape] = []
    for shape in graph.top_level():
        if shape.deactivated:
            continue
        if graph.unsupported(shape):
            return None
        found = _shape_reads(graph, shape)
        if found is None or any(_matches(atom, prefixes, t) for atom, _, prefixes in found if atom.repeated
                                for t in triples):
            unbounded.append(shape)
            continue
        for atom, context, prefixes in found:
            if not _add_query(queries, atom, context, prefixes, triples):
                unbounded.append(shape)
                break
    for query, rows in queries.items():
        nodes |= _run(store, query, rows)
    if unbounded:
        nodes |= _reported(store, graph, unbounded, in_derived)
    return nodes


# -- the patterns a shape reads -------------------------------------------------------------------------------


def _shape_reads(graph: ShapesGraph, shape: Shape) -> list[Read] | None:
    """Every pattern a top-level shape reads, with its context; None when a SPARQL text cannot be read."""
    names = count(1)
    found: list[Read] = []

    def fresh() -> str:
        return f"?_r{next(names)}"

    try:
        for target in shape.targets:
            if target.kind == "class":
                c = fresh()
                chain = [Atom(_FOCUS, RDF.type.n3(), c), Atom(c, None, target.value.n3(), (RDFS.subClassOf.n3(),))]  # type: ignore[union-attr]
                found += [(a, chain, {}) for a in chain]
            elif target.kind == "subjectsOf":
                atom = Atom(_FOCUS, target.value.n3(), fresh())  # type: ignore[union-attr]
                found.append((atom, [atom], {}))
            elif target.kind == "objectsOf":
                atom = Atom(fresh(), target.value.n3(), _FOCUS)  # type: ignore[union-attr]
                found.append((atom, [atom], {}))
            elif target.kind == "sparql":
                found += _sparql_reads(target.select, dict(target.prefixes), [], fresh()[1:] + "_")
        _nested_reads(shape, _FOCUS, [], found, fresh, set())
    except shacl_sparql.Unreadable:
        return None
    return found


def _nested_reads(shape: Shape, node: str, context: list[Atom], found: list[Read], fresh, seen: set[int]) -> None:
    """The patterns a shape reads from a node (a variable of the context)."""
    if id(shape) in seen or shape.deactivated:
        return
    seen = seen | {id(shape)}
    values = [(node, context)]
    if shape.is_property:
        values = []
        for chain, end in _path_chains(shape.path, node, fresh):
            found += [(a, context + chain, {}) for a in chain]
            values.append((end, context + chain))
    for value, reached in values:
        for constraint in shape.constraints:
            kind, param = constraint.kind, constraint.value
            if kind == "class":
                c = fresh()
                chain = [Atom(value, RDF.type.n3(), c), Atom(c, None, param.n3(), (RDFS.subClassOf.n3(),))]  # type: ignore[union-attr]
                found += [(a, reached + chain, {}) for a in chain]
            elif kind == "sparql":
                found += _sparql_reads(param.select, dict(param.prefixes), reached,  # type: ignore[union-attr]
                                       fresh()[1:] + "_", node=value)
            elif kind in ("node", "property", "not"):
                _nested_reads(param, value, reached, found, fresh, seen)  # type: ignore[arg-type]
            elif kind in ("or", "xone", "and"):
                for member in param:  # type: ignore[union-attr]
                    _nested_reads(member, value, reached, found, fresh, seen)


def _path_chains(path, start: str, fresh) -> list[tuple[list[Atom], str]]:
    """A SHACL path as chains of patterns from a node, one per alternative, each with the node it ends at."""
    if isinstance(path, IRI):
        end = fresh()
        return [([Atom(start, path.n3(), end)], end)]
    kind, inner = path
    if kind == "inverse" and isinstance(inner, IRI):
        end = fresh()
        return [([Atom(end, inner.n3(), start)], end)]
    if kind == "inverse":
        return _path_chains(_inverse(inner), start, fresh)
    if kind == "alternative":
        return [chain for member in inner for chain in _path_chains(member, start, fresh)]
    if kind == "sequence":
        chains: list[tuple[list[Atom], str]] = [([], start)]
        for step in inner:
            chains = [(atoms + more, end) for atoms, at in chains for more, end in _path_chains(step, at, fresh)]
        return chains
    steps = tuple(p for atoms, _ in _path_chains(inner, start, fresh) for a in atoms
                  for p in ((a.predicate,) if a.predicate else a.repeated))
    end = fresh()
    return [([Atom(start, None, end, steps)], end)]


def _inverse(path):
    """The inverse of a SHACL path, written with inverse steps only on IRIs."""
    if isinstance(path, IRI):
        return ("inverse", path)
    kind, inner = path
    if kind == "inverse":
        return inner
    if kind == "sequence":
        return ("sequence", [_inverse(step) for step in reversed(inner)])
    if kind == "alternative":
        return ("alternative", [_inverse(step) for step in inner])
    return (kind, _inverse(inner))


def _sparql_reads(text: str, prefixes: dict[str, str], context: list[Atom], scope: str,
                  node: str = _FOCUS) -> list[Read]:
    """The patterns of a SHACL-SPARQL text, its variables renamed into their own scope (``$this`` is the node)."""
    select = shacl_sparql.read_select(text)
    prefixes = {**prefixes, **select.prefixes}

    def name(term: str | None) -> str | None:
        if term and term.startswith("?"):
            return node if term == "?this" else "?" + scope + term[1:].replace("#", "_")
        return term

    renamed: dict[int, Atom] = {}

    def rename(atom: Atom) -> Atom:
        if id(atom) not in renamed:
            renamed[id(atom)] = Atom(name(atom.subject), name(atom.predicate), name(atom.object), atom.repeated)  # type: ignore[arg-type]
        return renamed[id(atom)]

    return [(rename(atom), context + [rename(a) for a in inner], prefixes)
            for atom, inner in shacl_sparql.reads(select.group)]


# -- matching changed triples and running the reach queries ---------------------------------------------------------


def _term(text: str | None, prefixes: dict[str, str]) -> Term | None:
    """A pattern's constant as a term (None for a variable or what cannot be read as an IRI)."""
    if text is None or text.startswith("?"):
        return None
    if text == "a":
        return RDF.type
    if text.startswith("<") and text.endswith(">"):
        return IRI(text[1:-1])
    prefix, colon, local = text.partition(":")
    if colon and prefix in prefixes and not text.startswith(('"', "'")):
        return IRI(prefixes[prefix] + local)
    return None


def _matches(atom: Atom, prefixes: dict[str, str], triple: tuple[Term, Term, Term]) -> bool:
    """True when a changed triple may be one the pattern reads."""
    s, p, o = triple
    if atom.repeated:
        return p in {_term(step, prefixes) for step in atom.repeated}
    for text, value in ((atom.subject, s), (atom.predicate, p), (atom.object, o)):
        constant = _term(text, prefixes)
        if constant is not None and constant != value:
            return False
    return True


def _add_query(queries: dict[str, list[dict[str, Term]]], atom: Atom, context: list[Atom], prefixes: dict[str, str],
               triples: list[tuple[Term, Term, Term]]) -> bool:
    """The reach query of a pattern, and a row of bindings for each changed triple it matches; False when a changed
    triple matches a pattern whose context does not reach the focus node (the shape's reach is unbounded)."""
    if atom.repeated or _FOCUS in (atom.subject, atom.predicate, atom.object):
        return True  # the focus node is the changed triple's subject or object: already touched
    rows = []
    for triple in triples:
        if not _matches(atom, prefixes, triple):
            continue
        row: dict[str, Term] = {}
        for text, value in zip((atom.subject, atom.predicate, atom.object), triple):
            if text and text.startswith("?") and row.setdefault(text[1:], value) != value:
                break
        else:
            rows.append(row)
    if not rows:
        return True
    if not any(_FOCUS in (a.subject, a.predicate, a.object) for a in context):
        return False
    body = " ".join(_pattern(a) for a in context if a is not atom) + " " + _pattern(atom)
    declared = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(prefixes.items()))
    queries.setdefault(f"{declared}SELECT DISTINCT ?this WHERE {{ {body} }}", []).extend(rows)
    return True


def _pattern(atom: Atom) -> str:
    if atom.repeated:
        return f"{atom.subject} ({'|'.join(atom.repeated)})* {atom.object} ."
    return f"{atom.subject} {atom.predicate} {atom.object} ."


def _run(store: Store, query: str, rows: list[dict[str, Term]]) -> set[Term]:
    """The focus nodes a reach query finds from the bound changed triples (VALUES for what a query can name;
    one query per row holding a blank node)."""
    found: set[Term] = set()
    named = [r for r in rows if not any(isinstance(v, BlankNode) for v in r.values())]
    for row in (r for r in rows if r not in named):
        found |= {x["this"] for x in store.select(query, row) if x["this"] is not None}  # type: ignore[misc]
    if named:
        names = sorted({k for r in named for k in r})
        values = " ".join("(" + " ".join(r[k].n3() if k in r else "UNDEF" for k in names) + ")" for r in named)
        head, _, tail = query.partition("WHERE {")
        text = f"{head}WHERE {{ VALUES ({' '.join('?' + k for k in names)}) {{ {values} }} {tail}"
        found |= {x["this"] for x in store.select(text) if x["this"] is not None}  # type: ignore[misc]
    return {n for n in found if not isinstance(n, Literal)}


def _reported(store: Store, graph: ShapesGraph, shapes: list[Shape], in_derived: set[Term]) -> set[Term]:
    """The focus nodes some shapes report now: their reach is unbounded, so every one is touched."""
    from evgraph.validation import _DataView
    from evgraph.validation.compiled import Engine

    found: set[Term] = set()
    view = _DataView(store)
    for derived in (False, True):
        chosen = [s for s in shapes if (s.node in in_derived) == derived]
        if not chosen:
            continue
        hidden = store.graphs_of("shapes") + ([] if derived else store.graphs_of("derived"))
        with view.open(hidden) as data:
            results, refused = Engine(data).run(chosen)
        if refused:  # the compiler read these shapes to bound their reach, so they compile
            raise RuntimeError(f"shapes that compiled for their reach did not run: {refused}")
        found |= {r.focus for r in results if isinstance(r.focus, (IRI, BlankNode))}
    return found


__all__ = ["touched"]
