"""The catalogue of auditor questions in queries/*.rq: header parsing, safe binding, execution.

Each file opens with grlc-style decorators that document it::

    #+ summary: Trace a recommendation to the trials behind it
    #+ description: One line (or several) saying what the query answers.
    #+ params:
    #+   - recommendation (iri): The recommendation to trace. Example: rec:kinship-navigator-programmes

Parameters are SPARQL variables of the same name, bound as RDF terms (never spliced into text), so
a value cannot change the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from evgraph.errors import NotFound, QueryError
from evgraph.namespaces import EV, ID_BASE
from evgraph.paths import Layout
from evgraph.store import Store

PARAM_TYPES = ("iri", "string", "integer", "boolean")

_DECORATOR = re.compile(r"^#\+\s?(.*)$")
_KEY = re.compile(r"^(summary|description|params|endpoint|method|tags):\s*(.*)$")
_PARAM = re.compile(r"^-\s*(\w+)\s*\((\w+)\):\s*(.*?)\s*(?:Example:\s*(\S.*?))?\s*$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')

#: Prefixes a parameter value may use instead of a full IRI.
PREFIXES = {
    "ev": str(EV),
    **{kind: f"{ID_BASE}{kind}/" for kind in (
        "agent", "intervention", "study", "report", "review", "guidance", "rating", "appraisal",
        "finding", "candidate", "statement", "discrepancy", "concern", "event", "publication")},
    "orgn": f"{ID_BASE}organisation/",
    "rec": f"{ID_BASE}recommendation/",
    "pub": f"{ID_BASE}publication/",
}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a query."""

    name: str
    type: str
    description: str
    example: str | None

    def to_json(self) -> dict:
        """The parameter as a JSON-ready dict."""
        return {"name": self.name, "type": self.type, "description": self.description, "example": self.example}


@dataclass(frozen=True)
class Query:
    """A catalogue query: its documentation and its SPARQL text."""

    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        """The query's documentation as a JSON-ready dict."""
        return {"name": self.name, "title": self.summary, "description": self.description,
                "params": [p.to_json() for p in self.params]}

    def signature(self) -> str:
        """The parameters in words, for error messages."""
        if not self.params:
            return f"'{self.name}' takes no parameters."
        listed = ", ".join(f"{p.name} ({p.type})" for p in self.params)
        return f"'{self.name}' takes: {listed}."


def parse_query(text: str, name: str, path: Path | None = None) -> Query:
    """Read a query's decorator header; raise QueryError when it is malformed."""
    summary, description, params = "", [], []
    section = None
    for line in text.splitlines():
        decorated = _DECORATOR.match(line)
        if not decorated:
            if line.strip() and not line.startswith("#"):
                break
            continue
        content = decorated.group(1).strip()
        key = _KEY.match(content)
        if key:
            section = key.group(1)
            if section == "summary":
                summary = key.group(2).strip()
            elif section == "description" and key.group(2).strip():
                description.append(key.group(2).strip())
            continue
        if section == "params" and content:
            declared = _PARAM.match(content)
            if not declared or declared.group(2) not in PARAM_TYPES:
                raise QueryError(f"Query '{name}': cannot read the parameter line '{content}'.",
                                 hint="Write it as: #+   - name (iri|string|integer|boolean): what it is. Example: value")
            params.append(Param(declared.group(1), declared.group(2), declared.group(3), declared.group(4)))
        elif section == "description" and content:
            description.append(content)
    if not summary:
        raise QueryError(f"Query '{name}' has no '#+ summary:' line.")
    try:
        prepareQuery(text)
    except Exception as error:  # pyparsing reports syntax errors with its own exception types
        raise QueryError(f"Query '{name}' is not valid SPARQL: {error}") from None
    return Query(name, summary, " ".join(description), tuple(params), text, path)


def catalogue(folder: Path | None = None) -> list[Query]:
    """Every query in the catalogue folder, by name."""
    folder = folder or Layout.default().queries
    return [parse_query(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob("*.rq"))]


def get_query(name_or_file: str, folder: Path | None = None) -> Query:
    """A catalogue query by name, or any .rq file by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    folder = folder or Layout.default().queries
    candidate = folder / f"{name_or_file}.rq"
    if candidate.is_file():
        return parse_query(candidate.read_text(encoding="utf-8"), name_or_file, candidate)
    names = ", ".join(q.name for q in catalogue(folder))
    raise NotFound(f"No query named '{name_or_file}'.", hint=f"Known queries: {names}. Or give the path of a .rq file.")


def expand_iri(value: str) -> URIRef:
    """A full IRI from an IRI, <IRI> or prefix:name; refuses anything that is not an IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise QueryError(f"'{value}' is not an IRI.", hint="Give a full IRI (https://…) or a prefixed name such as rec:kinship-navigator-programmes.")
    return URIRef(value)


def _term(param: Param, value: str) -> Node:
    if param.type == "iri":
        return expand_iri(value)
    if param.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise QueryError(f"Parameter '{param.name}' must be a whole number, not '{value}'.") from None
    if param.type == "boolean":
        if value.lower() not in {"true", "false"}:
            raise QueryError(f"Parameter '{param.name}' must be true or false, not '{value}'.")
        return Literal(value.lower() == "true")
    return Literal(value)


def parse_params(items: list[str]) -> dict[str, str]:
    """``key=value`` strings (as typed on a command line) as a dict; anything else raises QueryError."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"Parameter '{item}' is not key=value.")
        values[key.strip()] = value
    return values


def bind(query: Query, values: Mapping[str, str]) -> dict[str, Node]:
    """RDF terms for the given parameter values; unknown or missing names raise QueryError."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(f"Unknown parameter {', '.join(repr(u) for u in unknown)} for query '{query.name}'.",
                         hint=query.signature())
    missing = [p.name for p in query.params if p.name not in values]
    if missing:
        raise QueryError(f"Missing parameter {', '.join(repr(m) for m in missing)} for query '{query.name}'.",
                         hint=query.signature())
    return {name: _term(declared[name], value) for name, value in values.items()}


def run(store: Store, query: Query | str, values: Mapping[str, str] | None = None) -> Result:
    """Run a catalogue query (or one given by name) with its parameters bound as RDF terms."""
    if isinstance(query, str):
        query = get_query(query, store.layout.queries)
    return store.query(query.text, bind(query, values or {}))


def rows(result: Result) -> list[dict[str, Node | None]]:
    """The result's rows as dicts keyed by variable name."""
    names = [str(v) for v in result.vars]
    return [dict(zip(names, row, strict=True)) for row in result]
