"""The evgraph command line: parse options, call one library function, render what it returns.

Errors are handled in one place (:func:`_command`): an :class:`EvgraphError` becomes a sentence on
stderr and its exit code (2 for bad input); anything else is a bug, reported in one line with exit
code 3 (``--debug`` shows the traceback). :data:`EXIT_CODES` lists every code. Text is printed through
one edge (:func:`_echo`, :func:`_out`, :func:`_err`) that drops terminal escapes and control characters
from it (:func:`evgraph.output.printable`); JSON keeps the exact data, its control characters escaped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Callable, Iterator

import typer
import typer.core

from evgraph import queries, render
from evgraph.errors import ConfigError, EvgraphError, QueryError
from evgraph.output import escape_c1, json_text, printable, write_atomically
from evgraph.shortnames import short
from evgraph.store import BACKENDS, Store, Table, connect, load_store

if TYPE_CHECKING:
    from rich.console import Console


class _Group(typer.core.TyperGroup):
    """The command group, whose usage errors (which quote the arguments given) are printed without control
    characters, as everything else is."""

    def make_context(self, *args, **kwargs):
        with _printable_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _printable_usage_errors():
            return super().invoke(ctx)


@contextlib.contextmanager
def _printable_usage_errors() -> Iterator[None]:
    """Drop control characters from the message of a usage error passing through (an unknown option, a bad value)."""
    try:
        yield
    except typer.TyperException as error:  # Click's usage errors, as Typer vendors them
        error.message = printable(error.message)
        raise


app = typer.Typer(
    help="Trace evidence ratings in children's social care back to the trials behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
)

INTERNAL_ERROR = 3
#: The exit code of a command whose reader closed the pipe: 128 + SIGPIPE, as the shell reports it.
BROKEN_PIPE = 141
#: Every exit code evgraph gives and what it means: README.md's "Exit codes" table (a test keeps them equal).
EXIT_CODES = {
    0: "OK",
    1: "findings: `validate` found violations, or `audit --fail-on` names a verdict that occurs",
    2: "bad input or environment: unreadable data, an unknown name or option, an `--out` that is not a regular "
       "file, a write that failed (permission, read-only, disk full); nothing is left half-written",
    INTERNAL_ERROR: "internal error, a bug in evgraph: one line (`--debug` shows the traceback)",
    130: "interrupted (Ctrl-C); nothing is left half-written",
    BROKEN_PIPE: "the reader closed the pipe (such as `head` reading `evgraph audit`): the command stops quietly",
}
_state: dict = {"debug": False, "store": None, "cache": True, "opened": []}


#: The embedded engines, as the store package names them.
Backend = Enum("Backend", {name: name for name in BACKENDS}, type=str)


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


class ExplanationFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ResultFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"


class AuditFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class ValidationEngine(str, Enum):
    compiled = "compiled"
    pyshacl = "pyshacl"


EngineOption = Annotated[ValidationEngine, typer.Option(
    "--engine", help="SHACL engine: the shapes compiled to SPARQL on the store, or pySHACL, the reference.")]
DataOption = Annotated[Path | None, typer.Option(
    "--data", help="Folder of curated TriG (or Turtle) files (default: the bundled data/).", file_okay=False,
    show_default=False)]
ShapesOption = Annotated[Path | None, typer.Option(
    "--shapes", help="Folder of SHACL shapes (default: the bundled shapes/).", file_okay=False, show_default=False)]
OntologyOption = Annotated[Path | None, typer.Option(
    "--ontology", help="Folder of ontology files (default: the bundled ontology/).", file_okay=False,
    show_default=False)]
BackendOption = Annotated[Backend, typer.Option(
    "--backend", help="Embedded engine for local files.", envvar="EVGRAPH_BACKEND")]
EndpointOption = Annotated[str | None, typer.Option(
    "--endpoint", help="Read from this SPARQL 1.1 endpoint instead of local files (it must hold a pushed graph).",
    envvar="EVGRAPH_ENDPOINT", show_default=False)]
FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]
ThingArgument = Annotated[str, typer.Argument(help="An IRI, prefixed name, slug, or part of a label.")]


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.",
                                             envvar="EVGRAPH_DEBUG")] = False,
         store: Annotated[Path | None, typer.Option(
             "--store", help="Keep the loaded graph in this folder (default: a folder per data set under"
                             " $XDG_CACHE_HOME/evgraph, else ~/.cache/evgraph).", file_okay=False,
             envvar="EVGRAPH_STORE", show_default=False)] = None,
         no_cache: Annotated[bool, typer.Option(
             "--no-cache", help="Load the files into memory for this command; keep nothing on disk.",
             envvar="EVGRAPH_NO_CACHE")] = False) -> None:
    """Trace evidence ratings in children's social care back to the trials behind them."""
    _state.update(debug=debug, store=store, cache=not no_cache)


