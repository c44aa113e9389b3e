"""Every ``sh:message`` in shapes/ fires on a small mutation of a fixture that breaks it as the message says.

The messages are collected from the shapes, so a new message without a row in :data:`MUTATIONS` is a
failing test. Each mutation removes some text from a fixture and appends some Turtle (the fixture's
prefixes apply). On the good evidence chain, which conforms, the mutation must be the only reason the
data fails: every result carries the message and the mutated focus node. Most rows run without the
rules; the one warning that needs them (shapes/derived.ttl) runs on the catalogue with the rules, where
other overclaims are already present, so its row only checks that the mutated node is among them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from evgraph.paths import Layout
from evgraph.store import load_store
from evgraph.validation import validate

from conftest import fixture_data_dir

EX = "https://example.org/evgraph-test/"
BLANK = "a blank node"


@dataclass(frozen=True)
class Mutation:
    """How to break one message: text removed from the fixture plus the fixture, then Turtle appended."""

    focus: str  #: the node the message must be about (a full IRI), or BLANK
    add: str = ""
    remove: str = ""  #: must occur exactly once in the fixture text plus ``add``
    fixture: str = "good_evidence_chain"
    with_rules: bool = False


# A rating-scheme level with criteria text, valid as written; rows add one bad criterion to it.
LEVEL = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:pilot-level a skos:Concept ; skos:inScheme ev:GuidebookEvidenceScheme ; skos:prefLabel "pilot"@en ;
    ev:rank 1 ;
    ev:criteriaText "A pilot study with at least twenty participants."@en ;
    dct:source <https://example.org/source/pilot-level> .
"""
# A design concept, valid as written; rows add one SKOS fault to it.
CONCEPT = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:stepped-design a skos:Concept ; skos:inScheme ev:StudyDesignScheme ; skos:prefLabel "stepped design"@en .
"""
# A statement, valid as written.
STATEMENT = """ex:statement a ev:Statement ; rdfs:label "The review's conclusion"@en ;
    rdf:value "One trial found fewer placement moves." ; ev:conclusionOf ex:review ;
    dct:source <https://example.org/source/review> .
