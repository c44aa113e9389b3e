"""Synthetic evidence graphs for benchmarks and scale tests: made up, valid, and the same for the same seed.

``write_synthetic(out, scale, seed)`` writes a folder of TriG files of about ``scale`` triples that the
bundled ontology and shapes accept, so ``evgraph validate``, ``why`` and ``audit`` run on it with
``--data``. It has the shape of the curated data (:mod:`evgraph.synth.shape`): studies per intervention,
reports per study, ratings in every rating scheme, facts missing as often as in data/, per-fact
provenance records. Every node and document is invented, under ``https://example.org/evgraph-synth/``.

The folder is built beside ``out`` and renamed into place when complete, so a failure leaves nothing
half-written. It never goes into the curated data folder, and replaces only a folder synth wrote before
(one holding :data:`MARKER`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evgraph.errors import ConfigError
from evgraph.output import WriteError, running
from evgraph.paths import Layout

#: The file that marks a folder as written by synth (and says what it is); the loader ignores Markdown.
MARKER = "SYNTHETIC.md"
_MARKER_TITLE = "# Synthetic evgraph data"
#: The smallest target: below it the fixed part (raters, their merger, the Guidebook) is most of the graph.
MIN_SCALE = 2_000
#: The largest target, a bound on mistakes: 100M triples are about 7 GB of TriG.
MAX_SCALE = 100_000_000
_BUILDING = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.synth-(?:partial|old)")


@dataclass(frozen=True)
class SynthSummary:
    """What ``write_synthetic`` wrote: the folder, its TriG files, triples and instances per class."""

    out: Path
    scale: int
    seed: int
    files: tuple[str, ...]
    triples: int
    classes: dict[str, int]

    def to_json(self) -> dict:
        """The summary as a JSON-ready dict."""
        return {"out": str(self.out), "scale": self.scale, "seed": self.seed, "files": list(self.files),
                "triples": self.triples, "classes": self.classes}


def write_synthetic(out: Path, scale: int, seed: int,
                    progress: Callable[[int, int], None] | None = None) -> SynthSummary:
    """Write a synthetic graph of about ``scale`` triples (within 10 %) into the folder ``out``.

    The same scale and seed write the same bytes. ``progress``, when given, is called every so often
    with the triples written so far and the number expected. Raises :class:`ConfigError` for a scale out
    of range and for an ``out`` that is (or is inside, or holds) the curated data folder, that is not a
    folder, or that is a non-empty folder synth did not write; a failed write leaves ``out`` as it was.
    """
    from evgraph.synth.generate import generate

    out = Path(out)
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ConfigError(f"--scale must be between {MIN_SCALE:,} and {MAX_SCALE:,} triples, not {scale:,}.")
    check_out(out)
    parent = out.absolute().parent
    if not parent.is_dir():
        raise ConfigError(f"Cannot write {out}: the folder {parent} does not exist.")
    _remove_abandoned(parent, out.name)
    building = parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.synth-partial"
    try:
        building.mkdir()
        generated = generate(building, scale, seed, progress)
        (building / MARKER).write_text(_marker_text(scale, seed, generated.files, generated.triples, generated.classes),
                                       encoding="utf-8", newline="\n")
        _replace(building, out)
    except OSError as error:
        raise WriteError.of(out, error) from None
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return SynthSummary(out, scale, seed, generated.files, generated.triples, generated.classes)


def check_out(out: Path) -> None:
    """Refuse an ``out`` synth must not write: the curated data folder, a folder in it or holding it, a file,
    or a non-empty folder without :data:`MARKER`."""
    data = Layout.default().data.resolve()
    target = out.resolve()
    if target.is_relative_to(data):
        raise ConfigError(f"Refusing to write synthetic data into {out}: it is inside the curated data folder {data}.",
                          hint="Give --out a folder outside it, such as /tmp/evgraph-synth.")
    if data.is_relative_to(target):
        raise ConfigError(f"Refusing to write synthetic data into {out}: it holds the curated data folder {data}.",
                          hint="Give --out a folder outside it, such as /tmp/evgraph-synth.")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ConfigError(f"Refusing to write synthetic data into {out}: it is not a folder.",
                          hint="Give --out a new folder, an empty one, or one synth wrote before.")
    if out.is_dir() and any(out.iterdir()) and not written_by_synth(out):
        raise ConfigError(f"Refusing to write synthetic data into {out}: the folder is not empty and synth did not"
                          f" write it (it has no {MARKER}).",
                          hint="Give --out a new folder, an empty one, or one synth wrote before.")


def written_by_synth(folder: Path) -> bool:
    """True when ``folder`` holds the marker synth writes."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    with marker.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline().rstrip("\n") == _MARKER_TITLE


def _replace(building: Path, out: Path) -> None:
    """Put the finished folder in place of ``out``: a rename, after moving aside a folder synth wrote before."""
    if not out.exists():
        os.rename(building, out)
        return
    old = out.absolute().parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.synth-old"
    os.rename(out, old)
    try:
        os.rename(building, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_abandoned(parent: Path, name: str) -> None:
    """Remove what a synth writing ``name`` that no longer runs (killed with SIGKILL, say) left beside it."""
    for entry in parent.glob(f".{name}.*.synth-*"):
        found = _BUILDING.fullmatch(entry.name)
        if found and found.group("name") == name and entry.is_dir() and not entry.is_symlink() \
                and not running(int(found.group("pid"))):
            shutil.rmtree(entry, ignore_errors=True)


def _marker_text(scale: int, seed: int, files: tuple[str, ...], triples: int, classes: dict[str, int]) -> str:
    rows = "".join(f"| {name} | {count:,} |\n" for name, count in classes.items())
    return f"""{_MARKER_TITLE}

Written by `evgraph synth --scale {scale} --seed {seed}`: {triples:,} triples in {len(files)} TriG files, made
up for benchmarks and scale tests. Every node and every document is invented, under
https://example.org/evgraph-synth/; nothing here is evidence about any programme, and none of it
belongs in data/.

The graph has the shape of the curated data (see `evgraph.synth.shape`) and conforms to the bundled
shapes, so every command reads it: `evgraph validate --data .`, `evgraph audit --data .`. The same scale
and seed always write the same bytes. `evgraph synth` replaces a folder holding this file; delete it
when done.

| class | instances |
|---|---|
{rows}"""


__all__ = ["MARKER", "MAX_SCALE", "MIN_SCALE", "SynthSummary", "check_out", "write_synthetic", "written_by_synth"]
