"""The command line, in-process: exit codes and the messages people read."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.paths import Layout

from conftest import fixture_data_dir

runner = CliRunner()
EX = "https://example.org/evgraph-test/"


def test_validate_good_fixture_exits_0(tmp_path):
    result = runner.invoke(app, ["validate", "--data", str(fixture_data_dir(tmp_path, "good_evidence_chain"))])
    assert result.exit_code == 0, result.output
    assert result.output == "Conforms: 1 data files, 107 triples.\n"


def test_validate_reports_file_line_and_message_and_exits_1(tmp_path):
    folder = fixture_data_dir(tmp_path, "study_without_design")
    result = runner.invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{folder / 'study_without_design.ttl'}:31  {EX}undesigned-study"
    assert lines[1] == ("  Violation: A study must state its design (ev:design, e.g. design:rct), or say why the"
                        " sources do not give one (ev:designNotRecorded) — one or the other.  (value"
                        f" {EX}undesigned-study)")
    assert lines[-1] == "Does not conform: 1 violation(s) on 1 node(s) in 1 data files."


def test_validate_json(tmp_path):
    folder = fixture_data_dir(tmp_path, "node_without_source")
    result = runner.invoke(app, ["validate", "--data", str(folder), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    [violation] = report["violations"]
    assert {k: violation[k] for k in ("focus", "path", "severity", "file", "line")} == {
        "focus": f"{EX}unsourced-charity",
        "path": "dcterms:source",
        "severity": "Violation",
        "file": str(folder / "node_without_source.ttl"),
        "line": 31,
    }


def test_broken_copy_of_bundled_data_exits_2_naming_file_and_line(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(Layout.default().data, copy)
    victim = sorted(copy.rglob("*.trig"))[0]
    original_lines = victim.read_text(encoding="utf-8").splitlines()
    victim.write_text("\n".join(original_lines + ['<https://example.org/x> <https://example.org/p> "open']) + "\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(copy)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"Error: {victim}:{len(original_lines) + 1}: TriG syntax error: Parser error between line"
        f" {len(original_lines) + 1} column 49 and line {len(original_lines) + 2} column 1: Unexpected end of file.")
    assert "Traceback" not in result.output


def test_missing_data_folder_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"Error: The data folder {tmp_path / 'absent'} does not exist."


def test_empty_data_folder_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert result.output == f"Error: The data folder {tmp_path / 'empty'} holds no Turtle (.ttl) or TriG (.trig) files.\n"


def test_stats_json_counts_triples_graphs_and_classes(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    result = runner.invoke(app, ["stats", "--data", str(folder), "--format", "json"])
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert stats["triples"] == 107
    assert stats["named_graphs"] == 1
    assert stats["classes"] == {
        "ev:Organisation": 3, "ev:Report": 2, "ev:Recommendation": 2, "ev:Intervention": 1, "ev:Study": 1,
        "ev:Merger": 1, "ev:EvidenceReview": 1, "ev:Appraisal": 1, "ev:Finding": 1, "ev:PracticeGuide": 1,
        "ev:Rating": 1, "ev:CandidateEvidence": 1, "ev:Discrepancy": 1,
    }


def test_stats_text(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    result = runner.invoke(app, ["stats", "--data", str(folder)])
    assert result.exit_code == 0
    assert result.output.startswith("107 data triples in 1 named graphs")
    assert "ev:CandidateEvidence" in result.output
    assert "Named graphs by kind" in result.output
    assert [line.split("│")[1:4] for line in result.output.splitlines() if line.startswith("│ data ")] == [
        [" data ", " 1      ", " 107     "]]


def test_every_command_has_help_with_an_example():
    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        assert doc.strip(), f"{command.name} has no docstring"
        assert "Example: evgraph " in doc, f"{command.name} --help shows no example"


def test_an_internal_error_exits_3_with_one_line_and_debug_shows_the_traceback(monkeypatch, tmp_path):
    import evgraph.explanation

    def broken(*args, **kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(evgraph.explanation, "explain", broken)
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    result = runner.invoke(app, ["why", "rec-1", "--data", str(folder)])
    assert result.exit_code == 3
    assert result.output == ("Internal error: RuntimeError: injected fault. This is a bug in evgraph; run the command"
                             " again with --debug for the traceback.\n")
    debugged = runner.invoke(app, ["--debug", "why", "rec-1", "--data", str(folder)])
    assert isinstance(debugged.exception, RuntimeError) and str(debugged.exception) == "injected fault"


def test_a_query_name_is_checked_before_anything_is_loaded(tmp_path):
    result = runner.invoke(app, ["query", "no-such-query", "--data", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: No query named 'no-such-query'."


def test_an_auditors_own_query_runs_without_a_header(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    own = tmp_path / "mine.rq"
    own.write_text("SELECT ?report WHERE { ?report <https://w3id.org/evgraph/ontology#reportsStudy> ?study }"
                   " ORDER BY ?report\n", encoding="utf-8")
    result = runner.invoke(app, ["query", str(own), "--data", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["report", f"{EX}paper-1", f"{EX}paper-2"]
    inline = runner.invoke(app, ["query", "-e", own.read_text(), "--data", str(folder), "--format", "tsv"])
    assert inline.output.splitlines() == ["?report", f"<{EX}paper-1>", f"<{EX}paper-2>"]


def test_query_needs_a_name_or_an_expression_not_both():
    result = runner.invoke(app, ["query", "overclaims", "-e", "SELECT * { ?s ?p ?o }"])
    assert result.exit_code == 2
    assert result.output == "Error: Give a query name (or .rq file) or --expression 'SPARQL', one of the two.\n"


def test_a_query_reading_the_derived_graph_gets_it_built_first(tmp_path):
    folder = fixture_data_dir(tmp_path, "catalogue")
    result = runner.invoke(app, ["query", "overclaims", "--data", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [line.split(",")[0] for line in result.output.splitlines()] == [
        "subject", f"{EX}rating-overclaim", f"{EX}rec-overclaim"]


def test_a_reader_that_stops_early_ends_the_command_quietly(monkeypatch):
    def closed_pipe(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("evgraph.cli.queries.catalogue", closed_pipe)
    result = runner.invoke(app, ["queries"])
    assert (result.exit_code, result.output) == (141, "")
