"""Generate a synthetic graph of about a given number of triples into a folder, one unit at a time.

A unit is one intervention with what rests on it, plus, as often as the real data has them, a new
organisation (now and then a merger), an evidence review and a practice guide. Units are written as
soon as they are made, so memory stays flat whatever the scale; generation stops when the next unit
would, on average, overshoot the target.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evgraph.synth import shape
from evgraph.synth.evidence import intervention
from evgraph.synth.guidance import guide, review
from evgraph.synth.organisations import begin, merger, organisation
from evgraph.synth.trig import TrigParts
from evgraph.synth.world import World

#: Triples per file before a kind of file rolls over to its next part (a few tens of files at 1M triples).
PART_SIZE = 40_000
#: What a unit adds on average, before any is measured (the bundled data: 18.7k triples, 131 interventions).
UNIT_GUESS = 150.0
#: Triples still wanted below which no merger or review, and no guide, is started: it would overshoot the target.
_REVIEW_ROOM, _GUIDE_ROOM = 300, 1200


@dataclass(frozen=True)
class Generated:
    """What :func:`generate` wrote: TriG files in order, triples, and instances per class."""

    files: tuple[str, ...]
    triples: int
    classes: dict[str, int]


def generate(folder: Path, scale: int, seed: int, progress: Callable[[int, int], None] | None = None) -> Generated:
    """Write a synthetic graph of about ``scale`` triples into ``folder`` (which exists and is empty)."""
    parts = TrigParts(folder, PART_SIZE, f"Synthetic evgraph data, written by `evgraph synth --scale {scale} --seed "
                                         f"{seed}`: made up for benchmarks and tests, not evidence (SYNTHETIC.md).")
    world = World(random.Random(seed), parts)
    try:
        begin(world)
        fixed = parts.triples
        schemes_left = list(shape.SCHEMES)
        # What is due, in fractions of one: reviews and guides start near one, so that even the smallest graph
        # has them (every graph has the raters' merger).
        due = {"organisation": 0.5, "merger": 0.5, "review": 0.8, "guide": 0.95}
        units, reported = 0, 0
        step = max(1_000, scale // 200)
        while True:
            per_unit = (UNIT_GUESS * 4 + (parts.triples - fixed)) / (4 + units)
            room = scale - parts.triples
            if room < per_unit / 2:
                break
            _unit(world, room, due, schemes_left)
            units += 1
            if progress and parts.triples - reported >= step:
                reported = parts.triples
                progress(reported, max(scale, reported))
    finally:
        parts.close()
    if progress:
        progress(parts.triples, parts.triples)
    return Generated(tuple(parts.names), parts.triples, dict(sorted(world.classes.items())))


def _unit(world: World, room: int, due: dict[str, float], schemes_left: list[str]) -> None:
    due["organisation"] += shape.PER_INTERVENTION["organisation"]
    while due["organisation"] >= 1:
        due["organisation"] -= 1
        organisation(world)
        due["merger"] += shape.MERGER_PER_ORGANISATION
    recent = [o for o in list(world.organisations)[-8:] if o.startswith("orgn:o")]  # never the raters
    if due["merger"] >= 1 and room > _REVIEW_ROOM and len(recent) >= 2:
        due["merger"] -= 1
        merger(world, world.rng.sample(recent, 2), f"Synthetic merged organisation {world.serial('merged')}", "Charity")
    intervention(world, room, schemes_left)
    due["review"] += shape.PER_INTERVENTION["review"]
    if due["review"] >= 1 and room > _REVIEW_ROOM and review(world):
        due["review"] -= 1
    due["guide"] += shape.PER_INTERVENTION["guide"]
    if due["guide"] >= 1 and room > _GUIDE_ROOM and guide(world):
        due["guide"] -= 1
    world.flush()
