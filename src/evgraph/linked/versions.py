"""A version of the graph to read: a data folder, an export file, or a git revision of a data folder.

An export file (TriG or N-Quads, such as a release's ``evgraph.trig``) and a revision are written out to a
temporary folder first.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from evgraph.errors import ConfigError, DataError
from evgraph.paths import project_root
from evgraph.store import Store, load_store, read_graphs, role_of, serialize
from evgraph.terms import IRI

#: The folder a revision written without ``:PATH`` is read from.
DATA_FOLDER = "data"
#: The suffixes of the export files a version may be: TriG and N-Quads keep the named graphs.
EXPORT_SUFFIXES = (".trig", ".nq")


@dataclass(frozen=True)
class Side:
    """One version of the graph: how to name it in a diff, and its store."""

    label: str
    store: Store


@contextmanager
def open_side(spec: str, repo: Path | None = None, backend: str = "oxigraph") -> Iterator[Side]:
    """Load one version of the graph (with the bundled ontology and shapes) for the length of a ``with`` block.

    ``spec`` is an existing data folder, or an export file (``.trig`` or ``.nq``; see :func:`split_export`);
    anything else is read as a git revision of ``repo`` (default: evgraph's own checkout), written ``REV``
    for its ``data/`` folder or ``REV:PATH`` for another one. An export's or a revision's files are
    written to a temporary folder, removed when the block ends. Raises :class:`ConfigError` for a spec
    that is none of these, or a revision without that folder.
    """
    if Path(spec).is_dir():
        store = load_store(data=Path(spec), backend=backend)
        try:
            yield Side(spec, store)
        finally:
            store.close()
        return
    if Path(spec).is_file() and Path(spec).suffix in EXPORT_SUFFIXES:
        with tempfile.TemporaryDirectory(prefix="evgraph-export-") as temporary:
            data, ontology = split_export(Path(spec), Path(temporary))
            store = load_store(data=data, ontology=ontology, backend=backend)
            try:
                yield Side(spec, store)
            finally:
                store.close()
        return
    repo = repo or project_root()
    revision, _, folder = spec.partition(":")
    folder = folder or DATA_FOLDER
    commit = _resolve(repo, revision, spec)
    with tempfile.TemporaryDirectory(prefix="evgraph-version-") as temporary:
        data = Path(temporary) / "data"
        _extract(repo, commit, folder, data, revision)
        store = load_store(data=data, backend=backend)
        try:
            yield Side(f"{revision}:{folder} ({commit[:12]})", store)
        finally:
            store.close()


def split_export(path: Path, into: Path) -> tuple[Path, Path | None]:
    """Write an export's data graphs to ``into/data`` and its ontology graphs to ``into/ontology``, as TriG.

    The roles come from the graph names (docs/provenance.md). The derived graph is left out, since the
    rules run again on what is read, and so are shapes graphs (the bundled shapes are used). Returns the
    data folder and the ontology folder, None when the file holds no ontology graph (a ``curated``
    export): the bundled ontology is then used. Raises :class:`DataError` for triples outside every named
    graph, or a file with no data graph.
    """
    graphs = read_graphs(path)
    if None in graphs:
        outside = graphs[None].count(b"\n")
        raise DataError(f"{path}: {outside} triple(s) outside every named graph, so it is not"
                        " an evgraph export.", hint="Give an export in TriG or N-Quads, such as a release's evgraph.trig.")
    by_role: dict[str, list[IRI]] = {}
    for graph in sorted(graphs):
        by_role.setdefault(role_of(graph), []).append(graph)
    if not by_role.get("data"):
        raise DataError(f"{path} holds no data graphs, only {', '.join(sorted(by_role)) or 'nothing'}.")
    folders: dict[str, Path] = {}
    for role in ("data", "ontology"):
        if by_role.get(role):
            folders[role] = into / role
            folders[role].mkdir(parents=True)
            nquads = b"".join(graphs[graph] for graph in by_role[role])
            (folders[role] / "export.trig").write_bytes(serialize(nquads, "trig", {}))
    return folders["data"], folders.get("ontology")


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError("git is not installed, so a version must be a data folder, not a revision.") from None


def _resolve(repo: Path, revision: str, spec: str) -> str:
    """The commit a revision names in ``repo``."""
    found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if not revision or found.returncode != 0:
        raise ConfigError(f"'{spec}' is neither a data folder, an export file (.trig or .nq) nor a revision of the"
                          f" git repository at {repo}.",
                          hint="Give an existing folder, an export such as releases/2026.11.01/evgraph.trig,"
                               " or a revision such as HEAD~3, main or main:data.")
    return found.stdout.decode().strip()


def _extract(repo: Path, commit: str, folder: str, into: Path, revision: str) -> None:
    """Write the files of ``folder`` at ``commit`` into the folder ``into``."""
    if _git(repo, "cat-file", "-t", f"{commit}:{folder}").stdout.decode().strip() != "tree":
        raise ConfigError(f"Revision {revision} ({commit[:12]}) of {repo} has no folder '{folder}'.")
    archive = _git(repo, "archive", "--format=tar", f"{commit}:{folder}")
    if archive.returncode != 0:
        raise ConfigError(f"git could not write out '{folder}' at {commit[:12]}: {archive.stderr.decode().strip()}")
    # The "data" filter (Python 3.11.4 and later) refuses links and paths that would leave the folder.
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, **safe)