@functools.cache
def _printable_console() -> type[Console]:
    """A rich console that drops terminal escapes and control characters from every string it is given
    (messages and table cells alike); rich's own styling is added after, so it is kept. Markup is off, so
    data such as ``[/x]`` is text, not a style tag. Rich is imported on first use: ``why`` prints without it."""
    from rich.console import Console

    class PrintableConsole(Console):
        def render_str(self, text: str, **kwargs):
            return super().render_str(printable(text), **kwargs)

    return PrintableConsole


def _err() -> Console:
    return _printable_console()(stderr=True, soft_wrap=True, highlight=False, markup=False)


def _out() -> Console:
    return _printable_console()(soft_wrap=True, highlight=False, markup=False)


def _echo(text: str) -> None:
    """Print text (from the data, or quoting the arguments) on stdout, without control characters."""
    sys.stdout.write(printable(text))


@contextlib.contextmanager
def _closing_stores() -> Iterator[None]:
    """Close the persistent stores a command opened when it ends, however it ends, so that its folder is free
    again, for the next command run in the same process."""
    try:
        yield
    finally:
        while _state["opened"]:
            _state["opened"].pop().close()


def _command(name: str) -> Callable:
    """Register a command whose errors are rendered here, once, for every command."""
    def register(function: Callable) -> Callable:
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            try:
                with _closing_stores():
                    return function(*args, **kwargs)
            except EvgraphError as error:
                _err().print(f"Error: {error.message}", markup=False)
                if error.hint:
                    _err().print(error.hint, markup=False)
                raise typer.Exit(error.exit_code) from None
            except (typer.Exit, typer.Abort):
                raise
            except BrokenPipeError:  # the reader stopped early (`| head`): stop quietly, as a SIGPIPE would
                try:  # and let nothing more be flushed into the closed pipe at exit
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                except (OSError, ValueError):
                    pass
                raise typer.Exit(BROKEN_PIPE) from None
            except Exception as error:  # a bug: one line, exit 3; the traceback only with --debug
                if _state["debug"]:
                    raise
                _err().print(f"Internal error: {type(error).__name__}: {error}. This is a bug in evgraph; "
                             "run the command again with --debug for the traceback.", markup=False)
                raise typer.Exit(INTERNAL_ERROR) from None
        return app.command(name)(guarded)
    return register


def _open(data: Path | None, backend: Backend, endpoint: str | None,
          shapes: Path | None = None, ontology: Path | None = None, json_output: bool = False) -> Store:
    """The store a command reads: a remote endpoint, the persistent store (:mod:`evgraph.store.cache`) kept up
    to date with the files, or, with ``--no-cache``, another backend, or its folder busy, the files in memory."""
    if endpoint:
        if data or shapes or ontology:
            raise ConfigError("Give either --endpoint or local folders (--data, --shapes, --ontology), not both.")
        auth = os.environ.get("EVGRAPH_ENDPOINT_AUTH")
        return connect(endpoint, {"Authorization": auth} if auth else None)
    from evgraph.cli.progress import progress_bar

    with progress_bar("Loading", "bytes", json_output) as progress:
        if _state["cache"] and backend.value == "oxigraph":
            from evgraph.paths import Layout
            from evgraph.store.cache import open_cached

            layout = Layout.default().with_overrides(data=data, shapes=shapes, ontology=ontology)
            cached = open_cached(layout, _state["store"], progress=progress, write_behind=True)
            if cached is not None:
                _state["opened"].append(cached)
                return cached
        return load_store(data=data, shapes=shapes, ontology=ontology, backend=backend.value, progress=progress)


