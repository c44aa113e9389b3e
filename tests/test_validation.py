"""Each bad fixture fails for the reason its name states; the good fixture conforms."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from evgraph.validation import validate

EX = "https://example.org/evgraph-test/"

BAD_FIXTURES = {
    "node_without_source": (
        f"{EX}unsourced-charity",
        "Every curated node must cite its source: add dct:source <URL of the page its facts were read from>.",
    ),
    "rating_level_not_in_any_scheme": (
        f"{EX}rating",
        "A rating's evidence level must be one level of a rating scheme defined in ontology/schemes/ (e.g. level:3plus).",
    ),
    "rating_level_from_another_scheme": (
        f"{EX}rating",
        "The evidence level https://w3id.org/evgraph/scheme/title-iv-e/supported is not a level of any scheme"
        " used by the organisation this rating is attributed to.",
    ),
    "arm_size_negative": (
        f"{EX}trial",
        "An intervention arm size must be one whole number of participants, zero or more.",
    ),
    "arm_size_not_integer": (
        f"{EX}trial",
        "A control arm size must be one whole number of participants, zero or more.",
    ),
    "arm_size_malformed_text": (
        f"{EX}trial",
        "An intervention arm size must be one whole number of participants, zero or more.",
    ),
    "level_min_sample_size_is_a_string": (
        f"{EX}pilot-level",
        "ev:minSampleSize must be one whole number of participants, zero or more.",
    ),
    "study_without_design": (
        f"{EX}undesigned-study",
        "A study must state its design (ev:design, e.g. design:rct), or say why the sources do not give one"
        " (ev:designNotRecorded) — one or the other.",
    ),
    "report_without_study": (
        f"{EX}orphan-report",
        "A report must point at the study it describes (ev:reportsStudy); a publication about no single"
        " study is an ev:Publication or ev:EvidenceReview.",
    ),
    "recommendation_without_strength": (
        f"{EX}rec",
        "A recommendation must state its published evidence strength (ev:publishedStrength), or say why"
        " none is recorded (ev:strengthNotRecorded) — one or the other.",
    ),
    "untyped_node": (
        "https://w3id.org/evgraph/id/study/misspelt",
        "This node is described but has no type: add rdf:type (e.g. ev:Study), or fix a misspelt IRI.",
    ),
}


def test_good_evidence_chain_conforms(fixture_store):
    report = validate(fixture_store("good_evidence_chain"))
    assert report.violations == []
    assert report.conforms


@pytest.mark.parametrize("name", sorted(BAD_FIXTURES))
def test_bad_fixture_fails_with_its_message(fixture_store, name):
    report = validate(fixture_store(name))
    assert not report.conforms
    assert [(v.focus, v.message, v.severity) for v in report.violations] == [(*BAD_FIXTURES[name], "Violation")]


def test_violation_names_file_line_path_and_value(fixture_store):
    store = fixture_store("arm_size_negative")
    [violation] = validate(store).violations
    assert violation.path == "ev:interventionArmSize"
    assert violation.value == "-12"
    assert violation.file.endswith("data/arm_size_negative.ttl")
    lines = (store.files_of("data")[0].path).read_text().splitlines()
    assert lines[violation.line - 1].startswith("ex:trial ")


def test_violation_json_shape(fixture_store):
    report = validate(fixture_store("report_without_study"))
    assert report.to_json() == {
        "conforms": False,
        "violations": [{
            "focus": f"{EX}orphan-report",
            "path": "ev:reportsStudy",
            "value": None,
            "message": BAD_FIXTURES["report_without_study"][1],
            "severity": "Violation",
            "shape": None,
            "file": report.violations[0].file,
            "line": 31,
        }],
    }


def test_published_level_above_the_derived_one_is_a_warning_not_a_violation(fixture_store):
    report = validate(fixture_store("catalogue"))
    assert report.conforms
    warnings = sorted((v.focus, v.message) for v in report.violations if v.severity == "Warning")
    assert warnings == [
        (f"{EX}rating-overclaim", "Published as '3', but the recorded studies support '2':"
                                  " see `evgraph why` for the criteria not met."),
        (f"{EX}rec-overclaim", "Published as 'promising', but the recorded studies support no level:"
                               " see `evgraph why` for the criteria not met."),
    ]


def test_without_rules_there_is_nothing_to_warn_about(fixture_store):
    report = validate(fixture_store("catalogue"), with_rules=False)
    assert report.violations == []


def test_malformed_literal_is_a_violation_not_a_traceback(fixture_store, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    [violation] = validate(fixture_store("arm_size_malformed_text")).violations
    assert (violation.path, violation.value) == ("ev:interventionArmSize", "79x")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "Traceback" not in capsys.readouterr().err


def test_paths_use_the_evgraph_prefixes(fixture_store):
    [violation] = validate(fixture_store("node_without_source"), with_rules=False).violations
    assert violation.path == "dcterms:source"


def test_without_rules_the_derived_graph_shapes_do_not_run(fixture_store):
    store = fixture_store("catalogue")
    assert validate(store).count("Warning") == 2  # the rules ran and filled the derived graph
    assert validate(store, with_rules=False).violations == []


def test_importing_validation_loads_no_rdf_engine():
    code = "import sys, evgraph.validation; print(sorted(m for m in ('pyshacl', 'rdflib') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_a_shape_pyshacl_cannot_load_is_bad_input_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from evgraph.cli import app
    from evgraph.paths import Layout

    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for bundled in Layout.default().shapes.glob("*.ttl"):
        (shapes / bundled.name).write_bytes(bundled.read_bytes())
    (shapes / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ev: <https://w3id.org/evgraph/ontology#> .\n"
        "<https://example.org/evgraph-test/BrokenShape> a sh:NodeShape ; sh:targetClass ev:Study ;\n"
        "    sh:property [ sh:path ev:design ; sh:minCount \"several\" ] .\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--shapes", str(shapes)])
    assert (result.exit_code, result.output) == (2, (
        "Error: The shapes could not be run: MinCountConstraintComponent sh:minCount must be a literal with "
        "datatype xsd:integer.\nFix the shape it names and run the command again.\n"))