"""


def ex(name: str) -> str:
    return EX + name


MUTATIONS: dict[str, Mutation] = {
    # -- provenance.ttl ------------------------------------------------------------------------
    "A curated node must have an IRI, not a blank node, so that it can be cited.": Mutation(
        BLANK, add='[] a ev:Organisation ; rdfs:label "An unnamed funder"@en ; dct:source <https://example.org/source/f> .'),
    "Every curated node must cite its source: add dct:source <URL of the page its facts were read from>.": Mutation(
        ex("funder"), add='ex:funder a ev:Organisation ; rdfs:label "A funder"@en .'),
    "A source must be the http(s) URL of a document, written as <…>, not text.": Mutation(
        ex("programme"), add='ex:programme dct:source "the programme page" .'),
    "Every curated node needs a human-readable name (rdfs:label).": Mutation(
        ex("funder"), add="ex:funder a ev:Organisation ; dct:source <https://example.org/source/funder> ."),
    "A label must be text.": Mutation(ex("programme"), add="ex:programme rdfs:label <https://example.org/label> ."),
    "This node is described but has no type: add rdf:type (e.g. ev:Study), or fix a misspelt IRI.": Mutation(
        "https://w3id.org/evgraph/id/study/misspelt",
        add='<https://w3id.org/evgraph/id/study/misspelt> rdfs:comment "A typo for ex:trial." .'),
    # -- organisations.ttl ---------------------------------------------------------------------
    "An organisation's type must be text.": Mutation(
        "https://w3id.org/evgraph/id/organisation/eif", add="orgn:eif ev:organisationType orgn:foundations ."),
    "ev:commissionedBy must point at an organisation defined in data/.": Mutation(
        ex("trial"), add="ex:trial ev:commissionedBy ex:review ."),
    "A merger must name the organisations that merged (org:originalOrganization), each defined in data/.": Mutation(
        ex("merger"), remove="org:originalOrganization orgn:eif ; "),
    "A merger must name the organisation it produced (org:resultingOrganization), defined in data/.": Mutation(
        ex("merger"), remove="org:resultingOrganization orgn:foundations ;"),
    "A merger's date must be one xsd:date, xsd:gYearMonth or xsd:gYear.": Mutation(
        ex("merger"), remove='dct:date "2022-12"^^xsd:gYearMonth ; ', add='ex:merger dct:date "December 2022" .'),
    "An intervention must say what kind it is: exactly one of kind:programme, kind:practice-model or"
    " kind:intervention-type.": Mutation(ex("programme"), remove="ev:kind kind:programme ;"),
    "A level of need must be a concept of ev:LevelOfNeedScheme (universal, targeted, targeted-selected,"
    " targeted-indicated).": Mutation(ex("programme"), add="ex:programme ev:levelOfNeed kind:programme ."),
    "An improved outcome must be one of the Guidebook's outcome domains (ev:OutcomeDomainScheme).": Mutation(
        ex("programme"), add="ex:programme ev:improvesOutcome kind:programme ."),
    "ev:ukAvailable must be true or false, recorded only when a source states it.": Mutation(
        ex("programme"), add='ex:programme ev:ukAvailable "yes" .'),
    "ev:ukTested must be true or false, recorded only when a source states it.": Mutation(
        ex("programme"), add="ex:programme ev:ukTested 1 ."),
    "A minimum age must be one number of years, zero or more.": Mutation(
        ex("programme"), add="ex:programme ev:minAgeYears -1 ."),
    "A maximum age must be one number of years, zero or more.": Mutation(
        ex("programme"), add='ex:programme ev:maxAgeYears "ten" .'),
    "ev:developedBy must point at an organisation defined in data/.": Mutation(
        ex("programme"), add="ex:programme ev:developedBy ex:trial ."),
    # -- evidence.ttl --------------------------------------------------------------------------
    "A study must state its design (ev:design, e.g. design:rct), or say why the sources do not give one"
    " (ev:designNotRecorded) — one or the other.": Mutation(
        ex("trial"), add='ex:trial ev:designNotRecorded "The papers do not say." .'),
    "A study's design must be a concept of ev:StudyDesignScheme (see ontology/schemes/vocabularies.ttl).": Mutation(
        ex("trial"), add="ex:trial ev:design kind:programme ."),
    "ev:evaluates must point at an intervention defined in data/.": Mutation(
        ex("trial"), add="ex:trial ev:evaluates orgn:eif ."),
    "A study's country must be a concept of ev:CountryScheme (e.g. country:GB, country:US).": Mutation(
        ex("trial"), add="ex:trial ev:country country:XX ."),
    "An intervention arm size must be one whole number of participants, zero or more.": Mutation(
        ex("trial"), add="ex:trial ev:interventionArmSize 80 ."),
    "A control arm size must be one whole number of participants, zero or more.": Mutation(
        ex("trial"), remove="ev:controlArmSize 77 ; ", add="ex:trial ev:controlArmSize 77.5 ."),
    "A sample size must be one whole number, zero or more.": Mutation(
        ex("trial"), remove=" ; ev:sampleSize 156", add='ex:trial ev:sampleSize "156 children" .'),
    "A follow-up must be a number of months, zero or more.": Mutation(
        ex("trial"), add="ex:trial ev:followUpMonths -6 ."),
    "ev:evaluatedBy must point at an organisation defined in data/.": Mutation(
        ex("trial"), add="ex:trial ev:evaluatedBy ex:programme ."),
    "A publication must have a title (dct:title).": Mutation(
        ex("paper-1"), remove='dct:title "Outcomes at six months"@en ;'),
    'ev:year must be one xsd:gYear, e.g. "2019"^^xsd:gYear.': Mutation(
        ex("paper-1"), remove='ev:year "2010"^^xsd:gYear ; ', add="ex:paper-1 ev:year 2010 ."),
    "A publication date must be one xsd:date, xsd:gYearMonth or xsd:gYear.": Mutation(
        ex("paper-2"), remove='dct:issued "2012-03"^^xsd:gYearMonth ; ', add='ex:paper-2 dct:issued "March 2012" .'),
    "A publisher must be an organisation defined in data/.": Mutation(
        ex("paper-1"), add="ex:paper-1 dct:publisher ex:programme ."),
    "A DOI must look like 10.xxxx/yyyy, without the https://doi.org/ prefix.": Mutation(
        ex("paper-2"), add='ex:paper-2 bibo:doi "https://doi.org/10.1000/example.2" .'),
    "A report must point at the study it describes (ev:reportsStudy); a publication about no single study is an"
    " ev:Publication or ev:EvidenceReview.": Mutation(
        ex("paper-3"), add='ex:paper-3 a ev:Report ; rdfs:label "Paper three"@en ; dct:title "A letter"@en ;'
                           " dct:source <https://example.org/source/paper-3> ."),
    "ev:reportsStudy must point at a study defined in data/.": Mutation(
        ex("paper-1"), add="ex:paper-1 ev:reportsStudy ex:review ."),
    "An appraisal must judge exactly one study (ev:appraises) defined in data/.": Mutation(
        ex("appraisal"), remove="ev:appraises ex:trial ;"),
    "An appraisal must give exactly one risk-of-bias level from ev:RiskOfBiasScheme (low, moderate, high).": Mutation(
        ex("appraisal"), remove="ev:riskOfBias rob:moderate ; ", add='ex:appraisal ev:riskOfBias "moderate" .'),
    "An appraisal must name the review it was made in (ev:appraisedIn an ev:EvidenceReview).": Mutation(
        ex("appraisal"), remove="ev:appraisedIn ex:review ; "),
    "An appraisal must be attributed to the agents who made it (prov:wasAttributedTo the review's authors or"
    " publisher), not to the review.": Mutation(
        ex("appraisal"), remove="prov:wasAttributedTo ex:review-team ;", add="ex:appraisal prov:wasAttributedTo ex:review ."),
    "A finding must belong to exactly one study (ev:ofStudy) defined in data/.": Mutation(
        ex("finding"), remove="ev:ofStudy ex:trial ;"),
    "A finding must say which outcome it is about (ev:outcomeDescription).": Mutation(
        ex("finding"), remove='ev:outcomeDescription "placement stability" ; '),
    "A finding's direction must be one concept of ev:EffectDirectionScheme.": Mutation(
        ex("finding"), remove="ev:direction direction:favourable ; ", add="ex:finding ev:direction design:rct ."),
    "ev:significant must be true or false.": Mutation(
        ex("finding"), remove="ev:significant true ;", add='ex:finding ev:significant "yes" .'),
    "A follow-up must be one number of months, zero or more.": Mutation(
        ex("finding"), remove="ev:followUpMonths 12 ; ", add='ex:finding ev:followUpMonths "a year" .'),
    "ev:reportedIn must point at a report defined in data/.": Mutation(
        ex("finding"), add="ex:finding ev:reportedIn ex:trial ."),
    "A review must say what kind of review it is (ev:reviewType).": Mutation(
        ex("review"), remove="ev:reviewType reviewtype:systematic ; "),
    "A review type must be a concept of ev:ReviewTypeScheme.": Mutation(
        ex("review"), add="ex:review ev:reviewType design:rct ."),
    "ev:includes must point at a study defined in data/.": Mutation(
        ex("review"), add="ex:review ev:includes ex:paper-1 ."),
    "A published study count must be one whole number, zero or more.": Mutation(
        ex("review"), add="ex:review ev:qualitativeStudyCount -2 ."),
    "A published paper count must be one whole number, zero or more.": Mutation(
        ex("review"), add='ex:review ev:paperCount "several" .'),
    "ev:includedStudyListAvailable must be true or false.": Mutation(
        ex("review"), remove="ev:includedStudyListAvailable true ; ",
        add='ex:review ev:includedStudyListAvailable "yes" .'),
    # -- guidance.ttl --------------------------------------------------------------------------
    "Guidance must name its publisher (dct:publisher).": Mutation(
        ex("guide"), remove="dct:publisher orgn:foundations ; "),
    "A guide must be based on an evidence review defined in data/ (ev:basedOn).": Mutation(
        ex("guide"), add="ex:guide ev:basedOn ex:trial ."),
    "A recommendation must state its published evidence strength (ev:publishedStrength), or say why none is"
    " recorded (ev:strengthNotRecorded) — one or the other.": Mutation(
        ex("rec-2"), add="ex:rec-2 ev:publishedStrength strength:good ."),
    "A published strength must be one of strength:strong, strength:good or strength:promising.": Mutation(
        ex("rec-1"), remove="ev:publishedStrength strength:promising ; ", add="ex:rec-1 ev:publishedStrength level:3 ."),
    "A recommendation must belong to exactly one guide (ev:inGuidance) defined in data/.": Mutation(
        ex("rec-2"), add="ex:rec-2 ev:inGuidance ex:review ."),
    "ev:about must point at an intervention defined in data/.": Mutation(ex("rec-1"), add="ex:rec-1 ev:about ex:trial ."),
    "ev:supportedBy must point at a study defined in data/.": Mutation(
        ex("rec-1"), add="ex:rec-1 ev:supportedBy ex:paper-1 ."),
    "A recommendation is derived from an evidence review defined in data/.": Mutation(
        ex("rec-1"), add="ex:rec-1 prov:wasDerivedFrom ex:trial ."),
    "A rating must give an evidence level (ev:evidenceLevel) or a cost rating (ev:costRating); a rating the sources"
    " do not give is left out.": Mutation(ex("rating"), remove="ev:evidenceLevel level:3plus ; ev:costRating cost:2 ; "),
    "A rating must rate exactly one intervention (ev:rates) defined in data/.": Mutation(
        ex("rating"), remove="ev:rates ex:programme ;"),
    "A rating's evidence level must be one level of a rating scheme defined in ontology/schemes/ (e.g. level:3plus).":
        Mutation(ex("rating"), remove="ev:evidenceLevel level:3plus ; ", add="ex:rating ev:evidenceLevel level:5 ."),
    "A cost rating must be one of cost:1 to cost:5 (ev:GuidebookCostScheme).": Mutation(
        ex("rating"), remove="ev:costRating cost:2 ; ", add="ex:rating ev:costRating cost:7 ."),
    "A rating must say how its value was obtained: exactly one ev:ratingBasis from ev:RatingBasisScheme (read"
    " directly, inferred, mirror ...).": Mutation(ex("rating"), remove="ev:ratingBasis basis:digit-read-plus-inferred ; "),
    # Attributed to orgn:eif and also to a review: the level still belongs to a scheme eif uses.
    "A rating must name the organisation that gave it (prov:wasAttributedTo) defined in data/.": Mutation(
        ex("rating"), add="ex:rating prov:wasAttributedTo ex:review ."),
    "ev:mixedFindings must be true or false.": Mutation(ex("rating"), add='ex:rating ev:mixedFindings "no" .'),
    "A rating is based on studies defined in data/ (ev:basedOn).": Mutation(
        ex("rating"), add="ex:rating ev:basedOn ex:paper-1 ."),
    "ev:conflictsWith must point at another rating.": Mutation(ex("rating"), add="ex:rating ev:conflictsWith ex:rec-1 ."),
    "The evidence level {?value} is not a level of any scheme used by the organisation this rating is attributed"
    " to.": Mutation(ex("rating"), remove="ev:evidenceLevel level:3plus ; ",
                     add="ex:rating ev:evidenceLevel <https://w3id.org/evgraph/scheme/title-iv-e/supported> ."),
    "A candidate link must be proposed for exactly one recommendation, rating or review defined in data/.": Mutation(
        ex("candidate"), remove="ev:proposedFor ex:rating ; ", add="ex:candidate ev:proposedFor ex:programme ."),
    "A candidate link must propose exactly one study defined in data/.": Mutation(
        ex("candidate"), remove="ev:proposedStudy ex:trial ; "),
    "A candidate link must say why it was proposed (ev:linkBasis).": Mutation(
        ex("candidate"), remove='ev:linkBasis "Same programme; not confirmed." ;'),
    "A candidate link must be attributed to the curator who proposed it (prov:wasAttributedTo).": Mutation(
        ex("candidate"), remove="prov:wasAttributedTo ex:curator ; "),
    "A statement must say what was stated (rdf:value, a short paraphrase).": Mutation(
        ex("statement"), add=STATEMENT, remove='rdf:value "One trial found fewer placement moves." ; '),
    "A statement's date must be one xsd:date, xsd:gYearMonth or xsd:gYear.": Mutation(
        ex("statement"), add=STATEMENT + 'ex:statement dct:date "last spring" .'),
    "ev:conclusionOf must point at an evidence review defined in data/.": Mutation(
        ex("statement"), add=STATEMENT + "ex:statement ev:conclusionOf ex:guide ."),
    "A discrepancy sets sources side by side: cite at least two (dct:source).": Mutation(
        ex("discrepancy"), remove=", <https://example.org/source/b>"),
    # -- concepts.ttl: a level with criteria, added to the Guidebook scheme --------------------
    "A scheme level with criteria must cite where they were published (dct:source).": Mutation(
        ex("pilot-level"), add=LEVEL, remove="\n    dct:source <https://example.org/source/pilot-level>"),
    "A scheme level must have exactly one integer ev:rank, so levels can be ordered.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:rank 2 ."),
    "ev:minStudies must be one whole number, zero or more.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:minStudies 1.5 ."),
    "ev:minArmSize must be one whole number, zero or more.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:minArmSize -20 ."),
    "ev:minSampleSize must be one whole number of participants, zero or more.": Mutation(
        ex("pilot-level"), add=LEVEL + 'ex:pilot-level ev:minSampleSize "twenty" .'),
    "ev:minFollowUpMonths must be one number of months, zero or more.": Mutation(
        ex("pilot-level"), add=LEVEL + 'ex:pilot-level ev:minFollowUpMonths "a year" .'),
    "An eligible design must be a concept of ev:StudyDesignScheme.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:eligibleDesign country:GB ."),
    "A maximum risk of bias must be one concept of ev:RiskOfBiasScheme.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:maxRiskOfBias design:rct ."),
    "An eligible country must be a concept of ev:CountryScheme.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:eligibleCountry design:rct ."),
    "ev:requiresLongTermImpact must be true or false.": Mutation(
        ex("pilot-level"), add=LEVEL + 'ex:pilot-level ev:requiresLongTermImpact "yes" .'),
    "ev:requiresSignificantPositiveFinding must be true or false.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:requiresSignificantPositiveFinding 1 ."),
    # -- vocabulary.ttl ------------------------------------------------------------------------
    "{?name} is not a property of the evgraph ontology: correct its spelling, or use a property declared in"
    " ontology/evgraph.ttl.": Mutation(ex("trial"), add="ex:trial ev:sampleSise 156 ."),
    "{?name} is not a class of the evgraph ontology: correct its spelling, or use a class declared in"
    " ontology/evgraph.ttl.": Mutation(ex("programme"), add="ex:programme a ev:Programme ."),
    "This points at {?value}, which is defined nowhere (nothing gives it an rdf:type): correct the IRI, or add the"
    " node it names.": Mutation(
        ex("discrepancy"), add="ex:discrepancy ev:concerns <https://w3id.org/evgraph/id/guidance/example-gide> ."),
    "{?name} must point at an instance of {?expected}, its rdfs:range in ontology/evgraph.ttl: correct the value.":
        Mutation(ex("discrepancy"), add="ex:discrepancy ev:statedBy ex:trial ."),
    # -- evidence.ttl and guidance.ttl: facts that cannot all be true ---------------------------
    "The arms add up to {?arms} ({?intervention} + {?control}), more than the sample size of {?sample}: correct"
    " ev:interventionArmSize, ev:controlArmSize or ev:sampleSize to what the source says.": Mutation(
        ex("trial"), remove=" ; ev:sampleSize 156", add="ex:trial ev:sampleSize 150 ."),
    "Dated {?published}, before its study {?study} started ({?started}), yet it reports that study's findings:"
    " correct the date here ({?dateProperty}) or the study's prov:startedAtTime.": Mutation(
        ex("paper-2"), add='ex:trial prov:startedAtTime "2012-06-01T00:00:00"^^xsd:dateTime .'),
    "ev:year {?year} disagrees with dct:issued {?issued}: keep the date the source gives (ev:year is only for when"
    " the full date is not known).": Mutation(ex("paper-1"), add='ex:paper-1 dct:issued "2011-02"^^xsd:gYearMonth .'),
    "A concern must say what it is about: add ev:concerns <the recommendation, rating, guide or review whose claim"
    " reads stronger than its evidence>.": Mutation(
        ex("concern"), add='ex:concern a ev:Concern ; rdfs:label "A claim stronger than its evidence"@en ;'
                           ' rdf:value "The guide reads stronger than the review." ;'
                           " dct:source <https://example.org/source/commentary> ."),
    "{?fromProperty} {?from} is after ev:validUntil {?until}: a rating cannot start after it was superseded; correct"
    " whichever date differs from the source.": Mutation(
        ex("rating"), add='ex:rating dct:issued "2019-05"^^xsd:gYearMonth ; ev:validUntil "2018"^^xsd:gYear .'),
    # -- concepts.ttl --------------------------------------------------------------------------
    "A level with machine-readable criteria must also give them in words: add ev:criteriaText, a paraphrase of the"
    " source's definition.": Mutation(
        ex("pilot-level"), add=LEVEL + "ex:pilot-level ev:minSampleSize 20 .",
        remove='ev:criteriaText "A pilot study with at least twenty participants."@en ;'),
    "ev:maxStudies must be one whole number, zero or more.": Mutation(
        ex("pilot-level"), add=LEVEL + 'ex:pilot-level ev:maxStudies "one" .'),
    # -- schemes.ttl ---------------------------------------------------------------------------
    "A concept must belong to exactly one scheme: give it one skos:inScheme.": Mutation(
        ex("stepped-design"), add=CONCEPT + "ex:stepped-design skos:inScheme ev:CountryScheme ."),
    'A concept needs exactly one skos:prefLabel per language, with its language tag (e.g. "randomised controlled'
    ' trial"@en); other names are skos:altLabel.': Mutation(
        ex("stepped-design"), add=CONCEPT + 'ex:stepped-design skos:prefLabel "staggered design"@en .'),
    "The broader concept {?value} is not in this concept's scheme: relate it (skos:broader, skos:narrower) only to"
    " concepts of its own scheme.": Mutation(ex("stepped-design"), add=CONCEPT + "ex:stepped-design skos:broader country:GB ."),
    "A top concept of its scheme has no broader concept: remove skos:broader {?value}, or stop listing this concept"
    " as a top concept (skos:topConceptOf, skos:hasTopConcept).": Mutation(
        ex("stepped-design"), add=CONCEPT + "ex:stepped-design skos:topConceptOf ev:StudyDesignScheme ; skos:broader design:rct ."),
    "A concept scheme needs a name: exactly one skos:prefLabel per language, with its language tag.": Mutation(
        ex("SettingScheme"), add=CONCEPT + "ex:SettingScheme a skos:ConceptScheme ."),
    # -- derived.ttl: faults in what the rules write, added by hand, with the rules run ---------
    "A rule evaluation records exactly one name (rdfs:label), digest of the data it read (ev:dataDigest, 64 hex"
    " digits) and evgraph version (ev:softwareVersion): fix how src/evgraph/rules/derived.py writes it.": Mutation(
        ex("run"), with_rules=True, add='ex:run a ev:RuleEvaluation ; rdfs:label "A run"@en ; ev:softwareVersion "0.1.0" .'),
    "A derivation names exactly one recommendation or rating (ev:derivedFor), rule evaluation (prov:wasGeneratedBy),"
    " verdict (ev:verdict, a concept of ev:VerdictScheme: verdict:consistent, overclaim, underclaim,"
    " cannot-verify or no-rule) and reason (ev:reason), at"
    " most one published and one derived level (ev:publishedLevel, ev:derivedLevel), and only criterion results"
    " (ev:hasCriterionResult): fix how src/evgraph/rules/derived.py writes it.": Mutation(
        ex("derivation"), with_rules=True,
        add='ex:derivation a ev:Derivation ; ev:derivedFor ex:rating ; ev:verdict "maybe" ; ev:reason "A guess." .'),
    "A criterion result belongs to exactly one derivation (ev:hasCriterionResult) and names exactly one level"
    " (ev:forLevel, an IRI), criterion (ev:criterion) and status (ev:criterionStatus, a concept of"
    " ev:CriterionStatusScheme: criterionstatus:met, not-met or unknown),"
    " with any missing facts as text (ev:missingFact): fix how src/evgraph/rules/derived.py writes it.": Mutation(
        ex("result"), with_rules=True,
        add='ex:result a ev:CriterionResult ; ev:forLevel level:3 ; ev:criterion "design" ; ev:criterionStatus <https://w3id.org/evgraph/scheme/criterion-status/met> .'),
    # -- derived.ttl: a warning only raised with the rules, so on the catalogue, with_rules=True.
    # The consistent level-3 rating, resting on the pre-post study instead of the RCT: level 3 needs an RCT
    # or QED.
    "Published as '{?publishedLabel}', but the recorded studies support {?derivedLabel}: see `evgraph why` for the"
    " criteria not met.": Mutation(
        ex("rating-consistent"), fixture="catalogue", with_rules=True,
        remove="ev:basedOn ex:rct ; prov:wasAttributedTo orgn:eif ;",
        add="ex:rating-consistent ev:basedOn ex:pre-post ; prov:wasAttributedTo orgn:eif ."),
}


def shape_messages() -> set[str]:
    """Every distinct sh:message in the bundled shapes."""
    graph = Graph()
    for path in sorted(Layout.default().shapes.glob("*.ttl")):
        graph.parse(path)
    return {str(message) for message in graph.objects(None, SH.message)}


MESSAGES = shape_messages()


def matches(template: str, message: str) -> bool:
    """True when a result's message is the template with its {?variables} filled in."""
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.fullmatch(".+".join(re.escape(part) for part in parts), message) is not None


