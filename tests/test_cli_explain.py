"""`why`, `trace`, `audit`, `queries` and `query` on the bundled data: content, not just exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evgraph.cli import app

runner = CliRunner()
ID = "https://w3id.org/evgraph/id/"
NAVIGATOR = "rec:kinship-navigator-programmes"


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_why_recommendation_text():
    result = invoke("why", NAVIGATOR)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Recommendation  Kinship: specialist help to find and access support (navigator programmes)"
                        "   (Kinship Care Practice Guide, Foundations - What Works Centre for Children & Families, 2024-10-14)")
    assert "Published       good (as stated: good evidence) — Foundations practice-guide evidence strength" in lines
    assert ("Check           ? at least 2 distinct studies (unknown) — missing: which studies it rests on:"
            " 0 confirmed, 2 needed; 7 proposed by curation but not confirmed") in lines
    assert "Verdict         cannot-verify: facts needed to check the published level are missing" in lines
    assert any(line.startswith("                ~ Colorado Kinnected kinship navigator RCT (2020)") for line in lines)
    assert "Sources         https://anrows.intersearch.com.au/anrowsjspui/handle/1/22850" in lines


def test_why_json_has_the_documented_keys():
    result = invoke("why", NAVIGATOR, "--format", "json")
    [data] = json.loads(result.output)  # always a list, even of one
    assert {"subject", "published", "criteria", "derived", "verdict", "reviews", "studies", "sources"} <= set(data)
    assert data["subject"]["iri"] == ID + "recommendation/kinship-navigator-programmes"
    assert {k: data["published"][k] for k in ("level", "by", "in", "date")} == {
        "level": "good", "by": "Foundations - What Works Centre for Children & Families",
        "in": "Kinship Care Practice Guide", "date": "2024-10-14"}
    assert data["verdict"] == "cannot-verify"
    assert len(data["studies"]) == 7 and {s["link"] for s in data["studies"]} == {"candidate"}
    assert set(data["studies"][0]) >= {"iri", "label", "design", "country", "intervention_arm", "control_arm",
                                        "risk_of_bias", "appraised_by", "reports"}


def test_why_intervention_covers_rating_with_its_named_studies():
    result = invoke("why", "intervention:multisystemic-therapy", "--format", "json")
    data = json.loads(result.output)
    data = data if isinstance(data, list) else [data]
    [rating] = [e for e in data if e["subject"]["iri"] == ID + "rating/multisystemic-therapy"]
    assert rating["published"]["as_stated"] == "4+*"
    assert sorted(s["label"].split(" (")[0] for s in rating["studies"] if s["link"] == "confirmed") == [
        "Borduin et al. 1995", "Butler et al. 2011", "Ogden et al. 2004", "Sundell 2008"]
    assert "design of Butler et al. 2011 (UK study of MST named on the EIF page)" in rating["missing"]


def test_why_markdown():
    result = invoke("why", NAVIGATOR, "--format", "markdown")
    assert result.output.startswith("### Kinship: specialist help to find and access support (navigator programmes)\n")
    assert "- **Verdict:** `cannot-verify`" in result.output


def test_why_ambiguous_lists_candidates_and_exits_2():
    result = invoke("why", "kinship navigator")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: 'kinship navigator' matches 12 things; name one of them:"
    assert f"<{ID}intervention/colorado-kinnected>" in result.output


def test_why_nothing_found_suggests_labels_and_exits_2():
    result = invoke("why", "Fostering Helthy Futures for Preteens")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: Nothing matches 'Fostering Helthy Futures for Preteens'."
    assert result.output.splitlines()[1].startswith("Nearest names: Fostering Healthy Futures for Preteens")


def test_trace_shows_lineage_without_a_verdict():
    result = invoke("trace", NAVIGATOR)
    assert result.exit_code == 0
    assert "Based on        What interventions improve outcomes for kinship carers" in result.output
    assert "Verdict" not in result.output and "Check " not in result.output


@pytest.fixture(scope="module")
def audit_json():
    """The JSON audit of the bundled data, run once."""
    result = invoke("audit", "--format", "json")
    assert result.exit_code == 0
    return json.loads(result.output)


def test_audit_json_summary_and_findings(audit_json):
    assert audit_json["summary"] == {"consistent": 0, "overclaim": 0, "underclaim": 0, "cannot-verify": 62,
                                     "no-rule": 10, "single-trial": 0, "single-candidate": 16, "stale": 1}
    verdicts = {(f["subject"], f["verdict"]) for f in audit_json["findings"]}
    assert (ID + "recommendation/kinship-navigator-programmes", "cannot-verify") in verdicts
    finding = next(f for f in audit_json["findings"] if f["subject"] == ID + "recommendation/mb-reunification"
                   and f["verdict"] == "cannot-verify")
    assert finding["missing"][0] == ("which studies it rests on: 0 confirmed, 1 needed;"
                                     " 1 proposed by curation but not confirmed")
    assert finding["trace"]["sources"]


def test_audit_text_lists_counts_then_findings():
    result = invoke("audit")
    lines = result.output.splitlines()
    assert lines[0] == ("Verdicts    consistent 0 · overclaim 0 · underclaim 0 · cannot-verify 62 · no-rule 10"
                        " · single-trial 0 · single-candidate 16 · stale 1")
    assert lines[2].startswith("[stale] ")
    assert [line.split("] ")[0] for line in lines if line.startswith("[")][-1] == "[single-candidate"


def test_audit_fail_on_gates_on_verdicts_that_occur():
    assert invoke("audit", "--format", "json", "--fail-on", "overclaim").exit_code == 0
    failing = invoke("audit", "--format", "json", "--fail-on", "cannot-verify")
    assert failing.exit_code == 1
    unknown = invoke("audit", "--fail-on", "wrong")
    assert unknown.exit_code == 2
    assert unknown.output.splitlines()[0] == "Error: Unknown verdict wrong for --fail-on."


def test_audit_html_is_one_self_contained_file(tmp_path):
    out = tmp_path / "audit.html"
    result = invoke("audit", "--format", "html", "--out", str(out))
    assert result.exit_code == 0
    assert result.output == f"Wrote {out} (79 findings).\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "Kinship: specialist help to find and access support (navigator programmes)" in page
    assert [p.name for p in tmp_path.iterdir()] == ["audit.html"]


def test_audit_out_into_a_missing_folder_fails_cleanly(tmp_path):
    result = invoke("audit", "--format", "markdown", "--out", str(tmp_path / "absent" / "audit.md"))
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"Error: Cannot write {tmp_path / 'absent' / 'audit.md'}: the folder {tmp_path / 'absent'} does not exist."


def test_queries_json_lists_the_catalogue():
    data = json.loads(invoke("queries", "--format", "json").output)
    names = [q["name"] for q in data]
    assert {"trace-recommendation", "why-rating", "overclaims", "organisation-lineage"} <= set(names)
    why = next(q for q in data if q["name"] == "why-rating")
    assert [p["name"] for p in why["params"]] == ["rating"]
    assert set(why) == {"name", "title", "description", "params"}


def test_query_json_is_w3c_results_format():
    result = invoke("query", "why-rating", "-p", "rating=rating:incredible-years-preschool", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert "rating" in data["head"]["vars"]
    assert {b["rating"]["value"] for b in data["results"]["bindings"]} == {ID + "rating/incredible-years-preschool"}


def test_query_missing_parameter_lists_the_parameters():
    result = invoke("query", "why-rating")
    assert result.exit_code == 2
    assert result.output.splitlines() == ["Error: Missing parameter 'rating' for query 'why-rating'.",
                                          "'why-rating' takes: rating (iri)."]


def test_query_unknown_name():
    result = invoke("query", "no-such-query")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: No query named 'no-such-query'."


def test_query_parameter_must_be_key_value():
    result = invoke("query", "why-rating", "-p", "rating")
    assert result.exit_code == 2
    assert result.output == "Error: Parameter 'rating' is not key=value.\n"


def test_why_an_unrated_practice_model_lists_its_evaluations():
    result = invoke("why", "intervention:family-safeguarding")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:2] == ["Intervention    Family Safeguarding", "Published       nothing published"]
    assert "Status          no rating or recommendation about this intervention is recorded" in lines
    assert any(line.startswith("                · Family Safeguarding Model trial evaluation (SFPC roll-out)")
               for line in lines)
