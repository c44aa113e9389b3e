"""What the library computes and what the query files say agree: one meaning, however it is asked."""

from __future__ import annotations

import pytest

from evgraph import queries, rules
from evgraph.audit import run_audit
from evgraph.store import Store, load_store

from conftest import fixture_data_dir


@pytest.fixture(scope="module", params=["catalogue", "bundled"])
def derived_store(request, tmp_path_factory) -> Store:
    """A store with the rules' derived graph materialised: the catalogue fixture, then the bundled data."""
    if request.param == "bundled":
        store = load_store()
    else:
        store = load_store(data=fixture_data_dir(tmp_path_factory.mktemp("agreement"), "catalogue"))
    rules.add_derivations(store)
    return store


def test_audit_and_the_overclaims_query_agree(derived_store):
    audit = run_audit(derived_store)
    listed = {f.subject for f in audit.findings if f.verdict == "overclaim"}
    rows = queries.run(derived_store, "overclaims")
    assert {str(r["subject"]) for r in rows} == listed
    assert len(listed) == audit.summary["overclaim"]
    by_subject = {f.subject: f.reason for f in audit.findings if f.verdict == "overclaim"}
    assert all(str(r["reason"]) == by_subject[str(r["subject"])] for r in rows)


def test_audit_and_the_unverifiable_query_agree(derived_store):
    audit = run_audit(derived_store)
    cannot = {f.subject: f for f in audit.findings if f.verdict == "cannot-verify"}
    rows = queries.run(derived_store, "unverifiable")
    assert {str(r["subject"]) for r in rows} == set(cannot)
    missing = {(str(r["subject"]), str(r["missingFact"])) for r in rows if r["missingFact"] is not None}
    assert missing == {(subject, fact) for subject, f in cannot.items() for fact in f.missing}


def test_rules_and_catalogue_count_the_same_studies_behind_each_claim(derived_store):
    """claim-evidence.rq is the one definition; recommendations-by-strength and single-trial-claims agree."""
    evidence = rules.read_evidence(derived_store)
    counts = {str(r["recommendation"]): (int(str(r["confirmed"])), int(str(r["candidates"])))
              for r in queries.run(derived_store, "recommendations-by-strength")}
    recommendations = {str(c.iri): c for c in evidence.claims.values() if str(c.kind).endswith("#Recommendation")}
    assert set(counts) == set(recommendations)
    assert counts == {iri: (len(c.confirmed), len(c.candidates)) for iri, c in recommendations.items()}
    single = {str(r["subject"]) for r in queries.run(derived_store, "single-trial-claims")}
    assert single == {str(c.iri) for c in evidence.claims.values() if len(set(c.confirmed) | set(c.candidates)) == 1}


SUBJECT_QUERIES = ["internal/study-facts", "internal/study-appraisals", "internal/study-findings",
                   "internal/study-reports"]


@pytest.mark.parametrize("name", SUBJECT_QUERIES)
def test_study_queries_reach_exactly_the_studies_claim_evidence_names(derived_store, name):
    linked = {(r["subject"], r["study"]) for r in queries.run(derived_store, "internal/claim-evidence")}
    reached = {(r["subject"], r["study"]) for r in queries.run(derived_store, name)}
    assert reached <= linked
    if name == "internal/study-facts":
        assert reached == linked  # every study has a label at least


def test_the_level_criteria_query_and_the_shapes_cover_every_criterion():
    from rdflib import Graph, URIRef

    from evgraph.paths import Layout

    columns = set(queries.run(load_store(data=None), "level-criteria").variables)
    shapes = Graph()
    for path in sorted(Layout.default().shapes.rglob("*.ttl")):
        shapes.parse(path)
    constrained = {str(o) for o in shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#path"))}
    for prop in rules.CRITERION_PROPERTIES:
        assert str(prop).rsplit("#", 1)[-1] in columns, f"level-criteria.rq has no column for {prop}"
        assert str(prop) in constrained, f"no shape constrains {prop}"