def _print_json(value: object) -> None:
    sys.stdout.write(json_text(value))


# -- validate, stats, queries -----------------------------------------------------------------------


@_command("validate")
def validate_command(data: DataOption = None, shapes: ShapesOption = None, ontology: OntologyOption = None,
                     backend: BackendOption = Backend[BACKENDS[0]], engine: EngineOption = ValidationEngine.compiled,
                     output_format: FormatOption = TextOrJson.text) -> None:
    """Check the curated data against the SHACL shapes, then run the rules on it.

    The shapes run compiled to SPARQL on the store; --engine pyshacl runs pySHACL, the reference, which gives
    the same report (tests/test_validation_engines.py). Exits 0 when the data conforms, 1 when there are
    violations, 2 when input cannot be read.

    Example: evgraph validate --data data/ --format json
    """
    from evgraph.rules import add_derivations
    from evgraph.validation import validate

    store = _open(data, backend, None, shapes, ontology, json_output=output_format is TextOrJson.json)

    def compute() -> tuple[dict, str]:  # whether the data conforms, and the report as printed
        whole = store.in_memory()
        if whole is not store:  # a persistent store keeps what the rules conclude, for the commands after
            add_derivations(store)
        report = validate(whole, engine=engine.value)
        text = (json_text(report.to_json()) if output_format is TextOrJson.json
                else "\n".join(render.report_lines(report, whole)) + "\n")
        return {"conforms": report.conforms}, text

    # A persistent store keeps the compiled engine's report (pySHACL's would need its version in the key).
    facts, text = _kept_text(store, f"validate {output_format.value}", compute, engine is ValidationEngine.compiled)
    if output_format is TextOrJson.json:
        sys.stdout.write(text)
    else:
        _echo(text)
    raise typer.Exit(0 if facts["conforms"] else 1)


def _kept_text(store: Store, name: str, compute: Callable[[], tuple[dict, str]], keep: bool = True) -> tuple[dict, str]:
    """What ``compute`` gives, some facts and a text, kept by a persistent store under ``name`` (:meth:`Store.kept`)
    when ``keep``: stored as a line of JSON, then the text as it is, so a big text is never parsed again."""
    def encoded() -> str:
        facts, text = compute()
        return json.dumps(facts) + "\n" + text

    facts, text = (store.kept(name, encoded) if keep else encoded()).split("\n", 1)
    return json.loads(facts), text


@_command("stats")
def stats_command(data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
                  output_format: FormatOption = TextOrJson.text) -> None:
    """Count triples, named graphs and instances per class.

    Example: evgraph stats --format json
    """
    from evgraph.stats import compute_stats

    stats = compute_stats(_open(data, backend, endpoint, json_output=output_format is TextOrJson.json))
    if output_format is TextOrJson.json:
        _print_json(stats.to_json())
        return
    from rich.table import Table as RichTable

    out = _out()
    out.print(f"{stats.triples} data triples in {len(stats.data_graphs)} named graphs "
              f"(plus {stats.ontology_triples} ontology and {stats.shapes_triples} shapes triples).", markup=False)
    classes = RichTable("class", "instances", title="Instances per class", title_justify="left")
    for name, count in stats.classes.items():
        classes.add_row(name, str(count))
    out.print(classes)
    graphs = RichTable("kind", "graphs", "triples", title="Named graphs by kind (docs/provenance.md)",
                       title_justify="left")
    for kind, (count, triples) in stats.graph_kinds().items():
        graphs.add_row(kind, str(count), str(triples))
    out.print(graphs)


@_command("queries")
def queries_command(output_format: FormatOption = TextOrJson.text) -> None:
    """List the auditor questions in the query catalogue (queries/*.rq).

    Example: evgraph queries --format json
    """
    catalogue = queries.catalogue()
    if output_format is TextOrJson.json:
        _print_json([q.to_json() for q in catalogue])
        return
    out = _out()
    for query in catalogue:
        params = " ".join(f"-p {p.name}=<{p.type}>" for p in query.params)
        out.print(f"{query.name}  {params}".rstrip(), markup=False)
        out.print(f"    {query.summary}", markup=False)


