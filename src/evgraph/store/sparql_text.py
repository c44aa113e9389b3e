"""SPARQL as text: where a query's WHERE clause opens, what kind of operation it is, VALUES blocks.

Comments, strings and IRIs are masked before any keyword is looked for, so text inside them never counts.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from evgraph.errors import QueryError
from evgraph.terms import IRI, BlankNode, Term

_SKIP = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[\w.-]*:|BASE\b)\s*)*", re.IGNORECASE)  # on masked text: IRIs blank
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_VARIABLE = re.compile(r"^\w+$")


def _masked(sparql: str) -> str:
    """The text with comments, strings and IRIs blanked out (same length), so keywords in them are not seen."""
    return _SKIP.sub(lambda m: " " * len(m.group(0)), sparql)


def update_keyword(sparql: str) -> str | None:
    """The SPARQL Update operation the text opens with (INSERT, DROP, …), or None for a query."""
    masked = _masked(sparql)
    found = _UPDATE.match(masked, _PROLOGUE.match(masked).end())
    return found.group(1).upper() if found else None


def _value(name: str, terms: Sequence[Term]) -> str:
    if not _VARIABLE.match(name):
        raise QueryError(f"Cannot bind '{name}': not a SPARQL variable name.")
    for term in terms:
        if isinstance(term, BlankNode):
            raise QueryError(f"Cannot bind ?{name} to a blank node: a VALUES block holds only IRIs"
                             " and literals.")
        if isinstance(term, IRI) and _IRI_FORBIDDEN.search(term):
            raise QueryError(f"Cannot bind ?{name}: '{term}' is not a valid IRI.")
    return f" VALUES ?{name} {{ {' '.join(term.n3() for term in terms)} }}"


def with_values(sparql: str, bindings: Mapping[str, Term | Sequence[Term]] | None) -> str:
    """The query with each binding written as a VALUES block opening its top-level WHERE group.

    A binding to a sequence of terms gives the variable each of them in turn (one VALUES row each).
    """
    if not bindings:
        return sparql
    masked = _masked(sparql)
    found = _WHERE.search(masked)
    start = found.end() if found else masked.find("{") + 1
    if start <= 0:
        raise QueryError("Cannot bind parameters: the query has no WHERE clause.")
    values = "".join(_value(name, list(term) if isinstance(term, (list, tuple)) else [term])
                     for name, term in sorted(bindings.items()))
    return sparql[:start] + values + sparql[start:]
