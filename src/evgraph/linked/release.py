"""A versioned release: every export format, the DCAT/VoID description, checksums, the audit and a changelog.

``release(store, out)`` writes ``out/<version>/``. The folder is built in a hidden temporary folder inside
``out`` (``.<version>.*.partial``, each file written atomically) and renamed into place only when every file
is written, so a failed release leaves nothing half-written; an existing version folder is never touched.
The build holds ``out``'s lock (:mod:`evgraph.linked.lock`), so the partial folders a killed release left
behind are known to be abandoned and are removed, and a second release into ``out`` at the same moment is
refused. A full disk (any failed write) is a :class:`ReleaseNotWritten` that names the folder. With
``SOURCE_DATE_EPOCH`` set, the issued date and the version are fixed, so two
releases of the same data are byte-identical, file for file.

The changelog, given the previous release, says what changed in the domain's terms (the diff of
:mod:`evgraph.linked.diff` between that release's ``evgraph.trig`` and this data), then compares the
counts of the two descriptions (triples, entities, classes, properties and entities per class), read from
the previous release's ``dataset.ttl``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from evgraph import render
from evgraph.audit import run_audit
from evgraph.errors import ConfigError
from evgraph.lineage.diagram import audit_diagrams
from evgraph.linked import describe
from evgraph.linked.diff import diff_graphs, diff_markdown
from evgraph.linked.export import FORMATS, MEDIA, context, export, to_jsonld
from evgraph.linked.lock import folder_lock
from evgraph.linked.versions import open_side
from evgraph.output import write_bytes_atomically
from evgraph.shortnames import short
from evgraph.store import BACKENDS, Store, select_rdf, serialize

DESCRIPTION_FILE = "dataset.ttl"
SUMS_FILE = "SHA256SUMS"
#: The export of the whole graph in a release, which the next release's changelog is diffed against.
GRAPH_FILE = "evgraph.trig"
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_READ_COUNTS = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?version ?issued ?measure ?value WHERE {
  ?dataset a void:Dataset ; dcat:version ?version ; dct:issued ?issued .
  { ?dataset ?p ?value VALUES (?p ?measure) { (void:triples "triples") (void:entities "entities")
                                              (void:classes "classes") (void:properties "properties") } }
  UNION
  { ?dataset void:classPartition [ void:class ?class ; void:entities ?value ] BIND(STR(?class) AS ?measure) }
}
"""


class ReleaseNotWritten(ConfigError, OSError):
    """The release could not be written (say, the disk is full); nothing was left behind."""


@dataclass(frozen=True)
class Release:
    """A written release: its folder, version, and each file with its size."""

    folder: Path
    version: str
    files: dict[str, int]