def mutated_store(tmp_path, mutation: Mutation):
    folder = fixture_data_dir(tmp_path, mutation.fixture)
    path = folder / f"{mutation.fixture}.ttl"
    text = path.read_text(encoding="utf-8") + "\n" + mutation.add + "\n"
    if mutation.remove:
        assert text.count(mutation.remove) == 1, f"the text to remove is not in {path.name} exactly once"
        text = text.replace(mutation.remove, "")
    path.write_text(text, encoding="utf-8")
    return load_store(data=folder)


def test_every_mutation_is_for_a_message_in_the_shapes():
    assert sorted(MUTATIONS.keys() - MESSAGES) == []


@pytest.mark.parametrize("base", [Mutation("", add=LEVEL), Mutation("", add=STATEMENT), Mutation("", add=CONCEPT)],
                         ids=["level", "statement", "concept"])
def test_the_additions_mutations_build_on_conform(tmp_path, base):
    assert validate(mutated_store(tmp_path, base), with_rules=False).violations == []


@pytest.mark.parametrize("message", sorted(MESSAGES), ids=lambda m: m[:60])
def test_message_fires_on_its_mutation(tmp_path, message):
    mutation = MUTATIONS.get(message)
    if mutation is None:
        pytest.fail("No row in MUTATIONS breaks this message; add one that does.")
    report = validate(mutated_store(tmp_path, mutation), with_rules=mutation.with_rules)
    fired = [v for v in report.violations if matches(message, v.message)]
    assert fired, f"not raised; the report has: {[(v.focus, v.message) for v in report.violations]}"

    def is_focus(focus: str) -> bool:
        return not focus.startswith(("http://", "https://")) if mutation.focus == BLANK else focus == mutation.focus

    if mutation.fixture == "good_evidence_chain":  # conforms unmutated: the mutation is the only reason
        assert [(v.message, is_focus(v.focus)) for v in report.violations] == [(v.message, True) for v in fired]
    else:  # the catalogue has overclaims of its own
        assert any(is_focus(v.focus) for v in fired)