# -- query ----------------------------------------------------------------------------------------


def _print_table(table: Table) -> None:
    from rich.table import Table as RichTable

    rich_table = RichTable(*table.variables)
    for row in table.tuples():
        rich_table.add_row(*[short(value) for value in row])
    out = _out()
    out.print(rich_table)
    out.print(f"{len(table)} row(s)", markup=False)


def _write_results(body: bytes) -> None:
    """A W3C results document as the engine wrote it, minus what could drive a terminal: CSV, TSV and XML lose
    control characters and escape sequences (line ends kept); JSON escapes the C1 ones its writer leaves raw."""
    text = body.decode("utf-8")
    if text.lstrip().startswith(("{", "[")):
        text = escape_c1(text)
    else:
        text = "\r\n".join(printable(line) for line in text.split("\r\n"))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


#: Each result format and what prints it: a W3C results document, or a table for people.
RESULT_RENDERERS: dict[ResultFormat, Callable] = {
    ResultFormat.table: _print_table,
    ResultFormat.csv: _write_results,
    ResultFormat.tsv: _write_results,
    ResultFormat.json: _write_results,
    ResultFormat.xml: _write_results,
}


@_command("query")
def query_command(
    name: Annotated[str | None, typer.Argument(
        help="A catalogue name (see `evgraph queries`) or the path of a .rq file.", show_default=False)] = None,
    expression: Annotated[str | None, typer.Option(
        "--expression", "-e", help="SPARQL text to run instead of a named query.", show_default=False)] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter as key=value; repeat for several.")] = None,
    output_format: Annotated[ResultFormat, typer.Option("--format", "-f", help="Output format.")] = ResultFormat.table,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0, envvar="EVGRAPH_QUERY_TIMEOUT",
        help="Stop the query after this many seconds (0: no limit).")] = queries.TIMEOUT_S,
    max_rows: Annotated[int, typer.Option(
        "--max-rows", min=0, envvar="EVGRAPH_QUERY_MAX_ROWS",
        help="Refuse an answer of more rows than this, rather than cut it short (0: no limit).")] = queries.MAX_ROWS,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Run a catalogue query, a .rq file, or SPARQL text; JSON is the W3C SPARQL 1.1 results format.

    A query may not use SERVICE or SPARQL Update, and FROM may name only the store's own graphs.

    Example: evgraph query why-rating -p rating=rating:incredible-years-preschool
    """
    from evgraph.rules import add_derivations, needs_derivations

    if (name is None) == (expression is None):
        raise QueryError("Give a query name (or .rq file) or --expression 'SPARQL', one of the two.")
    query = queries.get_query(name) if name is not None else queries.adhoc_query(expression)
    if query.form != "SELECT":
        raise QueryError(f"evgraph query runs SELECT queries; this one is {query.form}.",
                         hint="Run other query forms in any SPARQL tool against `evgraph push`ed data.")
    bound = queries.bind(query, queries.parse_params(param or []))
    store = _open(data, backend, endpoint, json_output=output_format is not ResultFormat.table)
    if store.writable and needs_derivations(query.text):
        add_derivations(store)
    fmt = None if output_format is ResultFormat.table else output_format.value
    RESULT_RENDERERS[output_format](queries.answer(store, query, bound, fmt, timeout=timeout, max_rows=max_rows))


# -- why, trace, audit ----------------------------------------------------------------------------


def _render_explanations(explanations, output_format: ExplanationFormat, with_rules: bool) -> None:
    if output_format is ExplanationFormat.json:
        _print_json([e.to_json() for e in explanations])
    elif output_format is ExplanationFormat.markdown:
        _echo("\n".join(render.explanation_markdown(e, with_rules) for e in explanations))
    else:
        blocks = ["\n".join(render.explanation_lines(e, with_rules)) for e in explanations]
        _echo("\n\n".join(blocks) + "\n")


AssumeOption = Annotated[list[str] | None, typer.Option(
    "--assume", help="Also give the verdict under this assumption: a name from assumptions/ (candidates-confirmed, "
                     "high-income-comparable, rob-low-when-rct) or a partner's .rq/.ttl/.trig file; repeatable.",
    show_default=False)]


def _assumptions(names: list[str] | None, store: Store) -> list:
    from evgraph.lineage.what_if import find

    return [find(name, store.layout) for name in dict.fromkeys(names or [])]


@_command("why")
def why_command(
    thing: ThingArgument,
    output_format: Annotated[ExplanationFormat, typer.Option("--format", "-f", help="Output format.")] = ExplanationFormat.text,
    assume: AssumeOption = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Explain why a recommendation or rating says what it says, and check it against its scheme's criteria.

    For an intervention, every rating of it and every recommendation about it is explained. JSON output
    is always a list of explanations. With --assume, each also gives the verdict under the assumptions
    and every criterion they change (a what-if: nothing is recorded).

    Example: evgraph why "kinship navigator" --assume candidates-confirmed
    """
    from evgraph.explanation import explain
    from evgraph.lineage.what_if import assume as with_assumptions

    store = _open(data, backend, endpoint, json_output=output_format is ExplanationFormat.json)
    assumptions = _assumptions(assume, store)
    explanations = explain(store, thing)
    if assumptions:
        explanations = with_assumptions(store, explanations, assumptions)
    _render_explanations(explanations, output_format, with_rules=True)


