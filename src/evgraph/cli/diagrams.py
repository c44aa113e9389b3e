"""The diagram command: draw a provenance tree. Thin: parse, call the library, write what it returns."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from evgraph.cli import (
    BACKENDS,
    Backend,
    BackendOption,
    DataOption,
    EndpointOption,
    ThingArgument,
    _command,
    _echo,
    _err,
    _open,
)
from evgraph.output import write_atomically

DiagramFormat = Enum("DiagramFormat", {name: name for name in ("mermaid", "dot", "svg", "html")}, type=str)


@_command("diagram")
def diagram_command(
    thing: ThingArgument,
    output_format: Annotated[DiagramFormat, typer.Option(
        "--format", "-f", help="Mermaid or Graphviz DOT text; SVG or an HTML page (both need Graphviz's dot).")
    ] = DiagramFormat.mermaid,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (atomically) instead of stdout.",
                                             dir_okay=False, show_default=False)] = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Draw the provenance tree of a recommendation, rating, study or organisation (also a guide, review, report or intervention).

    Above the subject: what rests on it; below: what it rests on, down to the reports of each study.
    Candidate links are dashed; recommendations and ratings are coloured by the rules' verdict. Nodes
    past 8 under one node, or 40 in all, are counted in a note.

    Example: evgraph diagram rec:mb-mental-health-skills-and-mentoring --format svg --out mb.svg
    """
    from evgraph.lineage.diagram import build_diagram
    from evgraph.lineage.drawing import RENDERERS

    diagram = build_diagram(_open(data, backend, endpoint), thing)
    text = RENDERERS[output_format.value](diagram)
    if out is None:
        _echo(text)
    else:
        write_atomically(out, text)
        more = f"; {diagram.omitted} more counted in notes" if diagram.omitted else ""
        _err().print(f"Wrote {out} ({len(diagram.nodes)} nodes{more}).", markup=False)
