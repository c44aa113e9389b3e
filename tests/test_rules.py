"""Table tests for the rules engine: each criterion met, not met and unknown, on tiny inline graphs."""

from __future__ import annotations

from rdflib import Graph, URIRef

from evgraph.rules import derive, derived_graph
from evgraph.namespaces import EV, PROV, RDF

EX = "https://example.org/evgraph-test/"
PREFIXES = """
@prefix ev: <https://w3id.org/evgraph/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <https://example.org/evgraph-test/> .
@prefix design: <https://w3id.org/evgraph/scheme/design/> .
@prefix country: <https://w3id.org/evgraph/scheme/country/> .
@prefix strength: <https://w3id.org/evgraph/scheme/practice-guide-strength/> .
@prefix level: <https://w3id.org/evgraph/scheme/guidebook-level/> .
@prefix cebc: <https://w3id.org/evgraph/scheme/cebc/> .
@prefix rob: <https://w3id.org/evgraph/scheme/risk-of-bias/> .
@prefix direction: <https://w3id.org/evgraph/scheme/effect-direction/> .
"""



def world(ontology: Graph, turtle: str) -> Graph:
    """The ontology plus a few triples of test data."""
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return graph


def study(name: str, *facts: str) -> str:
    """Turtle for a study with the given extra predicate-object pairs."""
    body = " ; ".join(("a ev:Study", f'rdfs:label "{name}"') + facts)
    return f"ex:{name} {body} .\n".replace("rdfs:label", "<http://www.w3.org/2000/01/rdf-schema#label>")


def appraisal(name: str, level: str) -> str:
    """Turtle for a review's risk-of-bias appraisal of a study."""
    return (f"ex:{name}-appraisal a ev:Appraisal ; ev:appraises ex:{name} ; ev:riskOfBias rob:{level} ;"
            f" prov:wasAttributedTo ex:review .\n")


def significant_finding(name: str, months: int | None = None) -> str:
    """Turtle for a significant favourable finding of a study."""
    follow = f" ; ev:followUpMonths {months}" if months is not None else ""
    return (f"ex:{name}-finding a ev:Finding ; ev:ofStudy ex:{name} ; ev:outcomeDescription \"behaviour\" ;"
            f" ev:direction direction:favourable ; ev:significant true{follow} .\n")


def rec(strength: str, *studies: str) -> str:
    """Turtle for a recommendation with a published strength and confirmed studies."""
    support = "".join(f" ; ev:supportedBy ex:{s}" for s in studies)
    return f"ex:subject a ev:Recommendation ; ev:publishedStrength strength:{strength}{support} .\n"


def rating(level: str, *studies: str) -> str:
    """Turtle for a rating with a published evidence level and confirmed studies."""
    based = "".join(f" ; ev:basedOn ex:{s}" for s in studies)
    return f"ex:subject a ev:Rating ; ev:evidenceLevel level:{level}{based} .\n"


def check(ontology: Graph, turtle: str):
    return derive(world(ontology, turtle), URIRef(f"{EX}subject"))


def criterion(derivation, level_label: str, name_start: str):
    [found] = [c for c in derivation.criteria if c.level == level_label and c.criterion.startswith(name_start)]
    return found


UK_RCT = ("ev:design design:rct", "ev:country country:GB")


def test_two_low_risk_uk_trials_with_big_arms_are_strong(ontology):
    data = rec("strong", "a", "b")
    for name in ("a", "b"):
        data += study(name, *UK_RCT, "ev:interventionArmSize 40", "ev:controlArmSize 41") + appraisal(name, "low")
    derivation = check(ontology, data)
    assert (derivation.verdict, str(derivation.derived)) == (
        "consistent", "https://w3id.org/evgraph/scheme/practice-guide-strength/strong")
    assert {(c.criterion, c.status) for c in derivation.criteria if c.level == "strong"} == {
        ("at least 2 distinct studies", "met"), ("design: quasi-experimental design or randomised controlled trial", "met"),
        ("country: UK or a comparable high-income country", "met"), ("risk of bias at most low", "met"),
        ("at least 20 per arm", "met")}


