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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from evgraph.errors import ConfigError, DataError
from evgraph.namespaces import GRAPH_BASE
from evgraph.paths import Layout
from evgraph.store.inputs import FOLDER_SUFFIXES, folder_files
from evgraph.terms import IRI, Term

ROLES = ("ontology", "shapes", "data")
#: The named graph that holds what the rules derive; curated data never goes here.
DERIVED_GRAPH = IRI(f"{GRAPH_BASE}derived")

Triple = tuple[Term, Term, Term]


@dataclass(frozen=True)
class LoadedFile:
    """One Turtle or TriG file, the named graphs it wrote into, and how many triples it held."""

    role: str
    path: Path
    relative: str
    graphs: tuple[IRI, ...]
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
    def load_file(self, path: Path, graph: IRI) -> dict[IRI, int]:
        """Parse one file into the store: a Turtle file into ``graph``, a TriG file into the graphs it names.

        Returns the triple count per graph written. Raises DataError naming file:line for a syntax
        error, and for TriG triples outside every ``GRAPH`` block.
        """

    @abstractmethod
    def replace_graph(self, graph: IRI, triples: Iterable[Triple]) -> None:
        """Replace the content of one named graph."""

    @abstractmethod
    def dump(self, graphs: Iterable[IRI] | None = None, subjects: Iterable[IRI] | None = None) -> bytes:
        """The quads of the given named graphs (all when None) as N-Quads, sorted; only those of ``subjects``
        when given."""

    def close(self) -> None:
        """Release what the backend holds."""

    # -- shared ---------------------------------------------------------------------------------

    def files_of(self, role: str) -> list[LoadedFile]:
        """The loaded files of one role: ``ontology``, ``shapes``, ``data`` or ``derived``."""
        return [f for f in self.files if f.role == role]

    def graphs_of(self, *roles: str) -> list[IRI]:
        """Names of the graphs of the given roles, sorted (a graph written by several files once)."""
        return sorted({g for f in self.files if f.role in roles for g in f.graphs})

    def graph_sizes(self) -> dict[IRI, int]:
        """Every named graph under evgraph's graph base with its triple count, as the store holds them."""
        table = self.select(_GRAPH_SIZES)
        return {IRI(str(row["g"])): int(str(row["n"])) for row in table
                if isinstance(row["g"], IRI) and str(row["g"]).startswith(GRAPH_BASE)}

    def triple_count(self, role: str = "data") -> int:
        """Number of triples in the graphs of one role (a triple in two graphs counts twice)."""
        return sum(n for g, n in self.graph_sizes().items() if role_of(g) == role)

    def add_derived(self, triples: list[Triple]) -> None:
        """Put the rules' output into the derived named graph (replacing what was there)."""
        self.replace_graph(DERIVED_GRAPH, triples)
        self.files = [f for f in self.files if f.role != "derived"]
        self.files.append(LoadedFile("derived", Path(), "", (DERIVED_GRAPH,), len(triples)))

    def derived_current(self) -> bool:
        """True when the derived graph already holds what the rules conclude from this data with these rules
        (an in-memory store unchanged since they wrote it, or a persistent store that kept it,
        :mod:`evgraph.store.cache`); then the rules need not run again."""
        return False

    def kept(self, name: str, compute: Callable[[], str]) -> str:
        """The text ``compute`` gives; a persistent store keeps it under ``name`` while its inputs are unchanged
        (:meth:`evgraph.store.cache.CachedStore.kept`), so ``compute`` must read only the store and its files."""
        return compute()

    @contextmanager
    def without_graphs(self, graphs: list[IRI]) -> Iterator[None]:
        """The store without some named graphs for a while: queries over its union default graph then read only
        the others. The graphs are put back, blank nodes and all, whatever happens."""
        saved = {}
        for graph in graphs:
            table = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}")
            saved[graph] = [(row["s"], row["p"], row["o"]) for row in table]
            self.replace_graph(graph, [])
        try:
            yield
        finally:
            for graph, triples in saved.items():
                self.replace_graph(graph, triples)  # type: ignore[arg-type]

    def in_memory(self) -> "Store":
        """The store to read the whole graph from: itself, or the files of a persistent store loaded into memory,
        where such reads run several times faster than on disk (:meth:`evgraph.store.cache.CachedStore.in_memory`)."""
        return self

    def select_kept(self, sparql: str) -> Table:
        """Run a SELECT query without parameters; a persistent store keeps its answer (:meth:`kept`)."""
        return self.select(sparql)

    def source_files(self) -> list[Path]:
        """The data, then ontology, files a node may be defined in."""
        return [f.path for f in self.files_of("data") + self.files_of("ontology")]

    def locate(self, node: Term | None) -> Location | None:
        """The data (else ontology) file, and line, that defines ``node``: where it is typed, else a subject."""
        if not isinstance(node, IRI):
            return None
        found = [(not typed, order, path, line) for order, path in enumerate(self.source_files())
                 for line, typed in [self._subject_lines(path).find(node)] if line is not None]
        if not found:
            return None
        _, _, path, line = min(found)  # typed beats merely described; data before ontology
        return Location(path, line)

    def _subject_lines(self, path: Path) -> "_SubjectLines":
        if path not in self._line_indexes:
            self._line_indexes[path] = _SubjectLines(path.read_text(encoding="utf-8"))
        return self._line_indexes[path]


