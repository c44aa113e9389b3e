"""Ingest: partner CSV and RDF mapped, validated with the data folder, written once or not at all."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import DataError
from evgraph.explanation import explain
from evgraph.linked.ingest import RDF_SUFFIXES, IngestError, ingest, source_slug
from evgraph.linked.templates import KINDS
from evgraph.render import explanation_lines
from evgraph.store import load_store
from evgraph.validation import validate

CASES = Path(__file__).parent / "fixtures" / "ingest"
TEMPLATES = Path(__file__).parents[1] / "templates"
EX = "https://example.org/evgraph-test/"
ID = "https://w3id.org/evgraph/id/"


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """A temporary copy of the small data folder partner batches land in."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    folder = tmp_path / "data"
    shutil.copytree(CASES / "base", folder)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


def case(name: str) -> list[Path]:
    return sorted(p for p in (CASES / name).iterdir() if p.suffix == ".csv" or p.suffix in RDF_SUFFIXES)


def test_good_csv_set_lands_validates_and_changes_verdicts(data):
    result = ingest(case("good"), "foundations", data=data)
    assert result.written
    target = data / "partners" / "foundations" / "good.trig"
    assert result.target == target and target.is_file()
    assert {k.name for k in KINDS} - {"evidence-links"} <= set(result.nodes)
    assert len(result.links) == 6
    assert (f"{EX}rec-strong", "cannot-verify", "consistent") in result.verdict_changes
    assert (f"{EX}rec-overclaimed", "cannot-verify", "overclaim") in result.verdict_changes
    store = load_store(data=data)
    assert validate(store).conforms
    graph = f"https://w3id.org/evgraph/graph/partner/foundations/{source_slug('https://partner.example.org/guide/evidence-table')}"
    rows = store.select(
        "PREFIX ev: <https://w3id.org/evgraph/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>"
        " PREFIX dct: <http://purl.org/dc/terms/> SELECT ?g ?method ?agent ?doc ?created WHERE {"
        " GRAPH ?g { ?rec ev:supportedBy ?study } ?g ev:method ?method ; prov:wasAttributedTo ?agent ;"
        " prov:wasDerivedFrom ?doc ; dct:created ?created }",
        {"rec": __import__("evgraph.terms", fromlist=["IRI"]).IRI(f"{EX}rec-strong")})
    assert {(str(r["g"]), str(r["method"]), str(r["agent"]), str(r["doc"]), str(r["created"])) for r in rows} == {
        (graph, "https://w3id.org/evgraph/scheme/method/partner-statement", f"{ID}agent/foundations",
         "https://partner.example.org/guide/evidence-table", "2026-01-01")}


def test_output_is_reproducible(data, tmp_path):
    first = ingest(case("good"), "foundations", data=data, into=tmp_path / "a")
    second = ingest(case("good"), "foundations", data=data, into=tmp_path / "b")
    assert first.target.read_bytes() == second.target.read_bytes()


def test_turtle_from_a_partner_goes_into_one_graph_per_source(data):
    result = ingest(case("good_rdf"), "foundations", data=data)
    assert result.written
    assert sorted(result.graphs) == sorted([
        "https://w3id.org/evgraph/graph/partner/foundations/partner.example.org-evaluations-leeds",
        "https://w3id.org/evgraph/graph/partner/foundations/partner.example.org-guide-evidence-table",
        "https://w3id.org/evgraph/graph/partner/foundations/sources",
        "https://w3id.org/evgraph/graph/provenance"])
    assert validate(load_store(data=data)).conforms