@_command("trace")
def trace_command(
    thing: ThingArgument,
    output_format: Annotated[ExplanationFormat, typer.Option("--format", "-f", help="Output format.")] = ExplanationFormat.text,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Show the lineage of a recommendation or rating (guide, review, studies, reports, sources) without the rule check.

    Example: evgraph trace rating:family-nurse-partnership
    """
    from evgraph.explanation import explain

    explanations = explain(_open(data, backend, endpoint, json_output=output_format is ExplanationFormat.json), thing,
                           check_rules=False)
    _render_explanations(explanations, output_format, with_rules=False)


AUDIT_RENDERERS = {
    AuditFormat.json: lambda audit: json_text(audit.to_json()),
    AuditFormat.markdown: render.audit_markdown,
    AuditFormat.text: lambda audit: "\n".join(render.audit_lines(audit)) + "\n",
}


@_command("audit")
def audit_command(
    output_format: Annotated[AuditFormat, typer.Option("--format", "-f", help="Output format.")] = AuditFormat.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (atomically) instead of stdout.",
                                             dir_okay=False)] = None,
    fail_on: Annotated[list[str] | None, typer.Option(
        "--fail-on", help="Exit 1 if this verdict occurs; repeatable. One of: "
                          "consistent, overclaim, underclaim, cannot-verify, no-rule, single-trial, single-candidate, stale.")] = None,
    assume: AssumeOption = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Check every recommendation and rating, and list each overclaim, underclaim, cannot-verify, single-trial, single-candidate and stale claim.

    A single-trial claim rests on one study a source confirms; a single-candidate claim's only recorded
    study is a curation candidate (a gap in what is recorded, not a finding). A stale claim is dated
    before a report of a null or unfavourable finding of a study of its intervention
    (queries/stale-claims.rq). With --assume, the verdicts are also counted under the assumptions, and
    each claim they change is listed (a what-if: nothing is recorded). Exit 0 unless --fail-on names a
    verdict that occurs.

    Example: evgraph audit --format html --out audit.html --fail-on overclaim
    """
    from evgraph.audit import FINDING_KINDS

    unknown = sorted(set(fail_on or []) - set(FINDING_KINDS))
    if unknown:
        raise ConfigError(f"Unknown verdict {', '.join(unknown)} for --fail-on.",
                          hint=f"Choose from: {', '.join(FINDING_KINDS)}.")
    store = _open(data, backend, endpoint, json_output=output_format is AuditFormat.json and out is None)
    assumptions = _assumptions(assume, store)
    text, summary, findings = _audit_text(store, output_format)
    if assumptions:
        from evgraph.lineage.text import append_assumed
        from evgraph.lineage.what_if import assumed_audit
        from evgraph.lookup import explainable

        labels = {m.iri: m.label for m in explainable(store)}
        text = append_assumed(text, output_format.value, assumed_audit(store, assumptions, labels))
    if output_format is not AuditFormat.json:  # a file for people: no control characters either
        text = printable(text)
    if out is None:
        _echo(text)
    else:
        write_atomically(out, text)
        _out().print(f"Wrote {out} ({findings} findings).", markup=False)
    failing = [v for v in fail_on or [] if summary.get(v, 0)]
    if failing:
        _err().print(f"Failing: {', '.join(f'{v} ({summary[v]})' for v in failing)}.", markup=False)
        raise typer.Exit(1)


def _audit_text(store: Store, output_format: AuditFormat) -> tuple[str, dict[str, int], int]:
    """The audit rendered, its counts per verdict and its number of findings. A persistent store keeps them
    (:meth:`Store.kept`), except the HTML, whose diagrams an outside program draws."""
    from evgraph.audit import run_audit

    def compute() -> tuple[dict, str]:
        whole = store.in_memory()
        audit = run_audit(whole)
        if output_format is AuditFormat.html:
            from evgraph.lineage.diagram import audit_diagrams

            text = render.audit_html(audit, audit_diagrams(whole, audit))
        else:
            text = AUDIT_RENDERERS[output_format](audit)
        return {"summary": audit.summary, "findings": len(audit.findings)}, text

    counts, text = _kept_text(store, f"audit {output_format.value}", compute, output_format is not AuditFormat.html)
    return text, counts["summary"], counts["findings"]


@_command("push")
def push_command(
    endpoint: Annotated[str, typer.Option("--endpoint", help="The server's SPARQL query endpoint, to check the upload.",
                                          envvar="EVGRAPH_ENDPOINT")],
    graph_store: Annotated[str | None, typer.Option(
        "--graph-store", help="The server's Graph Store Protocol endpoint (default: the query endpoint).",
        show_default=False)] = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]],
) -> None:
    """Upload the ontology, shapes, data and derived graph to a SPARQL server, every named graph.

    Each graph replaces the graph of the same name on the server. The upload is then read back
    through the query endpoint and the triple counts compared.

    Example: evgraph push --endpoint http://127.0.0.1:7878/query --graph-store http://127.0.0.1:7878/store
    """
    from evgraph.publish import push_graph

    result = push_graph(load_store(data=data, backend=backend.value), endpoint, graph_store or endpoint,
                        os.environ.get("EVGRAPH_ENDPOINT_AUTH"))
    _out().print(f"Pushed {result.graphs} named graphs ({result.triples} triples) to {result.graph_store}; "
                 f"{result.endpoint} answers with the same counts.", markup=False)


