"""The persistent store: a layout's files loaded once into an on-disk Oxigraph store, reused while they are unchanged.

Each layout (its ontology, shapes and data folders) has a folder of its own under the cache home
(``$XDG_CACHE_HOME/evgraph/stores``, else ``~/.cache/evgraph/stores``), or the folder ``--store`` names.
It holds the Oxigraph database and ``manifest.json``: the SHA-256 of every file loaded, the graphs each
file wrote, and the key of the derived graph. Opening it:

- a new evgraph, pyoxigraph or cache format, or a manifest that cannot be read: everything is loaded again;
- a changed, added or removed file: the named graphs it wrote, and it writes now, are emptied and
  loaded again from the files that write them (several files may write one graph), nothing else;
- the derived graph is kept while the data, ontology, queries, the rules' code and evgraph's version are
  those it was derived from (:meth:`CachedStore.derived_current`); otherwise the rules run again.

One process at a time uses a store folder (``flock`` on its lock file, dropped by the kernel when the
process ends). A command that finds it busy loads the files into memory instead, which gives the same
answers. The least recently used folders beyond :data:`KEEP` are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Iterable

from evgraph.errors import ConfigError
from evgraph.paths import Layout
from evgraph.store.base import (
    DERIVED_GRAPH,
    ROLES,
    LoadedFile,
    load_files,
    load_one,
    rdf_files,
)
from evgraph.store.oxigraph_store import OxigraphStore
from evgraph.terms import IRI

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The version of the folder's layout; a new one reloads everything.
FORMAT = 1
#: How many store folders the cache home keeps (the least recently used beyond are removed).
KEEP = 8
MANIFEST = "manifest.json"
_DATABASE = "oxigraph"
_LOCK = "lock"


def cache_home() -> Path:
    """Where store folders are kept: ``$XDG_CACHE_HOME/evgraph/stores``, else ``~/.cache/evgraph/stores``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evgraph" / "stores"


def store_folder(layout: Layout) -> Path:
    """The cache home's folder for a layout: named by a hash of its folders' absolute paths."""
    paths = [str(Path(getattr(layout, role)).resolve()) for role in ROLES]
    return cache_home() / hashlib.sha256("\n".join(paths).encode("utf-8")).hexdigest()[:20]


def software() -> dict[str, object]:
    """What a store folder was built by; any difference reloads everything."""
    import pyoxigraph

    return {"format": FORMAT, "evgraph": _version(), "pyoxigraph": pyoxigraph.__version__}


def _version() -> str:
    try:
        return version("evgraph")
    except PackageNotFoundError:
        return "unknown"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class CachedStore(OxigraphStore):
    """An Oxigraph store on disk, with the manifest that says what it holds (:func:`open_cached`)."""

    def __init__(self, layout: Layout, folder: Path, lock: int):
        super().__init__(layout, folder / _DATABASE)
        self.folder = folder
        self._lock = lock
        self.manifest: dict = {}
        #: What the last open did: "reused", "updated" (with the files it reloaded) or "loaded".
        self.refresh: tuple[str, list[str]] = ("loaded", [])

    def derived_current(self) -> bool:
        derived = self.manifest.get("derived") or {}
        return derived.get("key") == derived_key(self) and any(f.role == "derived" for f in self.files)

    def add_derived(self, triples) -> None:
        super().add_derived(triples)
        self.manifest["derived"] = {"key": derived_key(self), "triples": len(triples)}
        _write_manifest(self.folder, self.manifest)

    def close(self) -> None:
        """Write everything out and let the folder go (to this process and others); the store cannot be used after."""
        if self._lock < 0:
            return
        super().close()
        self._store = None  # dropping the last reference closes the database
        os.close(self._lock)
        self._lock = -1


def open_cached(layout: Layout, folder: Path | None = None, roles: Iterable[str] = ROLES,
                progress: Callable[[int, int], None] | None = None) -> CachedStore | None:
    """The layout's persistent store, brought up to date with its files; None when another process is using it.

    Raises what :func:`evgraph.store.load_store` raises for unreadable files, and :class:`ConfigError` for a
    store folder that cannot be made or used. A file that fails to load leaves the folder to be rebuilt.
    """
    folder = Path(folder) if folder is not None else store_folder(layout)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise ConfigError(f"Could not use the store folder {folder}: {error.strerror or error}.",
                          hint="Pass a folder you can write with --store, or --no-cache.") from None
    if fcntl is not None:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            return None
    try:
        store = _open(layout, folder, lock, tuple(roles), progress)
    except BaseException:
        os.close(lock)
        raise
    if folder.parent == cache_home():
        _evict(folder)
    return store


