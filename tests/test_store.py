"""Loading: one named graph per file, typed errors for unreadable input, node locations."""

from __future__ import annotations


import pytest
from rdflib import URIRef

from evgraph.errors import ConfigError, DataError
from evgraph.namespaces import GRAPH_BASE
from evgraph.store import load_store

from conftest import fixture_data_dir

EX = "https://example.org/evgraph-test/"


def test_each_data_file_is_its_own_named_graph(tmp_path):
    store = load_store(data=fixture_data_dir(tmp_path, "good_evidence_chain", "node_without_source"))
    names = [str(f.graph) for f in store.files_of("data")]
    assert names == [f"{GRAPH_BASE}data/good_evidence_chain.ttl", f"{GRAPH_BASE}data/node_without_source.ttl"]
    charity = URIRef(f"{EX}unsourced-charity")
    graphs = {str(g) for s, _, _, g in store.quads() if s == charity}
    assert graphs == {f"{GRAPH_BASE}data/node_without_source.ttl"}


def test_ontology_and_shapes_are_loaded_beside_the_data(fixture_store):
    store = fixture_store("good_evidence_chain")
    assert {f.relative for f in store.files_of("ontology")} >= {"evgraph.ttl", "schemes/guidebook.ttl"}
    assert {f.relative for f in store.files_of("shapes")} >= {"provenance.ttl", "evidence.ttl"}
    assert store.triple_count("data") == 103


def test_locate_finds_the_line_that_defines_a_node(fixture_store):
    store = fixture_store("good_evidence_chain")
    location = store.locate(URIRef(f"{EX}rec-2"))
    text = location.path.read_text().splitlines()
    assert text[location.line - 1].startswith("ex:rec-2 a ev:Recommendation")


def test_locate_falls_back_to_the_ontology_for_scheme_concepts(fixture_store):
    store = fixture_store("good_evidence_chain")
    location = store.locate(URIRef("https://w3id.org/evgraph/scheme/practice-guide-strength/good"))
    assert location.path.name == "practice-guide-strength.ttl"
    assert location.path.read_text().splitlines()[location.line - 1].startswith("strength:good a skos:Concept")


def test_syntax_error_names_file_and_line(tmp_path):
    folder = fixture_data_dir(tmp_path, "broken_syntax")
    with pytest.raises(DataError) as caught:
        load_store(data=folder)
    assert caught.value.message == (
        f"{folder / 'broken_syntax.ttl'}:30: Turtle syntax error: newline found in string literal.")


def test_missing_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_store(data=tmp_path / "nowhere")
    assert caught.value.message == f"The data folder {tmp_path / 'nowhere'} does not exist."
    assert caught.value.exit_code == 2


def test_empty_data_folder_is_a_data_error(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("not turtle")
    with pytest.raises(DataError) as caught:
        load_store(data=tmp_path / "data")
    assert caught.value.message == f"The data folder {tmp_path / 'data'} holds no Turtle (.ttl) files."


def test_query_binds_values_as_terms(fixture_store):
    store = fixture_store("good_evidence_chain")
    rows = store.query(
        "SELECT ?label WHERE { ?report <https://w3id.org/evgraph/ontology#reportsStudy> ?study ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label",
        {"study": URIRef(f"{EX}trial")},
    )
    assert [str(r.label) for r in rows] == ["Paper one", "Paper two"]
