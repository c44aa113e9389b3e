"""Table tests for the rules: each criterion met, not met and unknown, on records built here (no store).

The scheme levels and concepts below are written out by hand to mirror ontology/schemes/*.ttl; one test
reads the real ontology and checks they are equal, so these tables cannot drift from it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from evgraph.namespaces import CRITERION_STATUS, EV, ID_BASE, PROV, RDF, VERDICT, XSD
from evgraph.rules import (CRITERIA, CRITERION_PROPERTIES, Status, Verdict, derivation_iri, derive, derived_triples,
                           has_rule, read_evidence)
from evgraph.rules.records import Claim, Concept, Evidence, Finding, Level, Study, claims_from
from evgraph.terms import IRI, Literal, sort_key

EX = "https://example.org/evgraph-test/"
SUBJECT = IRI(f"{EX}subject")


def scheme(path: str) -> IRI:
    return IRI(f"https://w3id.org/evgraph/scheme/{path}")


def terms(value) -> tuple:
    """One or several values as terms, in the order the reader gives them (Python values become literals)."""
    values = value if isinstance(value, tuple) else (value,)
    return tuple(sorted((v if isinstance(v, (IRI, Literal)) else Literal.of(v) for v in values), key=sort_key))


# -- concepts the checks read (ontology/schemes/vocabularies.ttl) --------------------------------------

RCT, CLUSTER_RCT, STEPPED_WEDGE = scheme("design/rct"), scheme("design/cluster-rct"), scheme("design/stepped-wedge-rct")
QED, PRE_POST = scheme("design/qed"), scheme("design/pre-post")
UK_OR_COMPARABLE, GB, ENGLAND, US = (scheme(f"country/{c}") for c in ("uk-or-comparable", "GB", "GB-ENG", "US"))
LOW, MODERATE, HIGH = (scheme(f"risk-of-bias/{r}") for r in ("low", "moderate", "high"))
FAVOURABLE = scheme("effect-direction/favourable")
CEBC_1 = scheme("cebc/1")


def concept(iri: IRI, label: str, rank: int | None = None, *broader: IRI) -> Concept:
    return Concept(iri, label, None if rank is None else Literal.of(rank), broader)


CONCEPTS = {c.iri: c for c in (
    concept(RCT, "randomised controlled trial"),
    concept(CLUSTER_RCT, "cluster randomised controlled trial", None, RCT),
    concept(STEPPED_WEDGE, "stepped-wedge cluster randomised trial", None, CLUSTER_RCT),
    concept(QED, "quasi-experimental design"),
    concept(PRE_POST, "before-and-after comparison without a control group"),
    concept(UK_OR_COMPARABLE, "UK or a comparable high-income country"),
    concept(GB, "United Kingdom", None, UK_OR_COMPARABLE),  # from uk-or-comparable's skos:narrower
    concept(ENGLAND, "England", None, GB),
    concept(US, "United States"),
    concept(LOW, "low", 1),
    concept(MODERATE, "moderate", 2),
    concept(HIGH, "high", 3),
    concept(FAVOURABLE, "favours the intervention"),
    concept(CEBC_1, "1 Well-Supported by Research Evidence", 3),  # a level without criteria
)}


# -- scheme levels with their criteria (ontology/schemes/practice-guide-strength.ttl, guidebook.ttl) ---


def level(iri: IRI, label: str, in_scheme: IRI, rank, *incomplete: str, **criteria) -> Level:
    """A level as the reader builds it: ``minStudies=2`` is ev:minStudies 2, and so on."""
    return Level(iri, label, in_scheme, Literal.of(rank), {EV[name]: terms(v) for name, v in criteria.items()},
                 incomplete)


STRENGTH = EV.PracticeGuideStrengthScheme
FOUNDATIONS = dict(eligibleDesign=(RCT, QED), eligibleCountry=UK_OR_COMPARABLE)
STRONG = level(scheme("practice-guide-strength/strong"), "strong", STRENGTH, 3,
               minStudies=2, maxRiskOfBias=LOW, minArmSize=20, **FOUNDATIONS)
GOOD = level(scheme("practice-guide-strength/good"), "good", STRENGTH, 2,
             minStudies=2, maxRiskOfBias=MODERATE, minArmSize=20, **FOUNDATIONS)
PROMISING = level(scheme("practice-guide-strength/promising"), "promising", STRENGTH, 1,
                  minStudies=1, maxRiskOfBias=MODERATE, **FOUNDATIONS)

GUIDEBOOK = EV.GuidebookEvidenceScheme
IMPACT = dict(eligibleDesign=(RCT, QED), requiresSignificantPositiveFinding=True)
LONG_TERM = dict(requiresLongTermImpact=True, minFollowUpMonths=Literal("12", f"{XSD}decimal"), **IMPACT)
L4PLUS = level(scheme("guidebook-level/4plus"), "4+", GUIDEBOOK, 6,
               "Independence from the programme provider and the count of further level-4 studies are not recorded"
               " as machine-readable criteria.", minStudies=2, **LONG_TERM)
L4 = level(scheme("guidebook-level/4"), "4", GUIDEBOOK, 5, minStudies=2, **LONG_TERM)
L3PLUS = level(scheme("guidebook-level/3plus"), "3+", GUIDEBOOK, 4,
               "Only one of the studies must be an RCT or QED; the others need only meet level 2. Recorded here as:"
               " at least two studies, at least one of them an RCT or QED.", minStudies=2, **IMPACT)
L3 = level(scheme("guidebook-level/3"), "3", GUIDEBOOK, 3, minStudies=1, **IMPACT)
L2PLUS = level(scheme("guidebook-level/2plus"), "2+", GUIDEBOOK, 2,
               "'More rigorous than level 2' is not defined in machine-readable terms.", minStudies=1, minSampleSize=20)
L2 = level(scheme("guidebook-level/2"), "2", GUIDEBOOK, 1, minStudies=1, minSampleSize=20)

LEVELS = {lv.iri: lv for lv in (STRONG, GOOD, PROMISING, L4PLUS, L4, L3PLUS, L3, L2PLUS, L2)}


# -- studies, claims and the evidence around them ----------------------------------------------------


def significant(months: int | None = None) -> tuple:
    """A statistically significant favourable finding, at a follow-up in months if given."""
    return (FAVOURABLE,), (Literal.of(True),), terms(months) if months is not None else ()


def study(name: str, *, rob=(), findings=(), **facts) -> Study:
    """A study labelled with its name; ``design=RCT`` is ev:design, ``rob`` its appraised risk(s) of bias."""
    results = tuple(Finding(IRI(f"{EX}{name}-finding-{n}"), *f) for n, f in enumerate(findings, start=1))
    return Study(IRI(f"{EX}{name}"), name, {EV[p]: terms(v) for p, v in facts.items()}, terms(rob) if rob else (),
                 results)


def uk_trial(name: str, **facts) -> Study:
    return study(name, design=RCT, country=GB, **facts)


def claim(kind: IRI, published, *studies: str, candidates: tuple[str, ...] = ()) -> Claim:
    levels = published if isinstance(published, tuple) else (published,)
    return Claim(SUBJECT, kind, tuple(lv.iri for lv in levels), tuple(IRI(f"{EX}{s}") for s in studies),
                 tuple(IRI(f"{EX}{s}") for s in candidates))


def recommendation(strength: Level, *studies: str, **kw) -> Claim:
    return claim(EV.Recommendation, strength, *studies, **kw)


def rating(evidence_level: Level, *studies: str) -> Claim:
    return claim(EV.Rating, evidence_level, *studies)


def world(subject: Claim, *studies: Study, levels: tuple[Level, ...] = ()) -> Evidence:
    return Evidence({subject.iri: subject}, {s.iri: s for s in studies}, {**LEVELS, **{lv.iri: lv for lv in levels}},
                    dict(CONCEPTS))


def check(subject: Claim, *studies: Study, levels: tuple[Level, ...] = ()):
    return derive(world(subject, *studies, levels=levels), subject)


def criterion(derivation, level_label: str, name_start: str):
    [found] = [c for c in derivation.criteria if c.level == level_label and c.criterion.startswith(name_start)]
    return found


# -- the tables above are the ontology's ------------------------------------------------------------


def test_hand_built_levels_and_concepts_equal_what_the_ontology_gives(fixture_store):
    read = read_evidence(fixture_store("good_evidence_chain"))
    assert {iri: read.levels.get(iri) for iri in LEVELS} == LEVELS
    assert {lv.iri for lv in read.levels.values() if lv.scheme in (STRENGTH, GUIDEBOOK)} == set(LEVELS)
    assert {iri: read.concepts.get(iri) for iri in CONCEPTS} == CONCEPTS


# -- the scenarios ---------------------------------------------------------------------------------


def test_two_low_risk_uk_trials_with_big_arms_are_strong():
    trials = [uk_trial(n, interventionArmSize=40, controlArmSize=41, rob=LOW) for n in ("a", "b")]
    derivation = check(recommendation(STRONG, "a", "b"), *trials)
    assert (derivation.verdict, derivation.derived) == (Verdict.CONSISTENT, STRONG.iri)
    assert {(c.criterion, c.status) for c in derivation.criteria if c.level == "strong"} == {
        ("at least 2 distinct studies", Status.MET),
        ("design: quasi-experimental design or randomised controlled trial", Status.MET),
        ("country: UK or a comparable high-income country", Status.MET), ("risk of bias at most low", Status.MET),
        ("at least 20 per arm", Status.MET)}


def test_moderate_risk_of_bias_makes_strong_an_overclaim_derived_good():
    trials = [uk_trial(n, interventionArmSize=40, controlArmSize=41, rob=MODERATE) for n in ("a", "b")]
    derivation = check(recommendation(STRONG, "a", "b"), *trials)
    assert (derivation.verdict, derivation.derived) == (Verdict.OVERCLAIM, GOOD.iri)
    assert criterion(derivation, "strong", "risk of bias").status is Status.NOT_MET
    assert derivation.reason == "the recorded studies support 'good', below the published level"


def test_a_verdict_on_an_inferred_published_level_says_it_assumes_it():
    trials = [uk_trial(n, interventionArmSize=40, controlArmSize=41, rob=MODERATE) for n in ("a", "b")]
    inferred = replace(recommendation(STRONG, "a", "b"), published_inferred=True)
    derivation = check(inferred, *trials)
    assert derivation.verdict is Verdict.OVERCLAIM
    assert derivation.reason == ("the recorded studies support 'good', below the published level, assuming the"
                                 " published level, which was inferred from the page rather than read")
    assert check(replace(inferred, confirmed=()), *trials).reason == (
        "facts needed to check the published level are missing")


def test_small_arms_fail_strong_and_good_but_not_promising():
    trials = [uk_trial(n, interventionArmSize=12, controlArmSize=30, rob=LOW) for n in ("a", "b")]
    derivation = check(recommendation(STRONG, "a", "b"), *trials)
    assert criterion(derivation, "strong", "at least 20 per arm").status is Status.NOT_MET
    assert criterion(derivation, "good", "at least 20 per arm").status is Status.NOT_MET
    assert (derivation.verdict, derivation.derived) == (Verdict.OVERCLAIM, PROMISING.iri)


def test_missing_arm_sizes_are_unknown_and_named():
    derivation = check(recommendation(STRONG, "a", "b"), uk_trial("a", rob=LOW),
                       uk_trial("b", interventionArmSize=50, rob=LOW))
    arms = criterion(derivation, "strong", "at least 20 per arm")
    assert (arms.status, arms.missing) == (Status.UNKNOWN, ("arm sizes of a", "arm sizes of b"))
    assert derivation.verdict is Verdict.CANNOT_VERIFY
    assert derivation.missing == ["arm sizes of a", "arm sizes of b"]


def test_no_appraisal_leaves_risk_of_bias_unknown():
    derivation = check(recommendation(PROMISING, "a"), uk_trial("a"))
    rob = criterion(derivation, "promising", "risk of bias")
    assert (rob.status, rob.missing) == (Status.UNKNOWN, ("risk of bias of a (no appraisal recorded)",))
    assert derivation.verdict is Verdict.CANNOT_VERIFY


def test_high_risk_of_bias_is_not_met():
    derivation = check(recommendation(PROMISING, "a"), uk_trial("a", rob=HIGH))
    assert criterion(derivation, "promising", "risk of bias").status is Status.NOT_MET
    assert (derivation.verdict, derivation.derived) == (Verdict.OVERCLAIM, None)
    assert derivation.reason == "the recorded studies support no level, below the published level"


def test_a_us_study_leaves_the_country_condition_unknown():
    derivation = check(recommendation(PROMISING, "a"), study("a", design=RCT, country=US, rob=LOW))
    country = criterion(derivation, "promising", "country")
    assert (country.status, country.missing) == (
        Status.UNKNOWN, ("whether United States counts as 'UK or a comparable high-income country' (a)",))


def test_england_counts_as_uk_through_skos_broader():
    derivation = check(recommendation(PROMISING, "a"), study("a", design=RCT, country=ENGLAND, rob=LOW))
    assert criterion(derivation, "promising", "country").status is Status.MET
    assert derivation.verdict is Verdict.CONSISTENT


def test_a_cluster_trial_counts_as_an_rct():
    derivation = check(rating(L3, "a"), study("a", design=STEPPED_WEDGE, findings=[significant()]))
    assert criterion(derivation, "3", "design").status is Status.MET
    assert derivation.verdict is Verdict.CONSISTENT


def test_ineligible_design_is_not_met_and_the_level_below_is_derived():
    derivation = check(rating(L3, "a"), study("a", design=PRE_POST, sampleSize=64))
    assert criterion(derivation, "3", "design").status is Status.NOT_MET
    assert (derivation.verdict, derivation.derived) == (Verdict.OVERCLAIM, L2.iri)


def test_design_not_recorded_is_unknown():
    derivation = check(rating(L3, "a"), study("a", designNotRecorded="not in the pages read"))
    design = criterion(derivation, "3", "design")
    assert (design.status, design.missing) == (Status.UNKNOWN, ("design of a",))


def test_evidence_meeting_a_higher_level_is_an_underclaim():
    derivation = check(rating(L2, "a"), study("a", design=RCT, sampleSize=100, findings=[significant()]))
    assert derivation.verdict is Verdict.UNDERCLAIM
    assert derivation.reason == "the recorded studies meet '3'"


def test_long_term_impact_needs_a_favourable_finding_at_twelve_months():
    short = check(rating(L4, "a", "b"), study("a", design=RCT, findings=[significant(6)]),
                  study("b", design=QED, findings=[significant(6)]))
    assert criterion(short, "4", "favourable impact lasting 12+ months").status is Status.UNKNOWN
    lasting = check(rating(L4, "a", "b"), study("a", design=RCT, findings=[significant(12)]),
                    study("b", design=QED, findings=[significant(24)]))
    assert criterion(lasting, "4", "favourable impact lasting 12+ months").status is Status.MET
    assert lasting.verdict is Verdict.CONSISTENT


def test_several_reports_of_one_trial_count_as_one_study():
    # The claim's evidence rows name the one trial three times (once per report of it): one study.
    rows = [{"subject": SUBJECT, "link": Literal("confirmed"), "study": IRI(f"{EX}a"),
             "studyLabel": Literal(f"paper {n}")} for n in range(3)]
    subject = claims_from([{"subject": SUBJECT, "kind": EV.Rating, "level": L4.iri}], rows)[SUBJECT]
    derivation = check(subject, study("a", design=RCT, findings=[significant(24)]))
    count = criterion(derivation, "4", "at least 2 distinct studies")
    assert (count.status, count.missing) == (Status.UNKNOWN, ("which studies it rests on: 1 confirmed, 2 needed",))
    assert derivation.studies == (IRI(f"{EX}a"),)


def test_candidate_studies_are_shown_but_never_counted():
    subject = recommendation(PROMISING, candidates=("a",))
    derivation = check(subject, uk_trial("a"))
    assert (derivation.candidates, derivation.studies) == ((IRI(f"{EX}a"),), ())
    count = criterion(derivation, "promising", "at least 1 distinct study")
    assert count.missing == (
        "which studies it rests on: 0 confirmed, 1 needed; 1 proposed by curation but not confirmed",)
    assert derivation.verdict is Verdict.CANNOT_VERIFY
    # Only the auditors' what-if counts them.
    assert derive(world(subject, uk_trial("a")), subject, count_candidates=True).studies == (IRI(f"{EX}a"),)


def test_a_level_without_criteria_has_no_rule():
    derivation = check(Claim(SUBJECT, EV.Rating, (CEBC_1,), (), ()))
    assert (derivation.verdict, derivation.reason) == (
        Verdict.NO_RULE, "the level '1 Well-Supported by Research Evidence' has no machine-readable criteria")


def test_no_published_strength_cannot_be_verified():
    derivation = check(Claim(SUBJECT, EV.Recommendation, (), (), ()))
    assert (derivation.verdict, derivation.reason) == (
        Verdict.CANNOT_VERIFY, "no published level is recorded, so there is nothing to check")


# -- bad data never raises: unknown, with the reason ------------------------------------------------

PILOT = level(IRI(f"{EX}pilot-level"), "pilot", GUIDEBOOK, 1, minSampleSize=Literal("twenty"))
ODD_COUNT = level(IRI(f"{EX}odd-count"), "odd count", STRENGTH, 1, minStudies=Literal("two"), eligibleDesign=RCT)
ODD_ARMS = level(IRI(f"{EX}odd-arms"), "odd arms", STRENGTH, 1, minStudies=1, minArmSize=Literal("20.0", XSD.decimal))
ODD_FOLLOW_UP = level(IRI(f"{EX}odd-follow-up"), "odd follow-up", GUIDEBOOK, 1, minStudies=1,
                      requiresLongTermImpact=True, minFollowUpMonths=(6, 12))

BAD_DATA = {
    "arm size typed integer but not one": (
        STRONG, uk_trial("a", interventionArmSize=Literal("79x", XSD.integer), controlArmSize=77, rob=LOW),
        "at least 20 per arm", ("intervention arm size of a is not a whole number ('79x')",)),
    "two control arm sizes": (
        STRONG, uk_trial("a", interventionArmSize=79, controlArmSize=(77, 80), rob=LOW),
        "at least 20 per arm", ("control arm size of a has 2 recorded values (77, 80)",)),
    "arm size a decimal": (
        STRONG, uk_trial("a", interventionArmSize=79, controlArmSize=Literal("20.5", XSD.decimal), rob=LOW),
        "at least 20 per arm", ("control arm size of a is not a whole number ('20.5')",)),
    "arm size as text": (
        STRONG, uk_trial("a", interventionArmSize=Literal("about 80"), controlArmSize=77, rob=LOW),
        "at least 20 per arm", ("intervention arm size of a is not a whole number ('about 80')",)),
    "level minimum sample size a word": (
        PILOT, study("a", design=RCT, sampleSize=156),
        "at least ? participants", ("the minimum sample size of level pilot is not a whole number ('twenty')",)),
    "level minimum arm size a decimal": (
        ODD_ARMS, uk_trial("a", interventionArmSize=79, controlArmSize=77),
        "at least ? per arm", ("the minimum arm size of level odd arms is not a whole number ('20.0')",)),
    "level minimum study count a word": (
        ODD_COUNT, study("a", design=RCT),
        "a minimum number of distinct studies",
        ("the minimum number of studies of level odd count is not a whole number ('two')",)),
    "level with two follow-ups": (
        ODD_FOLLOW_UP, study("a", findings=[significant(24)]),
        "long-term impact", ("the follow-up level odd follow-up requires (not one number)",)),
    "two sample sizes": (
        L2, study("a", sampleSize=(60, 64)),
        "at least 20 participants", ("sample size of a has 2 recorded values (60, 64)",)),
    "appraisals disagree": (
        PROMISING, uk_trial("a", rob=(LOW, HIGH)),
        "risk of bias", ("which risk-of-bias appraisal of a applies (they differ: high; low)",)),
    "appraisal with an unranked level": (
        PROMISING, uk_trial("a", rob=IRI(f"{EX}unclear")),
        "risk of bias", ("the rank of the risk-of-bias level judged for a",)),
}


@pytest.mark.parametrize("published, bad_study, name_start, missing", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_bad_data_is_unknown_with_the_reason(published, bad_study, name_start, missing):
    derivation = check(claim(EV.Rating, published, "a"), bad_study, levels=(published,))
    found = criterion(derivation, published.label, name_start)
    assert (found.status, found.missing) == (Status.UNKNOWN, missing)
    assert derived_triples([derivation], DIGEST)


@pytest.mark.parametrize("published, bad_study", [
    pytest.param(published, bad_study, id=name)
    for name, (published, bad_study, *_) in BAD_DATA.items()])
def test_bad_data_leaves_the_published_level_unverified(published, bad_study):
    derivation = check(claim(EV.Rating, published, "a"), bad_study, levels=(published,))
    assert derivation.verdict is Verdict.CANNOT_VERIFY


def test_two_published_levels_cannot_be_verified():
    derivation = check(recommendation((GOOD, STRONG), "a"), uk_trial("a", rob=LOW))
    assert (derivation.verdict, derivation.published, derivation.levels, derivation.derived) == (
        Verdict.CANNOT_VERIFY, None, (), None)
    assert derivation.reason == "2 published levels are recorded (good, strong), so which to check is unclear"


# -- the derived graph ----------------------------------------------------------------------------

#: A data digest for the derived-graph tests (any 64 hex digits).
DIGEST = "0123456789abcdef" * 4


def test_derived_triples_carry_prov_and_one_result_per_criterion():
    derivation = check(rating(L3, "a"), study("a", design=PRE_POST))
    triples = derived_triples([derivation], DIGEST)
    node = IRI(f"{ID_BASE}derived/example.org/evgraph-test/subject")
    run = IRI(f"{ID_BASE}evaluation/0123456789abcdef")
    assert derivation_iri(SUBJECT) == node

    def objects(subject: IRI, predicate: IRI) -> list:
        return [o for s, p, o in triples if (s, p) == (subject, predicate)]

    assert objects(run, RDF.type) == [EV.RuleEvaluation]
    assert objects(run, EV.dataDigest) == [Literal(DIGEST)]
    assert objects(run, PROV.startedAtTime) == []  # named by what it read, not when it ran
    assert objects(node, RDF.type) == [EV.Derivation]
    assert objects(node, EV.derivedFor) == [SUBJECT]
    assert objects(node, PROV.wasGeneratedBy) == [run]
    assert objects(node, EV.verdict) == [VERDICT.overclaim]
    assert objects(node, EV.reason) == [Literal("the recorded studies support no level, below the published level")]
    assert objects(node, EV.publishedLevel) == [L3.iri]
    assert objects(node, EV.derivedLevel) == []
    assert objects(node, EV.countedStudy) == [IRI(f"{EX}a")]

    results = objects(node, EV.hasCriterionResult)
    assert results == [IRI(f"{node}/criterion-{n}") for n in range(1, len(derivation.criteria) + 1)]
    for result, expected in zip(results, derivation.criteria):
        assert objects(result, RDF.type) == [EV.CriterionResult]
        assert objects(result, EV.forLevel) == [expected.level_iri]
        assert objects(result, EV.criterion) == [Literal(expected.criterion)]
        assert objects(result, EV.criterionStatus) == [CRITERION_STATUS[expected.status.value.replace(" ", "-")]]
        assert objects(result, EV.missingFact) == [Literal(m) for m in expected.missing]
    # The published level's criteria come first.
    assert [(objects(r, EV.criterion), objects(r, EV.criterionStatus)) for r in results[:2]] == [
        ([Literal("at least 1 distinct study")], [CRITERION_STATUS.met]),
        ([Literal("design: quasi-experimental design or randomised controlled trial")], [CRITERION_STATUS["not-met"]])]
    assert objects(results[-1], EV.missingFact) == [Literal("sample size of a")]


def test_derived_triples_name_the_derived_level():
    derivation = check(rating(L2, "a"), study("a", design=RCT, sampleSize=100, findings=[significant()]))
    node = derivation_iri(SUBJECT)
    triples = derived_triples([derivation], DIGEST)
    assert (node, EV.derivedLevel, L3.iri) in triples
    assert (node, EV.verdict, VERDICT.underclaim) in triples


# -- the registry ---------------------------------------------------------------------------------


def test_every_criterion_has_a_unique_property_and_name_and_a_description():
    assert len({c.property for c in CRITERIA}) == len({c.name for c in CRITERIA}) == len(CRITERIA)
    assert all(c.description.strip() for c in CRITERIA)
    assert CRITERIA[0].property == EV.minStudies and CRITERIA[0].check is None
    assert all(c.check is not None for c in CRITERIA[1:])
    assert CRITERION_PROPERTIES == tuple(c.property for c in CRITERIA) + (EV.minFollowUpMonths,)


OTHER_PROPERTIES = (EV.minFollowUpMonths, EV.criteriaText, EV.criteriaIncomplete, EV.countryRestriction)


@pytest.mark.parametrize("prop", [c.property for c in CRITERIA] + list(OTHER_PROPERTIES),
                         ids=lambda p: p.rsplit("#", 1)[-1])
def test_has_rule_exactly_when_a_level_carries_a_registry_property(prop):
    lone = Level(IRI(f"{EX}level"), "level", STRENGTH, Literal.of(1), {prop: (Literal.of(1),)})
    assert has_rule(lone) is (prop in {c.property for c in CRITERIA})


def test_every_scheme_level_has_a_rule():
    assert all(has_rule(lv) for lv in LEVELS.values())
    assert not has_rule(Level(IRI(f"{EX}level"), "level", STRENGTH, None, {}, ("no criteria as data",)))


def test_negative_arm_size_and_a_design_written_as_text_are_unknown_not_failures():
    """Values the shapes forbid never become a 'not met' (and so never an overclaim)."""
    negative = uk_trial("a", interventionArmSize=-12, controlArmSize=40, rob=LOW)
    derivation = check(recommendation(STRONG, "a", "b"), negative,
                       uk_trial("b", interventionArmSize=40, controlArmSize=40, rob=LOW))
    arms = criterion(derivation, "strong", "at least 20 per arm")
    assert (arms.status, arms.missing) == (Status.UNKNOWN, ("intervention arm size of a is negative ('-12')",))
    assert derivation.verdict is Verdict.CANNOT_VERIFY

    text_design = study("c", design=Literal("RCT"), country=GB, rob=MODERATE)
    derivation = check(recommendation(PROMISING, "c"), text_design)
    design = criterion(derivation, "promising", "design")
    assert (design.status, design.missing) == (
        Status.UNKNOWN, ("design of c as a concept (recorded as text: RCT)",))
    assert derivation.verdict is Verdict.CANNOT_VERIFY
