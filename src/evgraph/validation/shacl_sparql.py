"""SHACL-SPARQL queries read as structure: prologue, projection, WHERE group, the triple patterns in it.

A shape's ``sh:select`` runs once over the whole graph with the focus nodes joined in first (pySHACL runs it once
per focus node with ``$this`` pre-bound). The two agree when every use of ``$this`` sees it bound under SPARQL's
bottom-up evaluation: :func:`read_select` parses the text and :attr:`Select.joinable` says whether that holds
(``$this`` bound before any BIND that reads it; nested groups, unions and sub-selects that name it bind it
themselves; no MINUS, VALUES, aggregates, LIMIT or OFFSET). A text it cannot read, or one that is not joinable,
is run by pySHACL. :func:`reads` gives the triple patterns with their context, for the reach of an incremental change
(:mod:`evgraph.validation.incremental`); :func:`restricted` a target that reads only given focus nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace

from evgraph.validation.sparql_groups import (
    MODIFIERS,
    Atom,
    Group,
    Parser,
    Unreadable,
    tokens,
)

# pySHACL's own checks of a constraint's text (``SPARQLQueryHelper``): it refuses what these find.
_BIND_THIS = re.compile(r"([\s{}()])[\$\?]this", flags=re.M)
_PYSHACL_REFUSES = (
    re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.M | re.I),
    re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", flags=re.M | re.I),
    re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", flags=re.M | re.I),
    re.compile(r"SELECT[\s\(\)\$\?\a-z]*\{[^\}]*SELECT\s+((?:(?:[\?\$]\w+\s+)|(?:\*\s+))+)", flags=re.M | re.I),
    # what pySHACL pre-binds besides $this ($currentShape), fills in ($PATH) or cannot run ($shapesGraph)
    re.compile(r"([\s{}()])[\$\?](PATH|shapesGraph|currentShape)", flags=re.M),
)
_AS_VARIABLE = re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", flags=re.M | re.I)


@dataclass
class Select:
    """A SELECT query read from text: prologue, projection, WHERE group, and offsets to rewrite it."""

    text: str
    prefixes: dict[str, str]
    projection: list[str]
    group: Group
    projection_at: int  # where the projection starts (after SELECT and DISTINCT)
    form_at: int  # where the query form starts (after the prologue)
    body_at: int  # just after the WHERE group's opening brace
    joinable: bool
    reason: str = ""


def read_select(text: str) -> Select:
    """Parse a SELECT query; raises :class:`Unreadable` for what this module does not read."""
    toks = tokens(text)
    parser = Parser(toks)
    prefixes = parser.prologue()
    form_at = parser.peek().start if parser.peek().kind != "end" else len(text)
    if parser.peek().word != "SELECT":
        raise Unreadable("not a SELECT query")
    projection, _, aggregate, star, projection_at = parser.projection()
    if parser.peek().word == "WHERE":
        parser.next()
    if parser.peek().text != "{":
        raise Unreadable("FROM, or no WHERE group")
    body_at = parser.peek().end
    group = parser.group()
    rest = parser.toks[parser.at:]
    if rest and rest[0].word not in MODIFIERS:
        raise Unreadable("text after the WHERE group")
    reasons = []
    if star:
        reasons.append("SELECT *")
    if aggregate or {t.word for t in rest if t.word in MODIFIERS} - {"ORDER"}:
        reasons.append("aggregates, GROUP BY, HAVING, LIMIT, OFFSET or VALUES")
    if not _joinable(group, "this", visible=True):
        reasons.append("$this is read where a join would not bind it")
    if ("this" in group.mentions or "this" in projection) and not _BIND_THIS.search(text):
        reasons.append("$this is written where pySHACL does not pre-bind it")
    return Select(text, prefixes, projection, group, projection_at, form_at, body_at, not reasons, "; ".join(reasons))


def needs_pyshacl(text: str) -> bool:
    """True when pySHACL refuses this constraint text, or pre-binds more than ``$this`` in it: pySHACL runs it."""
    first = _AS_VARIABLE.search(text)
    rebinds = first is not None and first.group(1) in ("this", "shapesGraph", "currentShape")
    return rebinds or any(check.search(text) for check in _PYSHACL_REFUSES)


def _joinable(group: Group, var: str, visible: bool) -> bool:
    """True when joining ``var``'s values in first gives what pre-binding it gives (see the module docstring).

    ``visible``: the group is evaluated with ``var`` already bound (the top-level group, where the focus nodes are
    joined in first, and EXISTS, which SPARQL evaluates per solution).
    """
    has = visible or var in group.binds
    if var in group.filter_reads and not has or var in group.early_reads and not visible:
        return False
    for child in group.children:
        if var not in child.mentions:
            continue
        if child.kind in ("exists", "not-exists"):
            ok = has and _joinable(child, var, visible=True)
        elif child.kind == "optional":  # its own filters are the left join's condition: they see the left side
            ok = has and _joinable(dataclass_replace(child, filter_reads=child.filter_reads - {var}), var, False)
        elif child.kind == "select":
            ok = not child.grouped and var in (child.projected or ()) and _joinable(child, var, visible=False)
        elif child.kind == "minus":
            ok = False
        else:
            ok = _joinable(child, var, visible=False)
        if not ok:
            return False
    return True


# -- what a query reads ------------------------------------------------------------------------------------------------


def reads(group: Group) -> list[tuple[Atom, list[Atom]]]:
    """Each triple pattern of a query with its context: the patterns every solution using it also matches (those of
    its group and of the groups around it; not those of sibling OPTIONAL, UNION or EXISTS groups). A sub-select
    the context already implies (``{ SELECT ?p WHERE { ?s ?p ?o } GROUP BY ?p }`` beside ``?this ?p ?o``) is left
    out: it changes no result of the query, so no change to it can."""
    found: list[tuple[Atom, list[Atom]]] = []

    def walk(current: Group, inherited: list[Atom]) -> None:
        base = _unique(inherited + current.required())
        dropped: set[int] = set()
        for child in current.children:
            if child.kind == "select" and not child.children and not child.filter_reads and not child.early_reads:
                others = [a for a in base if id(a) not in {id(b) for b in child.required()}]
                if _implied(child.atoms, others, child.projected or set()) is not None:
                    dropped |= {id(a) for a in child.atoms}
        context = [a for a in base if id(a) not in dropped]
        found.extend((atom, context) for atom in current.atoms if id(atom) not in dropped)
        for child in current.children:
            if not (child.atoms and all(id(a) in dropped for a in child.atoms)):
                walk(child, context)

    walk(group, [])
    unique: dict[int, tuple[Atom, list[Atom]]] = {}
    for atom, context in found:
        unique.setdefault(id(atom), (atom, context))
    return list(unique.values())


def _unique(atoms: list[Atom]) -> list[Atom]:
    return list({id(a): a for a in atoms}.values())


def _implied(atoms: list[Atom], others: list[Atom], fixed: set[str]) -> list[Atom] | None:
    """The patterns of ``others`` that imply ``atoms`` (every solution of them extends to one of ``atoms`` agreeing
    on ``fixed`` variables: a mapping of the atoms onto them keeping constants and fixed variables), or None."""
    def match(index: int, mapping: dict[str, str], image: list[Atom]) -> list[Atom] | None:
        if index == len(atoms):
            return image
        atom = atoms[index]
        for other in others:
            if other.repeated or atom.repeated:
                continue
            trial = dict(mapping)
            if all(_unify(a, b, trial, fixed) for a, b in ((atom.subject, other.subject),
                                                           (atom.predicate, other.predicate),
                                                           (atom.object, other.object))):
                found = match(index + 1, trial, image + [other])
                if found is not None:
                    return found
        return None

    return match(0, {}, []) if atoms else None


def restricted(select: Select, restriction: str) -> str:
    """A target query (from its query form on) whose sub-selects see only the focus nodes, so a restricted
    validation does not group the whole graph: a sub-select projecting ``?this`` (and grouping by it, if at all)
    gets the restriction first; one the patterns around it imply (see :func:`reads`) is replaced by a projection of
    those patterns, restricted."""
    edits: list[tuple[int, int, str]] = []

    def walk(current: Group, inherited: list[Atom]) -> None:
        base = _unique(inherited + current.required())
        for child in current.children:
            if child.kind != "select":
                walk(child, base)
                continue
            others = [a for a in base if id(a) not in {id(b) for b in child.required()}]
            image = None if child.children or child.filter_reads or child.early_reads else \
                _implied(child.atoms, others, child.projected or set())
            if image is not None and "this" in {t[1:] for a in image for t in (a.subject, a.object) if t}:
                names = " ".join("?" + n for n in sorted(child.projected or ()))
                body = " ".join(f"{a.subject} {a.predicate} {a.object} ." for a in image)
                edits.append((*child.span, f"{{ SELECT DISTINCT {names} WHERE {{ {restriction} {body} }} }}"))
            elif "this" in (child.projected or ()) and child.keys is not None and \
                    (not child.keys or "this" in child.keys):
                edits.append((child.where_at, child.where_at, f" {restriction} "))
            else:
                walk(child, base)

    walk(select.group, [])
    text = select.text
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text[select.form_at:]


def _unify(term: str | None, target: str | None, mapping: dict[str, str], fixed: set[str]) -> bool:
    if term is None or target is None:
        return False
    if not term.startswith("?"):
        return term == target
    name = term[1:]
    if name in fixed:
        return target == term
    if mapping.setdefault(term, target) != target:
        return False
    return True


# -- messages -------------------------------------------------------------------------------------------------------


def format_message(template: str, bound: dict[str, str]) -> str:
    """A constraint's message with its ``{?var}``/``{$var}`` filled in, as pySHACL's
    ``_format_sparql_based_result_message`` does (``re.sub``, in the order of ``bound``)."""
    for name, value in bound.items():
        template = re.sub("{{[?$]{}}}".format(name), value, template)
    return template


def prologue(prefixes: dict[str, str]) -> str:
    """PREFIX declarations for a query."""
    return "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in prefixes.items())
