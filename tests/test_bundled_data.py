"""The bundled data, as a regression: it conforms, its counts, every node cites a source, and key facts.

Every check asks the store with SPARQL (values bound as parameters), over the bundled data loaded once
per session (the ``bundled_store`` fixture). A changed count is a changed dataset: update the number
here in the same change, after checking the new number is meant.
"""

from __future__ import annotations

import pytest

from evgraph.namespaces import (
    DCTERMS,
    EV,
    GRAPH_BASE,
    ID_BASE,
    ORG,
    PROV,
    RDF,
    RDFS,
    XSD,
)
from evgraph.paths import Layout
from evgraph.terms import IRI, Literal

DATA = Layout.default().data
DATA_FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.trig"))

PREFIXES = f"""
PREFIX ev: <{EV}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX dct: <{DCTERMS}>
PREFIX org: <{ORG}>
PREFIX prov: <{PROV}>
"""


def node(path: str) -> IRI:
    """The IRI of a curated node, from its path under the id base (``rating/…``)."""
    return IRI(ID_BASE + path)


def integer(value: int) -> Literal:
    return Literal(str(value), f"{XSD}integer")


def objects(store, subject: IRI, predicate: IRI) -> list:
    """The objects of one subject and predicate in the data graphs, sorted by their text."""
    table = store.select(PREFIXES + """
        SELECT ?subject ?predicate ?object WHERE {
          GRAPH ?g { ?subject ?predicate ?object }
          ?g a ev:AssertionGraph .
        }""", {"subject": subject, "predicate": predicate})
    return sorted((row["object"] for row in table), key=str)


def value(store, subject: IRI, predicate: IRI):
    """The one object of a subject and predicate in the data graphs, or None when there is none."""
    found = objects(store, subject, predicate)
    assert len(found) <= 1, f"{subject} has {len(found)} values of {predicate}"
    return found[0] if found else None


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", DATA_FILES)
def test_data_file_has_no_shacl_violation(bundled_report, relative):
    path = str(DATA / relative)
    problems = [f"{v.line}: {v.focus} {v.message}" for v in bundled_report.violations
                if v.file == path and v.severity == "Violation"]
    assert problems == [], f"Run `evgraph validate` and fix {relative}"


def test_bundled_data_conforms_and_every_result_is_located(bundled_report):
    assert bundled_report.conforms
    assert [v for v in bundled_report.violations if v.file is None] == []


# -- counts -------------------------------------------------------------------------------------


def test_data_files_write_named_graphs_that_do_not_name_the_files(bundled_store):
    assert len(DATA_FILES) == 72
    assert sorted(f.relative for f in bundled_store.files_of("data")) == DATA_FILES
    graphs = bundled_store.graphs_of("data")
    assert len(graphs) == 854
    assert not [g for g in graphs if ".trig" in g or ".ttl" in g or "/data/" in g]
    kinds = {g[len(GRAPH_BASE):].split("/")[0] for g in graphs}
    assert kinds == {"curation", "inferred", "joint", "provenance", "source", "sources"}


def test_data_triple_counts(bundled_store):
    """10,849 curated triples (facts and curators' claims), 5,815 in graph records and 2,020 in source records."""
    assert bundled_store.triple_count("data") == 18_684
    table = bundled_store.select(PREFIXES + """
        SELECT ?kind (COUNT(*) AS ?n) WHERE {
          GRAPH ?g { ?s ?p ?o }
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/evgraph/graph/"))
          BIND(STRBEFORE(CONCAT(STRAFTER(STR(?g), "https://w3id.org/evgraph/graph/"), "/"), "/") AS ?kind)
          FILTER(?kind NOT IN ("ontology", "shapes", "derived"))
        } GROUP BY ?kind ORDER BY ?kind""")
    assert {str(row["kind"]): int(str(row["n"])) for row in table} == {
        "curation": 950, "inferred": 44, "joint": 5_080, "provenance": 5_815, "source": 4_775, "sources": 2_020}


