"""The lineage commands: impact and weak-points. Thin: parse, call the library, print."""

from __future__ import annotations

from typing import Annotated

import typer

from evgraph.cli import (
    BACKENDS,
    Backend,
    BackendOption,
    DataOption,
    EndpointOption,
    FormatOption,
    TextOrJson,
    _command,
    _echo,
    _open,
    _print_json,
)


@_command("impact")
def impact_command(
    thing: Annotated[str, typer.Argument(help="A study, report, evidence review or intervention: an IRI, prefixed "
                                              "name, slug, or part of a label.")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="Also re-run the rules as if it were retracted.")] = False,
    output_format: FormatOption = TextOrJson.text,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """List every guide, review, recommendation and rating that rests on a study, report, review or intervention.

    Each comes with the path it rests on it by, and whether every link on that path is confirmed by a
    source or one is only a curation candidate. With --withdraw, the rules run again without it (a
    report: its findings; a review: its risk-of-bias appraisals; an intervention: all its studies), and
    each recommendation or rating that would lose a study or change is listed: derived level and verdict
    from → to, on confirmed studies and with curation's candidates counted.

    Example: evgraph impact study:fhf-pilot --withdraw
    """
    from evgraph.lineage.impact import impact_of
    from evgraph.lineage.text import impact_lines

    result = impact_of(_open(data, backend, endpoint), thing, withdraw)
    if output_format is TextOrJson.json:
        _print_json(result.to_json())
    else:
        _echo("\n".join(impact_lines(result)) + "\n")


@_command("weak-points")
def weak_points_command(
    top: Annotated[int, typer.Option("--top", min=1, help="How many of the most depended-on studies to list.")] = 10,
    output_format: FormatOption = TextOrJson.text,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Find where the evidence is thin: studies many claims rest on, claims on one study, cut points, duplicates.

    Claims resting on one confirmed study (a finding) are listed apart from claims where only one study
    is recorded, as a curation candidate (a coverage gap). Articulation points and bridges of the
    evidence graph are listed with the guides their withdrawal would cut off from studies.

    Example: evgraph weak-points --top 5
    """
    from evgraph.lineage.text import weak_points_lines
    from evgraph.lineage.weak_points import weak_points_of

    result = weak_points_of(_open(data, backend, endpoint), top)
    if output_format is TextOrJson.json:
        _print_json(result.to_json())
    else:
        _echo("\n".join(weak_points_lines(result)) + "\n")
