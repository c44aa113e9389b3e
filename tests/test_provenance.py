"""Per-fact provenance on the bundled data: every fact's graph names the documents that state it (docs/provenance.md)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from evgraph.explanation import explain
from evgraph.namespaces import EV, GRAPH_BASE
from evgraph.queries import run
from evgraph.render import explanation_lines
from evgraph.rules import read_evidence
from evgraph.terms import IRI

FIXTURES = Path(__file__).parent / "fixtures"
#: Every URL in the source compilations the data was curated from (``../shared/sources``), one per line.
COMPILED_URLS = set((FIXTURES / "compiled-source-urls.txt").read_text(encoding="utf-8").split())
SOURCES_FOLDER = Path(__file__).parents[2] / "shared" / "sources"
METHOD = "https://w3id.org/evgraph/scheme/method/"
#: Graphs whose facts are the curators' own (or describe the graphs and sources): no document states them.
CURATORS_GRAPHS = {f"{GRAPH_BASE}curation", f"{GRAPH_BASE}provenance", f"{GRAPH_BASE}sources"}

DOCUMENT_FACTS = f"""
SELECT ?node ?property ?value ?g WHERE {{
  GRAPH ?g {{ ?node ?property ?value }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}source/") || STRSTARTS(STR(?g), "{GRAPH_BASE}joint/")
         || STRSTARTS(STR(?g), "{GRAPH_BASE}inferred/"))
}} ORDER BY ?g ?node ?property ?value
"""


@pytest.fixture(scope="module")
def document_facts(bundled_store):
    return bundled_store.select(DOCUMENT_FACTS).rows


def test_the_url_list_matches_the_source_compilations():
    if not SOURCES_FOLDER.is_dir():
        pytest.skip("the source compilations are not beside this checkout")
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SOURCES_FOLDER.rglob("*")) if p.is_file())
    assert all(url in text for url in COMPILED_URLS)


def test_ten_random_facts_come_from_compiled_sources(bundled_store, document_facts):
    picked = random.Random(20261201).sample(document_facts, 10)
    for fact in picked:
        rows = [r for r in run(bundled_store, "fact-sources", {"node": fact["node"], "property": fact["property"]})
                if r["value"] == fact["value"]]
        assert rows, fact
        sources = {str(r["source"]) for r in rows if r["source"] is not None}
        assert sources and sources <= COMPILED_URLS, fact
        assert {str(r["method"]) for r in rows} <= {f"{METHOD}read", f"{METHOD}quoted", f"{METHOD}second-hand",
                                                    f"{METHOD}inferred-from-page-structure"}
        assert {str(r["recordedBy"]) for r in rows} == {"https://w3id.org/evgraph/id/agent/evgraph-curation"}


def test_every_document_fact_has_a_source(document_facts, bundled_store):
    graphs = {str(r["g"]) for r in document_facts}
    described = {str(r["g"]) for r in bundled_store.select(
        "SELECT DISTINCT ?g WHERE { ?g a <https://w3id.org/evgraph/ontology#AssertionGraph> ;"
        " <http://www.w3.org/ns/prov#wasDerivedFrom>|<http://www.w3.org/ns/prov#wasQuotedFrom> ?source }")}
    assert sorted(graphs - described) == []


def test_every_data_graph_has_one_record_with_one_method(bundled_store):
    table = bundled_store.select(
        "SELECT ?g (COUNT(DISTINCT ?method) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "OPTIONAL { ?g <https://w3id.org/evgraph/ontology#method> ?method } } GROUP BY ?g")
    data = set(bundled_store.graphs_of("data"))
    counts = {str(row["g"]): int(str(row["n"])) for row in table if row["g"] in data}
    recordless = sorted(g for g, n in counts.items() if n != 1 and g != f"{GRAPH_BASE}provenance")
    assert recordless == []


def test_why_prints_the_source_beside_ten_random_study_facts(bundled_store):
    rows = [r for r in run(bundled_store, "internal/fact-origins").rows
            if r["property"] in (EV.design, EV.country, EV.sampleSize, EV.interventionArmSize, EV.controlArmSize)
            and r["source"] is not None and "/id/intervention/" not in r["subject"]]  # claims: ratings, recommendations
    keys = sorted({(r["subject"], r["node"], r["property"]) for r in rows})
    for subject, study, prop in random.Random(7).sample(keys, 10):
        sources = sorted({str(r["source"]) for r in rows if (r["subject"], r["node"], r["property"]) == (subject, study, prop)})
        name = {EV.design: "design", EV.country: "country", EV.sampleSize: "sample size",
                EV.interventionArmSize: "intervention arm", EV.controlArmSize: "control arm"}[prop]
        lines = [line for e in explain(bundled_store, str(subject)) for line in explanation_lines(e)]
        assert any(name in line.split(":")[0] and line.rstrip().endswith(", ".join(sources)) for line in lines), (
            subject, study, prop, sources)


def test_why_names_an_inferred_level_and_its_page(bundled_store):
    [e] = explain(bundled_store, "rating:functional-family-therapy")
    assert explanation_lines(e)[3] == (
        f"{'':<16}  level inferred from the page structure of http://guidebook.eif.org.uk/programme/functional-family-therapy")


def test_a_strength_known_from_the_press_is_second_hand_with_the_guide_as_primary_source(bundled_store):
    rows = run(bundled_store, "fact-sources", {"node": IRI("https://w3id.org/evgraph/id/recommendation/kinship-navigator-programmes"),
                                               "property": EV.publishedStrength}).rows
    assert [(str(r["method"]), str(r["source"]), str(r["primarySource"])) for r in rows] == [(
        f"{METHOD}second-hand",
        "https://www.communitycare.co.uk/2025/06/03/what-works-body-bids-to-strengthen-use-of-evidence-in-childrens-social-care",
        "https://w3id.org/evgraph/id/guidance/kinship-care")]


def test_node_sources_are_the_documents_of_the_graphs_holding_its_facts(bundled_store):
    query = f"""
    SELECT ?node ?doc WHERE {{
      GRAPH ?g {{ ?node ?p ?o }}
      ?g <http://www.w3.org/ns/prov#wasDerivedFrom>|<http://www.w3.org/ns/prov#wasQuotedFrom> ?doc .
      FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}source/") || STRSTARTS(STR(?g), "{GRAPH_BASE}joint/")
             || STRSTARTS(STR(?g), "{GRAPH_BASE}inferred/"))
      FILTER NOT EXISTS {{ ?node <http://purl.org/dc/terms/source> ?doc }}
    }}"""
    assert bundled_store.select(query).rows == []


def test_curators_claims_say_who_made_them_when_and_how(bundled_store):
    query = """
    PREFIX ev: <https://w3id.org/evgraph/ontology#>
    SELECT ?node WHERE {
      VALUES ?type { ev:CandidateEvidence ev:Concern ev:Discrepancy }
      ?node a ?type .
      FILTER NOT EXISTS {
        GRAPH <https://w3id.org/evgraph/graph/curation> { ?node a ?type }
        ?node <http://www.w3.org/ns/prov#wasAttributedTo> <https://w3id.org/evgraph/id/agent/evgraph-curation> ;
            <http://purl.org/dc/terms/created> ?when ;
            ev:method <https://w3id.org/evgraph/scheme/method/curator-judgement> .
      }
    }"""
    assert bundled_store.select(query).rows == []
    counted = "SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE { GRAPH <https://w3id.org/evgraph/graph/curation> { ?n a ?t } }"
    assert str(bundled_store.select(counted).rows[0]["c"]) == "84"


def test_every_design_is_stated_by_the_document_whose_words_are_kept_beside_it(bundled_store):
    # A design either sits beside the source's own words for it, quoted from the same document(s), or
    # is in an inferred graph. Nearest-match designs no source states are not recorded.
    query = f"""
    PREFIX ev: <https://w3id.org/evgraph/ontology#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?study ?design ?g WHERE {{
      GRAPH ?g {{ ?study ev:design ?design }}
      FILTER(!STRSTARTS(STR(?g), "{GRAPH_BASE}inferred/"))
      FILTER NOT EXISTS {{
        GRAPH ?q {{ ?study ev:designDescription ?words }}
        ?q ev:method <{METHOD}quoted> ; prov:wasQuotedFrom ?doc .
        ?g prov:wasDerivedFrom ?doc .
      }}
    }}"""
    assert bundled_store.select(query).rows == []


def test_quoted_words_sit_in_quoted_graphs(bundled_store):
    query = f"""
    PREFIX ev: <https://w3id.org/evgraph/ontology#>
    SELECT ?g ?p WHERE {{
      VALUES ?p {{ ev:designDescription ev:countryDescription ev:levelOfNeedDescription ev:levelAsStated ev:strengthAsStated }}
      GRAPH ?g {{ ?s ?p ?o }}
      FILTER NOT EXISTS {{ ?g ev:method ?m FILTER(?m IN (<{METHOD}quoted>, <{METHOD}second-hand>,
                                                         <{METHOD}inferred-from-page-structure>)) }}
    }}"""
    assert bundled_store.select(query).rows == []


def test_the_rules_know_which_published_levels_were_inferred(bundled_store):
    claims = read_evidence(bundled_store).claims
    inferred = sorted(str(c.iri).rsplit("/", 1)[-1] for c in claims.values() if c.published_inferred)
    assert len(inferred) == 22
    assert "functional-family-therapy" in inferred and "parents-as-first-teachers--eif-2016-version" in inferred
    assert not claims[IRI("https://w3id.org/evgraph/id/rating/parents-as-first-teachers")].published_inferred
