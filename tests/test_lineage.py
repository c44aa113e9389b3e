"""Lineage over the provenance projection: impact, withdrawal and weak points, exact on a small fixture."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.lineage.impact import impact_of
from evgraph.lineage.projection import provenance_graph
from evgraph.lineage.weak_points import weak_points_of
from conftest import fixture_data_dir

EX = "https://example.org/evgraph-test/"


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """tests/fixtures/lineage_chain.ttl: two guides over four trials (its comments say who rests on what)."""
    from evgraph.store import load_store

    return load_store(data=fixture_data_dir(tmp_path_factory.mktemp("lineage"), "lineage_chain"))


def _short(iri: str) -> str:
    return iri.removeprefix(EX)


def _paths(result) -> dict[str, tuple[str, str]]:
    """Each dependent: its support, and its path written as ``a -relation-> b``."""
    written = {}
    for dependent in result.to_json()["dependents"]:
        parts = []
        for step in dependent["path"]:
            parts.append(_short(step["iri"]))
            if step["relation"]:
                parts.append(f"-{step['relation']}{'?' if step['link'] == 'candidate' else ''}->")
        written[_short(dependent["iri"])] = (dependent["support"], " ".join(parts))
    return written


def _withdrawn(result) -> dict[str, tuple]:
    return {_short(w["iri"]): (w["published"], w["derived_before"], w["derived_after"], w["verdict_before"],
                               w["verdict_after"], [_short(s) for s in w["lost_confirmed"]],
                               [_short(s) for s in w["lost_candidates"]])
            for w in result.to_json()["withdrawn"]}


# -- the projection ---------------------------------------------------------------------------------------


def test_the_projection_has_the_edges_the_query_returns(chain):
    graph = provenance_graph(chain)
    edges = {(_short(a), _short(b)): (d["relations"], d["link"]) for a, b, d in graph.edges(data=True)}
    assert edges[("rec-proposed", "trial-c")] == (("ev:proposedStudy",), "candidate")
    assert edges[("rec-two-trials", "trial-b")] == (("ev:supportedBy",), "confirmed")
    assert edges[("guide-a", "rec-one-trial")] == (("^ev:inGuidance",), "confirmed")
    assert edges[("trial-a", "paper-a")] == (("^ev:reportsStudy",), "confirmed")
    assert edges[("team", "guide-b")] == (("^dct:publisher",), "confirmed")
    assert graph.nodes[f"{EX}guide-a"] == {"kind": "guide", "label": "Guide A"}
    assert graph.number_of_edges() == 20


# -- impact ------------------------------------------------------------------------------------------------


def test_dependents_of_a_study_with_their_paths(chain):
    assert _paths(impact_of(chain, f"{EX}trial-a")) == {
        "guide-a": ("confirmed", "guide-a -^ev:inGuidance-> rec-one-trial -ev:supportedBy-> trial-a"),
        "review": ("confirmed", "review -ev:includes-> trial-a"),
        "rec-one-trial": ("confirmed", "rec-one-trial -ev:supportedBy-> trial-a"),
        "rec-two-trials": ("confirmed", "rec-two-trials -ev:supportedBy-> trial-a"),
    }


def test_a_dependent_reached_only_through_a_candidate_says_so(chain):
    assert _paths(impact_of(chain, "Trial C")) == {
        "guide-a": ("candidate", "guide-a -^ev:inGuidance-> rec-proposed -ev:proposedStudy?-> trial-c"),
        "rec-proposed": ("candidate", "rec-proposed -ev:proposedStudy?-> trial-c"),
    }


def test_a_report_is_rested_on_through_its_study(chain):
    assert _paths(impact_of(chain, f"{EX}paper-a"))["rec-one-trial"] == (
        "confirmed", "rec-one-trial -ev:supportedBy-> trial-a -^ev:reportsStudy-> paper-a")


def test_withdrawing_a_study_lowers_what_rested_on_it(chain):
    assert _withdrawn(impact_of(chain, f"{EX}trial-b", withdraw=True)) == {
        "rec-two-trials": ("good", "good", "promising", "consistent", "cannot-verify", ["trial-b"], []),
    }


def test_withdrawing_a_candidate_changes_only_the_what_if(chain):
    result = impact_of(chain, f"{EX}trial-c", withdraw=True).to_json()
    [claim] = result["withdrawn"]
    assert (claim["verdict_before"], claim["verdict_after"], claim["lost_candidates"]) == (
        "cannot-verify", "cannot-verify", [f"{EX}trial-c"])
    assert claim["counting_candidates"] == {"derived_before": "promising", "derived_after": None,
                                            "verdict_before": "consistent", "verdict_after": "cannot-verify"}


def test_withdrawing_an_intervention_takes_out_all_its_studies(chain):
    result = impact_of(chain, f"{EX}programme", withdraw=True)
    assert [_short(s) for s in result.to_json()["withdrawn_studies"]] == ["trial-a", "trial-b"]
    assert _withdrawn(result) == {
        "rec-one-trial": ("promising", "promising", None, "consistent", "cannot-verify", ["trial-a"], []),
        "rec-two-trials": ("good", "good", None, "consistent", "cannot-verify", ["trial-a", "trial-b"], []),
    }


def test_withdrawing_a_review_takes_out_its_appraisals(chain):
    withdrawn = _withdrawn(impact_of(chain, f"{EX}review", withdraw=True))
    assert sorted(withdrawn) == ["rec-one-trial", "rec-only", "rec-proposed", "rec-two-trials"]
    assert withdrawn["rec-only"] == ("promising", "promising", None, "consistent", "cannot-verify", [], [])


def test_withdrawing_a_report_keeps_its_study(chain):
    result = impact_of(chain, f"{EX}paper-a", withdraw=True)
    assert result.withdrawn == [] and result.withdrawn_studies == []


def test_impact_text_names_paths_and_changes(chain, tmp_path):
    folder = fixture_data_dir(tmp_path, "lineage_chain")
    result = CliRunner().invoke(app, ["impact", f"{EX}trial-b", "--withdraw", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Impact of study Trial B <{EX}trial-b>\n\n"
        "Rests on it (2):\n"
        f"  guide          Guide A <{EX}guide-a>\n"
        f"                 {EX}guide-a --^ev:inGuidance--> {EX}rec-two-trials --ev:supportedBy--> {EX}trial-b\n"
        f"  recommendation Two trials <{EX}rec-two-trials>\n"
        f"                 {EX}rec-two-trials --ev:supportedBy--> {EX}trial-b\n\n"
        "If withdrawn (taking out the study):\n"
        f"  Two trials <{EX}rec-two-trials>\n"
        "    published: good\n"
        f"    loses: confirmed {EX}trial-b\n"
        "    rules: derived good → promising; verdict consistent → cannot-verify\n"
        "    counting candidates as confirmed: derived good → promising; verdict consistent → cannot-verify\n")


def test_impact_of_a_recommendation_is_refused_with_a_sentence(tmp_path):
    folder = fixture_data_dir(tmp_path, "lineage_chain")
    result = CliRunner().invoke(app, ["impact", f"{EX}rec-one-trial", "--data", str(folder)])
    assert result.exit_code == 2
    assert f"No study, report, evidence review or intervention has the IRI {EX}rec-one-trial." in result.output


# -- weak points -------------------------------------------------------------------------------------------


def test_weak_points_keep_one_confirmed_study_apart_from_one_recorded(chain):
    weak = weak_points_of(chain).to_json()
    assert [(_short(c["iri"]), _short(c["study"])) for c in weak["one_confirmed_study"]] == [
        ("rec-one-trial", "trial-a"), ("rec-only", "trial-d")]
    assert [(_short(c["iri"]), _short(c["study"])) for c in weak["one_recorded_study"]] == [
        ("rec-proposed", "trial-c")]


def test_weak_points_rank_studies_by_the_claims_on_them(chain):
    studies = weak_points_of(chain, top=2).to_json()["studies"]
    assert [(_short(s["iri"]), [_short(c) for c in s["claims_confirmed"]], s["claims_candidate"])
            for s in studies] == [("trial-a", ["rec-one-trial", "rec-two-trials"], []), ("trial-b", ["rec-two-trials"], [])]


def test_articulation_points_and_bridges_say_what_they_cut_off(chain):
    weak = weak_points_of(chain).to_json()
    points = [(_short(p["nodes"][0]["iri"]), [(_short(c["guide"]), c["whole"], [_short(s) for s in c["studies_lost"]])
                                             for c in p["cuts"]]) for p in weak["articulation_points"]]
    assert points == [
        ("rec-only", [("guide-b", True, ["trial-d"])]),
        ("rec-proposed", [("guide-a", False, ["trial-c"])]),
        ("rec-two-trials", [("guide-a", False, ["trial-b"])]),
    ]
    bridges = [(tuple(_short(n["iri"]) for n in b["nodes"]), b["relation"]) for b in weak["bridges"]]
    assert bridges == [
        (("guide-b", "rec-only"), "^ev:inGuidance"),
        (("rec-only", "trial-d"), "ev:supportedBy"),
        (("guide-a", "rec-proposed"), "^ev:inGuidance"),
        (("rec-proposed", "trial-c"), "ev:proposedStudy"),
        (("rec-two-trials", "trial-b"), "ev:supportedBy"),
    ]


def test_weak_points_json_is_byte_identical_across_runs(tmp_path):
    folder = fixture_data_dir(tmp_path, "lineage_chain")
    outputs = {CliRunner().invoke(app, ["weak-points", "--format", "json", "--data", str(folder)]).output
               for _ in range(2)}
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["bridges"][0]["cuts"][0]["whole"] is True


# -- the bundled data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", ["fhf-pilot", "fhf-efficacy"])
def test_withdrawing_a_fostering_healthy_futures_trial_lists_the_mentoring_recommendations(bundled_store, trial):
    result = impact_of(bundled_store, f"study:{trial}", withdraw=True).to_json()
    lost = {w["iri"].rsplit("/", 1)[-1] for w in result["withdrawn"]}
    assert {"mb-offending", "mb-mental-health-skills-and-mentoring"} <= lost
    assert all(w["lost_candidates"] == [f"https://w3id.org/evgraph/id/study/{trial}"] for w in result["withdrawn"])
    assert "https://w3id.org/evgraph/id/guidance/mentoring-and-befriending" in {d["iri"] for d in result["dependents"]}


def test_weak_points_list_reports_of_one_trial_entered_as_separate_studies(fixture_store):
    weak = weak_points_of(fixture_store("duplicate_studies.trig")).to_json()
    assert [(_short(d["study"]), _short(d["other"]), d["basis"]) for d in weak["possible_duplicate_studies"]] == [
        ("home-visiting-follow-up", "home-visiting-trial", "same DOI"),
        ("mentoring-evaluation", "mentoring-trial", "same intervention, country, arm sizes and year"),
        ("skills-trial", "skills-trial-again", "same DOI; same intervention, country, arm sizes and year"),
    ]
