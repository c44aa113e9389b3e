"""RDF terms as plain values: what every layer above the store sees, whatever the engine."""

from __future__ import annotations

from dataclasses import dataclass

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = f"{XSD}string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGER_TYPES = {f"{XSD}{name}" for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_DECIMAL_TYPES = {f"{XSD}decimal", f"{XSD}double", f"{XSD}float"}


class IRI(str):
    """An IRI (a named node)."""

    __slots__ = ()

    def n3(self) -> str:
        """The IRI in SPARQL and N-Triples syntax."""
        return f"<{self}>"

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


class BlankNode(str):
    """A blank node, by its label in one result."""

    __slots__ = ()

    def n3(self) -> str:
        """The blank node in N-Triples syntax."""
        return f"_:{self}"

    def __repr__(self) -> str:
        return f"BlankNode({str.__repr__(self)})"


@dataclass(frozen=True, order=True)
class Literal:
    """A literal: its lexical form, datatype IRI and language tag (for language-tagged strings)."""

    lexical: str
    datatype: str = XSD_STRING
    language: str | None = None

    def __str__(self) -> str:
        return self.lexical

    def n3(self) -> str:
        """The literal in SPARQL and N-Triples syntax."""
        escaped = (self.lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                   .replace("\r", "\\r"))
        if self.language:
            return f'"{escaped}"@{self.language}'
        if self.datatype == XSD_STRING:
            return f'"{escaped}"'
        return f'"{escaped}"^^<{self.datatype}>'

    @classmethod
    def of(cls, value: str | int | float | bool) -> "Literal":
        """A typed literal for a Python value."""
        if isinstance(value, bool):
            return cls("true" if value else "false", f"{XSD}boolean")
        if isinstance(value, int):
            return cls(str(value), f"{XSD}integer")
        if isinstance(value, float):
            return cls(repr(value), f"{XSD}double")
        return cls(str(value))

    @property
    def is_integer_typed(self) -> bool:
        """True when the datatype is an XSD integer type."""
        return self.datatype in _INTEGER_TYPES

    def whole_number(self) -> int | None:
        """The value as an int when it is a valid integer literal, else None."""
        if self.datatype not in _INTEGER_TYPES:
            return None
        text = self.lexical.strip()
        if not text.lstrip("+-").isdigit():
            return None
        return int(text)

    def number(self) -> float | None:
        """The value as a float when it is a valid integer or decimal literal, else None."""
        if self.datatype not in _INTEGER_TYPES | _DECIMAL_TYPES:
            return None
        try:
            return float(self.lexical)
        except ValueError:
            return None

    def boolean(self) -> bool | None:
        """The value of a valid xsd:boolean literal, else None."""
        if self.datatype != f"{XSD}boolean":
            return None
        return {"true": True, "1": True, "false": False, "0": False}.get(self.lexical.strip())


Term = IRI | BlankNode | Literal


def sort_key(term: Term | None) -> tuple:
    """A total order over terms (unbound first, then blank nodes, IRIs, literals), stable across engines."""
    if term is None:
        return (0, "")
    if isinstance(term, BlankNode):
        return (1, str(term))
    if isinstance(term, IRI):
        return (2, str(term))
    return (3, term.lexical, term.datatype, term.language or "")
