"""Each fault fixture (tests/fixtures/fault_<what_is_wrong>.ttl) fails with exactly its own message.

Every fixture holds one mistake a curator (or the rules) could make. Validating it, with the bundled
ontology and shapes and with the rules run, must give one result: a Violation on the node the fixture
names, with the message of the shape that catches it and nothing else. The good evidence chain and the
query catalogue are the fault-free cases. The last tests keep the shapes in step with the ontology
and the rules, so that a new property or criterion cannot slip past them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from evgraph.paths import Layout
from evgraph.rules.criteria import CRITERION_PROPERTIES
from evgraph.validation import validate

EX = "https://example.org/evgraph-test/"
ID = "https://w3id.org/evgraph/id/"
SH = Namespace("http://www.w3.org/ns/shacl#")
EV = Namespace("https://w3id.org/evgraph/ontology#")
EVSH = Namespace("https://w3id.org/evgraph/shapes#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
FIXTURES = Path(__file__).parent / "fixtures"

DERIVED = "fix how src/evgraph/rules/derived.py writes it."


class Fault(NamedTuple):
    """The one result a fault fixture gives: a Violation on this node, at this path, with this message."""

    focus: str
    path: str | None
    message: str


#: fixture name (after ``fault_``) -> the one Violation it gives.
FAULTS: dict[str, Fault] = {
    # -- vocabulary.ttl: terms are declared, links resolve, object properties point at their range
    "undeclared_property": Fault(
        f"{EX}trial", "ev:sampleSise",
        ("ev:sampleSise is not a property of the evgraph ontology: correct its spelling, or use a property "
         "declared in ontology/evgraph.ttl.")),
    "undeclared_class": Fault(
        f"{EX}pilot", "rdf:type",
        ("ev:Studdy is not a class of the evgraph ontology: correct its spelling, or use a class declared in "
         "ontology/evgraph.ttl.")),
    "link_to_nothing": Fault(
        f"{EX}statement", "ev:concerns",
        (f"This points at {ID}guidance/kinship-care-guid, which is defined nowhere (nothing gives it an rdf:type): "
         "correct the IRI, or add the node it names.")),
    "stated_by_a_study": Fault(
        f"{EX}statement", "ev:statedBy",
        ("ev:statedBy must point at an instance of prov:Agent, its rdfs:range in ontology/evgraph.ttl: correct the"
         " value.")),
    "review_commissioned_by_a_study": Fault(
        f"{EX}review", "ev:commissionedBy",
        ("ev:commissionedBy must point at an instance of ev:Organisation, its rdfs:range in ontology/evgraph.ttl: "
         "correct the value.")),
    # -- guidance.ttl: concerns and ratings
    "concern_about_nothing": Fault(
        f"{EX}concern", "ev:concerns",
        ("A concern must say what it is about: add ev:concerns <the recommendation, rating, guide or review whose "
         "claim reads stronger than its evidence>.")),
    "rating_issued_after_it_was_superseded": Fault(
        f"{EX}rating", "dcterms:issued",
        ("dct:issued 2019-05 is after ev:validUntil 2018: a rating cannot start after it was superseded; correct "
         "whichever date differs from the source.")),
    # -- evidence.ttl: numbers and dates that cannot all be true
    "arms_exceed_sample": Fault(
        f"{EX}trial", "ev:sampleSize",
        ("The arms add up to 19 (10 + 9), more than the sample size of 12: correct ev:interventionArmSize, "
         "ev:controlArmSize or ev:sampleSize to what the source says.")),
    "findings_published_before_study_started": Fault(
        f"{EX}paper", "ev:year",
        (f"Dated 2010, before its study {EX}trial started (2011-01-10T00:00:00), yet it reports that study's "
         "findings: correct the date here (ev:year) or the study's prov:startedAtTime.")),
    "year_disagrees_with_issued": Fault(
        f"{EX}paper", "ev:year",
        ("ev:year 2019 disagrees with dct:issued 2020-03: keep the date the source gives (ev:year is only for when"
         " the full date is not known).")),
    # -- concepts.ttl: levels with criteria
    "level_criteria_not_in_words": Fault(
        f"{EX}pilot-level", "ev:criteriaText",
        ("A level with machine-readable criteria must also give them in words: add ev:criteriaText, a paraphrase "
         "of the source's definition.")),
    "level_max_studies_not_a_number": Fault(
        f"{EX}pilot-level", "ev:maxStudies",
        "ev:maxStudies must be one whole number, zero or more."),
    # -- derived.ttl: what the rules write (checked after the rules ran)
    "rule_evaluation_without_data_digest": Fault(
        f"{EX}run", None,
        ("A rule evaluation records exactly one name (rdfs:label), digest of the data it "
         f"read (ev:dataDigest, 64 hex digits) and evgraph version (ev:softwareVersion): {DERIVED}")),
    "derivation_for_nothing": Fault(
        f"{EX}derivation", None,
        ("A derivation names exactly one recommendation or rating (ev:derivedFor), rule evaluation "
         "(prov:wasGeneratedBy), verdict (ev:verdict, a concept of ev:VerdictScheme: verdict:consistent, overclaim,"
         " underclaim, cannot-verify or no-rule)"
         " and reason (ev:reason), at most one published and one derived level (ev:publishedLevel, "
         f"ev:derivedLevel), and only criterion results (ev:hasCriterionResult): {DERIVED}")),
    "criterion_result_without_derivation": Fault(
        f"{EX}result", None,
        ("A criterion result belongs to exactly one derivation (ev:hasCriterionResult) and names exactly one level"
         " (ev:forLevel, an IRI), criterion (ev:criterion) and status (ev:criterionStatus, a concept of"
         " ev:CriterionStatusScheme: criterionstatus:met, not-met or "
         f"unknown), with any missing facts as text (ev:missingFact): {DERIVED}")),
    # -- schemes.ttl: SKOS integrity
    "concept_in_two_schemes": Fault(
        f"{EX}stepped-design", "skos:inScheme",
        "A concept must belong to exactly one scheme: give it one skos:inScheme."),
    "concept_with_two_english_labels": Fault(
        f"{EX}stepped-design", "skos:prefLabel",
        ('A concept needs exactly one skos:prefLabel per language, with its language tag (e.g. "randomised '
         'controlled trial"@en); other names are skos:altLabel.')),
    "broader_concept_in_another_scheme": Fault(
        f"{EX}stepped-design", None,
        ("The broader concept https://w3id.org/evgraph/scheme/country/GB is not in this concept's scheme: relate "
         "it (skos:broader, skos:narrower) only to concepts of its own scheme.")),
    "top_concept_with_broader": Fault(
        f"{EX}stepped-design", "skos:broader",
        ("A top concept of its scheme has no broader concept: remove skos:broader "
         "https://w3id.org/evgraph/scheme/design/rct, or stop listing this concept as a top concept "
         "(skos:topConceptOf, skos:hasTopConcept).")),
    "scheme_without_label": Fault(
        f"{EX}SettingScheme", "skos:prefLabel",
        "A concept scheme needs a name: exactly one skos:prefLabel per language, with its language tag."),
}


def test_every_fault_fixture_has_its_expected_result():
    on_disk = sorted(p.stem.removeprefix("fault_") for p in FIXTURES.glob("fault_*.ttl"))
    assert on_disk == sorted(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_fails_with_its_own_message_only(fixture_store, name):
    report = validate(fixture_store(f"fault_{name}"))
    assert not report.conforms
    assert [(v.focus, v.path, v.message, v.severity) for v in report.violations] == [(*FAULTS[name], "Violation")]


def test_five_faults_in_one_data_set_give_five_messages(fixture_store):
    """An undeclared property, a link to nothing, a wrong class, a concern about nothing and arms larger than
    the sample, together: each is reported, once, in its own words."""
    names = ["undeclared_property", "link_to_nothing", "stated_by_a_study", "concern_about_nothing",
             "arms_exceed_sample"]
    report = validate(fixture_store(*(f"fault_{name}" for name in names)))
    assert sorted((v.focus, v.message) for v in report.violations) == sorted(
        (FAULTS[name].focus, FAULTS[name].message) for name in names)


def test_the_good_evidence_chain_conforms_with_no_result(fixture_store):
    assert validate(fixture_store("good_evidence_chain")).violations == []


def test_the_catalogue_conforms_with_only_its_two_overclaim_warnings(fixture_store):
    report = validate(fixture_store("catalogue"))
    assert report.conforms
    assert sorted((v.focus, v.severity) for v in report.violations) == [
        (f"{EX}rating-overclaim", "Warning"), (f"{EX}rec-overclaim", "Warning")]


# -- the shapes keep step with the ontology and the rules ------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for path in sorted(Layout.default().shapes.glob("*.ttl")):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(Layout.default().ontology.rglob("*.ttl")):
        graph.parse(path)
    return graph


def _value_checks(shapes: Graph, ontology: Graph) -> set[tuple[URIRef, URIRef]]:
    """(ev: object property with a range, class) for each property shape that checks the property's values on
    the nodes of a class; the scheme-level shape checks its criteria on concepts."""
    checks = set()
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        classes = set(shapes.objects(shape, SH.targetClass))
        if shape == EVSH.SchemeLevelShape:
            classes = {SKOS.Concept}
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            checked = any(shapes.value(prop, key) is not None for key in (SH["class"], SH.node, SH["or"]))
            if checked and (path, RDF.type, OWL.ObjectProperty) in ontology and ontology.value(path, RDFS.range):
                checks |= {(path, cls) for cls in classes}
    return checks


def test_the_range_check_stands_back_exactly_where_another_shape_checks_the_values(shapes, ontology):
    """evsh:ObjectRangeShape leaves (property, class) pairs to the shapes that check them with their own
    message, so a mistake is reported once; the pairs it lists are exactly those."""
    constraint = shapes.value(EVSH.ObjectRangeShape, SH.sparql)
    text = str(shapes.value(constraint, SH.select))
    listed = {(EV[p.split(":")[1]], EV[cls.split(":")[1]] if cls.startswith("ev:") else SKOS[cls.split(":")[1]])
              for cls, paths in re.findall(r"\?class = (\S+) && \?path IN \(([^)]*)\)", text)
              for p in paths.split(", ")}
    assert listed == _value_checks(shapes, ontology)


def test_hand_written_class_checks_agree_with_the_ontology_ranges(shapes, ontology):
    def within(cls, ancestor) -> bool:
        return cls == ancestor or any(within(parent, ancestor) for parent in ontology.objects(cls, RDFS.subClassOf))

    disagree = []
    for prop in shapes.subjects(SH["class"], None):
        path, cls = shapes.value(prop, SH.path), shapes.value(prop, SH["class"])
        if not isinstance(path, URIRef):
            continue
        for expected in ontology.objects(path, RDFS.range):
            if str(path).startswith(str(EV)) and not within(cls, expected):
                disagree.append((str(path), str(cls), str(expected)))
    assert disagree == []


def test_the_level_shape_reads_every_criterion_the_rules_read(shapes):
    targets = set(shapes.objects(EVSH.SchemeLevelShape, SH.targetSubjectsOf))
    checked = {shapes.value(prop, SH.path) for prop in shapes.objects(EVSH.SchemeLevelShape, SH.property)}
    criteria = {URIRef(str(p)) for p in CRITERION_PROPERTIES}
    assert criteria - targets == set()
    assert criteria - checked == set()


def test_the_derived_shapes_cover_every_node_type_the_rules_write(shapes):
    from evgraph.rules.criteria import Status
    from evgraph.rules.derived import derived_triples
    from evgraph.rules.engine import CriterionResult, Derivation, LevelResult, Verdict
    from evgraph.terms import IRI

    level = IRI("https://w3id.org/evgraph/scheme/guidebook-level/3")
    checked = LevelResult(level, "3", 3, Status.MET, (CriterionResult("3", "design", Status.MET, (), level),))
    derivation = Derivation(IRI(f"{EX}rating"), level, None, (), (), (checked,), level, Verdict.CONSISTENT, "met")
    written = {str(o) for _, p, o in derived_triples([derivation], "0" * 64) if str(p) == str(RDF.type)}
    derived_shapes = Graph().parse(Layout.default().shapes / "derived.ttl")
    assert written == {str(EV.RuleEvaluation), str(EV.Derivation), str(EV.CriterionResult)}
    assert written - {str(c) for c in derived_shapes.objects(None, SH.targetClass)} == set()
