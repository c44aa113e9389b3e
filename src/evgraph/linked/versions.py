"""A version of the graph to read: a data folder, or a git revision of one written out to a temporary folder."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from evgraph.errors import ConfigError
from evgraph.paths import project_root
from evgraph.store import Store, load_store

#: The folder a revision written without ``:PATH`` is read from.
DATA_FOLDER = "data"


@dataclass(frozen=True)
class Side:
    """One version of the graph: how to name it in a diff, and its store."""

    label: str
    store: Store


@contextmanager
def open_side(spec: str, repo: Path | None = None, backend: str = "oxigraph") -> Iterator[Side]:
    """Load one version of the graph (with the bundled ontology and shapes) for the length of a ``with`` block.

    ``spec`` is an existing data folder; anything else is read as a git revision of ``repo`` (default:
    evgraph's own checkout), written ``REV`` for its ``data/`` folder or ``REV:PATH`` for another one.
    A revision's files are written to a temporary folder, removed when the block ends. Raises
    :class:`ConfigError` for a spec that is neither, or a revision without that folder.
    """
    if Path(spec).is_dir():
        store = load_store(data=Path(spec), backend=backend)
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


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError("git is not installed, so a version must be a data folder, not a revision.") from None


def _resolve(repo: Path, revision: str, spec: str) -> str:
    """The commit a revision names in ``repo``."""
    found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if not revision or found.returncode != 0:
        raise ConfigError(f"'{spec}' is neither a data folder nor a revision of the git repository at {repo}.",
                          hint="Give an existing folder, or a revision such as HEAD~3, main or main:data.")
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
