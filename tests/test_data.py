"""The bundled data: it conforms, every node cites a source, and key facts read as the sources say."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from evgraph.namespaces import DCTERMS, EV, ORG, PROV, RDF, RDFS
from evgraph.paths import Layout

ID = "https://w3id.org/evgraph/id/"
DATA_FILES = sorted(p.relative_to(Layout.default().data).as_posix() for p in Layout.default().data.rglob("*.ttl"))


@pytest.mark.parametrize("relative", DATA_FILES)
def test_data_file_has_no_shacl_violation(bundled_report, relative):
    path = str(Layout.default().data / relative)
    problems = [f"{v.line}: {v.focus} {v.message}" for v in bundled_report.violations
                if v.file == path and v.severity == "Violation"]
    assert problems == [], f"Run `evgraph validate` and fix {relative}"


def test_bundled_data_conforms_and_every_result_is_located(bundled_report):
    assert bundled_report.conforms
    assert [v for v in bundled_report.violations if v.file is None] == []


def test_every_typed_node_cites_an_http_source(bundled_store):
    graph = bundled_store.data_graph
    typed = {s for s in graph.subjects(RDF.type, None)}
    unsourced = sorted(str(s) for s in typed if not any(str(o).startswith("http") for o in graph.objects(s, DCTERMS.source)))
    assert unsourced == []
    assert all(isinstance(s, URIRef) for s in typed), "curated nodes are never blank nodes"


def test_every_data_file_is_a_named_graph(bundled_store):
    assert sorted(f.relative for f in bundled_store.files_of("data")) == DATA_FILES


def fact(store, subject: str, prop, value) -> bool:
    return (URIRef(ID + subject), prop, value) in store.data_graph


def test_merger_of_wwcsc_and_eif_into_foundations(bundled_store):
    assert fact(bundled_store, "event/wwcsc-eif-merger", RDF.type, EV.Merger)
    assert fact(bundled_store, "event/wwcsc-eif-merger", ORG.originalOrganization, URIRef(ID + "organisation/wwcsc"))
    assert fact(bundled_store, "event/wwcsc-eif-merger", ORG.originalOrganization, URIRef(ID + "organisation/eif"))
    assert fact(bundled_store, "event/wwcsc-eif-merger", ORG.resultingOrganization, URIRef(ID + "organisation/foundations"))
    assert fact(bundled_store, "event/wwcsc-eif-merger", DCTERMS.date, Literal("2022-12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth")))


def test_three_papers_of_the_fhf_pilot_are_one_study_with_its_arm_sizes(bundled_store):
    graph = bundled_store.data_graph
    study = URIRef(ID + "study/fhf-pilot")
    assert sorted(str(r) for r in graph.subjects(EV.reportsStudy, study)) == [
        ID + "report/fhf-2007", ID + "report/fhf-2010", ID + "report/fhf-2012"]
    assert (graph.value(study, EV.interventionArmSize), graph.value(study, EV.controlArmSize)) == (Literal(79), Literal(77))


def test_guidebook_plus_sign_inferred_from_page_structure_is_recorded_as_inferred(bundled_store):
    graph = bundled_store.data_and_ontology_graph
    rating = URIRef(ID + "rating/incredible-years-preschool")
    assert str(graph.value(rating, EV.levelAsStated)) == "4+"
    basis = graph.value(rating, EV.ratingBasis)
    assert str(basis).endswith("/digit-read-plus-inferred")
    assert graph.value(basis, EV.inferred) == Literal(True)
    assert str(graph.value(rating, EV.costRating)).endswith("/guidebook-cost/2")


def test_disagreeing_sources_are_both_kept(bundled_store):
    graph = bundled_store.data_graph
    main = URIRef(ID + "rating/parents-as-first-teachers")
    others = sorted(graph.objects(main, EV.conflictsWith))
    levels = {str(graph.value(r, EV.levelAsStated)) for r in [main, *others]}
    assert levels == {"3", "2+", "3+"}
    assert all(list(graph.objects(r, DCTERMS.source)) for r in [main, *others])
    assert len({src for r in [main, *others] for src in graph.objects(r, DCTERMS.source)}) >= 2


def test_candidate_links_are_attributed_to_curation_not_confirmed(bundled_store):
    graph = bundled_store.data_graph
    rec = URIRef(ID + "recommendation/kinship-navigator-programmes")
    assert list(graph.objects(rec, EV.supportedBy)) == []
    links = list(graph.subjects(EV.proposedFor, rec))
    assert len(links) == 7
    assert {graph.value(link, PROV.wasAttributedTo) for link in links} == {URIRef(ID + "agent/evgraph-curation")}


def test_recommendation_strengths_as_published(bundled_store):
    graph = bundled_store.data_graph
    strengths = {str(r).rsplit("/", 1)[-1]: str(graph.value(r, EV.publishedStrength) or "").rsplit("/", 1)[-1]
                 for r in graph.subjects(RDF.type, EV.Recommendation)}
    assert strengths["kinship-navigator-programmes"] == "good"
    assert strengths["kinship-financial-allowances"] == "promising"
    assert strengths["pta-0-10-parent-child-relationships"] == "strong"
    assert strengths["pta-0-10-reducing-harm"] == "promising"
    assert strengths["mb-offending"] == "good"
    assert strengths["kinship-cbt"] == ""
    assert graph.value(URIRef(ID + "recommendation/kinship-cbt"), EV.strengthNotRecorded) is not None


def test_every_study_is_described_in_trials_not_papers(bundled_store):
    graph = bundled_store.data_graph
    assert all((r, EV.reportsStudy, None) in graph for r in graph.subjects(RDF.type, EV.Report))
    assert all(graph.value(s, RDFS.label) is not None for s in graph.subjects(RDF.type, EV.Study))
