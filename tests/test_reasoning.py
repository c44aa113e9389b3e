"""The ontology reasons cleanly under OWL-RL, as a partner's PROV reasoner would read it.

OWL-RL (owlrl) closes the ontology, the PROV-O and ORG axioms that type what evgraph relates
(fixtures/prov-axioms.ttl) and the data. Nothing may then be inconsistent, and no node may gain a type
that contradicts what it is: a study made an entity, a review an agent, a report an activity.
"""

from __future__ import annotations

from collections import defaultdict

import owlrl
import pytest
from evgraph.rules import add_derivations
from evgraph.rules.criteria import Status
from evgraph.rules.engine import Verdict
from evgraph.store import load_store
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from conftest import FIXTURES

EV = Namespace("https://w3id.org/evgraph/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
EX = Namespace("https://example.org/evgraph-test/")
ID = Namespace("https://w3id.org/evgraph/id/")
ONTOLOGY = URIRef("https://w3id.org/evgraph/ontology")
#: owlrl reports an inconsistency as a node typed err:ErrorMessage with the message as its err:error.
OWLRL_ERROR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

#: The only things that may be a prov:Activity.
ACTIVITY_CLASSES = (EV.Study, ORG.ChangeEvent, EV.RuleEvaluation)
FUNDING_PROGRAMMES = ("organisation/csc-innovation-programme", "organisation/sfpc-programme",
                      "organisation/sfiip-programme")


def closure(*graphs: Graph) -> tuple[Graph, Graph]:
    """The graphs with the PROV axioms as asserted, and their OWL-RL closure."""
    asserted = Graph()
    for graph in graphs:
        asserted += graph
    asserted.parse(FIXTURES / "prov-axioms.ttl")
    inferred = Graph()
    inferred += asserted
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(inferred)
    return asserted, inferred


def problems(asserted: Graph, inferred: Graph) -> list[str]:
    """Inconsistencies OWL-RL reports, and inferred types that contradict what a node is."""
    found = [f"OWL-RL: {message}" for message in inferred.objects(None, OWLRL_ERROR.error)]
    found += [f"{node} is owl:Nothing" for node in inferred.subjects(RDF.type, OWL.Nothing)]
    for node in set(inferred.subjects(RDF.type, PROV.Activity)):
        if not any((node, RDF.type, cls) in inferred for cls in ACTIVITY_CLASSES):
            found.append(f"{node} is inferred to be a prov:Activity")
    for node in set(inferred.subjects(RDF.type, PROV.Agent)):
        if (node, RDF.type, EV.CuratedThing) in inferred and (node, RDF.type, EV.Organisation) not in inferred:
            found.append(f"{node} is inferred to be a prov:Agent")
    for node in set(inferred.subjects(RDF.type, EV.FundingProgramme)):
        if (node, RDF.type, ORG.Organization) in inferred:
            found.append(f"{node} is a funding programme inferred to be an org:Organization")
    return sorted(found + _unexpected_ev_types(asserted, inferred))


def _unexpected_ev_types(asserted: Graph, inferred: Graph) -> list[str]:
    """ev: classes a node is inferred to belong to that neither its asserted classes nor their superclasses give."""
    found = []
    for node in set(asserted.subjects(RDF.type, None)):
        given = set(asserted.objects(node, RDF.type))
        implied = given | {sup for cls in given for sup in inferred.objects(cls, RDFS.subClassOf)}
        found += [f"{node} is inferred to be an ev:{cls[len(EV):]}"
                  for cls in inferred.objects(node, RDF.type) if cls in EV and cls not in implied]
    return found


@pytest.fixture(scope="module")
def bundled_closure() -> tuple[Graph, Graph]:
    """The bundled ontology and data with the rules' derived graph, asserted and closed (about 20 s)."""
    store = load_store()  # its own store: the derived graph is added to it
    add_derivations(store)
    dataset = Dataset()
    dataset.parse(data=store.dump(store.graphs_of("data", "ontology", "derived")), format="nquads")
    union = Graph()
    union.addN((s, p, o, union) for s, p, o, _ in dataset.quads())
    return closure(union)


# -- small fixtures: the checks catch each clash ------------------------------------------------


def test_an_evidence_chain_written_as_intended_reasons_cleanly(ontology):
    assert problems(*closure(ontology, Graph().parse(FIXTURES / "reasoning_evidence_chain.ttl"))) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("reasoning_study_derived_from_as_entity", [
        f"OWL-RL: Disjoint classes {PROV.Activity} and {PROV.Entity} have a common individual {EX.trial}"]),
    ("reasoning_appraisal_attributed_to_review", [f"{EX.review} is inferred to be a prov:Agent"]),
    ("reasoning_programme_as_commissioner", [
        f"{EX.programme} is a funding programme inferred to be an org:Organization",
        f"{EX.programme} is inferred to be an ev:Organisation"]),
])
def test_each_clash_is_caught(ontology, name, expected):
    assert problems(*closure(ontology, Graph().parse(FIXTURES / f"{name}.ttl"))) == expected


