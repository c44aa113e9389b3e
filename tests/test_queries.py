"""The auditors' query catalogue (queries/*.rq): headers, exact answers on a small graph, safe parameters."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from evgraph import queries, rules
from evgraph.errors import QueryError
from evgraph.namespaces import EV
from evgraph.paths import Layout
from evgraph.store import Store, load_store
from evgraph.store.sparql_store import with_values
from evgraph.terms import IRI as URIRef

from conftest import FIXTURES, fixture_data_dir

EX = "https://example.org/evgraph-test/"
QUERIES = Layout.default().queries
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
STRING_PARAM_QUERY = FIXTURES / "ratings-by-stated-level.rq"

#: How the expected rows below write IRIs.
SHORT = {
    "ex:": EX,
    "ev:": str(EV),
    "orgn:": "https://w3id.org/evgraph/id/organisation/",
    "design:": "https://w3id.org/evgraph/scheme/design/",
    "country:": "https://w3id.org/evgraph/scheme/country/",
    "rob:": "https://w3id.org/evgraph/scheme/risk-of-bias/",
    "level:": "https://w3id.org/evgraph/scheme/guidebook-level/",
    "strength:": "https://w3id.org/evgraph/scheme/practice-guide-strength/",
    "basis:": "https://w3id.org/evgraph/scheme/rating-basis/",
    "direction:": "https://w3id.org/evgraph/scheme/effect-direction/",
    "ive:": "https://w3id.org/evgraph/scheme/title-iv-e/",
    "dct:": "http://purl.org/dc/terms/",
    "prov:": "http://www.w3.org/ns/prov#",
}

METHOD = "https://w3id.org/evgraph/scheme/method/"
SOURCETYPE = "https://w3id.org/evgraph/scheme/source-type/"
EV = "https://w3id.org/evgraph/ontology#"

#: Every parameter value the tests bind, per query: each must be declared, and each declared one is bound.
BOUND = {
    "trace-recommendation": {"recommendation": f"{EX}rec-confirmed"},
    "why-rating": {"rating": f"{EX}rating-consistent"},
    "studies-behind-intervention": {"intervention": f"{EX}programme"},
    "study-dependents": {"study": f"{EX}rct"},
    "fact-sources": {"node": f"{EX}trial-7", "property": "https://w3id.org/evgraph/ontology#sampleSize"},
}


def _short(value) -> str | None:
    if value is None:
        return None
    text = str(value)
    if isinstance(value, URIRef):
        for prefix, namespace in SHORT.items():
            if text.startswith(namespace):
                return prefix + text[len(namespace):]
    return text


def _body(text: str) -> str:
    """The SPARQL after the decorator header and comments."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """The catalogue fixture graph with the rules' derived graph added, as the CLI runs queries."""
    folder = tmp_path_factory.mktemp("catalogue") / "data"
    folder.mkdir()
    shutil.copy(FIXTURES / "catalogue.ttl", folder / "catalogue.ttl")
    shutil.copy(FIXTURES / "fact_sources.trig", folder / "fact_sources.trig")
    loaded = load_store(data=folder)
    rules.add_derivations(loaded)
    return loaded


