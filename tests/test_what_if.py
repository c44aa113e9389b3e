"""What-if: verdicts under named assumptions (assumptions/*.rq or a partner's file), never recorded as facts."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.lineage.what_if import bundled, find, what_if
from evgraph.rules import derive, read_evidence
from evgraph.terms import IRI
from conftest import fixture_data_dir

EX = "https://example.org/evgraph-test/"


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    """tests/fixtures/what_if_claims.ttl: three claims, each missing a fact an assumption supplies."""
    from evgraph.store import load_store

    return load_store(data=fixture_data_dir(tmp_path_factory.mktemp("what-if"), "what_if_claims"))


def _changes(answer) -> list[tuple]:
    return [(c.level, c.criterion, c.without, c.with_, c.by, c.jointly) for c in answer.criteria]


def test_the_bundled_assumptions_are_documented_data():
    assert [(a.name, a.summary) for a in bundled()] == [
        ("candidates-confirmed", "Count curation's candidate links as confirmed"),
        ("high-income-comparable", "Treat the high-income countries of the World Bank's list as comparable to the UK"),
        ("rob-low-when-rct", "Take a randomised controlled trial with no appraisal to be at low risk of bias"),
    ]
    assert all(a.query is not None and a.query.form == "CONSTRUCT" and len(a.description) > 100 for a in bundled())


def test_high_income_comparable_settles_the_country_of_a_us_trial(claims):
    answer = what_if(claims, [find("high-income-comparable")], IRI(f"{EX}rec-us"))[IRI(f"{EX}rec-us")]
    assert (answer.verdict_without, answer.verdict_with, answer.derived_without, answer.derived_with) == (
        "cannot-verify", "consistent", None, "promising")
    assert _changes(answer) == [("promising", "country: UK or a comparable high-income country", "unknown", "met",
                                 ("high-income-comparable",), False)]


def test_rob_low_when_rct_settles_an_unappraised_trial(claims):
    subject = IRI(f"{EX}rec-unappraised")
    answer = what_if(claims, [find("rob-low-when-rct")], subject)[subject]
    assert (answer.verdict_without, answer.verdict_with) == ("cannot-verify", "consistent")
    assert _changes(answer) == [("promising", "risk of bias at most moderate", "unknown", "met",
                                 ("rob-low-when-rct",), False)]


def test_each_criterion_names_the_assumptions_it_needs(claims):
    subject = IRI(f"{EX}rec-proposed")
    chosen = [find(name) for name in ("candidates-confirmed", "high-income-comparable", "rob-low-when-rct")]
    answer = what_if(claims, chosen, subject)[subject]
    assert (answer.verdict_without, answer.verdict_with) == ("cannot-verify", "consistent")
    assert _changes(answer) == [
        ("promising", "at least 1 distinct study", "unknown", "met", ("candidates-confirmed",), False),
        ("promising", "country: UK or a comparable high-income country", "unknown", "met",
         ("candidates-confirmed", "high-income-comparable"), True),
        ("promising", "design: quasi-experimental design or randomised controlled trial", "unknown", "met",
         ("candidates-confirmed",), False),
        ("promising", "risk of bias at most moderate", "unknown", "met", ("candidates-confirmed", "rob-low-when-rct"),
         True),
    ]


def test_a_partner_file_is_an_assumption(claims, tmp_path):
    partner = tmp_path / "partner-appraisal.ttl"
    partner.write_text(f"<{EX}partner-appraisal> <https://w3id.org/evgraph/ontology#appraises> <{EX}trial-uk> ;\n"
                       "  <https://w3id.org/evgraph/ontology#riskOfBias> "
                       "<https://w3id.org/evgraph/scheme/risk-of-bias/moderate> .\n", encoding="utf-8")
    subject = IRI(f"{EX}rec-unappraised")
    answer = what_if(claims, [find(str(partner))], subject)[subject]
    assert (answer.verdict_with, answer.used[0].name) == ("consistent", "partner-appraisal")


def test_assumptions_never_touch_the_store(claims):
    before, graphs = claims.dump(), claims.graph_sizes()
    what_if(claims, bundled())
    assert claims.dump() == before and claims.graph_sizes() == graphs
    assert not any("/graph/assumption/" in str(g) for g in graphs)


def test_an_unknown_assumption_is_a_sentence(tmp_path):
    result = CliRunner().invoke(app, ["why", f"{EX}rec-us", "--assume", "everything-is-fine",
                                      "--data", str(fixture_data_dir(tmp_path, "what_if_claims"))])
    assert result.exit_code == 2
    assert ("No assumption is called 'everything-is-fine', and it is not a .rq, .ttl, .trig, .nt or .nq file."
            in result.output)
    assert "Assumptions: candidates-confirmed, high-income-comparable, rob-low-when-rct." in result.output


def test_why_json_gives_the_verdict_with_and_without(tmp_path):
    result = CliRunner().invoke(app, ["why", f"{EX}rec-us", "--assume", "high-income-comparable", "--format", "json",
                                      "--data", str(fixture_data_dir(tmp_path, "what_if_claims"))])
    assert result.exit_code == 0, result.output
    [explanation] = json.loads(result.output)
    assumed = explanation["assumed"]
    assert explanation["verdict"] == "cannot-verify"
    assert (assumed["verdict_without"], assumed["verdict_with"], [a["name"] for a in assumed["assumptions"]]) == (
        "cannot-verify", "consistent", ["high-income-comparable"])


def test_why_text_says_it_is_a_what_if(tmp_path):
    result = CliRunner().invoke(app, ["why", f"{EX}rec-unappraised", "--assume", "rob-low-when-rct",
                                      "--data", str(fixture_data_dir(tmp_path, "what_if_claims"))])
    assert ("Assuming        rob-low-when-rct (what-if, not evidence)\n"
            "                verdict cannot-verify → consistent; derived level none → promising\n"
            "                promising: risk of bias at most moderate: unknown → met (rob-low-when-rct)\n") in result.output


def test_audit_under_an_assumption_counts_both_ways(tmp_path):
    result = CliRunner().invoke(app, ["audit", "--assume", "high-income-comparable", "--format", "json",
                                      "--data", str(fixture_data_dir(tmp_path, "what_if_claims"))])
    assumed = json.loads(result.output)["assumed"]
    assert assumed["summary_without"]["cannot-verify"] == 3 and assumed["summary_with"]["cannot-verify"] == 2
    assert [(c["label"], c["verdict_with"]) for c in assumed["changed"]] == [("US trial", "consistent")]


def test_candidates_confirmed_is_the_same_what_if_as_why_if_confirmed(bundled_store):
    evidence = read_evidence(bundled_store)
    answers = what_if(bundled_store, [find("candidates-confirmed")])
    assert len(answers) == 72
    for iri, answer in answers.items():
        counted = derive(evidence, evidence.claims[iri], count_candidates=True)
        assert (answer.verdict_with, answer.derived_with) == (
            counted.verdict.value, evidence.label(counted.derived) if counted.derived else None), iri
