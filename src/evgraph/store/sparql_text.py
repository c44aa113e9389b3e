"""SPARQL as text: where a query's WHERE clause opens, what kind of operation it is, what it may call or read
(SERVICE, FROM), VALUES blocks.

Comments, strings, IRIs, variables, the local parts of prefixed names, blank node labels and language tags are
masked before any keyword is looked for, so text inside them never counts.
"""

from __future__ import annotations

import re
import urllib.parse
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
_FROM_ANYWHERE = re.compile(r"from", re.IGNORECASE)
_SPACE = re.compile(r"\s*")
_IRIREF = re.compile(r'<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>')
_PN_PREFIX = r"[^\W\d_](?:[\w.-]*[\w-])?"
_PNAME = re.compile(rf"({_PN_PREFIX})?:((?:[\w:%]|{_PLX})(?:(?:[\w.:%-]|{_PLX})*(?:[\w:%-]|{_PLX}))?)?")
_PREFIX_DECLARATION = re.compile(rf"PREFIX\s*({_PN_PREFIX})?:\s*<([^>]*)>", re.IGNORECASE)
_BASE_DECLARATION = re.compile(r"BASE\s*<([^>]*)>", re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_CODEPOINT = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)  # as rdflib's parser reads them
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
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
    return _word(masked, found.start(), found.end()) if found else None


def _word(masked: str, start: int, end: int) -> str:
    """The word (name characters, and a prefix's colon) around ``masked[start:end]``."""
    while start > 0 and (masked[start - 1].isalnum() or masked[start - 1] in "_.-"):
        start -= 1
    while end < len(masked) and (masked[end].isalnum() or masked[end] in "_.-:"):
        end += 1
    return masked[start:end].strip(".-")


def names_dataset(sparql: str) -> bool:
    """True when the query chooses its graphs with FROM or FROM NAMED (a dataset clause)."""
    return bool(_FROM.search(_masked(sparql)))


def expand_codepoints(sparql: str) -> str:
    """The text with its ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes written out wherever they are, as SPARQL 1.1
    (section 19.2) has a parser read them before anything else: rdflib's does (so ``\\u0053ERVICE`` is SERVICE to
    it), Oxigraph's only inside IRIs and strings. An escape of no code point is left as it is."""
    def expand(found: re.Match) -> str:
        try:
            return chr(int(found.group(1), 16))
        except (ValueError, OverflowError):
            return found.group(0)

    return _CODEPOINT.sub(expand, sparql)


def dataset_clauses(sparql: str) -> list[tuple[str, str | None, str]]:
    """Each FROM or FROM NAMED a parser may read in the text: the keyword(s), the graph's absolute IRI (None when
    what follows is not one IRI that can be resolved) and the word holding "from" as written.

    As with :func:`service_word`, any word holding "from" outside comments, strings, IRIs, variables and local
    names counts: Oxigraph's parser reads ``FROMex:g`` as FROM ``ex:g`` and ``ASKFROM<g>`` as ASK FROM ``<g>``. A
    prefixed name is resolved with the text's PREFIX declarations, a relative IRI against its BASE.
    """
    masked = _masked(sparql)
    return [(*_clause(sparql, masked, found.end()), _word(masked, found.start(), found.end()))
            for found in _FROM_ANYWHERE.finditer(masked)]


def _clause(sparql: str, masked: str, at: int) -> tuple[str, str | None]:
    keyword, at = "FROM", _skip(sparql, at)
    if sparql[at:at + 5].upper() == "NAMED":
        if sparql[at + 5:at + 6] not in (" ", "\t", "\n", "\r", "<", "#"):
            return "FROM NAMED", None  # NAMEDex:g: a parser may read FROM NAMED ex:g, or FROM NAMEDex:g
        keyword, at = "FROM NAMED", _skip(sparql, at + 5)
    iri = _IRIREF.match(sparql, at)
    if iri:
        value = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri.group(1))
    else:
        name = _PNAME.match(sparql, at)
        after = sparql[name.end():name.end() + 1] if name else ""
        if not name or after.isalnum() or after in ("_", ".", "-", ":", "%", "\\") or after > "\x7f":
            return keyword, None  # no prefixed name, or one this pattern does not read to its end
        declared = {m.group(1) or "": m.group(2) for m in _PREFIX_DECLARATION.finditer(sparql)
                    if masked[m.start()] != " "}  # a declaration in a comment or string does not count
        if (name.group(1) or "") not in declared:
            return keyword, None
        value = declared[name.group(1) or ""] + re.sub(r"\\(.)", r"\1", name.group(2) or "")
    if not _SCHEME.match(value):
        bases = [m.group(1) for m in _BASE_DECLARATION.finditer(sparql, 0, at) if masked[m.start()] != " "]
        if not bases:
            return keyword, None
        value = urllib.parse.urljoin(bases[-1], value)
    return keyword, value


def _skip(sparql: str, at: int) -> int:
    """The position of the next token from ``at``: past white space and comments."""
    while True:
        at = _SPACE.match(sparql, at).end()
        if sparql[at:at + 1] != "#":
            return at
        newline = sparql.find("\n", at)
        at = len(sparql) if newline < 0 else newline


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