def release(store: Store, out: Path, version: str | None = None, previous: Path | None = None,
            endpoint: str | None = None, progress: Callable[[int, int], None] | None = None) -> Release:
    """Write a versioned release of the whole graph into ``out/<version>/`` (version default: the issued date).

    ``progress``, when given, is told the steps done (an export, each format, the description, the audit, the
    write) and how many there are.

    Raises :class:`ConfigError` when the version folder exists, the version is not a plain folder name,
    or ``previous`` is not a release folder.
    """
    issued = build_time().date()
    version = version or issued.strftime("%Y.%m.%d")
    if not _VERSION.fullmatch(version):
        raise ConfigError(f"The version '{version}' is not usable as a folder name.",
                          hint="Use letters, digits, '.', '_' and '-', such as 2026.12.01.")
    target = Path(out) / version
    if target.exists():
        raise ConfigError(f"Release {target} already exists; give another --version or remove it first.")
    before = _read_description(previous) if previous is not None else None
    # Before the export below runs the rules on the store, so both sides are read without a derived graph.
    domain = _domain_changes(Path(previous), store, before["version"], version) if previous is not None else None

    files: dict[str, bytes] = {}
    distributions = []
    steps = iter(range(1, len(FORMATS) + 5))
    advance = (lambda: progress(next(steps), len(FORMATS) + 4)) if progress else (lambda: None)
    # One run of the rules for every format, so all of them carry the same derived graph.
    nquads = export(store, "nquads", "all").content
    advance()
    ctx = context(store.layout)
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    for fmt in FORMATS:
        suffix, media = MEDIA[fmt]
        name = f"evgraph{suffix}"
        files[name] = to_jsonld(nquads, ctx) if fmt == "jsonld" else serialize(nquads, fmt, prefixes)
        distributions.append(describe.Distribution(fmt, name, media, len(files[name]), _sha256(files[name]),
                                                    FORMATS[fmt]))
        advance()
    turtle = describe.describe(describe.count(store), version, issued, distributions, endpoint,
                               before["version"] if before else None)
    files[DESCRIPTION_FILE] = turtle.encode("utf-8")
    files["dataset.jsonld"] = describe.to_jsonld(turtle, ctx)
    advance()
    audit = run_audit(store)
    files["audit.html"] = render.audit_html(audit, audit_diagrams(store, audit)).encode("utf-8")
    files["audit.json"] = (json.dumps(audit.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    files["CHANGES.md"] = changes(before, _counts(files[DESCRIPTION_FILE]), domain).encode("utf-8")
    files[SUMS_FILE] = "".join(f"{_sha256(files[n])}  {n}\n" for n in sorted(files)).encode("utf-8")
    advance()

    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        with folder_lock(Path(out), "release"):
            _write(target, files)
        advance()
    except OSError as error:
        if isinstance(error, ReleaseNotWritten):
            raise
        raise ReleaseNotWritten(f"Could not write the release {target} ({error.strerror or error}); nothing was"
                                " left behind.", hint=_space_hint(error, out)) from None
    return Release(target, version, {name: len(content) for name, content in sorted(files.items())})


def _write(target: Path, files: dict[str, bytes]) -> None:
    """Build the release folder beside ``target`` and rename it into place; the caller holds the folder's lock."""
    out = target.parent
    for abandoned in out.glob(".*.partial"):  # left by a release that was killed: nothing else builds here now
        if abandoned.is_dir():
            shutil.rmtree(abandoned, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=out))
    try:
        for name in sorted(files):
            write_bytes_atomically(building / name, files[name])
            (building / name).chmod(0o644)
        building.chmod(0o755)  # mkdtemp makes it private; a release is for others to read
        try:
            os.rename(building, target)
        except OSError:
            if not target.exists():
                raise
            raise ConfigError(f"Release {target} already exists; give another --version or remove it first.") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _space_hint(error: OSError, out: Path) -> str | None:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"Free some space on the disk holding {out} and run the release again."
    return None


def build_time() -> datetime:
    """The time of a release: the one ``SOURCE_DATE_EPOCH`` names (UTC), else now; one for every file."""
    return _build_time() or datetime.now(timezone.utc)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_description(folder: Path) -> dict:
    path = Path(folder) / DESCRIPTION_FILE
    if not path.is_file():
        raise ConfigError(f"{folder} is not an evgraph release: it has no {DESCRIPTION_FILE}.",
                          hint="Give --previous the folder of an earlier release, such as releases/2026.11.01.")
    return _counts(path.read_bytes())


def _domain_changes(previous: Path, store: Store, old: str, new: str) -> str:
    """The diff of the previous release's whole-graph export and ``store``, as Markdown under a second-level heading."""
    graph = previous / GRAPH_FILE
    if not graph.is_file():
        raise ConfigError(f"{previous} is not a complete evgraph release: it has no {GRAPH_FILE}.",
                          hint="Give --previous the folder of an earlier release, such as releases/2026.11.01.")
    backend = store.backend if store.backend in BACKENDS else BACKENDS[0]
    with open_side(str(graph), backend=backend) as side:
        found = diff_graphs(side.store, store, old, new)
    return diff_markdown(found, "What changed", level=2)


def _counts(turtle: bytes) -> dict:
    """The version, issued date and counts a description states: totals, then entities per class."""
    table = select_rdf(turtle, "turtle", _READ_COUNTS, "https://release.evgraph.invalid/")
    if not len(table):
        raise ConfigError("The previous release's description states no version or counts.")
    first = table.rows[0]
    counts = {"version": str(first["version"]), "issued": str(first["issued"]), "totals": {}, "classes": {}}
    for row in table:
        measure, value = str(row["measure"]), int(str(row["value"]))
        counts["classes" if "://" in measure else "totals"][measure] = value
    return counts


def changes(before: dict | None, after: dict, domain: str | None = None) -> str:
    """CHANGES.md: the counts of this release, and how they changed since ``before`` when given.

    ``domain`` (Markdown under a second-level heading, such as :func:`_domain_changes` writes) then comes
    before the counts, which go under a heading of their own.
    """
    lines = [f"# evgraph {after['version']} ({after['issued']})", ""]
    if before is None:
        lines += ["No previous release was given, so this lists the counts of this one.", "",
                  "| | count |", "|---|---:|"]
        lines += [f"| {m} | {after['totals'].get(m, 0)} |" for m in _MEASURES]
        lines += ["", "## Entities per class", "", "| class | entities |", "|---|---:|"]
        lines += [f"| {short(c)} | {n} |" for c, n in _by_name(after["classes"])]
        return "\n".join(lines) + "\n"
    sub = "#" if domain else ""
    if domain:
        lines += [f"Changes since {before['version']} ({before['issued']}): first in the domain's terms, as"
                  f" `evgraph diff` reads that release's {GRAPH_FILE} and this release's data; then counted over"
                  " the curated data graphs as the two releases' dataset.ttl describe them.", "",
                  domain.rstrip("\n"), "", "## Counts", ""]
    else:
        lines += [f"Changes since {before['version']} ({before['issued']}), counted over the curated data graphs "
                  "as the two releases' dataset.ttl describe them.", ""]
    lines += [f"| | {before['version']} | {after['version']} | change |", "|---|---:|---:|---:|"]
    lines += [_row(m, before["totals"].get(m, 0), after["totals"].get(m, 0)) for m in _MEASURES]
    classes = dict(_by_name({**before["classes"], **after["classes"]}))
    changed = [c for c in classes if before["classes"].get(c, 0) != after["classes"].get(c, 0)]
    lines += ["", f"{sub}## Entities per class", ""]
    if not changed:
        lines.append("No class gained or lost entities.")
    else:
        lines += [f"| class | {before['version']} | {after['version']} | change |", "|---|---:|---:|---:|"]
        for c in changed:
            old, new = before["classes"].get(c, 0), after["classes"].get(c, 0)
            note = " (new class)" if c not in before["classes"] else " (class gone)" if c not in after["classes"] else ""
            lines.append(_row(f"{short(c)}{note}", old, new))
    return "\n".join(lines) + "\n"


_MEASURES = ("triples", "entities", "classes", "properties")


def _by_name(classes: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(classes.items(), key=lambda item: (short(item[0]).lower(), item[0]))


def _row(name: str, old: int, new: int) -> str:
    return f"| {name} | {old} | {new} | {new - old:+d} |"


def _build_time() -> datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` names, or None (now)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return None
    if not epoch.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch}'.")
    return datetime.fromtimestamp(int(epoch), timezone.utc)
