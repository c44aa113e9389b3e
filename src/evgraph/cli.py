"""The evgraph command line: parse options, call one library function, render what it returns."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, TypeVar

import typer
from rdflib import URIRef
from rdflib.query import Result
from rich.console import Console
from rich.table import Table

from evgraph import queries, render
from evgraph.audit import FINDING_KINDS, run_audit
from evgraph.errors import ConfigError, EvgraphError
from evgraph.explanation import explain
from evgraph.output import write_atomically
from evgraph.rules import add_derivations
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


class ExplanationFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class AuditFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _fail(error: EvgraphError) -> typer.Exit:
    """Render an EvgraphError as one sentence (and its hint) on stderr; the exit to raise."""
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    err.print(f"Error: {error.message}", markup=False)
    if error.hint:
        err.print(error.hint, markup=False)
    return typer.Exit(error.exit_code)


def _run(action: Callable[[], T]) -> T:
    """Call the library; an EvgraphError becomes a sentence on stderr and its exit code."""
    try:
        return action()
    except EvgraphError as error:
        raise _fail(error) from None


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


@app.command("queries")
def queries_command(output_format: FormatOption = TextOrJson.text) -> None:
    """List the auditor questions in the query catalogue (queries/*.rq).

    Example: evgraph queries --format json
    """
    catalogue = _run(queries.catalogue)
    if output_format is TextOrJson.json:
        _print_json([q.to_json() for q in catalogue])
        return
    out = _out()
    for query in catalogue:
        params = " ".join(f"-p {p.name}=<{p.type}>" for p in query.params)
        out.print(f"{query.name}  {params}".rstrip(), markup=False)
        out.print(f"    {query.summary}", markup=False)


@app.command("query")
def query_command(
    name: Annotated[str, typer.Argument(help="A catalogue name (see `evgraph queries`) or the path of a .rq file.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeat for several.")] = None,
    output_format: Annotated[ResultFormat, typer.Option("--format", "-f", help="Output format.")] = ResultFormat.table,
    data: DataOption = None,
) -> None:
    """Run one catalogue query; JSON output is the W3C SPARQL 1.1 Query Results JSON format.

    Example: evgraph query why-rating -p rating=rating:incredible-years-preschool
    """
    values = _run(lambda: queries.parse_params(param or []))
    store = _load(data, None, None)
    add_derivations(store)
    result = _run(lambda: queries.run(store, queries.get_query(name, store.layout.queries), values))
    if output_format is ResultFormat.table:
        _render_table(result, store)
    else:
        sys.stdout.write(result.serialize(format=output_format.value).decode("utf-8"))
        if output_format is ResultFormat.json:
            sys.stdout.write("\n")


def _render_table(result: Result, store: Store) -> None:
    names = store.data_and_ontology_graph.namespace_manager
    table = Table(*[str(v) for v in result.vars])
    count = 0
    for row in result:
        count += 1
        table.add_row(*["" if value is None else value.n3(names) if isinstance(value, URIRef) else str(value)
                        for value in row])
    out = _out()
    out.print(table)
    out.print(f"{count} row(s)", markup=False)


@app.command("why")
def why_command(
    thing: Annotated[str, typer.Argument(help="An IRI, prefixed name, slug, or part of a label.")],
    output_format: Annotated[ExplanationFormat, typer.Option("--format", "-f", help="Output format.")] = ExplanationFormat.text,
    data: DataOption = None,
) -> None:
    """Explain why a recommendation or rating says what it says, and check it against its scheme's criteria.

    For an intervention, every rating of it and every recommendation about it is explained.

    Example: evgraph why "kinship navigator"
    """
    store = _load(data, None, None)
    explanations = _run(lambda: explain(store, thing))
    _render_explanations(explanations, output_format, with_rules=True)


@app.command("trace")
def trace_command(
    thing: Annotated[str, typer.Argument(help="An IRI, prefixed name, slug, or part of a label.")],
    output_format: Annotated[ExplanationFormat, typer.Option("--format", "-f", help="Output format.")] = ExplanationFormat.text,
    data: DataOption = None,
) -> None:
    """Show the lineage of a recommendation or rating (guide, review, studies, reports, sources) without the rule check.

    Example: evgraph trace rating:family-nurse-partnership
    """
    store = _load(data, None, None)
    explanations = _run(lambda: explain(store, thing, check_rules=False))
    _render_explanations(explanations, output_format, with_rules=False)


def _render_explanations(explanations, output_format: ExplanationFormat, with_rules: bool) -> None:
    if output_format is ExplanationFormat.json:
        _print_json([e.to_json() for e in explanations] if len(explanations) > 1 else explanations[0].to_json())
    elif output_format is ExplanationFormat.markdown:
        sys.stdout.write("\n".join(render.explanation_markdown(e, with_rules) for e in explanations))
    else:
        blocks = ["\n".join(render.explanation_lines(e, with_rules)) for e in explanations]
        sys.stdout.write("\n\n".join(blocks) + "\n")


@app.command("audit")
def audit_command(
    output_format: Annotated[AuditFormat, typer.Option("--format", "-f", help="Output format.")] = AuditFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (atomically) instead of stdout.", dir_okay=False)] = None,
    fail_on: Annotated[list[str] | None, typer.Option("--fail-on", help=f"Exit 1 if this verdict occurs; repeatable. One of: {', '.join(FINDING_KINDS)}.")] = None,
    data: DataOption = None,
) -> None:
    """Check every recommendation and rating, and list each overclaim, underclaim, cannot-verify and single-trial claim.

    Exit 0 unless --fail-on names a verdict that occurs.

    Example: evgraph audit --format html --out audit.html --fail-on overclaim
    """
    unknown = sorted(set(fail_on or []) - set(FINDING_KINDS))
    if unknown:
        raise _fail(ConfigError(f"Unknown verdict {', '.join(unknown)} for --fail-on.",
                                hint=f"Choose from: {', '.join(FINDING_KINDS)}."))
    store = _load(data, None, None)
    audit = _run(lambda: run_audit(store))
    if output_format is AuditFormat.json:
        text = json.dumps(audit.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif output_format is AuditFormat.markdown:
        text = render.audit_markdown(audit)
    elif output_format is AuditFormat.html:
        text = render.audit_html(audit)
    else:
        text = "\n".join(render.audit_lines(audit)) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _run(lambda: write_atomically(out, text))
        _out().print(f"Wrote {out} ({len(audit.findings)} findings).", markup=False)
    failing = audit.occurring(fail_on or [])
    if failing:
        Console(stderr=True).print(f"Failing: {', '.join(f'{v} ({audit.summary[v]})' for v in failing)}.", markup=False)
        raise typer.Exit(1)