# -- the bundled data ---------------------------------------------------------------------------


def test_bundled_data_reasons_without_inconsistency_or_surprising_types(bundled_closure):
    assert problems(*bundled_closure) == []


def test_studies_are_activities_that_generate_reports_and_findings(bundled_closure):
    _, inferred = bundled_closure
    kinds = {cls: {kind for member in inferred.subjects(RDF.type, cls)
                   for kind in (PROV.Activity, PROV.Entity) if (member, RDF.type, kind) in inferred}
             for cls in (EV.Study, EV.Report, EV.Finding, EV.Derivation)}
    assert kinds == {EV.Study: {PROV.Activity}, EV.Report: {PROV.Entity}, EV.Finding: {PROV.Entity},
                     EV.Derivation: {PROV.Entity}}
    counted = set(inferred.objects(None, EV.countedStudy))
    assert counted and all((study, RDF.type, EV.Study) in inferred for study in counted)


def test_funding_programmes_are_plans_not_organisations(bundled_closure):
    _, inferred = bundled_closure
    kinds = {slug: {cls for cls in (EV.FundingProgramme, PROV.Plan, ORG.Organization, PROV.Agent)
                    if (ID[slug], RDF.type, cls) in inferred} for slug in FUNDING_PROGRAMMES}
    assert kinds == {slug: {EV.FundingProgramme, PROV.Plan} for slug in FUNDING_PROGRAMMES}


# -- the ontology itself ------------------------------------------------------------------------


def test_ranks_order_every_ranked_scheme_without_ties(ontology):
    ranks: dict[URIRef, dict[URIRef, list[int]]] = defaultdict(dict)
    for concept, scheme in ontology.subject_objects(SKOS.inScheme):
        ranks[scheme][concept] = [r.toPython() for r in ontology.objects(concept, EV.rank)]
    ranked = {scheme: concepts for scheme, concepts in ranks.items() if any(concepts.values())}
    unranked_or_twice = {str(c): r for concepts in ranked.values() for c, r in concepts.items() if len(r) != 1}
    ties = {str(scheme): sorted(r[0] for r in concepts.values())
            for scheme, concepts in ranked.items() if len({r[0] for r in concepts.values()}) != len(concepts)}
    assert (unranked_or_twice, ties) == ({}, {})
    assert sorted(str(scheme)[len(EV):] for scheme in ranked) == [
        "BlueprintsScheme", "CEBCScheme", "CrimeSolutionsScheme", "GuidebookCostScheme", "GuidebookEvidenceScheme",
        "GuidebookLegacyEvidenceScheme", "PracticeGuideStrengthScheme", "RiskOfBiasScheme", "TitleIVEScheme"]


def test_guidebook_levels_in_rank_order(ontology):
    levels = sorted(ontology.subjects(SKOS.inScheme, EV.GuidebookEvidenceScheme),
                    key=lambda level: ontology.value(level, EV.rank).toPython())
    assert [str(ontology.value(level, SKOS.notation)) for level in levels] == [
        "NE", "0/1", "NL2", "2", "2+", "3", "3+", "4", "4+"]


@pytest.mark.parametrize(("scheme", "base", "values"), [
    (EV.VerdictScheme, "https://w3id.org/evgraph/scheme/verdict/", [v.value for v in Verdict]),
    (EV.CriterionStatusScheme, "https://w3id.org/evgraph/scheme/criterion-status/", [s.value for s in Status]),
])
def test_each_rule_value_is_a_concept_whose_notation_the_rules_write(ontology, scheme, base, values):
    concepts = {str(ontology.value(c, SKOS.notation)): str(c) for c in ontology.subjects(SKOS.inScheme, scheme)}
    assert concepts == {value: base + value.replace(" ", "-") for value in values}
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) == {URIRef(c) for c in concepts.values()}


def test_every_term_is_defined_by_the_ontology_and_the_header_names_version_licence_and_creator(ontology):
    terms = {t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in ontology.subjects(RDF.type, kind) if t in EV}
    assert terms and {t for t in terms if (t, RDFS.isDefinedBy, ONTOLOGY) not in ontology} == set()
    header = {p: set(ontology.objects(ONTOLOGY, p))
              for p in (OWL.versionIRI, OWL.versionInfo, DCTERMS.license, DCTERMS.creator)}
    assert header == {
        OWL.versionIRI: {URIRef("https://w3id.org/evgraph/ontology/0.2.0")},
        OWL.versionInfo: {Literal("0.2.0")},
        DCTERMS.license: {URIRef("https://creativecommons.org/licenses/by/4.0/")},
        DCTERMS.creator: {ID["agent/evgraph-curation"]},
    }
