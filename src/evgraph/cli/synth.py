"""The synth command: write a synthetic graph for benchmarks and scale tests. Thin: parse, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evgraph.cli import _command, _out


@_command("synth")
def synth_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write: new, empty, or one synth wrote before "
                                                         "(never in data/).", file_okay=False)],
    scale: Annotated[int, typer.Option("--scale", help="About how many triples to write (within 10 %), from 2,000.")]
    = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator: the same scale and seed write the same "
                                                     "bytes.")] = 1,
) -> None:
    """Write a made-up evidence graph of about SCALE triples as TriG files, for benchmarks and scale tests only.

    The graph has the shape of the curated data (studies per intervention, reports per study, ratings in
    every scheme, facts missing as often) and conforms to the bundled shapes, so validate, why and audit
    read it with --data. Every node and document is invented, under https://example.org/evgraph-synth/.
    The folder is written beside OUT and renamed into place when complete, with a SYNTHETIC.md saying
    what it is; synth replaces only a folder holding that file.

    Example: evgraph synth --scale 1000000 --seed 7 --out /tmp/evgraph-synth
    """
    from evgraph.cli.progress import progress_bar
    from evgraph.synth import write_synthetic

    with progress_bar("Writing", "triples") as progress:
        summary = write_synthetic(out, scale, seed, progress)
    _out().print(f"Wrote {len(summary.files)} files ({summary.triples:,} triples) to {summary.out}.", markup=False)
