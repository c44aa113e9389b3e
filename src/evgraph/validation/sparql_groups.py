"""SPARQL group graph patterns read as structure: the scopes of a query and the triple patterns in each.

The reader covers what a shape's SPARQL uses (SELECT with sub-selects, OPTIONAL, UNION, MINUS, GRAPH, FILTER with
EXISTS, BIND, property paths, blank node property lists); anything else raises :class:`Unreadable`, and the caller
then leaves the query to pySHACL. Variables a sub-select does not project are renamed into a scope of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][^\W]\w*)
  | (?P<bnode>_:[\w.-]*\w)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:(?:[\w:%-]|\\.)(?:(?:[\w.:%-]|\\.)*(?:[\w:%-]|\\.))?)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,|/^*+?!=<>-])
""", re.VERBOSE)
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
MODIFIERS = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


class Unreadable(Exception):
    """The text uses SPARQL this module does not read."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The text's tokens, without white space and comments."""
    found, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise Unreadable(f"unexpected text at {at}: {text[at:at + 20]!r}")
        if match.lastgroup != "space":
            found.append(Token(match.lastgroup or "", match.group(0), match.start(), match.end()))
        at = match.end()
    return found


@dataclass
class Atom:
    """One triple pattern (a path step): subject and object are ``?name`` or a constant's text; the predicate is a
    constant's text, ``?name``, or None for a repeated path step (``*``, ``+``, ``?``) over ``repeated``."""

    subject: str
    predicate: str | None
    object: str
    repeated: tuple[str, ...] = ()


@dataclass
class Group:
    """A group graph pattern: its triple patterns, its nested scopes, and which variables it binds and reads.

    ``kind`` is group (a plain nested group, joined in), select (a sub-select, joined in), optional, union-branch,
    exists, not-exists or minus.
    """

    kind: str = "group"
    atoms: list[Atom] = field(default_factory=list)
    children: list["Group"] = field(default_factory=list)
    mentions: set[str] = field(default_factory=set)  # named anywhere inside, nested scopes included
    binds: set[str] = field(default_factory=set)  # certainly bound by its triple patterns and joined scopes
    filter_reads: set[str] = field(default_factory=set)  # read by its own FILTER expressions
    early_reads: set[str] = field(default_factory=set)  # read by a BIND before anything in the group bound them
    projected: set[str] | None = None
    grouped: bool = False  # a sub-select with DISTINCT, aggregates, GROUP BY or a slice
    span: tuple[int, int] = (0, 0)  # a sub-select's text, braces included
    where_at: int = 0  # a sub-select's text just after its WHERE group's opening brace
    keys: set[str] | None = None  # a sub-select's GROUP BY variables (None: it has aggregates or a slice)

    def required(self) -> list[Atom]:
        """The triple patterns every solution of this group matches: its own and those of joined scopes."""
        found = list(self.atoms)
        for child in self.children:
            if child.kind in ("group", "select"):
                found += child.required()
        return found