_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class _SubjectLines:
    """Maps the subjects written in a Turtle or TriG file to their first line, noting where they are typed.

    A subject starts a statement: in Turtle at the start of a line, in TriG indented once inside a
    ``GRAPH`` block. Continuation lines are indented further.
    """

    def __init__(self, text: str):
        self.prefixes: dict[str, str] = {}
        self.first_line: dict[str, int] = {}
        self.typed_line: dict[str, int] = {}
        statements: list[tuple[int, int, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            declared = _PREFIX.match(line)
            if declared:
                self.prefixes[declared.group(1) or ""] = declared.group(2)
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "}")) or _GRAPH_OPEN.match(stripped):
                continue
            statements.append((len(line) - len(line.lstrip()), number, stripped))
        indent = min((i for i, _, _ in statements), default=0)
        for level, number, stripped in statements:
            if level != indent:
                continue
            token, _, rest = stripped.partition(" ")
            self.first_line.setdefault(token, number)
            if rest.startswith("a "):
                self.typed_line.setdefault(token, number)

    def find(self, node: IRI) -> tuple[int | None, bool]:
        """The line that defines ``node`` (where it is typed, else where it is first a subject), and whether typed."""
        iri = str(node)
        tokens = [f"<{iri}>"]
        tokens += [f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if iri.startswith(ns)]
        typed = [self.typed_line[t] for t in tokens if t in self.typed_line]
        if typed:
            return min(typed), True
        lines = [self.first_line[t] for t in tokens if t in self.first_line]
        return (min(lines) if lines else None), False


_GRAPH_OPEN = re.compile(r"^(GRAPH\s+)?(<[^>]*>|[\w-]*:[\w./-]*)\s*\{$", re.IGNORECASE)


# -- loading ------------------------------------------------------------------------------------


#: The file formats a folder may hold, by suffix.
RDF_SUFFIXES = FOLDER_SUFFIXES


def rdf_files(folder: Path, role: str) -> list[Path]:
    """The Turtle and TriG files under a folder, sorted; a missing or empty folder is a typed error, and so are
    links leading out of it and files it holds that are not read (:func:`evgraph.store.inputs.folder_files`)."""
    if not folder.is_dir():
        raise ConfigError(f"The {role} folder {folder} does not exist.",
                          hint=f"Pass an existing folder with --{role}." if role != "ontology" else None)
    files = folder_files(folder, role)
    if not files:
        raise DataError(f"The {role} folder {folder} holds no Turtle (.ttl) or TriG (.trig) files.")
    return files


def graph_name(role: str, relative: str) -> IRI:
    """The named graph a Turtle file of a role is loaded into: its path in the folder, without suffix.

    TriG files (all of ``data/``) name their own graphs, which therefore do not depend on the file.
    """
    return IRI(f"{GRAPH_BASE}{role}/{relative.rsplit('.', 1)[0]}")


def role_of(graph: IRI) -> str:
    """The role of a named graph, read from its name: ontology, shapes, derived, else data."""
    local = str(graph)[len(GRAPH_BASE):] if str(graph).startswith(GRAPH_BASE) else ""
    if str(graph) == DERIVED_GRAPH:
        return "derived"
    head = local.split("/", 1)[0]
    return head if head in ("ontology", "shapes") and "/" in local else "data"


def load_files(store: Store, roles: Iterable[str] = ROLES, progress: Callable[[int, int], None] | None = None) -> Store:
    """Load the layout's folders into ``store``; returns the store.

    A Turtle file goes into a graph named after its path; a TriG file into the graphs it names. A
    graph of one role may not be written by a file of another (say, data naming an ontology graph).
    ``progress``, when given, is told the bytes read so far and the bytes in all.
    """
    found = [(role, path) for role in roles for path in rdf_files(getattr(store.layout, role), role)]
    total, done = sum(path.stat().st_size for _, path in found), 0
    for role, path in found:
        store.files.append(load_one(store, role, path))
        done += path.stat().st_size
        if progress:
            progress(done, total)
    return store


def load_one(store: Store, role: str, path: Path) -> LoadedFile:
    """Load one file of a role's folder into ``store`` (:func:`load_files`), refusing a graph of another role."""
    folder: Path = getattr(store.layout, role)
    relative = path.relative_to(folder).as_posix()
    sizes = store.load_file(path, graph_name(role, relative))
    misplaced = sorted(g for g in sizes if role_of(g) != role)
    if misplaced:
        raise DataError(f"{path}: writes the graph <{misplaced[0]}>, whose name marks it as"
                        f" {role_of(misplaced[0])}, not {role}.",
                        hint="Name data graphs under graph/source/, graph/joint/, graph/inferred/ or graph/curation"
                             " (docs/provenance.md).")
    return LoadedFile(role, path, relative, tuple(sorted(sizes)), sum(sizes.values()))
