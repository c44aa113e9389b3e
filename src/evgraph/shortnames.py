"""IRIs written short (``ev:Study``, ``rec:kinship-navigator-programmes``) for people to read."""

from __future__ import annotations

from evgraph.namespaces import PREFIXES as VOCABULARY
from evgraph.queries import PREFIXES as INSTANCES
from evgraph.terms import IRI, Literal, Term

#: Longest namespace first, so the most specific prefix wins.
_BY_LENGTH = sorted({**INSTANCES, **VOCABULARY}.items(), key=lambda item: -len(item[1]))


def short(term: Term | str | None) -> str:
    """A prefixed name for an IRI in a known namespace, the IRI itself otherwise; literals as their text."""
    if term is None:
        return ""
    if isinstance(term, Literal) or not isinstance(term, str):
        return str(term)
    text = str(term)
    if isinstance(term, IRI) or "://" in text:
        for prefix, namespace in _BY_LENGTH:
            local = text[len(namespace):]
            if text.startswith(namespace) and local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return text