#: Distinct nodes in the data graphs typed with each class or (by ``rdfs:subClassOf*`` in the
#: ontology) any subclass of it. Of the classes counted, only ev:Statement has subclasses
#: (ev:Discrepancy, ev:Concern), and statements are counted *without* them: the 241 are the plain
#: statements, beside 32 discrepancies and 7 concerns (280 ev:Statement with subclasses, also checked).
#: The three funding programmes are ev:FundingProgramme, not ev:Organisation. Assertion-graph records
#: live in graph/provenance, which has no record of its own, so they are not counted here.
#: ev:Merger has no subclass; the one merger is typed ev:Merger only and counts as an org:ChangeEvent
#: through ev:Merger rdfs:subClassOf org:ChangeEvent.
CLASS_COUNTS = [
    (EV.Intervention, 131, True),
    (EV.Study, 128, True),
    (EV.Report, 113, True),
    (EV.Finding, 95, True),
    (EV.Rating, 59, True),
    (EV.Recommendation, 13, True),
    (EV.PracticeGuide, 4, True),
    (EV.EvidenceReview, 28, True),
    (EV.Organisation, 48, True),
    (EV.Merger, 1, True),
    (ORG.ChangeEvent, 1, True),
    (EV.CandidateEvidence, 44, True),
    (EV.Statement, 241, False),
    (EV.Statement, 280, True),
    (EV.Discrepancy, 32, True),
    (EV.Concern, 7, True),
    (EV.FundingProgramme, 3, True),
    (EV.Source, 536, True),
]


@pytest.mark.parametrize(("cls", "expected", "with_subclasses"), CLASS_COUNTS,
                         ids=[f"{c.rsplit('#', 1)[-1]}{'' if s else '-asserted'}" for c, _, s in CLASS_COUNTS])
def test_nodes_of_each_class(bundled_store, cls, expected, with_subclasses):
    # ?class is bound as a parameter, so it is projected (Oxigraph binds only projected variables).
    of_class = "?type rdfs:subClassOf* ?class ." if with_subclasses else "FILTER(?type = ?class)"
    query = PREFIXES + f"""
        SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE {{
          GRAPH ?g {{ ?node a ?type }}
          ?g a ev:AssertionGraph .
          {of_class}
        }} GROUP BY ?class"""
    assert bundled_store.select(query, {"class": cls}).tuples() == [(cls, integer(expected))]


# -- provenance ---------------------------------------------------------------------------------


def test_every_typed_node_is_an_iri_citing_an_http_source(bundled_store):
    blank = bundled_store.select(PREFIXES + """
        SELECT DISTINCT ?node WHERE {
          GRAPH ?g { ?node a ?type }
          ?g a ev:AssertionGraph .
          FILTER(!isIRI(?node))
        }""")
    assert len(blank) == 0, "curated nodes are never blank nodes"
    unsourced = bundled_store.select(PREFIXES + """
        SELECT DISTINCT ?node WHERE {
          GRAPH ?g { ?node a ?type }
          ?g a ev:AssertionGraph .
          FILTER NOT EXISTS {
            GRAPH ?h { ?node dct:source ?source }
            ?h a ev:AssertionGraph .
            FILTER(REGEX(STR(?source), "^https?://"))
          }
        } ORDER BY ?node""")
    assert [str(row["node"]) for row in unsourced] == []


# -- facts, as the sources state them -----------------------------------------------------------


def test_merger_of_wwcsc_and_eif_into_foundations(bundled_store):
    merger = node("event/wwcsc-eif-merger")
    assert objects(bundled_store, merger, RDF.type) == [EV.Merger]
    assert objects(bundled_store, merger, ORG.originalOrganization) == [
        node("organisation/eif"), node("organisation/wwcsc")]
    assert objects(bundled_store, merger, ORG.resultingOrganization) == [node("organisation/foundations")]
    assert objects(bundled_store, merger, DCTERMS.date) == [Literal("2022-12", f"{XSD}gYearMonth")]


def test_three_papers_of_the_fhf_pilot_are_one_study_with_its_arm_sizes(bundled_store):
    table = bundled_store.select(PREFIXES + """
        SELECT ?study ?report WHERE { ?report ev:reportsStudy ?study } ORDER BY ?report""",
        {"study": node("study/fhf-pilot")})
    assert [str(row["report"]) for row in table] == [
        node("report/fhf-2007"), node("report/fhf-2010"), node("report/fhf-2012")]
    study = node("study/fhf-pilot")
    assert value(bundled_store, study, EV.interventionArmSize) == integer(79)
    assert value(bundled_store, study, EV.controlArmSize) == integer(77)


