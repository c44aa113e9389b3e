"""The organisation command: org. Thin: parse, call the library, print."""

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


@_command("org")
def org_command(
    thing: Annotated[str, typer.Argument(help="An organisation: an IRI, prefixed name (orgn:…), slug, or part of a "
                                              "label or alternative name (Foundations, EIF, WWCSC).")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Show the world at the end of this day, month or year (YYYY-MM-DD, YYYY-MM or YYYY).",
        show_default=False)] = None,
    output_format: FormatOption = TextOrJson.text,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Show an organisation's lineage: predecessors and successors through change events, what it stands behind and inherited.

    Predecessors and successors follow W3C ORG change events (such as the 2022-12 merger of WWCSC and EIF
    into Foundations) transitively. What it stands behind: what it published, created, stated, had
    attributed to it (ratings), commissioned (directly or through a funding programme it runs), evaluated
    or rates by; each with who evaluated, commissioned and published it ("not recorded" otherwise) and its
    date. What it inherited: what each predecessor stands behind, with the event that passed it over.

    --as-of means the end of that day, month or year. Change events and pieces dated after it are left
    out. A date in a month or year that contains it cannot be ordered against it (the merger, 2022-12,
    against 2022-12-15: in the month of December 2022, day not recorded) and is left out too, and the
    answer says so. Pieces (and change events) with no recorded date are kept and marked undated.

    Example: evgraph org Foundations --as-of 2022-06-01
    """
    from evgraph.lineage.organisations import organisation_lineage
    from evgraph.lineage.text import lineage_lines

    lineage = organisation_lineage(_open(data, backend, endpoint), thing, as_of)
    if output_format is TextOrJson.json:
        _print_json(lineage.to_json())
    else:
        _echo("\n".join(lineage_lines(lineage)) + "\n")