class Parser:
    """A recursive-descent reader of the parts of SPARQL 1.1 a shape's query uses."""

    def __init__(self, toks: list[Token]):
        self.toks, self.at = toks, 0
        self.fresh = count(1)

    def peek(self, ahead: int = 0) -> Token:
        index = self.at + ahead
        return self.toks[index] if index < len(self.toks) else Token("end", "", -1, -1)

    def next(self) -> Token:
        token = self.peek()
        if token.kind == "end":
            raise Unreadable("unexpected end of the query")
        self.at += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text != text and token.word != text.upper():
            raise Unreadable(f"expected {text!r}, found {token.text!r}")
        return token

    def prologue(self) -> dict[str, str]:
        prefixes: dict[str, str] = {}
        while self.peek().word in ("PREFIX", "BASE"):
            if self.next().word == "BASE":
                raise Unreadable("BASE")
            name, iri = self.next(), self.next()
            if name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                raise Unreadable("a PREFIX declaration")
            prefixes[name.text[:-1]] = iri.text[1:-1]
        return prefixes

    def projection(self) -> tuple[list[str], bool, bool, bool, int]:
        self.expect("SELECT")
        distinct = self.peek().word in ("DISTINCT", "REDUCED")
        if distinct:
            self.next()
        at = self.toks[self.at - 1].end
        names, aggregate, star = [], False, False
        while self.peek().kind == "var" or self.peek().text in ("(", "*"):
            token = self.next()
            if token.kind == "var":
                names.append(token.text[1:])
            elif token.text == "*":
                star = True
            else:
                inner = self.balanced("(", ")")
                aggregate |= any(t.word in _AGGREGATES for t in inner)
                if len(inner) < 2 or inner[-2].word != "AS" or inner[-1].kind != "var":
                    raise Unreadable("a projection expression")
                names.append(inner[-1].text[1:])
        if not names and not star:
            raise Unreadable("an empty projection")
        return names, distinct, aggregate, star, at

    def balanced(self, opening: str, closing: str) -> list[Token]:
        """The tokens up to the bracket that closes one already read (not included)."""
        depth, inner = 1, []
        while True:
            token = self.next()
            if token.text == opening:
                depth += 1
            elif token.text == closing:
                depth -= 1
                if depth == 0:
                    return inner
            inner.append(token)

    # -- group graph patterns ----------------------------------------------------------------------------

    def group(self, kind: str = "group") -> Group:
        opening = self.expect("{")
        group = Group(kind)
        if self.peek().word == "SELECT":
            found = self.subselect(group)
            found.span = (opening.start, self.toks[self.at - 1].end)
            return found
        while self.peek().text != "}":
            token = self.peek()
            word = token.word
            if token.text == ".":
                self.next()
            elif word in ("OPTIONAL", "MINUS"):
                self.next()
                self.add(group, self.group("optional" if word == "OPTIONAL" else "minus"))
            elif word == "GRAPH":
                self.next()
                term = self.next()
                if term.kind == "var":
                    group.mentions.add(term.text[1:])
                    group.binds.add(term.text[1:])
                self.add(group, self.group())
            elif word in ("SERVICE", "VALUES"):
                raise Unreadable(word)
            elif word == "FILTER":
                self.next()
                group.filter_reads |= self.constraint(group)
            elif word == "BIND":
                self.next()
                self.expect("(")
                inner = self.expression(group, ")")
                if len(inner) < 2 or inner[-2].word != "AS" or inner[-1].kind != "var":
                    raise Unreadable("BIND")
                group.early_reads |= {t.text[1:] for t in inner[:-2] if t.kind == "var"} - group.binds
                group.binds.add(inner[-1].text[1:])
                group.mentions.add(inner[-1].text[1:])
            elif token.text == "{":
                branches = [self.group()]
                while self.peek().word == "UNION":
                    self.next()
                    branches.append(self.group())
                for branch in branches:
                    if len(branches) > 1 and branch.kind == "group":
                        branch.kind = "union-branch"
                    self.add(group, branch)
            else:
                self.triples(group)
        self.expect("}")
        return group

    def add(self, group: Group, child: Group) -> None:
        group.children.append(child)
        group.mentions |= child.mentions
        if child.kind == "group":
            group.binds |= child.binds
        elif child.kind == "select":
            group.binds |= child.binds & (child.projected or set())

    def subselect(self, group: Group) -> Group:
        names, distinct, aggregate, star, _ = self.projection()
        if star:
            raise Unreadable("SELECT * in a sub-select")
        if self.peek().word == "WHERE":
            self.next()
        where_at = self.peek().end
        inner = self.group()
        modifiers = []
        while self.peek().text != "}":
            modifiers.append(self.next())
        self.expect("}")
        if any(t.word == "VALUES" for t in modifiers):
            raise Unreadable("VALUES in a sub-select")
        inner.kind, inner.projected, inner.where_at = "select", set(names), where_at
        inner.grouped = distinct or aggregate or any(t.word in MODIFIERS for t in modifiers)
        words = [t.word for t in modifiers]
        if not aggregate and (not modifiers or words[:2] == ["GROUP", "BY"] and all(t.kind == "var" for t in modifiers[2:])):
            inner.keys = {t.text[1:] for t in modifiers[2:]} if modifiers else set(names)
        _rename_locals(inner, set(names), f"#{next(self.fresh)}")
        inner.mentions = (inner.mentions & set(names)) | set(names)
        return inner

    def constraint(self, group: Group) -> set[str]:
        """A FILTER's constraint; the variables its expression reads (EXISTS groups become children)."""
        token = self.next()
        if token.word == "NOT" and self.peek().word == "EXISTS":
            self.next()
            self.add(group, self.group("not-exists"))
            return set()
        if token.word == "EXISTS":
            self.add(group, self.group("exists"))
            return set()
        if token.text == "(" or token.kind in ("word", "pname", "iri") and self.peek().text == "(":
            if token.text != "(":
                self.next()
            return {t.text[1:] for t in self.expression(group, ")") if t.kind == "var"}
        raise Unreadable("FILTER")

    def expression(self, group: Group, closing: str) -> list[Token]:
        """An expression's tokens up to ``closing``; EXISTS groups inside become children of ``group``."""
        inner, depth = [], 1
        while True:
            token = self.peek()
            if token.word == "EXISTS" and self.peek(1).text == "{":
                negated = bool(inner) and inner[-1].word == "NOT"
                self.next()
                self.add(group, self.group("not-exists" if negated else "exists"))
                continue
            self.next()
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
                if depth == 0:
                    return inner
            if token.kind == "var":
                group.mentions.add(token.text[1:])
            inner.append(token)

    # -- triples ------------------------------------------------------------------------------------------

    def triples(self, group: Group) -> None:
        subject = self.node(group)
        self.property_list(group, subject, ".}")

    def node(self, group: Group) -> str:
        token = self.next()
        if token.kind == "var":
            name = token.text[1:]
            group.mentions.add(name)
            group.binds.add(name)
            return "?" + name
        if token.text == "[":
            name = f"?_b{next(self.fresh)}"
            if self.peek().text != "]":
                self.property_list(group, name, "]")
            self.expect("]")
            return name
        if token.kind in ("iri", "pname", "string", "number", "bnode") or token.word in ("TRUE", "FALSE"):
            text = token.text
            if token.kind == "string" and self.peek().kind == "lang":
                text += self.next().text
            elif token.kind == "string" and self.peek().text == "^^":
                self.next()
                text += "^^" + self.next().text
            return text
        raise Unreadable(f"a triple pattern term {token.text!r}")

    def property_list(self, group: Group, subject: str, ends: str) -> None:
        while True:
            if self.peek().kind == "var":
                verb = self.next().text
                group.mentions.add(verb[1:])
                group.binds.add(verb[1:])
                chains: list[list[tuple[str, object]]] = [[("step", verb)]]
            else:
                chains = self.path()
            while True:
                obj = self.node(group)
                for chain in chains:
                    self.chain(group, subject, chain, obj)
                if self.peek().text != ",":
                    break
                self.next()
            if self.peek().text != ";":
                return
            while self.peek().text == ";":
                self.next()
            if self.peek().text in ends or self.peek().text in ".}":
                return

    def chain(self, group: Group, subject: str, chain: list, obj: str) -> None:
        """Atoms for one alternative of a path: a sequence of (kind, predicate) steps from subject to object."""
        nodes = [subject] + [f"?_p{next(self.fresh)}" for _ in chain[1:]] + [obj]
        for (kind, predicate), start, end in zip(chain, nodes, nodes[1:]):
            if kind == "inverse":
                start, end = end, start
            if kind == "repeated":
                group.atoms.append(Atom(start, None, end, tuple(predicate)))
            else:
                group.atoms.append(Atom(start, predicate, end))

    def path(self) -> list[list[tuple[str, object]]]:
        """A property path as its alternatives, each a list of steps: (step | inverse | repeated, predicate)."""
        alternatives = self.path_sequence()
        while self.peek().text == "|":
            self.next()
            alternatives += self.path_sequence()
        return alternatives

    def path_sequence(self) -> list[list[tuple[str, object]]]:
        sequences = self.path_element()
        while self.peek().text == "/":
            self.next()
            sequences = [a + b for a in sequences for b in self.path_element()]
        return sequences

    def path_element(self) -> list[list[tuple[str, object]]]:
        inverse = self.peek().text == "^"
        if inverse:
            self.next()
        token = self.next()
        if token.text == "(":
            inner = self.path()
            self.expect(")")
        elif token.kind in ("iri", "pname") or token.text == "a":
            inner = [[("step", token.text)]]
        else:
            raise Unreadable(f"a path {token.text!r}")
        if self.peek().kind == "punct" and self.peek().text in ("*", "+", "?"):
            self.next()
            inner = [[("repeated", tuple(str(p) for chain in inner for _, p in chain))]]
        if inverse:
            inner = [[("inverse" if k == "step" else k, p) for k, p in reversed(chain)] for chain in inner]
        return inner


def _rename_locals(group: Group, keep: set[str], suffix: str) -> None:
    """Give a sub-select's variables that it does not project names of their own (they are another scope)."""
    def renamed(text: str | None) -> str | None:
        if text and text.startswith("?") and text[1:] not in keep:
            return text + suffix
        return text

    for atom in group.atoms:
        atom.subject, atom.predicate, atom.object = renamed(atom.subject), renamed(atom.predicate), renamed(atom.object)
    for child in group.children:
        _rename_locals(child, keep, suffix)
