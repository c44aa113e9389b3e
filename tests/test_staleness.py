"""Stale claims (queries/stale-claims.rq in the audit): dated before a later report of a null or unfavourable finding."""

from __future__ import annotations

import json

import pytest
from conftest import fixture_data_dir
from typer.testing import CliRunner

from evgraph import queries, render
from evgraph.audit import Audit, run_audit
from evgraph.cli import app

EX = "https://example.org/evgraph-test/"
ID = "https://w3id.org/evgraph/id/"


@pytest.fixture
def audit(fixture_store) -> Audit:
    """The audit of tests/fixtures/stale_claims.trig."""
    return run_audit(fixture_store("stale_claims.trig"))


def _stale(audit: Audit) -> list[tuple[str, str]]:
    return [(f.subject, f.reason) for f in audit.findings if f.verdict == "stale"]


def test_each_stale_claim_is_one_finding_naming_its_date_and_each_later_finding(audit):
    # rating-reading's null report (2020) cannot be ordered against its review (2020-03): no finding. Nor
    # for the superseded 2016 rating, the favourable findings, the 2016 report or rec-unlinked.
    assert audit.summary["stale"] == 3
    assert _stale(audit) == [
        (f"{EX}rating-family-therapy",
         ("reviewed 2018-02, before Cost paper (2019-06) found: Higher costs than usual care (favours the control);"
          " Follow-up paper (2020) found: No difference in convictions at 5 years (no detectable effect) and"
          " No difference in school exclusions at 5 years (no detectable effect)")),
        (f"{EX}rec-mentoring",
         ("guide issued 2021-06-30, before Mentoring paper (2022-01) found: More offending among mentored children"
          " (favours the control)")),
        (f"{EX}rating-family-therapy-issued",
         ("issued 2019-07-20, before Follow-up paper (2020) found: No difference in convictions at 5 years"
          " (no detectable effect) and No difference in school exclusions at 5 years (no detectable effect)")),
    ]
    finding = next(f for f in audit.findings if f.subject == f"{EX}rec-mentoring")
    assert (finding.label, finding.missing) == ("Offer mentoring", [])
    assert finding.explanation.subject["label"] == "Offer mentoring"


def test_stale_findings_are_in_every_audit_format(audit):
    assert "[stale] Offer mentoring  <https://example.org/evgraph-test/rec-mentoring>" in render.audit_lines(audit)
    assert "\n## [stale] Offer mentoring\n" in render.audit_markdown(audit)
    assert "<span class='verdict stale'>stale</span>Offer mentoring</h2>" in render.audit_html(audit)
    data = json.loads(json.dumps(audit.to_json()))
    assert data["summary"]["stale"] == 3
    assert [f["subject"] for f in data["findings"] if f["verdict"] == "stale"] == [
        f"{EX}rating-family-therapy", f"{EX}rec-mentoring", f"{EX}rating-family-therapy-issued"]


def test_audit_can_fail_on_stale_claims(tmp_path):
    folder = fixture_data_dir(tmp_path, "stale_claims.trig")
    result = CliRunner().invoke(app, ["audit", "--data", str(folder), "--fail-on", "stale"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == ("Verdicts    consistent 0 · overclaim 0 · underclaim 0 · cannot-verify 7 · no-rule 0"
                        " · single-trial 0 · single-candidate 0 · stale 3")
    assert lines[-1] == "Failing: stale (3)."


# -- the bundled data -------------------------------------------------------------------------------


def test_the_mst_rating_is_stale_against_the_start_trial(bundled_store):
    assert _stale(run_audit(bundled_store)) == [
        (f"{ID}rating/multisystemic-therapy",
         ("reviewed 2018-02, before Fonagy et al. (2020), Health Soc Care Deliv Res 8(23) (2020) found:"
          " No difference in criminal convictions at 5 years (START II) (no detectable effect)"))]
    rows = [row for row in queries.run(bundled_store, "stale-claims")
            if row["subject"] == f"{ID}rating/multisystemic-therapy"]
    # The 2018 Lancet report cannot be ordered against a review of February 2018, so it is shown, not counted.
    assert [(str(r["claimDate"]), str(r["claimDateOf"]), str(r["study"]), str(r["report"]), str(r["reportDate"]),
             str(r["order"])) for r in rows] == [
        ("2018-02", f"{ID}intervention/multisystemic-therapy", f"{ID}study/mst-start-fonagy-2018",
         f"{ID}report/fonagy-2020-hsdr-start-ii", "2020", "later"),
        ("2018-02", f"{ID}intervention/multisystemic-therapy", f"{ID}study/mst-start-fonagy-2018",
         f"{ID}report/fonagy-2018-lancet-psychiatry", "2018", "unknown"),
    ]