def test_guidebook_plus_sign_inferred_from_page_structure_is_recorded_as_inferred(bundled_store):
    # The rating is data; its basis is a scheme concept in the ontology: read the union graph.
    table = bundled_store.select(PREFIXES + """
        SELECT ?rating ?stated ?basis ?inferred ?cost WHERE {
          ?rating ev:levelAsStated ?stated ; ev:ratingBasis ?basis ; ev:costRating ?cost .
          ?basis ev:inferred ?inferred .
        }""", {"rating": node("rating/incredible-years-preschool")})
    assert len(table) == 1
    row = table.rows[0]
    assert str(row["stated"]) == "4+"
    assert row["basis"].endswith("/digit-read-plus-inferred")
    assert row["inferred"] == Literal("true", f"{XSD}boolean")
    assert row["cost"].endswith("/guidebook-cost/2")


def test_disagreeing_sources_are_both_kept_and_a_re_review_is_a_revision(bundled_store):
    main = node("rating/parents-as-first-teachers")
    others = objects(bundled_store, main, EV.conflictsWith)
    assert others == [node("rating/parents-as-first-teachers--provider")], "the provider's claim disagrees"
    earlier = objects(bundled_store, main, PROV.wasRevisionOf)
    assert earlier == [node("rating/parents-as-first-teachers--eif-2016-version")], "EIF's own re-review revises"
    ratings = [main, *others, *earlier]
    assert [str(value(bundled_store, r, EV.levelAsStated)) for r in ratings] == ["3", "3+", "2+"]
    sources = {r: objects(bundled_store, r, DCTERMS.source) for r in ratings}
    assert all(sources.values()), "every rating cites a source"
    assert len({s for cited in sources.values() for s in cited}) >= 2


def test_candidate_links_are_attributed_to_curation_not_confirmed(bundled_store):
    recommendation = node("recommendation/kinship-navigator-programmes")
    assert objects(bundled_store, recommendation, EV.supportedBy) == []
    table = bundled_store.select(PREFIXES + """
        SELECT ?recommendation ?link ?agent WHERE {
          ?link ev:proposedFor ?recommendation .
          OPTIONAL { ?link prov:wasAttributedTo ?agent }
        }""", {"recommendation": recommendation})
    assert len({row["link"] for row in table}) == 7
    assert {row["agent"] for row in table} == {node("agent/evgraph-curation")}


def test_recommendation_strengths_as_published(bundled_store):
    table = bundled_store.select(PREFIXES + """
        SELECT ?recommendation ?strength WHERE {
          GRAPH ?g { ?recommendation a ev:Recommendation }
          ?g a ev:AssertionGraph .
          OPTIONAL { ?recommendation ev:publishedStrength ?strength }
        }""")
    strengths = {row["recommendation"].rsplit("/", 1)[-1]: (row["strength"] or "").rsplit("/", 1)[-1]
                 for row in table}
    assert len(strengths) == len(table) == 13, "one published strength at most per recommendation"
    assert strengths["kinship-navigator-programmes"] == "good"
    assert strengths["kinship-financial-allowances"] == "promising"
    assert strengths["pta-0-10-parent-child-relationships"] == "strong"
    assert strengths["pta-0-10-reducing-harm"] == "promising"
    assert strengths["mb-offending"] == "good"
    assert strengths["kinship-cbt"] == ""
    assert value(bundled_store, node("recommendation/kinship-cbt"), EV.strengthNotRecorded) is not None


def test_every_study_is_described_in_trials_not_papers(bundled_store):
    without_study = bundled_store.select(PREFIXES + """
        SELECT ?report WHERE { ?report a ev:Report FILTER NOT EXISTS { ?report ev:reportsStudy ?study } }""")
    assert [str(row["report"]) for row in without_study] == []
    unlabelled = bundled_store.select(PREFIXES + """
        SELECT ?study WHERE { ?study a ev:Study FILTER NOT EXISTS { ?study rdfs:label ?label } }""")
    assert [str(row["study"]) for row in unlabelled] == []
