"""The evgraph command line: parse options, call one library function, render what it returns."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from evgraph.errors import EvgraphError
from evgraph.stats import Stats, compute_stats
from evgraph.store import Store, load_store
from evgraph.validation import Report, validate

app = typer.Typer(
    help="Trace evidence ratings in children's social care back to the trials behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Folder of curated Turtle files (default: the bundled data/).",
                 file_okay=False, show_default=False),
]
ShapesOption = Annotated[
    Path | None,
    typer.Option("--shapes", help="Folder of SHACL shapes (default: the bundled shapes/).",
                 file_okay=False, show_default=False),
]
OntologyOption = Annotated[
    Path | None,
    typer.Option("--ontology", help="Folder of ontology files (default: the bundled ontology/).",
                 file_okay=False, show_default=False),
]
FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _run(action: Callable[[], T]) -> T:
    """Call the library; render an EvgraphError as one sentence on stderr and exit with its code."""
    try:
        return action()
    except EvgraphError as error:
        err = Console(stderr=True, soft_wrap=True, highlight=False)
        err.print(f"Error: {error.message}", markup=False)
        if error.hint:
            err.print(error.hint, markup=False)
        raise typer.Exit(error.exit_code) from None


def _load(data: Path | None, shapes: Path | None, ontology: Path | None) -> Store:
    return _run(lambda: load_store(data=data, shapes=shapes, ontology=ontology))


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


@app.command("validate")
def validate_command(
    data: DataOption = None,
    shapes: ShapesOption = None,
    ontology: OntologyOption = None,
    output_format: FormatOption = TextOrJson.text,
) -> None:
    """Check the curated data against the SHACL shapes.

    Exits 0 when the data conforms, 1 when there are violations, 2 when input cannot be read.

    Example: evgraph validate --data data/ --format json
    """
    store = _load(data, shapes, ontology)
    report = _run(lambda: validate(store))
    if output_format is TextOrJson.json:
        _print_json(report.to_json())
    else:
        _render_report(report, store)
    raise typer.Exit(0 if report.conforms else 1)


def _render_report(report: Report, store: Store) -> None:
    out = _out()
    data_files = len(store.files_of("data"))
    for focus, results in report.by_focus.items():
        first = results[0]
        where = f"{first.file}:{first.line}" if first.line else (first.file or "(not in a data file)")
        out.print(f"{where}  {focus}", markup=False)
        for result in results:
            detail = []
            if result.path:
                detail.append(f"path {result.path}")
            if result.value is not None:
                detail.append(f"value {result.value}")
            suffix = f"  ({'; '.join(detail)})" if detail else ""
            out.print(f"  {result.severity}: {result.message}{suffix}", markup=False)
    violations, warnings = report.count("Violation"), report.count("Warning")
    if report.conforms:
        tail = f", {warnings} warning(s)" if warnings else ""
        out.print(f"Conforms: {data_files} data files, {store.triple_count()} triples{tail}.", markup=False)
    else:
        out.print(f"Does not conform: {violations} violation(s) on {len(report.by_focus)} node(s)"
                  f" in {data_files} data files.", markup=False)


@app.command("stats")
def stats_command(
    data: DataOption = None,
    shapes: ShapesOption = None,
    ontology: OntologyOption = None,
    output_format: FormatOption = TextOrJson.text,
) -> None:
    """Count triples, named graphs and instances per class.

    Example: evgraph stats --format json
    """
    store = _load(data, shapes, ontology)
    stats = compute_stats(store)
    if output_format is TextOrJson.json:
        _print_json(stats.to_json())
    else:
        _render_stats(stats)


def _render_stats(stats: Stats) -> None:
    out = _out()
    out.print(f"{stats.triples} data triples in {len(stats.data_graphs)} named graphs "
              f"(plus {stats.ontology_triples} ontology and {stats.shapes_triples} shapes triples).", markup=False)
    classes = Table("class", "instances", title="Instances per class", title_justify="left")
    for name, count in stats.classes.items():
        classes.add_row(name, str(count))
    out.print(classes)
    graphs = Table("named graph", "triples", title="Named graphs (one per data file)", title_justify="left")
    for name, count in stats.data_graphs.items():
        graphs.add_row(name, str(count))
    out.print(graphs)
