"""Ingest: partner data (CSV templates, Turtle or TriG) mapped, validated with the graph, then written once.

Every fact a partner sends sits in the named graph ``graph/partner/<partner>/<source-slug>`` of the
document it cites, described by an ``ev:AssertionGraph`` record (``method:partner-statement``,
``prov:wasDerivedFrom`` the document, ``prov:wasAttributedTo`` the partner's agent, ``dct:created``
today or the day ``SOURCE_DATE_EPOCH`` names). The batch is written as one TriG file, and only when
the data folder plus that file conforms to the shapes: the check runs on a temporary copy of the data
folder, so a refusal changes nothing on disk. Each problem is one sentence naming the file, the row
(its CSV line) or line, the column, the value and what was expected.

An ingest holds the data folder's lock (:mod:`evgraph.linked.lock`) from reading the data to writing the
batch, so a second one is refused with the first's process id rather than validating against data about to
change. The batch is one file, written to a hidden ``.NAME.trig.*.tmp`` beside its place (a suffix the
loader does not read), flushed and renamed: killed at any point, an ingest leaves the data folder as it was
(at most an empty partner folder and that hidden file, which the next ingest of the batch removes) or
with the whole batch.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from evgraph.errors import ConfigError, DataError
from evgraph.linked.batch import (
    _SLUG,
    RDF_SUFFIXES,
    Batch,
    _short,
    partner_graph,
    source_slug,
)
from evgraph.linked.lock import folder_lock
from evgraph.linked.templates import kind_named
from evgraph.output import write_bytes_atomically
from evgraph.paths import Layout
from evgraph.store import Store, load_store


class IngestError(DataError):
    """The partner data was refused; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Ingest:
    """What a batch adds (or would add): its file, nodes per kind, links, triples and verdict changes."""

    target: Path
    partner: str
    written: bool
    nodes: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # kind -> [(IRI, new?)]
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (claim, property, study)
    triples: int = 0
    graphs: list[str] = field(default_factory=list)
    verdict_changes: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, from, to)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The result as a JSON-ready dict."""
        return {"target": str(self.target), "partner": self.partner, "written": self.written,
                "nodes": {k: [{"iri": i, "new": n} for i, n in v] for k, v in self.nodes.items()},
                "links": [{"claim": c, "property": p, "study": s} for c, p, s in self.links],
                "triples": self.triples, "graphs": self.graphs,
                "verdictChanges": [{"subject": s, "from": f, "to": t} for s, f, t in self.verdict_changes],
                "warnings": self.warnings}


def ingest(files: list[Path], partner: str, *, data: Path | None = None, into: Path | None = None,
           dry_run: bool = False, layout: Layout | None = None) -> Ingest:
    """Map partner files, validate them with the data folder, and (unless ``dry_run``) write one TriG file."""
    if not _SLUG.match(partner):
        raise ConfigError(f"The partner name '{partner}' is not a slug.",
                          hint="Use lower-case letters, digits and hyphens, e.g. --partner foundations.")
    layout = (layout or Layout.default()).with_overrides(data=data)
    folder = layout.data
    if not files:
        raise ConfigError("Give at least one partner file (CSV from templates/, or RDF: Turtle, TriG, N-Quads,"
                          " N-Triples, RDF/XML or JSON-LD).")
    for path in files:
        if not path.is_file():
            raise ConfigError(f"{path}: no such file.")
    target_folder = into or folder / "partners" / partner
    target = target_folder / f"{_batch_name(files)}.trig"
    # A dry run writes nothing, so it does not wait for the lock.
    with contextlib.nullcontext() if dry_run or not folder.is_dir() else folder_lock(folder, "ingest"):
        return _ingest(files, partner, layout, target, dry_run)


def _ingest(files: list[Path], partner: str, layout: Layout, target: Path, dry_run: bool) -> Ingest:
    target_folder = target.parent
    if target.exists():
        raise ConfigError(f"{target} already exists: a batch is written once.",
                          hint="Rename the files (the batch is named after them) or remove the earlier batch.")
    before = load_store(layout)
    batch = Batch(before, partner)
    for path in files:
        batch.read(path)
    batch.map_rows()
    if batch.problems:
        raise IngestError(batch.problems)
    text = batch.trig(_today())
    result = Ingest(target, partner, written=False, nodes=batch.nodes, links=batch.links,
                    triples=len(batch.quads), graphs=sorted({str(q[3]) for q in batch.quads}))
    result.verdict_changes, result.warnings = _check(layout, before, target, text, batch)
    if not dry_run:
        missing = [p for p in (target_folder, *target_folder.parents) if not p.exists()]
        try:
            target_folder.mkdir(parents=True, exist_ok=True)
            for stale in target_folder.glob(f".{target.name}.*.tmp"):  # left by an ingest killed while writing
                stale.unlink(missing_ok=True)
            write_bytes_atomically(target, text.encode("utf-8"))
        except OSError as error:
            for created in missing:  # deepest first; only the folders this ingest made, and only if empty
                with contextlib.suppress(OSError):
                    created.rmdir()
            raise DataError(f"Could not write {target} ({_reason(error)}); nothing was changed.") from None
        result.written = True
    return result


def _batch_name(files: list[Path]) -> str:
    stem = files[0].stem if len(files) == 1 else files[0].resolve().parent.name
    return re.sub(r"[^a-z0-9.]+", "-", stem.lower()).strip("-") or "batch"


def _reason(error: OSError) -> str:
    """Why a write failed, in the system's words ("No space left on device"); for a failed copy, its first file's."""
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        return str(error.args[0][0][-1])
    return error.strerror or str(error)


def _today() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return date.today()
    if not epoch.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch}'.")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date()


def _derive(store: Store) -> tuple[dict[str, str], set[tuple]]:
    """Run the rules on a store: each claim's verdict, and the triples of the derived graph they wrote."""
    from evgraph.rules import add_derivations, derive_all, read_evidence
    from evgraph.store import DERIVED_GRAPH

    derivations = add_derivations(store)
    if derivations is None:  # a store that kept its derived graph: the rules give what they gave
        derivations = derive_all(read_evidence(store))
    verdicts = {str(d.subject): d.verdict.value for d in derivations}
    table = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {DERIVED_GRAPH.n3()} {{ ?s ?p ?o }} }}")
    return verdicts, set(table.tuples())


