"""The store: one named graph per file, typed errors for unreadable input, node locations, SPARQL with
bound terms, N-Quads dumps and the derived graph, on both embedded backends."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import fixture_data_dir

from evgraph.errors import ConfigError, DataError, QueryError
from evgraph.namespaces import GRAPH_BASE
from evgraph.store import BACKENDS, DERIVED_GRAPH, LoadedFile, Location, load_store
from evgraph.terms import IRI, RDF_LANG_STRING, XSD, XSD_STRING, Literal

EX = "https://example.org/evgraph-test/"
EV = "https://w3id.org/evgraph/ontology#"
RDFS_LABEL = IRI("http://www.w3.org/2000/01/rdf-schema#label")
GOOD_GRAPH = IRI(f"{GRAPH_BASE}data/good_evidence_chain")
SRC = Path(__file__).resolve().parent.parent / "src" / "evgraph"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def good_store(tmp_path, backend):
    """The one-file fixture ``good_evidence_chain`` (with the bundled ontology and shapes) in each backend."""
    return load_store(data=fixture_data_dir(tmp_path, "good_evidence_chain"), backend=backend)


# -- loading ------------------------------------------------------------------------------------


def test_each_data_file_is_its_own_named_graph(tmp_path, backend):
    store = load_store(data=fixture_data_dir(tmp_path, "good_evidence_chain", "node_without_source"),
                       backend=backend)
    assert [f.graphs for f in store.files_of("data")] == [
        (IRI(f"{GRAPH_BASE}data/good_evidence_chain"),), (IRI(f"{GRAPH_BASE}data/node_without_source"),)]
    table = store.select("SELECT ?node ?g WHERE { GRAPH ?g { ?node ?p ?o } }", {"node": IRI(f"{EX}unsourced-charity")})
    assert {row["g"] for row in table} == {IRI(f"{GRAPH_BASE}data/node_without_source")}
    # The default graph is the union of the named graphs: no GRAPH clause, both files answer.
    union = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
                         f"FILTER(?s IN (<{EX}trial>, <{EX}unsourced-charity>)) }}")
    assert union.tuples() == [(Literal("2", f"{XSD}integer"),)]


def test_ontology_and_shapes_are_loaded_beside_the_data(good_store):
    assert {f.relative for f in good_store.files_of("ontology")} >= {"evgraph.ttl", "schemes/guidebook.ttl"}
    assert {f.relative for f in good_store.files_of("shapes")} >= {"provenance.ttl", "evidence.ttl"}
    assert all(f.graphs == (IRI(f"{GRAPH_BASE}{f.role}/{f.relative.removesuffix('.ttl')}"),) for f in good_store.files)
    assert good_store.triple_count("data") == 107
    assert good_store.triple_count("ontology") > 0 and good_store.triple_count("shapes") > 0


def test_a_trig_file_writes_the_graphs_it_names_and_several_files_may_share_one(tmp_path, backend):
    folder = tmp_path / "data"
    folder.mkdir()
    shared, own = f"{GRAPH_BASE}source/example.org-page", f"{GRAPH_BASE}curation"
    (folder / "a.trig").write_text(f"GRAPH <{shared}> {{ <{EX}a> <{RDFS_LABEL}> \"A\" . }}\n"
                                   f"GRAPH <{own}> {{ <{EX}a> <{RDFS_LABEL}> \"own\" . }}\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.trig").write_text(f"GRAPH <{shared}> {{\n    <{EX}b> <{RDFS_LABEL}> \"B\" .\n}}\n")
    store = load_store(data=folder, backend=backend)
    assert [(f.relative, f.graphs, f.triples) for f in store.files_of("data")] == [
        ("a.trig", (IRI(own), IRI(shared)), 2), ("sub/b.trig", (IRI(shared),), 1)]
    assert store.graphs_of("data") == [IRI(own), IRI(shared)]
    assert store.graph_sizes()[IRI(shared)] == 2
    assert store.locate(IRI(f"{EX}b")) == Location(folder / "sub" / "b.trig", 2)


def test_a_trig_triple_outside_every_graph_is_a_data_error(tmp_path, backend):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "loose.trig").write_text(f"<{EX}a> <{RDFS_LABEL}> \"A\" .\n")
    with pytest.raises(DataError) as caught:
        load_store(data=folder, backend=backend)
    assert caught.value.message.startswith(f"{folder / 'loose.trig'}: 1 triple(s) outside every GRAPH block, e.g. <{EX}a>")
    assert caught.value.hint == "Put each triple in the named graph of the document it comes from (docs/provenance.md)."


def test_a_data_file_may_not_write_an_ontology_graph(tmp_path, backend):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sneaky.trig").write_text(f"GRAPH <{GRAPH_BASE}ontology/evgraph> {{ <{EX}a> <{RDFS_LABEL}> \"A\" . }}\n")
    with pytest.raises(DataError) as caught:
        load_store(data=folder, backend=backend)
    assert caught.value.message == (f"{folder / 'sneaky.trig'}: writes the graph <{GRAPH_BASE}ontology/evgraph>,"
                                    " whose name marks it as ontology, not data.")


def test_syntax_error_names_file_and_line(tmp_path, backend):
    folder = fixture_data_dir(tmp_path, "broken_syntax")
    with pytest.raises(DataError) as caught:
        load_store(data=folder, backend=backend)
    # Each parser words the same error its own way; both name the file and line 30.
    said = {
        "oxigraph": "Parser error between line 30 column 27 and line 31 column 1: Unexpected end of file.",
        "rdflib": "newline found in string literal.",
    }[backend]
    assert caught.value.message == f"{folder / 'broken_syntax.ttl'}:30: Turtle syntax error: {said}"
    assert caught.value.hint == "Fix the file and run the command again."


def test_missing_folder_is_a_config_error(tmp_path, backend):
    with pytest.raises(ConfigError) as caught:
        load_store(data=tmp_path / "nowhere", backend=backend)
    assert caught.value.message == f"The data folder {tmp_path / 'nowhere'} does not exist."
    assert caught.value.exit_code == 2


def test_empty_data_folder_is_a_data_error(tmp_path, backend):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("not turtle")
    with pytest.raises(DataError) as caught:
        load_store(data=tmp_path / "data", backend=backend)
    assert caught.value.message == f"The data folder {tmp_path / 'data'} holds no Turtle (.ttl) or TriG (.trig) files."


def test_unknown_backend_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_store(data=fixture_data_dir(tmp_path, "good_evidence_chain"), backend="jena")
    assert caught.value.message == "Unknown backend 'jena'."


# -- locating nodes -----------------------------------------------------------------------------


def test_locate_finds_the_file_and_line_that_define_a_node(good_store):
    location = good_store.locate(IRI(f"{EX}rec-2"))
    assert location.path.name == "good_evidence_chain.ttl"
    assert location.path.read_text().splitlines()[location.line - 1].startswith("ex:rec-2 a ev:Recommendation")


def test_locate_falls_back_to_the_ontology_for_scheme_concepts(good_store):
    location = good_store.locate(IRI("https://w3id.org/evgraph/scheme/practice-guide-strength/good"))
    assert location.path.name == "practice-guide-strength.ttl"
    assert location.path.read_text().splitlines()[location.line - 1].startswith("strength:good a skos:Concept")


def test_locate_is_none_for_what_no_file_defines(good_store):
    assert good_store.locate(IRI(f"{EX}nowhere")) is None
    assert good_store.locate(Literal("Example trial")) is None
    assert good_store.locate(None) is None


# -- queries ------------------------------------------------------------------------------------


def test_query_binds_values_as_terms(good_store):
    table = good_store.select(
        f"SELECT ?study ?label WHERE {{ ?report <{EV}reportsStudy> ?study ; <{RDFS_LABEL}> ?label }} ORDER BY ?label",
        {"study": IRI(f"{EX}trial")},
    )
    assert table.variables == ("study", "label")
    assert table.tuples() == [
        (IRI(f"{EX}trial"), Literal("Paper one", RDF_LANG_STRING, "en")),
        (IRI(f"{EX}trial"), Literal("Paper two", RDF_LANG_STRING, "en")),
    ]
    assert all(isinstance(row["study"], IRI) for row in table)


def test_a_bound_literal_is_matched_by_its_datatype(good_store):
    query = f"SELECT ?node ?size WHERE {{ ?node <{EV}interventionArmSize> ?size }}"
    assert good_store.select(query, {"size": Literal("79", f"{XSD}integer")}).tuples() == [
        (IRI(f"{EX}trial"), Literal("79", f"{XSD}integer"))]
    assert good_store.select(query, {"size": Literal("79")}).tuples() == []


#: OPTIONAL (unbound cells) and literals of several datatypes, a language tag and a plain string.
TERMS_QUERY = f"""
PREFIX ev: <{EV}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?node ?label ?year ?issued ?size ?significant ?description WHERE {{
  GRAPH <{GOOD_GRAPH}> {{ ?node rdfs:label ?label }}
  OPTIONAL {{ ?node ev:year ?year }}
  OPTIONAL {{ ?node dct:issued ?issued }}
  OPTIONAL {{ ?node ev:sampleSize ?size }}
  OPTIONAL {{ ?node ev:significant ?significant }}
  OPTIONAL {{ ?node ev:designDescription ?description }}
}} ORDER BY ?node
"""


#: Literals written in the query: numbers, a boolean, a date, escapes, and an OPTIONAL left unbound.
CONSTANTS_QUERY = f"""
SELECT ?decimal ?double ?negative ?no ?date ?quoted ?missing WHERE {{
  BIND(0.5 AS ?decimal) BIND(1.5e0 AS ?double) BIND(-3 AS ?negative) BIND(false AS ?no)
  BIND("2023-06-06"^^<{XSD}date> AS ?date) BIND("say \\"hi\\"\\nthen go" AS ?quoted)
  OPTIONAL {{ <{EX}nowhere> <{EX}nothing> ?missing }}
}}
"""


def test_select_gives_the_same_terms_on_both_backends(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    stores = {backend: load_store(data=folder, backend=backend) for backend in BACKENDS}
    constants = {backend: store.select(CONSTANTS_QUERY) for backend, store in stores.items()}
    assert constants["oxigraph"].tuples() == constants["rdflib"].tuples() == [(
        Literal("0.5", f"{XSD}decimal"), Literal("1.5", f"{XSD}double"), Literal("-3", f"{XSD}integer"),
        Literal("false", f"{XSD}boolean"), Literal("2023-06-06", f"{XSD}date"),
        Literal('say "hi"\nthen go', XSD_STRING), None)]

    tables = {backend: store.select(TERMS_QUERY) for backend, store in stores.items()}
    assert tables["oxigraph"].variables == tables["rdflib"].variables
    assert tables["oxigraph"].tuples() == tables["rdflib"].tuples()
    rows = {str(row["node"]): row for row in tables["oxigraph"]}
    assert rows[f"{EX}paper-1"]["year"] == Literal("2010", f"{XSD}gYear")
    assert rows[f"{EX}paper-1"]["issued"] is None
    assert rows[f"{EX}paper-2"]["issued"] == Literal("2012-03", f"{XSD}gYearMonth")
    assert rows[f"{EX}trial"]["label"] == Literal("Example trial", RDF_LANG_STRING, "en")
    assert rows[f"{EX}trial"]["size"] == Literal("156", f"{XSD}integer")
    assert rows[f"{EX}trial"]["description"] == Literal("RCT", XSD_STRING)
    assert rows[f"{EX}finding"]["significant"] == Literal("true", f"{XSD}boolean")


def test_a_language_tag_reads_the_same_on_both_backends(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    query = 'SELECT ?text WHERE { BIND("colour"@en-GB AS ?text) }'
    answers = {backend: load_store(data=folder, backend=backend).select(query).tuples() for backend in BACKENDS}
    assert answers["oxigraph"] == [(Literal("colour", RDF_LANG_STRING, "en-gb"),)]
    assert answers["rdflib"] == answers["oxigraph"]


@pytest.mark.parametrize("query", [
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
], ids=["ask", "construct"])
def test_select_on_a_query_that_is_not_a_select_is_a_query_error(good_store, query):
    with pytest.raises(QueryError) as caught:
        good_store.select(query)
    assert caught.value.message == "Expected a SELECT query."


# -- dumping and replacing graphs ---------------------------------------------------------------


def test_dump_of_one_graph_is_sorted_n_quads_of_that_graph(good_store):
    dumped = good_store.dump([GOOD_GRAPH])
    lines = dumped.decode("utf-8").splitlines()
    assert len(lines) == 107
    assert lines == sorted(lines)
    assert all(line.endswith(f" <{GOOD_GRAPH}> .") for line in lines)
    quads = list(ox.parse(dumped, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 107
    assert {q.graph_name.value for q in quads} == {str(GOOD_GRAPH)}


def test_add_derived_replaces_the_derived_graph_and_registers_it(good_store):
    first = (IRI(f"{EX}trial"), IRI(f"{EV}derivedNote"), Literal("first"))
    second = (IRI(f"{EX}programme"), IRI(f"{EV}derivedNote"), Literal("second", RDF_LANG_STRING, "en"))
    derived = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"

    good_store.add_derived([first])
    assert good_store.select(derived).tuples() == [first]
    good_store.add_derived([second])
    assert good_store.select(derived).tuples() == [second]
    assert good_store.files_of("derived") == [LoadedFile("derived", Path(), "", (DERIVED_GRAPH,), 1)]
    # The derived graph is part of the union default graph, and curated data is untouched.
    assert good_store.select(f"SELECT ?s ?o WHERE {{ ?s <{EV}derivedNote> ?o }}").tuples() == [second[::2]]
    assert good_store.triple_count("data") == 107


def test_replace_graph_replaces_the_content_of_one_named_graph(good_store):
    triple = (IRI(f"{EX}trial"), RDFS_LABEL, Literal("Replaced", RDF_LANG_STRING, "en"))
    good_store.replace_graph(GOOD_GRAPH, [triple])
    assert good_store.dump([GOOD_GRAPH]).decode("utf-8") == (
        f'<{EX}trial> <{RDFS_LABEL}> "Replaced"@en <{GOOD_GRAPH}> .\n')
    assert good_store.select(f"SELECT ?label WHERE {{ <{EX}trial> <{RDFS_LABEL}> ?label }}").tuples() == [(triple[2],)]


# -- the boundary -------------------------------------------------------------------------------

_ENGINE_IMPORT = re.compile(r"^\s*(?:import\s+(?:rdflib|pyoxigraph)\b|from\s+(?:rdflib|pyoxigraph)\b)", re.MULTILINE)


def test_only_the_store_package_and_validation_import_an_rdf_engine():
    importing = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
                       if _ENGINE_IMPORT.search(p.read_text(encoding="utf-8")))
    assert any(p.startswith("store/") for p in importing)  # the scan does find the imports
    # validation/reference.py builds pySHACL's rdflib input from the store's N-Quads.
    assert [p for p in importing if not p.startswith("store/")] == ["validation/reference.py"]


def test_an_in_memory_store_knows_its_derived_graph_is_current_until_what_the_rules_read_changes(tmp_path):
    from evgraph.rules import add_derivations

    store = load_store(data=fixture_data_dir(tmp_path, "good_evidence_chain"))
    assert not store.derived_current()
    assert add_derivations(store) is not None and store.derived_current()
    assert add_derivations(store) is None  # the rules do not run again
    shapes = store.graphs_of("shapes")[0]
    store.replace_graph(shapes, [])  # the rules do not read the shapes
    assert store.derived_current()
    data = store.graphs_of("data")[0]
    store.replace_graph(data, store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{data}> {{ ?s ?p ?o }} }}"))
    assert not store.derived_current()
    assert add_derivations(store) is not None and store.derived_current()
    store.load_nquads(b"<https://example.org/evgraph-test/x> <https://example.org/evgraph-test/p> \"x\""
                      b" <https://w3id.org/evgraph/graph/source/example.org-x> .\n")
    assert not store.derived_current()


def test_graphs_taken_out_for_a_while_come_back_blank_nodes_and_all(good_store):
    shapes = good_store.graphs_of("shapes")
    before = good_store.dump()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/ns/shacl#path> ?o }"
    assert int(str(good_store.select(count).rows[0]["n"])) > 0  # property shapes are blank nodes
    with good_store.without_graphs(shapes):
        assert int(str(good_store.select(count).rows[0]["n"])) == 0
        assert good_store.dump(shapes) == b""
    assert good_store.dump() == before  # the same blank node labels too
    with pytest.raises(KeyError), good_store.without_graphs(shapes):
        raise KeyError("whatever happens")
    assert good_store.dump() == before
