"""Build the graph: ontology, shapes and data, one named graph per file.

This module is the only one that knows the RDF engine. Everything else asks a :class:`Store` for
SPARQL results, graphs or quads, so the engine can be replaced here alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.query import Result
from rdflib.term import Node

from evgraph.errors import ConfigError, DataError
from evgraph.namespaces import GRAPH_BASE, RDF
from evgraph.paths import Layout

ROLES = ("ontology", "shapes", "data")


@dataclass(frozen=True)
class LoadedFile:
    """One Turtle file and the named graph it was loaded into."""

    role: str
    path: Path
    relative: str
    graph: URIRef
    triples: int


@dataclass(frozen=True)
class Location:
    """Where a node is defined: a file and, when it can be found, a 1-based line."""

    path: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)


class Store:
    """The loaded graph, its files, and the ways to read it."""

    def __init__(self, dataset: Dataset, files: list[LoadedFile], layout: Layout):
        self._dataset = dataset
        self.files = files
        self.layout = layout
        self._line_indexes: dict[Path, _SubjectLines] = {}

    # -- graphs ---------------------------------------------------------------------------------

    def files_of(self, role: str) -> list[LoadedFile]:
        """The loaded files of one role: ``ontology``, ``shapes`` or ``data``."""
        return [f for f in self.files if f.role == role]

    def union(self, *roles: str) -> Graph:
        """A new graph holding the triples of every file (or computed graph) of the given roles."""
        union = Graph()
        for loaded in self.files:
            if loaded.role not in roles:
                continue
            for triple in self._dataset.graph(loaded.graph):
                union.add(triple)
        for prefix, namespace in self._dataset.namespaces():
            union.bind(prefix, namespace, override=False)
        return union

    @cached_property
    def data_graph(self) -> Graph:
        """All curated data, as one graph."""
        return self.union("data")

    @cached_property
    def data_and_ontology_graph(self) -> Graph:
        """Curated data together with the ontology and its schemes (what shapes validate)."""
        return self.union("data", "ontology")

    @cached_property
    def ontology_graph(self) -> Graph:
        """The ontology and its concept schemes, as one graph."""
        return self.union("ontology")

    @cached_property
    def shapes_graph(self) -> Graph:
        """The SHACL shapes, as one graph."""
        return self.union("shapes")

    def add_graph(self, role: str, name: URIRef, graph: Graph) -> None:
        """Add a computed named graph (e.g. derived ratings) beside the loaded files."""
        target = self._dataset.graph(name)
        target.remove((None, None, None))
        for triple in graph:
            target.add(triple)
        self.files = [f for f in self.files if f.graph != name] + [LoadedFile(role, Path(), "", name, len(graph))]
        for cached in ("data_graph", "data_and_ontology_graph", "ontology_graph", "shapes_graph"):
            self.__dict__.pop(cached, None)  # a cached union may include the role just added

    def graph(self, name: URIRef) -> Graph:
        """One named graph."""
        return self._dataset.graph(name)

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Every triple with the named graph (file) it came from."""
        for s, p, o, g in self._dataset.quads((None, None, None, None)):
            yield s, p, o, g.identifier if isinstance(g, Graph) else g

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query over the union of all graphs; values are bound as RDF terms."""
        return self._dataset.query(sparql, initBindings=dict(bindings or {}))

    # -- counts ---------------------------------------------------------------------------------

    def triple_count(self, role: str = "data") -> int:
        """Number of triples loaded from files of one role."""
        return sum(f.triples for f in self.files_of(role))

    def instance_counts(self) -> dict[URIRef, int]:
        """Number of data nodes per asserted class, most frequent first."""
        counts = Counter(o for o in self.data_graph.objects(None, RDF.type) if isinstance(o, URIRef))
        return dict(counts.most_common())

    # -- where things are defined ------------------------------------------------------------

    def locate(self, node: Node) -> Location | None:
        """The file (and line) that defines ``node``: where it is typed, else where it is a subject.

        Data files are searched first, then the ontology.
        """
        if not isinstance(node, URIRef):
            return None
        files = self.files_of("data") + self.files_of("ontology")
        for predicate in (RDF.type, None):
            for loaded in files:
                if (node, predicate, None) in self._dataset.graph(loaded.graph):
                    return Location(loaded.path, self._subject_lines(loaded.path).find(node))
        return None

    def _subject_lines(self, path: Path) -> "_SubjectLines":
        if path not in self._line_indexes:
            self._line_indexes[path] = _SubjectLines(path.read_text(encoding="utf-8"))
        return self._line_indexes[path]


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

    def find(self, node: URIRef) -> int | None:
        iri = str(node)
        tokens = [f"<{iri}>"]
        tokens += [f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if iri.startswith(ns)]
        lines = [self.first_line[t] for t in tokens if t in self.first_line]
        return min(lines) if lines else None


# -- loading ------------------------------------------------------------------------------------


def _turtle_files(folder: Path, role: str) -> list[Path]:
    if not folder.is_dir():
        raise ConfigError(f"The {role} folder {folder} does not exist.",
                          hint=f"Pass an existing folder with --{role}." if role != "ontology" else None)
    files = sorted(p for p in folder.rglob("*.ttl") if p.is_file())
    if not files:
        raise DataError(f"The {role} folder {folder} holds no Turtle (.ttl) files.")
    return files


def _parse_into(graph: Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as error:
        line = error.lines + 1
        raise DataError(f"{path}:{line}: Turtle syntax error: {error._why}.",
                        hint="Fix the file and run the command again.") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason}).") from None
    except Exception as error:  # rdflib reports some errors (bad IRIs, literals) with plain exceptions
        raise DataError(f"{path}: could not be read as Turtle: {error}") from None


def load_store(layout: Layout | None = None, *, data: Path | None = None,
               shapes: Path | None = None, ontology: Path | None = None,
               roles: Iterable[str] = ROLES) -> Store:
    """Load the ontology, shapes and data folders into one dataset, a named graph per file.

    Raises :class:`ConfigError` for a missing folder and :class:`DataError` for an empty folder or a
    file that does not parse (naming the file and line).
    """
    layout = (layout or Layout.default()).with_overrides(data=data, shapes=shapes, ontology=ontology)
    dataset = Dataset(default_union=True)
    files: list[LoadedFile] = []
    for role in roles:
        folder = getattr(layout, role)
        for path in _turtle_files(folder, role):
            relative = path.relative_to(folder).as_posix()
            name = URIRef(f"{GRAPH_BASE}{role}/{relative}")
            graph = dataset.graph(name)
            _parse_into(graph, path)
            files.append(LoadedFile(role, path, relative, name, len(graph)))
    return Store(dataset, files, layout)