def test_moderate_risk_of_bias_makes_strong_an_overclaim_derived_good(ontology):
    data = rec("strong", "a", "b")
    for name in ("a", "b"):
        data += study(name, *UK_RCT, "ev:interventionArmSize 40", "ev:controlArmSize 41") + appraisal(name, "moderate")
    derivation = check(ontology, data)
    assert derivation.verdict == "overclaim"
    assert str(derivation.derived).endswith("/good")
    assert criterion(derivation, "strong", "risk of bias").status == "not met"
    assert derivation.reason == "the recorded studies support 'good', below the published level"


def test_small_arms_fail_strong_and_good_but_not_promising(ontology):
    data = rec("strong", "a", "b")
    for name in ("a", "b"):
        data += study(name, *UK_RCT, "ev:interventionArmSize 12", "ev:controlArmSize 30") + appraisal(name, "low")
    derivation = check(ontology, data)
    assert criterion(derivation, "strong", "at least 20 per arm").status == "not met"
    assert (derivation.verdict, str(derivation.derived).rsplit("/", 1)[-1]) == ("overclaim", "promising")


def test_missing_arm_sizes_are_unknown_and_named(ontology):
    data = rec("strong", "a", "b")
    for name in ("a", "b"):
        data += study(name, *UK_RCT) + appraisal(name, "low")
    data += "ex:b ev:interventionArmSize 50 .\n"
    derivation = check(ontology, data)
    arms = criterion(derivation, "strong", "at least 20 per arm")
    assert (arms.status, arms.missing) == ("unknown", ("arm sizes of a", "arm sizes of b"))
    assert derivation.verdict == "cannot-verify"
    assert derivation.missing == ["arm sizes of a", "arm sizes of b"]


def test_no_appraisal_leaves_risk_of_bias_unknown(ontology):
    derivation = check(ontology, rec("promising", "a") + study("a", *UK_RCT))
    rob = criterion(derivation, "promising", "risk of bias")
    assert (rob.status, rob.missing) == ("unknown", ("risk of bias of a (no appraisal recorded)",))
    assert derivation.verdict == "cannot-verify"


def test_high_risk_of_bias_is_not_met(ontology):
    derivation = check(ontology, rec("promising", "a") + study("a", *UK_RCT) + appraisal("a", "high"))
    assert criterion(derivation, "promising", "risk of bias").status == "not met"
    assert (derivation.verdict, derivation.derived) == ("overclaim", None)
    assert derivation.reason == "the recorded studies support no level, below the published level"


def test_a_us_study_leaves_the_country_condition_unknown(ontology):
    derivation = check(ontology, rec("promising", "a") + study("a", "ev:design design:rct", "ev:country country:US")
                       + appraisal("a", "low"))
    country = criterion(derivation, "promising", "country")
    assert (country.status, country.missing) == (
        "unknown", ("whether United States counts as 'UK or a comparable high-income country' (a)",))


def test_england_counts_as_uk_through_skos_broader(ontology):
    derivation = check(ontology, rec("promising", "a") + study("a", "ev:design design:rct",
                                                                "ev:country <https://w3id.org/evgraph/scheme/country/GB-ENG>")
                       + appraisal("a", "low"))
    assert criterion(derivation, "promising", "country").status == "met"
    assert derivation.verdict == "consistent"


def test_a_cluster_trial_counts_as_an_rct(ontology):
    derivation = check(ontology, rating("3", "a") + study("a", "ev:design design:stepped-wedge-rct") + significant_finding("a"))
    assert criterion(derivation, "3", "design").status == "met"
    assert derivation.verdict == "consistent"


def test_ineligible_design_is_not_met_and_the_level_below_is_derived(ontology):
    derivation = check(ontology, rating("3", "a") + study("a", "ev:design design:pre-post", "ev:sampleSize 64"))
    assert criterion(derivation, "3", "design").status == "not met"
    assert (derivation.verdict, str(derivation.derived).rsplit("/", 1)[-1]) == ("overclaim", "2")


def test_design_not_recorded_is_unknown(ontology):
    derivation = check(ontology, rating("3", "a") + study("a", 'ev:designNotRecorded "not in the pages read"'))
    design = criterion(derivation, "3", "design")
    assert (design.status, design.missing) == ("unknown", ("design of a",))


