"""The persistent store: a layout's files loaded once into an on-disk Oxigraph store, reused while they are unchanged.

Each layout (its ontology, shapes and data folders) has a folder of its own under the cache home
(``$XDG_CACHE_HOME/evgraph/stores``, else ``~/.cache/evgraph/stores``), or the folder ``--store`` names.
It holds the Oxigraph database and ``manifest.json``: the SHA-256 of every file loaded, the graphs each
file wrote, and the key of the derived graph. Opening it:

- a new evgraph, pyoxigraph or cache format, or a manifest that cannot be read: everything is loaded again;
- a changed, added or removed file: the named graphs it wrote, and it writes now, are emptied and
  loaded again from the files that write them (several files may write one graph), nothing else;
- the derived graph is kept while the data, ontology, queries, the rules' code and evgraph's version are
  those it was derived from (:meth:`CachedStore.derived_current`); otherwise the rules run again;
- answers kept beside the database (:meth:`CachedStore.kept`: an audit, a validation report, the rows of an
  ontology query) are used while every file, the queries and evgraph's code are those they were computed from.

One process at a time uses a store folder (``flock`` on its lock file, dropped by the kernel when the
process ends). A command that finds it busy loads the files into memory instead, which gives the same
answers. The least recently used folders beyond :data:`KEEP` are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Iterable

from evgraph.errors import ConfigError, DataError
from evgraph.paths import Layout
from evgraph.store.base import (
    DERIVED_GRAPH,
    ROLES,
    LoadedFile,
    Table,
    load_files,
    load_one,
    rdf_files,
)
from evgraph.store.oxigraph_store import OxigraphStore, table_of
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
#: From how many bytes of files :func:`open_cached` may write a new store behind the command rather than before it.
BEHIND_BYTES = 32 * 2**20
_DATABASE = "oxigraph"
_ANSWERS = "answers"
#: evgraph's own code, whose every change a kept answer must see (the version stays the same between releases).
_PACKAGE = Path(__file__).resolve().parents[1]
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
    from evgraph import __version__

    return __version__


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
        self._answers_key: str | None = None
        self._memory: OxigraphStore | None = None

    def derived_current(self) -> bool:
        derived = self.manifest.get("derived") or {}
        return derived.get("key") == derived_key(self) and any(f.role == "derived" for f in self.files)

    def add_derived(self, triples) -> None:
        super().add_derived(triples)
        self.manifest["derived"] = {"key": derived_key(self), "triples": len(triples)}
        _write_manifest(self.folder, self.manifest)

    def kept(self, name: str, compute: Callable[[], str]) -> str:
        """The text ``compute`` gives, kept in the folder under ``name`` and used again while the files, the
        queries and evgraph's code are those it was computed from (:func:`answers_key`). ``compute`` must read
        nothing else: the store, and files named by the layout."""
        key = self._answers_key = self._answers_key or answers_key(self)
        path = self.folder / _ANSWERS / hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
        header = json.dumps({"key": key, "name": name}, sort_keys=True)  # one line, then the text as it is
        try:
            found_header, text = path.read_text(encoding="utf-8").split("\n", 1)
            if found_header == header:
                return text
        except (OSError, ValueError):
            pass  # none kept, or unreadable: compute it
        text = compute()
        from evgraph.output import write_atomically

        path.parent.mkdir(exist_ok=True, mode=0o700)
        write_atomically(path, f"{header}\n{text}")
        return text

    def in_memory(self) -> OxigraphStore:
        """The same files loaded afresh into memory, once per store object: a whole-graph read (the rules, an
        audit, validation) is several times faster there than through the database, whose every term is a
        lookup on disk, and a million triples load into memory faster than they can be copied out of it."""
        if self._memory is None:
            memory = load_files(OxigraphStore(self.layout), self.manifest["roles"])
            recorded = {(f["role"], f["relative"]): f["sha256"] for f in self.manifest["files"]}
            if {(f.role, f.relative): file_digest(f.path) for f in memory.files} != recorded:
                raise DataError("The files changed while evgraph was reading them; run the command again.")
            self._memory = memory
        return self._memory

    def select_kept(self, sparql: str) -> Table:
        import pyoxigraph

        name = f"select {hashlib.sha256(sparql.encode('utf-8')).hexdigest()}"
        text = self.kept(name, lambda: self.serialize_select(sparql, None, "json").decode("utf-8"))
        return table_of(pyoxigraph.parse_query_results(text, pyoxigraph.QueryResultsFormat.JSON))

    def close(self) -> None:
        """Write everything out and let the folder go (to this process and others); the store cannot be used after."""
        if self._lock < 0:
            return
        super().close()
        self._store = None  # dropping the last reference closes the database
        os.close(self._lock)
        self._lock = -1


def open_cached(layout: Layout, folder: Path | None = None, roles: Iterable[str] = ROLES,
                progress: Callable[[int, int], None] | None = None,
                write_behind: bool = False) -> OxigraphStore | None:
    """The layout's persistent store, brought up to date with its files; None when another process is using it.

    With ``write_behind``, a store to be built from at least :data:`BEHIND_BYTES` of files is written to disk by
    a detached process, which holds the folder until it is done; the caller gets the files loaded in memory
    (a plain :class:`OxigraphStore`) and need not wait for the disk, which takes several times as long.

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
        store = _open(layout, folder, lock, tuple(roles), progress, write_behind)
    except BaseException:
        os.close(lock)
        raise
    if folder.parent == cache_home():
        _evict(folder)
    return store


