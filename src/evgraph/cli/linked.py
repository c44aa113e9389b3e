"""The linked-data commands: export, release, ingest and diff. Thin: parse, call the library, print."""

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
    ExplanationFormat,
    _command,
    _echo,
    _err,
    _out,
    _print_json,
)
from evgraph.shortnames import short
from evgraph.store import load_store

ExportFormat = Enum("ExportFormat", {name: name for name in ("trig", "nquads", "jsonld", "turtle", "ntriples",
                                                               "rdfxml")}, type=str)
ExportScope = Enum("ExportScope", {name: name for name in ("all", "curated", "derived", "ontology")}, type=str)



@_command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The earlier version: a data folder, an export file (.trig or .nq, "
                                            "such as a release's evgraph.trig), or a git revision (REV for its "
                                            "data/, or REV:PATH).")],
    new: Annotated[str, typer.Argument(help="The later version, written the same way.")],
    output_format: Annotated[ExplanationFormat, typer.Option("--format", "-f", help="Output format.")] = ExplanationFormat.text,
    repo: Annotated[Path | None, typer.Option(
        "--repo", help="The git repository revisions are read from (default: evgraph's own checkout).",
        file_okay=False, show_default=False)] = None,
    backend: BackendOption = Backend[BACKENDS[0]],
) -> None:
    """Say what changed between two versions of the graph: levels, studies, evidence links, verdicts, sources, triples.

    A version that is an existing folder is read as a data folder, a .trig or .nq file as an export (its
    data graphs the data, its ontology graphs the ontology), anything else as a git revision; each is
    loaded with the bundled shapes, and with the bundled ontology unless an export carries its own.

    Example: evgraph diff HEAD~8 HEAD --format markdown
    """
    from evgraph.linked.diff import compare, diff_lines, diff_markdown

    diff = compare(old, new, repo=repo, backend=backend.value)
    if output_format is ExplanationFormat.json:
        _print_json(diff.to_json())
    elif output_format is ExplanationFormat.markdown:
        _echo(diff_markdown(diff))
    else:
        _echo("\n".join(diff_lines(diff)) + "\n")


# -- push -------------------------------------------------------------------------------------------


@_command("export")
def export_command(
    export_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="RDF serialisation.")] = ExportFormat.trig,
    scope: Annotated[ExportScope, typer.Option("--scope", help="Which named graphs.")] = ExportScope.all,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (atomically); '-' or none: stdout.",
                                             dir_okay=False, show_default=False)] = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]],
) -> None:
    """Export the graph as RDF (TriG, N-Quads or JSON-LD keep named graphs), byte-identical for the same data.

    Scopes: all (ontology, curated data and the rules' derived graph), curated, derived, ontology, or
    one node (its bundle). The derived graph names its rule evaluation by a digest of the data it read.

    Example: evgraph export --format jsonld --scope curated --out evgraph.jsonld
    """
    from evgraph.linked.export import export, write

    result = export(load_store(data=data, backend=backend.value), export_format.value, scope.value)
    if result.graph_names_dropped:
        _err().print(f"Note: {export_format.value} holds triples only, so the names of the {result.graphs} named"
                     " graphs are dropped (for the data, they say which page states each fact); use trig, nquads"
                     " or jsonld to keep them.", markup=False)
    write(result, out)
    if out is not None and str(out) != "-":
        _err().print(f"Wrote {out} ({result.graphs} named graphs, {len(result.content)} bytes).", markup=False)


@_command("release")
def release_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder that holds the releases; this one goes in OUT/VERSION.",
                                      file_okay=False)],
    version: Annotated[str | None, typer.Option(
        "--version", help="The release's version (default: the issued date, such as 2026.12.01).",
        show_default=False)] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="The previous release's folder, to write CHANGES.md against.", file_okay=False,
        show_default=False)] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", help="The SPARQL endpoint that serves this release, for the description.",
        show_default=False)] = None,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]],
) -> None:
    """Write a versioned release: every export format, a DCAT/VoID description, SHA256SUMS, the audit and a changelog.

    The folder is built beside OUT/VERSION and renamed into place when complete; an existing version is
    refused. Set SOURCE_DATE_EPOCH to fix the issued date, so the same data gives the same bytes.

    Example: evgraph release --out releases --previous releases/2026.11.01
    """
    from evgraph.cli.progress import progress_bar
    from evgraph.linked.release import release

    store = load_store(data=data, backend=backend.value)
    with progress_bar("Releasing", "steps") as progress:
        result = release(store, out, version, previous, endpoint, progress)
    _out().print(f"Wrote release {result.version} to {result.folder} ({len(result.files)} files).", markup=False)



@_command("ingest")
def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Partner files: CSV from templates/, Turtle or TriG.",
                                                dir_okay=False)],
    partner: Annotated[str, typer.Option("--partner", help="The partner sending the data (a slug); its agent is"
                                                           " recorded on every fact.")],
    into: Annotated[Path | None, typer.Option("--into", help="Folder to write the batch to (default:"
                                                             " DATA/partners/PARTNER).", file_okay=False,
                                              show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be added and which verdicts would"
                                                            " change; write nothing.")] = False,
    data: DataOption = None,
) -> None:
    """Add a partner's evidence (CSV templates or RDF) to the data, only if the whole graph still conforms.

    The batch becomes one TriG file, each fact in the named graph of the document it cites, attributed
    to the partner; otherwise nothing is written and each problem names its file, row and column.

    Example: evgraph ingest studies.csv evidence-links.csv --partner foundations --dry-run
    """
    from evgraph.linked.ingest import ingest

    result = ingest(files, partner, data=data, into=into, dry_run=dry_run)
    out = _out()
    out.print(f"{'Would add' if dry_run else 'Added'} {result.triples} triples in {len(result.graphs)} named graphs"
              f" ({'not written' if dry_run else 'wrote ' + str(result.target)}).", markup=False)
    for kind, nodes in result.nodes.items():
        out.print(f"{kind}: {len(nodes)} ({sum(new for _, new in nodes)} new)", markup=False)
        for iri, new in nodes:
            out.print(f"  {'+' if new else '~'} {short(iri)}", markup=False)
    if result.links:
        out.print(f"evidence links: {len(result.links)}", markup=False)
        for claim, prop, study in result.links:
            out.print(f"  {short(claim)} {prop} {short(study)}", markup=False)
    out.print(f"Verdicts that {'would ' if dry_run else ''}change: {len(result.verdict_changes)}", markup=False)
    for subject, before, after in result.verdict_changes:
        out.print(f"  {short(subject)}: {before} → {after}", markup=False)
    for warning in result.warnings:
        out.print(f"Warning: {warning}", markup=False)
