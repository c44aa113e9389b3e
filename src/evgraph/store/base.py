"""The store interface: SPARQL with bound parameters over named graphs, whatever the engine behind it.

Every query evgraph runs reads the **union default graph**: with no ``GRAPH`` clause, a pattern
matches triples in any named graph. Each backend makes that so (Oxigraph with
``use_default_graph_as_union``, rdflib with ``Dataset(default_union=True)``, a SPARQL server by its
own configuration — see the README). Nothing above this package sees an engine's types: results are
:mod:`evgraph.terms` values.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from evgraph.errors import ConfigError, DataError
from evgraph.namespaces import GRAPH_BASE
from evgraph.paths import Layout
from evgraph.terms import IRI, Term

ROLES = ("ontology", "shapes", "data")
#: The named graph that holds what the rules derive; curated data never goes here.
DERIVED_GRAPH = IRI(f"{GRAPH_BASE}derived")

Triple = tuple[Term, Term, Term]


@dataclass(frozen=True)
class LoadedFile:
    """One Turtle file and the named graph it was loaded into."""

    role: str
    path: Path
    relative: str
    graph: IRI
    triples: int


@dataclass(frozen=True)
class Location:
    """Where a node is defined: a file and, when it can be found, a 1-based line."""

    path: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


@dataclass(frozen=True)
class Table:
    """The answer to a SELECT query: its variables, in order, and rows keyed by variable (unbound: None)."""

    variables: tuple[str, ...]
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def tuples(self) -> list[tuple[Term | None, ...]]:
        """Each row as a tuple in variable order."""
        return [tuple(row.get(v) for v in self.variables) for row in self.rows]


class Store(ABC):
    """A graph to ask: SPARQL over the union of its named graphs, plus the files it was loaded from."""

    #: The backend's name, as ``--backend`` takes it.
    backend = ""
    #: False for a store that cannot be changed (a remote endpoint).
    writable = True

    def __init__(self, layout: Layout, files: list[LoadedFile] | None = None):
        self.layout = layout
        self.files: list[LoadedFile] = list(files or [])
        self._line_indexes: dict[Path, _SubjectLines] = {}

    # -- what every backend provides ----------------------------------------------------------

    @abstractmethod
    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        """Run a SELECT query; variables named in ``bindings`` are bound to those terms before evaluation."""

    @abstractmethod
    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        """Run an ASK query."""

    @abstractmethod
    def construct(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[Triple]:
        """Run a CONSTRUCT (or DESCRIBE) query."""

    @abstractmethod
    def serialize_select(self, sparql: str, bindings: Mapping[str, Term] | None, media: str) -> bytes:
        """A SELECT answer in a W3C results format, written by the engine: json, xml, csv or tsv."""

    @abstractmethod
    def load_turtle(self, path: Path, graph: IRI) -> int:
        """Parse one Turtle file into a named graph; its triple count. Raises DataError naming file:line."""

    @abstractmethod
    def replace_graph(self, graph: IRI, triples: Iterable[Triple]) -> None:
        """Replace the content of one named graph."""

    @abstractmethod
    def dump(self, graphs: Iterable[IRI] | None = None) -> bytes:
        """The quads of the given named graphs (all when None) as N-Quads, sorted."""

    def close(self) -> None:
        """Release what the backend holds."""

    # -- shared ---------------------------------------------------------------------------------

    def files_of(self, role: str) -> list[LoadedFile]:
        """The loaded files of one role: ``ontology``, ``shapes``, ``data`` or ``derived``."""
        return [f for f in self.files if f.role == role]

    def graphs_of(self, *roles: str) -> list[IRI]:
        """Names of the graphs of the given roles."""
        return [f.graph for f in self.files if f.role in roles]

    def triple_count(self, role: str = "data") -> int:
        """Number of triples loaded from files of one role."""
        return sum(f.triples for f in self.files_of(role))

    def add_derived(self, triples: list[Triple]) -> None:
        """Put the rules' output into the derived named graph (replacing what was there)."""
        self.replace_graph(DERIVED_GRAPH, triples)
        self.files = [f for f in self.files if f.graph != DERIVED_GRAPH]
        self.files.append(LoadedFile("derived", Path(), "", DERIVED_GRAPH, len(triples)))

    def locate(self, node: Term | None) -> Location | None:
        """The data (else ontology) file, and line, that defines ``node``: where it is typed, else a subject."""
        if not isinstance(node, IRI):
            return None
        table = self.select(_DEFINING_GRAPHS, {"node": node})
        found = {row["g"]: str(row["typed"]) == "true" for row in table if isinstance(row["g"], IRI)}
        ordered = [f for f in self.files_of("data") + self.files_of("ontology") if f.graph in found]
        ordered.sort(key=lambda f: not found[f.graph])  # typed beats merely described; data before ontology
        if not ordered:
            return None
        loaded = ordered[0]
        return Location(loaded.path, self._subject_lines(loaded.path).find(node))

    def _subject_lines(self, path: Path) -> "_SubjectLines":
        if path not in self._line_indexes:
            self._line_indexes[path] = _SubjectLines(path.read_text(encoding="utf-8"))
        return self._line_indexes[path]


_DEFINING_GRAPHS = """
SELECT ?node ?g (MAX(?isTyped) AS ?typed) WHERE {
  GRAPH ?g { ?node ?p ?o }
  BIND(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> AS ?isTyped)
} GROUP BY ?node ?g
"""

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class _SubjectLines:
    """Maps the subjects written at the start of a line in a Turtle file to their line numbers."""

    def __init__(self, text: str):
        self.prefixes: dict[str, str] = {}
        self.first_line: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            declared = _PREFIX.match(line)
            if declared:
                self.prefixes[declared.group(1) or ""] = declared.group(2)
                continue
            if not line or line[0].isspace() or line.startswith("#"):
                continue
            token = line.split(None, 1)[0]
            self.first_line.setdefault(token, number)

    def find(self, node: IRI) -> int | None:
        iri = str(node)
        tokens = [f"<{iri}>"]
        tokens += [f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if iri.startswith(ns)]
        lines = [self.first_line[t] for t in tokens if t in self.first_line]
        return min(lines) if lines else None


# -- loading ------------------------------------------------------------------------------------


def turtle_files(folder: Path, role: str) -> list[Path]:
    """The Turtle files under a folder, sorted; a missing or empty folder is a typed error."""
    if not folder.is_dir():
        raise ConfigError(f"The {role} folder {folder} does not exist.",
                          hint=f"Pass an existing folder with --{role}." if role != "ontology" else None)
    files = sorted(p for p in folder.rglob("*.ttl") if p.is_file())
    if not files:
        raise DataError(f"The {role} folder {folder} holds no Turtle (.ttl) files.")
    return files


def graph_name(role: str, relative: str) -> IRI:
    """The named graph a file of a role is loaded into."""
    return IRI(f"{GRAPH_BASE}{role}/{relative}")


def load_files(store: Store, roles: Iterable[str] = ROLES) -> Store:
    """Load the layout's folders into ``store``, a named graph per file; returns the store."""
    for role in roles:
        folder: Path = getattr(store.layout, role)
        for path in turtle_files(folder, role):
            relative = path.relative_to(folder).as_posix()
            name = graph_name(role, relative)
            count = store.load_turtle(path, name)
            store.files.append(LoadedFile(role, path, relative, name, count))
    return store
