"""SPARQL as text: where a query's WHERE clause opens, what kind of operation it is, VALUES blocks.

Comments, strings, IRIs, variables, the local parts of prefixed names, blank node labels and language tags are
masked before any keyword is looked for, so text inside them never counts.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from evgraph.errors import QueryError
from evgraph.terms import IRI, BlankNode, Term

# The tokens a keyword can never be inside, as the SPARQL 1.1 grammar (section 19.8) writes them. The text is
# scanned left to right and the leftmost token wins, as in the parser: a '#' in an IRI or in a prefixed name's
# escape (ex:a\#b) never starts a comment, a quote in an IRI never starts a string. A token the scan does not
# recognise stays visible, so a mistake here shows more text, never less.
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_SKIP = re.compile(
    r"#[^\n]*"                                                         # comment
    r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'                            # long strings
    r"|\'\'\'(?:(?:\'|\'\')?(?:[^\'\\]|\\.))*\'\'\'"
    r'|"(?:[^"\\\n\r]|\\.)*"'                                        # strings
    r"|\'(?:[^\'\\\n\r]|\\.)*\'"
    r'|<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'  # IRIs
    r"|[?$]\w+"                                                        # variables
    r"|_:\w(?:[\w.-]*[\w-])?"                                           # blank node labels
    rf"|(?<=:)(?:[\w:]|{_PLX})(?:(?:[\w.:-]|{_PLX})*(?:[\w:-]|{_PLX}))?"  # local names (the prefix stays)
    r"|(?<=[\"\'])@[A-Za-z]+(?:-[A-Za-z0-9]+)*")                          # language tags, after a string
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s*(?:[^\W\d_][\w.-]*)?:|BASE\b)\s*)*", re.IGNORECASE)  # on masked text
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SERVICE = re.compile(r"service", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
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


def form_keyword(sparql: str) -> str | None:
    """The query form the text opens with after its prologue (SELECT, ASK, CONSTRUCT or DESCRIBE), or None."""
    masked = _masked(sparql)
    found = _FORM.match(masked, _PROLOGUE.match(masked).end())
    return found.group(1).upper() if found else None


def service_word(sparql: str) -> str | None:
    """Where the text may call another server: the word holding "service" outside comments, strings, IRIs,
    variables and local names (``SERVICE``, or a prefix name such as ``myservice:``), else None.

    Any such word counts, not only the keyword standing alone: a parser may read ``SERVICEex:s{…}`` (no space)
    as SERVICE ``ex:s`` — Oxigraph's does — so a prefix named like ``service:`` is refused too.
    """
    masked = _masked(sparql)
    found = _SERVICE.search(masked)
    if not found:
        return None
    start, end = found.start(), found.end()
    while start > 0 and (masked[start - 1].isalnum() or masked[start - 1] in "_.-"):
        start -= 1
    while end < len(masked) and (masked[end].isalnum() or masked[end] in "_.-:"):
        end += 1
    return masked[start:end].strip(".-")


def names_dataset(sparql: str) -> bool:
    """True when the query chooses its graphs with FROM or FROM NAMED (a dataset clause)."""
    return bool(_FROM.search(_masked(sparql)))


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