BAD = {
    "unknown_column": "studies.csv, line 1, column 'arm_size': not a column of the studies template; expected one of"
                      " slug, label, evaluates, design, design_description, country, intervention_arm_size,"
                      " control_arm_size, sample_size, source, source_type.",
    "wrong_type": "studies.csv, row 2, column 'intervention_arm_size': 'forty' is not a whole number, zero or more"
                  " (write digits, e.g. 40).",
    "unknown_scheme_value": "studies.csv, row 2, column 'design': 'cohort-ish' is not a concept of ev:StudyDesignScheme;"
                            " expected one of ",
    "dangling_reference": "evidence-links.csv, row 2, column 'study': 'no-such-study' is not the slug or IRI of a Study"
                          " in this batch or the graph; expected the slug or IRI of a Study.",
    "duplicate_iri": "studies.csv, row 3, column 'slug': 'leeds-rct' mints study:leeds-rct, already minted by ",
    "missing_source": "interventions.csv, row 2, column 'source': empty; expected the http(s) URL of the document that"
                      " states this row's facts.",
    "malformed_rdf": "partner.ttl, line 6: Turtle syntax error: ",
    "non_conforming": "studies.csv, row 2 (study:leeds-rct): The arms add up to 120 (60 + 60), more than the sample"
                      " size of 100: correct ev:interventionArmSize, ev:controlArmSize or ev:sampleSize to what the"
                      " source says.",
    "unknown_source_type": "studies.csv, row 2, column 'source_type': 'blog' is not a concept of"
                           " ev:SourceTypeScheme; expected one of academic-repository, bibliographic-record,"
                           " clearinghouse-page, conference-abstract, evidence-review, government, guidebook-page,"
                           " journal-article, mirror, organisation-page, other, practice-guide, press, provider-claim,"
                           " research-report, research-summary, trial-registry.",
    "conflicting_source_type": "studies.csv, row 3, column 'source_type': 'journal-article' differs from"
                               " sourcetype:research-report given for https://partner.example.org/evaluations/leeds"
                               " at ",
    "unknown_stated_by": "evidence-links.csv, row 2, column 'stated_by': 'nobody' is not the slug or IRI of an Agent"
                         " or an Organisation in this batch or the graph; expected the slug or IRI of an Agent or an"
                         " Organisation.",
    "malformed_nquads": "malformed_nquads/partner.nq, line 3: N-Quads syntax error: ",
    "malformed_ntriples": "malformed_ntriples/partner.nt, line 2: N-Triples syntax error: ",
    "malformed_rdfxml": "malformed_rdfxml/partner.rdf: RDF/XML syntax error: ill-formed document: expected"
                        " `</dct:source>`, but `</rdf:Description>` was found.",
    "malformed_jsonld": "malformed_jsonld/partner.jsonld, line 5: JSON syntax error: Expecting property name enclosed"
                        " in double quotes.",
    "remote_jsonld_context": "remote_jsonld_context/partner.jsonld: the context"
                             " https://partner.example.org/context.jsonld is remote and evgraph never fetches remote"
                             " documents; expected the context written inline.",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_case_is_refused_with_its_message_and_nothing_changes(data, name):
    before = snapshot(data)
    with pytest.raises(IngestError) as refused:
        ingest(case(name), "foundations", data=data)
    assert any(BAD[name] in problem for problem in refused.value.problems), refused.value.problems
    assert snapshot(data) == before


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_write_failing_midway_leaves_the_folder_unchanged(data, monkeypatch, failing):
    (data / "partners" / "foundations").mkdir(parents=True)
    before = snapshot(data)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(DataError) as refused:
        ingest(case("good"), "foundations", data=data)
    monkeypatch.undo()
    assert refused.value.message == (f"Could not write {data / 'partners' / 'foundations' / 'good.trig'} (No space"
                                     " left on device); nothing was changed.")
    assert snapshot(data) == before


def test_dry_run_writes_nothing_and_reports_verdict_changes(data):
    before = snapshot(data)
    result = ingest(case("good"), "foundations", data=data, dry_run=True)
    assert not result.written and not result.target.exists()
    assert (f"{EX}rec-overclaimed", "cannot-verify", "overclaim") in result.verdict_changes
    assert snapshot(data) == before


def test_cli_dry_run_prints_counts_and_verdict_changes(data):
    result = CliRunner().invoke(app, ["ingest", *map(str, case("good")), "--partner", "foundations",
                                      "--data", str(data), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "studies: 3 (3 new)" in result.output
    assert f"{EX}rec-overclaimed: cannot-verify → overclaim" in result.output
    assert not (data / "partners").exists()


def test_cli_refusal_is_one_sentence_per_problem_and_exit_2(data):
    result = CliRunner().invoke(app, ["ingest", *map(str, case("wrong_type")), "--partner", "foundations",
                                      "--data", str(data)])
    assert result.exit_code == 2
    assert BAD["wrong_type"] in result.output


def test_templates_match_the_column_specs():
    for kind in KINDS:
        header = (TEMPLATES / f"{kind.name}.csv").read_text(encoding="utf-8").strip()
        assert header == ",".join(c.name for c in kind.columns)
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for kind in KINDS:
        for column in kind.columns:
            assert f"`{column.name}`" in readme, (kind.name, column.name)


def test_template_examples_ingest(data, tmp_path):
    """The README's example rows, one file per template, land as they are."""
    from evgraph.linked.templates import example_rows

    folder = tmp_path / "examples"
    folder.mkdir()
    for kind in KINDS:
        (folder / f"{kind.name}.csv").write_text(example_rows(kind), encoding="utf-8")
    result = ingest(sorted(folder.glob("*.csv")), "foundations", data=data, dry_run=True)
    assert result.triples > 0


CANDIDATE = """
@prefix ev: <https://w3id.org/evgraph/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://example.org/evgraph-test/candidate> a ev:CandidateEvidence ;
    ev:proposedFor <https://example.org/evgraph-test/rec-strong> ;
    ev:proposedStudy <https://w3id.org/evgraph/id/study/mentoring-rct-leeds> ;
    ev:linkBasis "A UK mentoring trial matching the recommendation." ;
    prov:wasAttributedTo <https://w3id.org/evgraph/id/agent/evgraph-curation> ;
    dct:source <https://example.org/source/guide> .
"""


def test_why_says_who_confirmed_a_partner_link_and_that_curation_had_proposed_it(data):
    ingest(case("good"), "foundations", data=data)
    (data / "candidate.ttl").write_text(CANDIDATE, encoding="utf-8")
    [explanation] = explain(load_store(data=data), f"{EX}rec-strong")
    lines = explanation_lines(explanation)
    assert (f"{'':<18}link confirmed by agent:foundations (curation had proposed it as a candidate): stated by a"
            " partner in https://partner.example.org/guide/evidence-table") in lines
    assert explanation.verdict == "consistent"


def test_source_records_are_written_for_cited_documents_the_graph_does_not_describe(data):
    shutil.copy(CASES / "known_source" / "sources.trig", data / "sources.trig")
    result = ingest(case("source_types"), "foundations", data=data)
    text = result.target.read_text(encoding="utf-8")
    assert """GRAPH <https://w3id.org/evgraph/graph/partner/foundations/sources> {
  <https://partner.example.org/evaluations/bristol> a ev:Source ;
      dct:source <https://partner.example.org/evaluations/bristol> ;
      ev:sourceType sourcetype:journal-article .
  <https://partner.example.org/evaluations/leeds> a ev:Source ;
      dct:source <https://partner.example.org/evaluations/leeds> ;
      ev:sourceType sourcetype:research-report .
  <https://partner.example.org/guide/evidence-table> a ev:Source ;
      dct:source <https://partner.example.org/guide/evidence-table> ;
      ev:sourceType sourcetype:practice-guide .
}
""" in text
    assert """  <https://w3id.org/evgraph/graph/partner/foundations/sources> a ev:AssertionGraph ;
      dct:created "2026-01-01"^^xsd:date ;
      ev:method method:partner-statement ;
      prov:wasAttributedTo agent:foundations .
}
""" in text
    assert "<https://partner.example.org/evaluations/cardiff> a ev:Source" not in text
    assert validate(load_store(data=data)).conforms


def test_a_source_without_source_type_is_recorded_as_other(data):
    text = ingest(case("good_rdf"), "foundations", data=data).target.read_text(encoding="utf-8")
    assert """  <https://partner.example.org/evaluations/leeds> a ev:Source ;
      dct:source <https://partner.example.org/evaluations/leeds> ;
      ev:sourceType sourcetype:other .
""" in text


def test_stated_by_puts_the_link_in_a_graph_attributed_to_both(data):
    result = ingest(case("stated_by"), "foundations", data=data)
    text = result.target.read_text(encoding="utf-8")
    stated = "https://w3id.org/evgraph/graph/partner/foundations/partner.example.org-guide-evidence-table"
    assert f"""GRAPH <{stated}> {{
  <{EX}rec-overclaimed> dct:source <https://partner.example.org/guide/evidence-table> ;
      ev:supportedBy study:mentoring-qed-cardiff ;
      ev:supportedBy study:mentoring-rct-leeds .
}}
GRAPH <{stated}/stated-by/guide-assessors> {{
  <{EX}rec-strong> dct:source <https://partner.example.org/guide/evidence-table> ;
      ev:supportedBy study:mentoring-qed-cardiff ;
      ev:supportedBy study:mentoring-rct-leeds .
}}
""" in text
    assert f"""  <{stated}/stated-by/guide-assessors> a ev:AssertionGraph ;
      dct:created "2026-01-01"^^xsd:date ;
      ev:method method:partner-statement ;
      prov:wasAttributedTo agent:foundations ;
      prov:wasAttributedTo orgn:guide-assessors ;
      prov:wasDerivedFrom <https://partner.example.org/guide/evidence-table> .
""" in text
    store = load_store(data=data)
    assert validate(store).conforms
    [explanation] = explain(store, f"{EX}rec-strong")
    assert (f"{'':<18}link confirmed by agent:foundations and orgn:guide-assessors: stated by a partner in"
            " https://partner.example.org/guide/evidence-table") in explanation_lines(explanation)
    [explanation] = explain(store, f"{EX}rec-overclaimed")
    assert (f"{'':<18}link confirmed by agent:foundations: stated by a partner in"
            " https://partner.example.org/guide/evidence-table") in explanation_lines(explanation)


@pytest.mark.parametrize("name", ["good_nquads", "good_ntriples", "good_rdfxml", "good_jsonld"])
def test_every_rdf_format_lands_the_same_batch_as_turtle(data, tmp_path, name):
    turtle = ingest(case("good_rdf"), "foundations", data=data, into=tmp_path / "turtle")
    other = ingest(case(name), "foundations", data=data, into=tmp_path / name)
    assert other.target.name == "partner.trig"
    assert other.target.read_text(encoding="utf-8") == turtle.target.read_text(encoding="utf-8")


WARNING = ("The data folder already has 1 violation the batch does not add (e.g. study:old-trial: The arms add up to"
           " 120 (60 + 60), more than the sample size of 100: correct ev:interventionArmSize, ev:controlArmSize or"
           " ev:sampleSize to what the source says.); they do not block the ingest.")


def test_violations_the_data_folder_already_has_warn_but_do_not_block(data):
    shutil.copy(CASES / "existing_violation" / "old-trial.ttl", data / "old-trial.ttl")
    result = ingest(case("good"), "foundations", data=data)
    assert result.written
    assert result.warnings == [WARNING]


def test_violations_the_batch_adds_still_block_when_the_folder_has_others(data):
    shutil.copy(CASES / "existing_violation" / "old-trial.ttl", data / "old-trial.ttl")
    before = snapshot(data)
    with pytest.raises(IngestError) as refused:
        ingest(case("non_conforming"), "foundations", data=data)
    assert refused.value.problems == [f"{CASES / 'non_conforming'}/{BAD['non_conforming']}"]
    assert snapshot(data) == before


def test_cli_prints_the_existing_violations_warning(data):
    shutil.copy(CASES / "existing_violation" / "old-trial.ttl", data / "old-trial.ttl")
    result = CliRunner().invoke(app, ["ingest", *map(str, case("good")), "--partner", "foundations",
                                      "--data", str(data), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Warning: {WARNING}" in " ".join(result.output.split())