def _check(layout: Layout, before: Store, target: Path, text: str,
           batch: "Batch") -> tuple[list[tuple[str, str, str]], list[str]]:
    """Validate the data folder plus the batch on a temporary copy; the verdicts that change and any warning.

    Only violations the batch introduces refuse it: those the data folder already had (the same focus
    node and message) are reported as one warning line. The copy is validated only for the nodes the batch can
    affect (:func:`evgraph.validation.touched_nodes`: what it adds, and what the rules' output changes); the data
    folder is validated whole, since the warning counts every violation it already has. A node not touched has
    the same results in both, so the folder's results for it stand for the copy's.
    """
    from evgraph.terms import BlankNode
    from evgraph.validation import touched_nodes, validate
    from evgraph.validation.report import term_text

    with tempfile.TemporaryDirectory(prefix="evgraph-ingest-") as scratch:
        copy = Path(scratch) / "data"
        try:
            relative = target.resolve().relative_to(layout.data.resolve())
        except ValueError:
            relative = Path("partners") / batch.partner / target.name
        try:
            shutil.copytree(layout.data, copy)
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            (copy / relative).write_text(text, encoding="utf-8")
        except OSError as error:  # shutil.Error (a failed copy) too
            raise DataError(f"Could not copy the data folder to {scratch} to check the batch ({_reason(error)});"
                            " nothing was changed.", hint="Free some space there (or set TMPDIR to a folder with room)"
                            " and run the ingest again.") from None
        after = load_store(layout.with_overrides(data=copy))
        (old, derived_before), (new, derived_after) = _derive(before), _derive(after)
        added = {(s, p, o) for s, p, o, _ in batch.quads} | (derived_after - derived_before)
        touched = touched_nodes(after, added)
        removed = touched_nodes(before, derived_before - derived_after)
        # A blank node of the batch has another label in the copy: validate the copy whole.
        blank = any(isinstance(term, BlankNode) for triple in added for term in triple)
        focus = None if touched is None or removed is None or blank else touched | removed
        standing = [v for v in validate(before).violations if v.severity == "Violation"]
        found = [v for v in validate(after, focus=focus).violations if v.severity == "Violation"]
        if focus is not None:
            checked = {term_text(node) for node in focus}
            found += [v for v in standing if v.focus not in checked]
        existing: set[tuple[str, str]] = set()
        if found:
            existing = {(v.focus, v.message) for v in standing}
        problems = []
        for v in found:
            if (v.focus, v.message) in existing:
                continue
            origin = batch.origins.get(v.focus)
            where = str(origin) if origin else (f"{v.file}:{v.line}" if v.file else "the data folder")
            if origin is None and v.file and Path(v.file).resolve() == (copy / relative).resolve():
                where = "the partner data"
            problems.append(f"{where} ({_short(v.focus)}): {v.message}")
        if problems:
            raise IngestError(sorted(dict.fromkeys(problems)))
    warnings = []
    if existing:
        first = min(existing)
        warnings.append(f"The data folder already has {len(existing)} violation{'s' if len(existing) != 1 else ''}"
                        f" the batch does not add (e.g. {_short(first[0])}: {first[1]}); they do not block the ingest.")
    return [(s, old.get(s, "none"), new[s]) for s in sorted(new) if old.get(s, "none") != new[s]], warnings


__all__ = ["RDF_SUFFIXES", "Ingest", "IngestError", "ingest", "kind_named", "partner_graph", "source_slug"]