def test_evidence_meeting_a_higher_level_is_an_underclaim(ontology):
    derivation = check(ontology, rating("2", "a") + study("a", "ev:design design:rct", "ev:sampleSize 100")
                       + significant_finding("a"))
    assert derivation.verdict == "underclaim"
    assert derivation.reason == "the recorded studies meet '3'"


def test_long_term_impact_needs_a_favourable_finding_at_twelve_months(ontology):
    short = check(ontology, rating("4", "a", "b") + study("a", "ev:design design:rct") + study("b", "ev:design design:qed")
                  + significant_finding("a", 6) + significant_finding("b", 6))
    assert criterion(short, "4", "favourable impact lasting 12+ months").status == "unknown"
    lasting = check(ontology, rating("4", "a", "b") + study("a", "ev:design design:rct") + study("b", "ev:design design:qed")
                    + significant_finding("a", 12) + significant_finding("b", 24))
    assert criterion(lasting, "4", "favourable impact lasting 12+ months").status == "met"
    assert lasting.verdict == "consistent"


def test_several_reports_of_one_trial_count_as_one_study(ontology):
    data = rating("4", "a") + study("a", "ev:design design:rct") + significant_finding("a", 24)
    data += "".join(f"ex:paper-{n} a ev:Report ; ev:reportsStudy ex:a .\n" for n in range(3))
    derivation = check(ontology, data)
    count = criterion(derivation, "4", "at least 2 distinct studies")
    assert (count.status, count.missing) == ("unknown", ("which studies it rests on: 1 confirmed, 2 needed",))
    assert derivation.studies == (URIRef(f"{EX}a"),)


def test_candidate_studies_are_shown_but_never_counted(ontology):
    data = "ex:subject a ev:Recommendation ; ev:publishedStrength strength:promising .\n" + study("a", *UK_RCT)
    data += "ex:link a ev:CandidateEvidence ; ev:proposedFor ex:subject ; ev:proposedStudy ex:a .\n"
    derivation = check(ontology, data)
    assert derivation.candidates == (URIRef(f"{EX}a"),)
    assert derivation.studies == ()
    count = criterion(derivation, "promising", "at least 1 distinct study")
    assert count.missing == ("which studies it rests on: 0 confirmed, 1 needed; 1 proposed by curation but not confirmed",)
    assert derivation.verdict == "cannot-verify"


def test_a_level_without_criteria_has_no_rule(ontology):
    derivation = check(ontology, "ex:subject a ev:Rating ; ev:evidenceLevel cebc:1 .\n")
    assert (derivation.verdict, derivation.reason) == (
        "no-rule", "the level '1 Well-Supported by Research Evidence' has no machine-readable criteria")


def test_no_published_strength_cannot_be_verified(ontology):
    derivation = check(ontology, 'ex:subject a ev:Recommendation ; ev:strengthNotRecorded "not stated" .\n')
    assert (derivation.verdict, derivation.reason) == (
        "cannot-verify", "no published level is recorded, so there is nothing to check")


def test_derived_graph_carries_prov_and_criteria(ontology):
    from datetime import datetime, timezone

    derivation = check(ontology, rating("3", "a") + study("a", "ev:design design:pre-post"))
    graph = derived_graph([derivation], datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    node = URIRef("https://w3id.org/evgraph/id/derived/example.org/evgraph-test/subject")
    run = URIRef("https://w3id.org/evgraph/id/evaluation/20260102T030405Z")
    assert (node, PROV.wasGeneratedBy, run) in graph
    assert (run, RDF.type, EV.RuleEvaluation) in graph
    assert str(graph.value(run, PROV.startedAtTime)) == "2026-01-02T03:04:05+00:00"
    assert str(graph.value(node, EV.verdict)) == "overclaim"
    assert (node, PROV.wasDerivedFrom, URIRef(f"{EX}a")) in graph
    statuses = {(str(graph.value(r, EV.criterion)), str(graph.value(r, EV.criterionStatus)))
                for r in graph.objects(node, EV.hasCriterionResult)
                if str(graph.value(r, EV.forLevel)).endswith("/3")}
    assert ("design: quasi-experimental design or randomised controlled trial", "not met") in statuses