def _open(layout: Layout, folder: Path, lock: int, roles: tuple[str, ...],
          progress: Callable[[int, int], None] | None) -> CachedStore:
    current = {(role, path.relative_to(getattr(layout, role)).as_posix()): (role, path, file_digest(path))
               for role in roles for path in rdf_files(getattr(layout, role), role)}
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("software") != software() or manifest.get("roles") != list(roles):
        return _load_all(layout, folder, lock, roles, current, progress)
    recorded = {(f["role"], f["relative"]): f for f in manifest["files"]}
    changed = sorted(k for k, (_, _, digest) in current.items() if recorded.get(k, {}).get("sha256") != digest)
    removed = sorted(k for k in recorded if k not in current)
    kept = {k: recorded[k] for k in current if k not in changed}
    changed_bytes = sum(current[k][1].stat().st_size for k in changed)
    if changed_bytes > sum(path.stat().st_size for _, path, _ in current.values()) // 2:
        return _load_all(layout, folder, lock, roles, current, progress)  # most of it: a bulk load is faster
    store = CachedStore(layout, folder, lock)
    store.manifest = manifest
    if changed or removed:
        manifest["derived"] = None  # written before anything changes: a crash midway cannot leave it current
        manifest["files"] = [recorded[k] for k in sorted(kept)]
        _write_manifest(folder, manifest)
        try:
            reloaded = _reload(store, current, recorded, changed, removed)
        except BaseException:
            _write_manifest(folder, {})  # the database may hold part of the change: rebuild next time
            raise
        manifest["files"] = [reloaded.get(k) or kept[k] for k in sorted(current)]
        _write_manifest(folder, manifest)
        store.refresh = ("updated", [relative for _, relative in sorted(set(changed) | set(removed))])
    else:
        os.utime(folder / MANIFEST)  # most recently used, for eviction
        store.refresh = ("reused", [])
    store.files = [_loaded(layout, f) for f in manifest["files"]]
    if manifest.get("derived") and store._store.contains_named_graph(_named(DERIVED_GRAPH)):
        store.files.append(LoadedFile("derived", Path(), "", (DERIVED_GRAPH,), manifest["derived"]["triples"]))
    return store


def _load_all(layout: Layout, folder: Path, lock: int, roles: tuple[str, ...], current: dict,
              progress: Callable[[int, int], None] | None) -> CachedStore:
    """Load every file into memory (checking each as :func:`load_files` does), then write it to disk in bulk."""
    shutil.rmtree(folder / _DATABASE, ignore_errors=True)
    _write_manifest(folder, {})
    memory = load_files(OxigraphStore(layout), roles, progress)
    store = CachedStore(layout, folder, lock)
    store._store.bulk_extend(memory._store)
    store._store.flush()
    store.files = memory.files
    digests = {(role, relative): digest for (role, relative), (_, _, digest) in current.items()}
    store.manifest = {"software": software(), "roles": list(roles), "derived": None,
                      "files": [_recorded(f, digests[(f.role, f.relative)]) for f in memory.files]}
    _write_manifest(folder, store.manifest)
    store.refresh = ("loaded", [])
    return store


def _reload(store: CachedStore, current: dict, recorded: dict, changed: list, removed: list) -> dict:
    """Empty the graphs the changed and removed files wrote or write, and load every file writing them again."""
    emptied: set[str] = {g for k in changed + removed if k in recorded for g in recorded[k]["graphs"]}
    emptied.add(str(DERIVED_GRAPH))
    staged: dict[tuple[str, str], tuple[OxigraphStore, LoadedFile]] = {}
    pending = list(changed)
    while pending:
        for key in pending:
            role, path, _ = current[key]
            scratch = OxigraphStore(store.layout)
            staged[key] = (scratch, load_one(scratch, role, path))
            emptied |= set(staged[key][1].graphs)
        # An unchanged file that writes an emptied graph must be loaded again too (and may widen the set).
        pending = [k for k in sorted(current) if k not in staged and set(recorded[k]["graphs"]) & emptied]
    for graph in sorted(emptied):
        if store._store.contains_named_graph(_named(graph)):
            store._store.remove_graph(_named(graph))
    for scratch, _ in staged.values():
        store._store.extend(scratch._store)
    store._store.flush()
    return {key: _recorded(loaded, current[key][2]) for key, (_, loaded) in staged.items()}


def derived_key(store: CachedStore) -> str:
    """What the derived graph depends on: the data and ontology files, the queries, the rules' code and evgraph."""
    parts = [json.dumps(software(), sort_keys=True)]
    parts += [f"{f['role']}/{f['relative']} {f['sha256']}" for f in store.manifest.get("files", [])
              if f["role"] in ("data", "ontology")]
    queries = Path(store.layout.queries)
    parts += [f"queries/{p.relative_to(queries).as_posix()} {file_digest(p)}" for p in sorted(queries.rglob("*.rq"))]
    rules = Path(__file__).resolve().parents[1] / "rules"
    parts += [f"rules/{p.name} {file_digest(p)}" for p in sorted(rules.glob("*.py"))]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _recorded(loaded: LoadedFile, digest: str) -> dict:
    return {"role": loaded.role, "relative": loaded.relative, "sha256": digest,
            "graphs": [str(g) for g in loaded.graphs], "triples": loaded.triples}


def _loaded(layout: Layout, recorded: dict) -> LoadedFile:
    folder = Path(getattr(layout, recorded["role"]))
    return LoadedFile(recorded["role"], folder / recorded["relative"], recorded["relative"],
                      tuple(IRI(g) for g in recorded["graphs"]), recorded["triples"])


def _named(graph: str):
    import pyoxigraph

    return pyoxigraph.NamedNode(str(graph))


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("files"), list) else None


def _write_manifest(folder: Path, manifest: dict) -> None:
    from evgraph.output import write_atomically

    write_atomically(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _evict(keep: Path) -> None:
    """Remove the least recently used store folders beyond :data:`KEEP`, skipping any in use."""
    folders = sorted((p for p in cache_home().iterdir() if p.is_dir() and p != keep),
                     key=lambda p: _used(p), reverse=True)
    for stale in folders[KEEP - 1:]:
        try:
            lock = os.open(stale / _LOCK, os.O_RDWR)
        except OSError:
            continue
        try:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(stale, ignore_errors=True)
        except BlockingIOError:
            pass
        finally:
            os.close(lock)


def _used(folder: Path) -> float:
    try:
        return (folder / MANIFEST).stat().st_mtime
    except OSError:
        return 0.0


__all__ = ["KEEP", "CachedStore", "cache_home", "derived_key", "open_cached", "software", "store_folder"]