# The linked-data commands (export, release, ingest, diff) and the lineage commands (impact, weak-points,
# org, diagram) live beside this module; importing them registers them on ``app``.
from evgraph.cli import diagrams, lineage, linked, organisations, serve, synth  # noqa: E402, F401


def commands_markdown() -> str:
    """The README's command table, generated from the commands themselves (a test keeps the README in step)."""
    group = typer.main.get_command(app)
    lines = ["| command | what it does |", "|---|---|"]
    for name, command in sorted(group.commands.items()):
        parts = [f"evgraph {name}"]
        for param in command.params:
            if param.name == "help":
                continue
            if param.param_type_name == "argument":
                parts.append(param.name.upper() if param.required else f"[{param.name.upper()}]")
                continue
            flag = max(param.opts, key=len)
            descriptor = getattr(param, "type_descriptor", None)  # typer 0.29 on; before, click's Choice type
            annotation = descriptor.annotation if descriptor else None
            choices = ([member.value for member in annotation] if isinstance(annotation, type)
                       and issubclass(annotation, Enum) else getattr(getattr(param, "type", None), "choices", None))
            value = "" if param.is_flag else " " + ("\\|".join(choices) if choices else param.name.upper())
            parts.append(f"{flag}{value}" if param.required else f"[{flag}{value}]")
        summary = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
        lines.append(f"| `{' '.join(parts)}` | {summary} |")
    return "\n".join(lines) + "\n"