def _open(layout: Layout, folder: Path, lock: int, roles: tuple[str, ...],
          progress: Callable[[int, int], None] | None, write_behind: bool = False) -> OxigraphStore:
    current = {(role, path.relative_to(getattr(layout, role)).as_posix()): (role, path, file_digest(path))
               for role in roles for path in rdf_files(getattr(layout, role), role)}
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("software") != software() or manifest.get("roles") != list(roles):
        return _load_all(layout, folder, lock, roles, current, progress, write_behind)
    recorded = {(f["role"], f["relative"]): f for f in manifest["files"]}
    changed = sorted(k for k, (_, _, digest) in current.items() if recorded.get(k, {}).get("sha256") != digest)
    removed = sorted(k for k in recorded if k not in current)
    kept = {k: recorded[k] for k in current if k not in changed}
    changed_bytes = sum(current[k][1].stat().st_size for k in changed)
    if changed_bytes > sum(path.stat().st_size for _, path, _ in current.values()) // 2:
        # most of it: a bulk load is faster
        return _load_all(layout, folder, lock, roles, current, progress, write_behind)
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
              progress: Callable[[int, int], None] | None, write_behind: bool = False) -> OxigraphStore:
    """Load every file into memory (checking each as :func:`load_files` does), then write it to disk in bulk,
    here or, with ``write_behind`` and enough bytes, in a process of its own (:func:`open_cached`)."""
    shutil.rmtree(folder / _DATABASE, ignore_errors=True)
    shutil.rmtree(folder / _ANSWERS, ignore_errors=True)
    _write_manifest(folder, {})
    if write_behind and sum(path.stat().st_size for _, path, _ in current.values()) >= BEHIND_BYTES:
        _start_writer(layout, folder, lock, roles)
        os.close(lock)  # the writer holds the folder (the same lock) until the store is written
        return load_files(OxigraphStore(layout), roles, progress)
    memory = load_files(OxigraphStore(layout), roles, progress)
    store = CachedStore(layout, folder, lock)
    store._store.bulk_extend(memory._store)
    store._store.flush()
    store.files = memory.files
    store._memory = memory  # a command that reads the whole graph next has it in memory already
    digests = {(role, relative): digest for (role, relative), (_, _, digest) in current.items()}
    store.manifest = {"software": software(), "roles": list(roles), "derived": None,
                      "files": [_recorded(f, digests[(f.role, f.relative)]) for f in memory.files]}
    _write_manifest(folder, store.manifest)
    store.refresh = ("loaded", [])
    return store


def _start_writer(layout: Layout, folder: Path, lock: int, roles: tuple[str, ...]) -> None:
    """Start a new Python process that loads the files and writes the store (:func:`write_store`). It inherits
    the lock, and runs in a session of its own: neither this process's end nor a Ctrl-C in its terminal stops it.
    (A fork of this process would not do: a process that has used RocksDB cannot open a database in a fork.)"""
    import subprocess
    import sys

    folders = {name: str(Path(getattr(layout, name)).resolve())
               for name in ("ontology", "shapes", "data", "queries", "assumptions")}
    task = json.dumps({"folder": str(folder.resolve()), "lock": lock, "roles": list(roles), "layout": folders})
    subprocess.Popen([sys.executable, "-m", "evgraph.store.cache", task], pass_fds=(lock,), start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write_store(task: dict) -> None:
    """Load a layout's files into its store folder, under a lock already held (:func:`_start_writer`)."""
    layout = Layout(**{name: Path(path) for name, path in task["layout"].items()})
    _open(layout, Path(task["folder"]), task["lock"], tuple(task["roles"]), None).close()


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
    return _key(store, ("data", "ontology"), sorted((_PACKAGE / "rules").glob("*.py")))


def answers_key(store: CachedStore) -> str:
    """What a kept answer depends on: every file loaded and where it is (an answer may name it), the queries, all
    of evgraph's code and its version."""
    code = sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    folders = [str(Path(getattr(store.layout, role)).resolve()) for role in (*ROLES, "queries")]
    return _key(store, ROLES, code, folders)


def _key(store: CachedStore, roles: Iterable[str], code: list[Path], folders: Iterable[str] = ()) -> str:
    parts = [json.dumps(software(), sort_keys=True), *folders]
    parts += [f"{f['role']}/{f['relative']} {f['sha256']}" for f in store.manifest.get("files", []) if f["role"] in roles]
    queries = Path(store.layout.queries)
    parts += [f"queries/{p.relative_to(queries).as_posix()} {file_digest(p)}" for p in sorted(queries.rglob("*.rq"))]
    parts += [f"evgraph/{p.relative_to(_PACKAGE).as_posix()} {file_digest(p)}" for p in code]
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


__all__ = ["BEHIND_BYTES", "KEEP", "CachedStore", "answers_key", "cache_home", "derived_key", "open_cached", "software", "store_folder"]


if __name__ == "__main__":  # the writer :func:`_start_writer` starts
    import sys

    write_store(json.loads(sys.argv[1]))