def answer(store: Store, name: str, **params: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """A catalogue query's column names and rows, IRIs written short, unbound values as None."""
    assert set(params) <= set(BOUND.get(name, {})), "declare in BOUND every parameter a test binds"
    result = queries.run(store, name, params)
    return list(result.variables), [tuple(_short(value) for value in row) for row in result.tuples()]


# -- the catalogue files ---------------------------------------------------------------------------


def test_the_catalogue_has_the_auditors_questions():
    assert [q.name for q in queries.catalogue()] == [
        "fact-sources", "guide-vs-review", "inferred-ratings", "level-criteria", "non-uk-evidence-only", "organisation-lineage",
        "overclaims", "possible-duplicate-studies", "recommendations-by-strength", "reports-of-same-trial",
        "single-trial-claims", "stale-claims", "studies-behind-intervention", "study-dependents", "trace-recommendation",
        "unverifiable", "why-rating"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_documented_and_declares_what_it_uses(path: Path):
    text = path.read_text(encoding="utf-8")
    query = queries.parse_query(text, path.stem, path)  # raises QueryError on a bad header or bad SPARQL
    assert query.summary and query.description
    assert text.startswith("#+ summary: ")
    body = _body(text)
    for param in query.params:
        assert re.search(rf"\?{param.name}\b", body), f"parameter {param.name} is not a variable of the query"
        assert param.description and param.example
    assert {p.name for p in query.params} == set(BOUND.get(query.name, {}))
    _assert_a_select_declaring_every_prefix_it_uses(body)


def _assert_a_select_declaring_every_prefix_it_uses(body: str) -> None:
    assert re.search(r"^SELECT\b", body, re.MULTILINE) and re.search(r"^ORDER BY\b", body, re.MULTILINE)
    # Full PREFIX declarations, each one used: no reliance on an engine's built-in prefixes.
    declared = set(re.findall(r"^PREFIX\s+([A-Za-z][\w-]*):\s*<", body, re.MULTILINE))
    sparql = re.sub(r"<[^>\s]*>|\"[^\"]*\"", " ", re.sub(r"^PREFIX.*$", "", body, flags=re.MULTILINE))
    used = set(re.findall(r"(?<![\w?$])([A-Za-z][\w-]*):", sparql))
    assert used == declared


@pytest.mark.parametrize("path", sorted((QUERIES / "internal").glob("*.rq")), ids=lambda p: p.stem)
def test_internal_query_file_is_documented_and_declares_what_it_uses(path: Path):
    text = path.read_text(encoding="utf-8")
    query = queries.parse_query(text, f"internal/{path.stem}", path)
    assert text.startswith("#+ summary: ") and query.summary and query.description
    for param in query.params:
        assert re.search(rf"\?{param.name}\b", _body(text)), f"parameter {param.name} is not a variable of the query"
    _assert_a_select_declaring_every_prefix_it_uses(_body(text))


@pytest.mark.parametrize("name", sorted(BOUND))
def test_binding_a_parameter_means_what_a_values_clause_means(store, name):
    """rdflib binds parameters in place; any SPARQL 1.1 engine reads them as a top-level VALUES clause."""
    query = queries.get_query(name)
    bound = queries.bind(query, BOUND[name])
    expected = store.select(with_values(query.text, bound)).tuples()
    assert expected
    assert queries.run(store, query, BOUND[name]).tuples() == expected


def test_the_fixture_graph_gives_each_verdict(store):
    verdicts = {_short(d.subject): d.verdict.value for d in rules.derive_all(rules.read_evidence(store))}
    assert verdicts == {
        "ex:rating-consistent": "consistent",
        "ex:rating-overclaim": "overclaim",
        "ex:rating-underclaim": "underclaim",
        "ex:rec-candidate": "cannot-verify",
        "ex:rec-confirmed": "cannot-verify",
        "ex:rec-overclaim": "overclaim",
        "ex:rec-unrecorded": "cannot-verify",
    }


# -- exact answers on the fixture graph ------------------------------------------------------------


def test_trace_recommendation(store):
    columns, rows = answer(store, "trace-recommendation", recommendation=f"{EX}rec-confirmed")
    assert columns == ["recommendation", "label", "guidance", "guidanceTitle", "publisher", "review", "reviewTitle",
                       "link", "study", "studyLabel", "design", "country", "interventionArm", "controlArm",
                       "riskOfBias", "judgedIn", "judgedBy", "report", "reportTitle", "doi", "source"]
    assert {row[:7] for row in rows} == {("ex:rec-confirmed", "Offer the programme", "ex:guide",
                                          "Example practice guide", "orgn:foundations", "ex:review",
                                          "A systematic review")}
    rct = ("confirmed", "ex:rct", "Example RCT", "design:rct", "country:US", "79", "77", "rob:moderate", "ex:review",
           "ex:review-team")
    assert [row[7:] for row in rows] == [
        rct + ("ex:rct-paper-1", "Outcomes at six months", "10.1000/rct.1", None),
        rct + ("ex:rct-paper-2", "Outcomes at one year", "10.1000/rct.2", None),
        rct + ("ex:rct-paper-3", "Trial protocol", None, None),
        ("candidate", "ex:qed", "Example QED", "design:qed") + (None,) * 10,
        (None,) * 13 + ("https://example.org/source/guide",),
        (None,) * 13 + ("https://example.org/source/press-release",),
    ]


def test_why_rating(store):
    columns, rows = answer(store, "why-rating", rating=f"{EX}rating-consistent")
    assert columns == ["rating", "label", "intervention", "level", "levelLabel", "levelAsStated", "basis",
                       "inferred", "attributedTo", "link", "study", "studyLabel", "design", "country",
                       "interventionArm", "controlArm", "report", "reportTitle", "doi", "source"]
    assert {row[:9] for row in rows} == {("ex:rating-consistent", "Rating 3 on the RCT", "ex:programme", "level:3",
                                          "3", "3", "basis:read-directly", "false", "orgn:eif")}
    rct = ("confirmed", "ex:rct", "Example RCT", "design:rct", "country:US", "79", "77")
    assert [row[9:] for row in rows] == [
        rct + ("ex:rct-paper-1", "Outcomes at six months", "10.1000/rct.1", None),
        rct + ("ex:rct-paper-2", "Outcomes at one year", "10.1000/rct.2", None),
        rct + ("ex:rct-paper-3", "Trial protocol", None, None),
        ("candidate", "ex:pre-post", "Example pre-post study", "design:pre-post", "country:GB-ENG", None, None,
         "ex:pre-post-report", "A local evaluation", None, None),
        (None,) * 10 + ("https://example.org/source/rating-3",),
    ]


def test_studies_behind_intervention_count_each_trials_reports_once(store):
    columns, rows = answer(store, "studies-behind-intervention", intervention=f"{EX}programme")
    assert columns == ["intervention", "study", "studyLabel", "design", "country", "interventionArm", "controlArm",
                       "reports", "link", "evidenceFor", "evidenceForType", "evidenceForLabel"]
    pre_post = ("ex:programme", "ex:pre-post", "Example pre-post study", "design:pre-post", "country:GB-ENG", None,
                None, "1")
    rct = ("ex:programme", "ex:rct", "Example RCT", "design:rct", "country:US", "79", "77", "3")
    assert rows == [
        pre_post + ("candidate", "ex:rating-consistent", "ev:Rating", "Rating 3 on the RCT"),
        pre_post + ("candidate", "ex:rec-candidate", "ev:Recommendation", "Offer it to older children"),
        pre_post + ("confirmed", "ex:rating-overclaim", "ev:Rating", "Rating 3 on the pre-post study"),
        pre_post + ("confirmed", "ex:rec-overclaim", "ev:Recommendation", "Offer it in schools"),
        ("ex:programme", "ex:qed", "Example QED", "design:qed", None, None, None, "0",
         "candidate", "ex:rec-confirmed", "ev:Recommendation", "Offer the programme"),
        rct + ("confirmed", "ex:rating-consistent", "ev:Rating", "Rating 3 on the RCT"),
        rct + ("confirmed", "ex:rating-underclaim", "ev:Rating", "Rating 2 on the RCT"),
        rct + ("confirmed", "ex:rec-confirmed", "ev:Recommendation", "Offer the programme"),
    ]


def test_recommendations_by_strength(store):
    columns, rows = answer(store, "recommendations-by-strength")
    assert columns == ["recommendation", "label", "guidance", "guidanceTitle", "strength", "rank", "confirmed",
                       "candidates"]
    guide = ("ex:guide", "Example practice guide")
    assert rows == [
        ("ex:rec-candidate", "Offer it to older children") + guide + ("good", "2", "0", "1"),
        ("ex:rec-overclaim", "Offer it in schools") + guide + ("promising", "1", "1", "0"),
        ("ex:rec-confirmed", "Offer the programme") + guide + ("promising", "1", "1", "1"),
        ("ex:rec-unrecorded", "Train the workforce") + guide + ("not recorded", None, "0", "0"),
    ]


def test_overclaims(store):
    columns, rows = answer(store, "overclaims")
    assert columns == ["subject", "type", "label", "publishedLevel", "derivedLevel", "reason"]
    assert rows == [
        ("ex:rating-overclaim", "ev:Rating", "Rating 3 on the pre-post study", "3", "2",
         "the recorded studies support '2', below the published level, assuming the published level, which was"
         " inferred from the page rather than read"),
        ("ex:rec-overclaim", "ev:Recommendation", "Offer it in schools", "promising", "none",
         "the recorded studies support no level, below the published level"),
    ]


def test_unverifiable(store):
    columns, rows = answer(store, "unverifiable")
    assert columns == ["subject", "type", "label", "publishedLevel", "reason", "criterion", "missingFact"]
    missing = "facts needed to check the published level are missing"
    candidate = ("ex:rec-candidate", "ev:Recommendation", "Offer it to older children", "good", missing)
    assert rows == [
        candidate + ("at least 2 distinct studies",
                     "which studies it rests on: 0 confirmed, 2 needed; 1 proposed by curation but not confirmed"),
        candidate + ("at least 20 per arm", "no confirmed study to check"),
        candidate + ("country: UK or a comparable high-income country", "no confirmed study to check"),
        candidate + ("design: quasi-experimental design or randomised controlled trial", "no confirmed study to check"),
        candidate + ("risk of bias at most moderate", "no confirmed study to check"),
        ("ex:rec-confirmed", "ev:Recommendation", "Offer the programme", "promising", missing,
         "country: UK or a comparable high-income country",
         "whether United States counts as 'UK or a comparable high-income country' (Example RCT)"),
        ("ex:rec-unrecorded", "ev:Recommendation", "Train the workforce", None,
         "no published level is recorded, so there is nothing to check", None, None),
    ]


def test_single_trial_claims_count_confirmed_and_candidate_studies(store):
    columns, rows = answer(store, "single-trial-claims")
    assert columns == ["subject", "type", "label", "publishedLevel", "study", "studyLabel", "confirmed"]
    # rec-confirmed (one confirmed RCT, one candidate QED) and rating-consistent (RCT, candidate pre-post)
    # rest on two studies; rec-unrecorded on none.
    assert rows == [
        ("ex:rating-underclaim", "ev:Rating", "Rating 2 on the RCT", "2", "ex:rct", "Example RCT", "true"),
        ("ex:rating-overclaim", "ev:Rating", "Rating 3 on the pre-post study", "3", "ex:pre-post",
         "Example pre-post study", "true"),
        ("ex:rec-overclaim", "ev:Recommendation", "Offer it in schools", "promising", "ex:pre-post",
         "Example pre-post study", "true"),
        ("ex:rec-candidate", "ev:Recommendation", "Offer it to older children", "good", "ex:pre-post",
         "Example pre-post study", "false"),
    ]


def test_stale_claims_compare_dates_at_the_coarser_precision(fixture_store):
    columns, rows = answer(fixture_store("stale_claims.trig"), "stale-claims")
    assert columns == ["subject", "type", "label", "claimDate", "claimDateProperty", "claimDateOf", "intervention",
                       "study", "studyLabel", "report", "reportLabel", "reportDate", "finding", "findingLabel",
                       "direction", "directionLabel", "order"]
    family = ("ex:family-therapy", "ex:family-therapy-trial", "Family therapy RCT")
    reviewed = ("ex:rating-family-therapy", "ev:Rating", "Guidebook rating of family therapy (4)", "2018-02",
                "ev:lastReviewed", "ex:family-therapy") + family
    issued = ("ex:rating-family-therapy-issued", "ev:Rating", "Rating of family therapy issued in 2019 (3)",
              "2019-07-20", "dct:issued", "ex:rating-family-therapy-issued") + family
    null = ("direction:no-effect", "no detectable effect")
    unfavourable = ("direction:unfavourable", "favours the control")
    follow_up = ("ex:family-therapy-2020", "Follow-up paper", "2020")
    convictions = follow_up + ("ex:family-therapy-convictions", "No difference in convictions at 5 years") + null
    exclusions = follow_up + ("ex:family-therapy-exclusions", "No difference in school exclusions at 5 years") + null
    # Left out: the 2016 report (earlier), every favourable finding, the superseded 2016 rating, the
    # issued rating's 2019-06 report (before 2019-07-20) and rec-unlinked (about no intervention).
    assert rows == [
        reviewed + ("ex:family-therapy-2019", "Cost paper", "2019-06", "ex:family-therapy-costs",
                    "Higher costs than usual care") + unfavourable + ("later",),
        reviewed + convictions + ("later",),
        reviewed + exclusions + ("later",),
        reviewed + ("ex:family-therapy-2018", "Main paper", "2018", "ex:family-therapy-placement",
                    "No effect on placement at 18 months") + null + ("unknown",),
        issued + convictions + ("later",),
        issued + exclusions + ("later",),
        ("ex:rating-reading", "ev:Rating", "Rating of the reading programme (3)", "2020-03", "ev:lastReviewed",
         "ex:rating-reading", "ex:reading", "ex:reading-trial", "Reading RCT", "ex:reading-2020", "Reading paper",
         "2020", "ex:reading-attainment", "No effect on reading attainment") + null + ("unknown",),
        ("ex:rec-mentoring", "ev:Recommendation", "Offer mentoring", "2021-06-30", "dct:issued", "ex:guide",
         "ex:mentoring", "ex:mentoring-trial", "Mentoring RCT", "ex:mentoring-2022", "Mentoring paper", "2022-01",
         "ex:mentoring-offending", "More offending among mentored children") + unfavourable + ("later",),
    ]


def test_possible_duplicate_studies_by_doi_or_by_facts(fixture_store):
    columns, rows = answer(fixture_store("duplicate_studies.trig"), "possible-duplicate-studies")
    assert columns == ["study", "studyLabel", "other", "otherLabel", "basis", "doi", "intervention",
                       "interventionLabel", "country", "countryLabel", "interventionArmSize", "controlArmSize", "year"]
    # The parenting pair differs in one arm size (56 against 55): not a possible duplicate.
    assert rows == [
        ("ex:home-visiting-follow-up", "Home visiting follow-up", "ex:home-visiting-trial", "Home visiting RCT",
         "same DOI", "10.1000/homevisiting.1") + (None,) * 7,
        ("ex:mentoring-evaluation", "Mentoring evaluation", "ex:mentoring-trial", "Mentoring RCT",
         "same intervention, country, arm sizes and year", None, "ex:mentoring", "Mentoring", "country:GB",
         "United Kingdom", "40", "38", "2019"),
        ("ex:skills-trial", "Skills groups RCT", "ex:skills-trial-again", "Skills groups RCT (entered again)",
         "same DOI; same intervention, country, arm sizes and year", "10.1000/skills.1", "ex:skills", "Skills groups",
         "country:US", "United States", "79", "77", "2010"),
    ]


@pytest.mark.parametrize(("name", "fixture"), [("stale-claims", "stale_claims.trig"),
                                              ("possible-duplicate-studies", "duplicate_studies.trig")])
def test_rdflib_gives_the_same_rows_on_the_fixture(tmp_path, name, fixture):
    """rdflib answers a grouped aggregate over no solutions with one empty row; the queries must not show it."""
    folder = fixture_data_dir(tmp_path, fixture)
    expected = queries.run(load_store(data=folder), name).tuples()
    assert expected
    assert queries.run(load_store(data=folder, backend="rdflib"), name).tuples() == expected


def test_non_uk_evidence_only(store):
    columns, rows = answer(store, "non-uk-evidence-only")
    assert columns == ["subject", "type", "label", "studies", "country", "countryLabel"]
    # rating-consistent has an England study (narrower than GB); rec-confirmed a study of unrecorded country.
    assert rows == [("ex:rating-underclaim", "ev:Rating", "Rating 2 on the RCT", "1", "country:US", "United States")]


def test_reports_of_same_trial(store):
    columns, rows = answer(store, "reports-of-same-trial")
    assert columns == ["study", "studyLabel", "reports", "report", "reportTitle", "doi"]
    assert rows == [
        ("ex:rct", "Example RCT", "3", "ex:rct-paper-1", "Outcomes at six months", "10.1000/rct.1"),
        ("ex:rct", "Example RCT", "3", "ex:rct-paper-2", "Outcomes at one year", "10.1000/rct.2"),
        ("ex:rct", "Example RCT", "3", "ex:rct-paper-3", "Trial protocol", None),
    ]


def test_study_dependents(store):
    columns, rows = answer(store, "study-dependents", study=f"{EX}rct")
    assert columns == ["study", "dependent", "type", "relation", "label", "proposedFor"]
    assert rows == [
        ("ex:rct", "ex:rec-confirmed", "ev:Recommendation", "ev:supportedBy", "Offer the programme", None),
        ("ex:rct", "ex:rating-consistent", "ev:Rating", "ev:basedOn", "Rating 3 on the RCT", None),
        ("ex:rct", "ex:rating-underclaim", "ev:Rating", "ev:basedOn", "Rating 2 on the RCT", None),
        ("ex:rct", "ex:review", "ev:EvidenceReview", "ev:includes", "Example review", None),
        ("ex:rct", "ex:rct-finding", "ev:Finding", "ev:ofStudy", "Fewer placement moves", None),
        ("ex:rct", "ex:rct-paper-1", "ev:Report", "ev:reportsStudy", "RCT paper one", None),
        ("ex:rct", "ex:rct-paper-2", "ev:Report", "ev:reportsStudy", "RCT paper two", None),
        ("ex:rct", "ex:rct-paper-3", "ev:Report", "ev:reportsStudy", "RCT paper three", None),
        ("ex:rct", "ex:rct-appraisal", "ev:Appraisal", "ev:appraises", "The review's appraisal of the RCT", None),
    ]


def test_study_dependents_include_candidate_links(store):
    _, rows = answer(store, "study-dependents", study=f"{EX}pre-post")
    assert rows == [
        ("ex:pre-post", "ex:rec-overclaim", "ev:Recommendation", "ev:supportedBy", "Offer it in schools", None),
        ("ex:pre-post", "ex:rating-overclaim", "ev:Rating", "ev:basedOn", "Rating 3 on the pre-post study", None),
        ("ex:pre-post", "ex:candidate-pre-post-rating", "ev:CandidateEvidence", "ev:proposedStudy",
         "Candidate: the pre-post study for rating 3", "ex:rating-consistent"),
        ("ex:pre-post", "ex:candidate-pre-post-rec", "ev:CandidateEvidence", "ev:proposedStudy",
         "Candidate: the pre-post study for older children", "ex:rec-candidate"),
        ("ex:pre-post", "ex:pre-post-report", "ev:Report", "ev:reportsStudy", "Pre-post report", None),
    ]


def test_organisation_lineage(store):
    columns, rows = answer(store, "organisation-lineage")
    assert columns == ["merger", "date", "original", "originalLabel", "resulting", "resultingLabel", "output",
                       "type", "outputLabel", "relation"]
    eif = ("ex:merger", "2022-12", "orgn:eif", "Early Intervention Foundation", "orgn:foundations", "Foundations")
    wwcsc = ("ex:merger", "2022-12", "orgn:wwcsc", "What Works for Children's Social Care", "orgn:foundations",
             "Foundations")
    # Foundations' own outputs (the guide, rating-underclaim) are not a predecessor's.
    assert rows == [
        eif + ("ex:eif-standards", "ev:Publication", "EIF evidence standards", "dct:publisher"),
        eif + ("ex:rating-consistent", "ev:Rating", "Rating 3 on the RCT", "prov:wasAttributedTo"),
        eif + ("ex:rating-overclaim", "ev:Rating", "Rating 3 on the pre-post study", "prov:wasAttributedTo"),
        wwcsc + ("ex:wwcsc-briefing", "ev:Publication", "WWCSC briefing", "dct:creator"),
    ]


def test_guide_vs_review(store):
    columns, rows = answer(store, "guide-vs-review")
    assert columns == ["guidance", "recommendation", "label", "strength", "kind", "review", "statement", "text"]
    conclusion = ("review conclusion", "ex:review", "ex:review-conclusion",
                  "One trial found fewer placement moves; more trials are needed.")
    assert rows == [
        ("ex:guide", "ex:rec-overclaim", "Offer it in schools", "promising") + conclusion,
        ("ex:guide", "ex:rec-candidate", "Offer it to older children", "good") + conclusion,
        ("ex:guide", "ex:rec-confirmed", "Offer the programme", "promising") + conclusion,
        ("ex:guide", "ex:rec-confirmed", "Offer the programme", "promising", "concern about the recommendation", None,
         "ex:concern", "The recommendation rests on one trial run in the US."),
        ("ex:guide", "ex:rec-unrecorded", "Train the workforce", "not recorded") + conclusion,
    ]


def test_level_criteria(store):
    columns, rows = answer(store, "level-criteria")
    assert columns == ["scheme", "schemeLabel", "level", "label", "rank", "minStudies", "eligibleDesign",
                       "eligibleCountry", "maxRiskOfBias", "minArmSize", "minSampleSize", "requiresLongTermImpact",
                       "minFollowUpMonths", "requiresSignificantPositiveFinding", "criteriaText", "criteriaIncomplete"]
    guidebook = ("ev:GuidebookEvidenceScheme", "EIF Guidebook evidence rating")
    strength = ("ev:PracticeGuideStrengthScheme", "Foundations practice-guide evidence strength")
    ive = ("ev:TitleIVEScheme", "Title IV-E Prevention Services Clearinghouse rating")
    uk = ("country:uk-or-comparable",)
    assert [row[:-2] for row in rows] == [
        guidebook + ("level:4plus", "4+", "6", "2", "design:qed", None, None, None, None, "true", "12", "true"),
        guidebook + ("level:4plus", "4+", "6", "2", "design:rct", None, None, None, None, "true", "12", "true"),
        guidebook + ("level:4", "4", "5", "2", "design:qed", None, None, None, None, "true", "12", "true"),
        guidebook + ("level:4", "4", "5", "2", "design:rct", None, None, None, None, "true", "12", "true"),
        guidebook + ("level:3plus", "3+", "4", "2", "design:qed", None, None, None, None, None, None, "true"),
        guidebook + ("level:3plus", "3+", "4", "2", "design:rct", None, None, None, None, None, None, "true"),
        guidebook + ("level:3", "3", "3", "1", "design:qed", None, None, None, None, None, None, "true"),
        guidebook + ("level:3", "3", "3", "1", "design:rct", None, None, None, None, None, None, "true"),
        guidebook + ("level:2plus", "2+", "2", "1", None, None, None, None, "20", None, None, None),
        guidebook + ("level:2", "2", "1", "1", None, None, None, None, "20", None, None, None),
        strength + ("strength:strong", "strong", "3", "2", "design:qed") + uk + ("rob:low", "20", None, None, None, None),
        strength + ("strength:strong", "strong", "3", "2", "design:rct") + uk + ("rob:low", "20", None, None, None, None),
        strength + ("strength:good", "good", "2", "2", "design:qed") + uk + ("rob:moderate", "20", None, None, None, None),
        strength + ("strength:good", "good", "2", "2", "design:rct") + uk + ("rob:moderate", "20", None, None, None, None),
        strength + ("strength:promising", "promising", "1", "1", "design:qed") + uk
        + ("rob:moderate", None, None, None, None, None),
        strength + ("strength:promising", "promising", "1", "1", "design:rct") + uk
        + ("rob:moderate", None, None, None, None, None),
        ive + ("ive:well-supported", "Well-supported", "3", "2", None, None, None, None, None, "true", "12", None),
        ive + ("ive:supported", "Supported", "2", "1", None, None, None, None, None, "true", "6", None),
        ive + ("ive:promising", "Promising", "1", "1", None, None, None, None, None, None, None, None),
    ]
    for row in rows:
        level = URIRef(SHORT[row[2].split(":")[0] + ":"] + row[2].split(":", 1)[1])
        [(text,)] = store.select("SELECT ?level ?text WHERE { ?level <https://w3id.org/evgraph/ontology#criteriaText>"
                                 " ?text }", {"level": level}).tuples()[:1] and [
            store.select("SELECT ?level ?text WHERE { ?level <https://w3id.org/evgraph/ontology#criteriaText> ?text }",
                         {"level": level}).tuples()[0][1:]]
        assert row[-2] == str(text)
    incomplete = {row[2]: row[-1] for row in rows if row[-1]}
    assert sorted(incomplete) == ["ive:promising", "ive:supported", "ive:well-supported", "level:2plus",
                                  "level:3plus", "level:4plus"]


def test_inferred_ratings(store):
    columns, rows = answer(store, "inferred-ratings")
    assert columns == ["rating", "label", "intervention", "level", "levelAsStated", "basis", "basisLabel", "note"]
    assert rows == [("ex:rating-overclaim", "Rating 3 on the pre-post study", "ex:programme", "3", "3",
                     "basis:inferred-from-level-text", "level inferred from the level description",
                     "The level was inferred from the level description.")]


# -- parameters cannot change a query -----------------------------------------------------------------

HOSTILE = ['x" } UNION { ?s ?p ?o } #', "<https://example.org/a> } ; DROP ALL ; #",
           "https://example.org/a> } ; DROP ALL ; #", "https://example.org/a>{?s?p?o}"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", sorted(BOUND))
def test_a_hostile_iri_parameter_is_refused(store, name, value):
    query = queries.get_query(name)
    text = query.path.read_text(encoding="utf-8")
    param = query.params[0]  # the first parameter is required, so a hostile value for it must be refused
    with pytest.raises(QueryError) as caught:
        queries.run(store, query, {param.name: value})
    assert caught.value.message == f"'{value}' is not an IRI."
    assert query.text == text


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_parameter_is_only_a_string(store, value):
    query = queries.get_query(str(STRING_PARAM_QUERY))
    text = STRING_PARAM_QUERY.read_text(encoding="utf-8")
    assert [p.type for p in query.params] == ["string"]

    def ratings(stated: str) -> list[str | None]:
        return [_short(row[0]) for row in queries.run(store, query, {"stated": stated}).tuples()]

    assert ratings("3") == ["ex:rating-consistent", "ex:rating-overclaim"]
    assert ratings(value) == ratings("no such level") == []
    assert query.text == text


# -- parameter errors -------------------------------------------------------------------------------


def test_an_unknown_parameter_is_named_with_the_query_signature(store):
    with pytest.raises(QueryError) as caught:
        queries.run(store, "trace-recommendation", {"recommendation": f"{EX}rec-confirmed", "study": f"{EX}rct"})
    assert caught.value.message == "Unknown parameter 'study' for query 'trace-recommendation'."
    assert caught.value.hint == "'trace-recommendation' takes: recommendation (iri)."


def test_a_query_without_parameters_says_so(store):
    with pytest.raises(QueryError) as caught:
        queries.run(store, "overclaims", {"rating": f"{EX}rating-overclaim"})
    assert str(caught.value) == ("Unknown parameter 'rating' for query 'overclaims'.\n"
                                 "'overclaims' takes no parameters.")


def test_a_missing_parameter_is_named_with_the_query_signature(store):
    with pytest.raises(QueryError) as caught:
        queries.run(store, "why-rating", {})
    assert str(caught.value) == ("Missing parameter 'rating' for query 'why-rating'.\n"
                                 "'why-rating' takes: rating (iri).")


# -- the bundled data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_with_derivations() -> Store:
    """The bundled data with its derived graph (a store of its own: the session one stays as loaded)."""
    loaded = load_store()
    rules.add_derivations(loaded)
    return loaded


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_runs_on_the_bundled_data_with_its_documented_example(bundled_with_derivations, path):
    query = queries.get_query(path.stem)
    examples = {p.name: p.example for p in query.params}
    found = queries.run(bundled_with_derivations, query, examples).rows
    if examples:
        assert found, f"the example in {path.name}'s header finds nothing in the bundled data"


def test_fact_sources_gives_each_value_its_graph_method_documents_and_recorder(store):
    columns, rows = answer(store, "fact-sources", node=f"{EX}trial-7", property=f"{EV}sampleSize")
    assert columns == ["node", "property", "value", "graph", "method", "relation", "source", "sourceType",
                       "publisher", "readOn", "primarySource", "recordedBy", "recordedOn"]
    graph = "https://w3id.org/evgraph/graph/source/example.org-"
    assert rows == [
        ("ex:trial-7", "ev:sampleSize", "156", f"{graph}registry-trial-7", f"{METHOD}read", "prov:wasDerivedFrom",
         "https://example.org/registry/trial-7", f"{SOURCETYPE}trial-registry", None, "2026-11-20", None,
         "ex:curators", "2026-11-21"),
        ("ex:trial-7", "ev:sampleSize", "160", f"{graph}news-trial-7/second-hand", f"{METHOD}second-hand",
         "prov:wasDerivedFrom", "https://example.org/news/trial-7", f"{SOURCETYPE}press", "ex:news-desk", None,
         "ex:trial-7-paper", "ex:curators", "2026-11-22"),
    ]


def test_fact_sources_without_a_property_gives_every_fact_of_the_node(store):
    _, rows = answer(store, "fact-sources", node=f"{EX}trial-7")
    assert [(r[1], r[2], r[4].rsplit("/", 1)[-1], r[5]) for r in rows] == [
        ("ev:designDescription", "randomised, two arms", "quoted", "prov:wasQuotedFrom"),
        ("ev:sampleSize", "156", "read", "prov:wasDerivedFrom"),
        ("ev:sampleSize", "160", "second-hand", "prov:wasDerivedFrom"),
    ]
