"""The three backends agree: embedded Oxigraph, rdflib, and a real SPARQL server (``oxigraph serve``).

One server runs per test session (the ``oxigraph_server`` fixture, see tests/server.py); the bundled
graph is pushed to it once (``pushed_bundled``).
"""

from __future__ import annotations

import json

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from evgraph.errors import QueryError
from evgraph.queries import catalogue, get_query, run
from evgraph.audit import run_audit
from evgraph.explanation import explain
from evgraph.rules import add_derivations
from evgraph.store import connect, load_store, push
from evgraph.store.sparql_store import EndpointError, with_values
from evgraph.terms import IRI, RDF_LANG_STRING, XSD_STRING, BlankNode, Literal, sort_key

from server import free_port

CATALOGUE = catalogue()
#: Catalogue queries that read the rules' derived graph, which the stores here do not build yet.
#: No claim on the bundled data is judged an overclaim (every verdict is cannot-verify or no-rule), and no
#: two of its studies share a DOI or their intervention, country, arm sizes and year.
EMPTY_ON_BUNDLED_DATA = {"overclaims", "possible-duplicate-studies"}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FAMILY_FOUNDATIONS = IRI("https://w3id.org/evgraph/id/intervention/family-foundations")


def sorted_rows(table) -> list[tuple]:
    """A table's rows as tuples, in one order whatever order the engine gave them."""
    return sorted(table.tuples(), key=lambda row: tuple(sort_key(cell) for cell in row))


def example_values(query) -> dict[str, str]:
    """Each declared parameter bound to the example its documentation gives."""
    return {p.name: p.example for p in query.params if p.example is not None}


@pytest.fixture(scope="module")
def embedded():
    """The bundled graph in the default embedded backend, with the rules' derived graph materialised."""
    store = load_store()
    add_derivations(store)
    return store


@pytest.fixture(scope="module")
def rdflib_store():
    """The bundled graph in the rdflib backend, with the rules' derived graph materialised."""
    store = load_store(backend="rdflib")
    add_derivations(store)
    return store


# -- push and connect ---------------------------------------------------------------------------


def test_push_keeps_every_named_graph_and_its_triples(embedded, bundled_store, pushed_bundled, oxigraph_server):
    local = embedded.graph_sizes()
    assert pushed_bundled.graph_sizes() == local
    assert {role: len(pushed_bundled.graphs_of(role)) for role in ("ontology", "shapes", "data", "derived")} == {
        role: len(embedded.graphs_of(role)) for role in ("ontology", "shapes", "data", "derived")}
    assert len(pushed_bundled.graphs_of("derived")) == 1
    assert pushed_bundled.backend == "sparql" and not pushed_bundled.writable

    # The union default graph holds them all: the server was started with --union-default-graph.
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert pushed_bundled.select(count).tuples() == embedded.select(count).tuples()

    # A second push replaces each graph (HTTP PUT) rather than adding to it.
    pushed = push(bundled_store, oxigraph_server.store_url)
    assert sorted(pushed) == bundled_store.graphs_of("ontology", "shapes", "data", "derived")
    assert connect(oxigraph_server.query_url).graph_sizes() == local


def test_a_connected_store_locates_nodes_in_the_local_copy_of_each_file(bundled_store, pushed_bundled):
    assert pushed_bundled.locate(FAMILY_FOUNDATIONS) == bundled_store.locate(FAMILY_FOUNDATIONS)
    assert pushed_bundled.locate(FAMILY_FOUNDATIONS).line is not None


# -- the catalogue answers the same everywhere --------------------------------------------------


@pytest.mark.parametrize("query", CATALOGUE, ids=[q.name for q in CATALOGUE])
def test_catalogue_query_answers_the_same_on_every_backend(query, embedded, rdflib_store, pushed_bundled):
    values = example_values(query)
    assert {p.name for p in query.params if not p.optional} <= set(values), "a parameter has no documented example"
    local = run(embedded, query, values)
    reference = run(rdflib_store, query, values)
    remote = run(pushed_bundled, query, values)
    assert local.variables == reference.variables == remote.variables
    if query.name not in EMPTY_ON_BUNDLED_DATA:
        assert local.rows, f"'{query.name}' finds nothing in the bundled data with its documented example"
    assert sorted_rows(local) == sorted_rows(reference)
    assert sorted_rows(local) == sorted_rows(remote)


def test_why_answers_the_same_on_every_backend_for_every_claim(embedded, rdflib_store, pushed_bundled):
    """Every recommendation and rating, explained from each store: identical JSON.

    rdflib reads named graphs one by one (a few seconds per question here), so it answers for every
    twelfth claim; the audit test below compares every claim's explanation on it in one pass.
    """
    subjects = sorted({str(row["subject"]) for row in run(embedded, "internal/claims")})
    assert len(subjects) == 72
    for index, subject in enumerate(subjects):
        stores = (embedded, pushed_bundled, rdflib_store) if index % 12 == 0 else (embedded, pushed_bundled)
        answers = {json.dumps([e.to_json() for e in explain(store, subject)], sort_keys=True) for store in stores}
        assert len(answers) == 1, subject


def test_audit_answers_the_same_on_every_backend(embedded, rdflib_store, pushed_bundled):
    answers = [json.dumps(run_audit(store).to_json(), sort_keys=True) for store in (embedded, rdflib_store, pushed_bundled)]
    assert answers[0] == answers[1] == answers[2]
    assert json.loads(answers[0])["summary"]["cannot-verify"] == 62


def test_an_independent_client_reads_the_same_rows(bundled_store, oxigraph_server, pushed_bundled):
    query = get_query("reports-of-same-trial")
    client = SPARQLWrapper(oxigraph_server.query_url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    # Without the documentation header: SPARQLWrapper guesses the query form from words in comments too.
    client.setQuery("\n".join(line for line in query.text.splitlines() if not line.startswith("#")))
    answer = client.queryAndConvert()

    def term(value: dict):
        if value["type"] == "uri":
            return IRI(value["value"])
        if value["type"] == "bnode":
            return BlankNode(value["value"])
        if "xml:lang" in value:
            return Literal(value["value"], RDF_LANG_STRING, value["xml:lang"])
        return Literal(value["value"], value.get("datatype", XSD_STRING))

    names = answer["head"]["vars"]
    rows = [tuple(term(b[n]) if n in b else None for n in names) for b in answer["results"]["bindings"]]
    embedded = run(bundled_store, query)
    assert tuple(names) == embedded.variables
    assert rows, "the query finds nothing in the bundled data"
    assert sorted(rows, key=lambda r: tuple(map(sort_key, r))) == sorted_rows(embedded)


# -- binding parameters on a server: a VALUES block --------------------------------------------

TRICKY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Not the clause: WHERE { in a comment
SELECT ?thing ?label ("WHERE { in a string" AS ?note)
WHERE {
  # a brace { in a comment inside the clause
  ?thing rdfs:label ?label .
  FILTER(?label != "WHERE { ?thing }")
}
"""


def test_values_block_opens_the_real_where_clause():
    rewritten = with_values(TRICKY, {"thing": FAMILY_FOUNDATIONS})
    assert rewritten == TRICKY.replace(
        "WHERE {\n  # a brace",
        "WHERE { VALUES ?thing { <https://w3id.org/evgraph/id/intervention/family-foundations> }\n  # a brace")


def test_values_block_goes_into_the_first_group_when_where_is_omitted():
    text = 'SELECT ?label # {\n{ ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }'
    rewritten = with_values(text, {"thing": FAMILY_FOUNDATIONS, "label": Literal("Family Foundations", language="en")})
    assert rewritten == ('SELECT ?label # {\n{ VALUES ?label { "Family Foundations"@en }'
                         ' VALUES ?thing { <https://w3id.org/evgraph/id/intervention/family-foundations> }'
                         ' ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }')


def test_values_block_refuses_what_is_not_an_rdf_term():
    with pytest.raises(QueryError) as caught:
        with_values(TRICKY, {"thing": IRI("https://example.org/> } DROP ALL #")})
    assert caught.value.message == "Cannot bind ?thing: 'https://example.org/> } DROP ALL #' is not a valid IRI."
    with pytest.raises(QueryError) as caught:
        with_values(TRICKY, {"thing": BlankNode("b0")})
    assert caught.value.message.startswith("Cannot bind ?thing to a blank node: a VALUES block holds only IRIs and literals.")


def test_a_bound_query_answers_the_same_on_the_server(bundled_store, pushed_bundled):
    # ?thing is projected: the embedded store binds only variables of the SELECT clause (pyoxigraph substitutions).
    bindings = {"thing": FAMILY_FOUNDATIONS}
    embedded = bundled_store.select(TRICKY, bindings)
    assert embedded.rows
    assert {row["note"] for row in embedded} == {Literal("WHERE { in a string")}
    assert sorted_rows(pushed_bundled.select(TRICKY, bindings)) == sorted_rows(embedded)


# -- what the server refuses, and an absent server ----------------------------------------------


@pytest.mark.parametrize("update, operation", [
    ("INSERT DATA { <urn:evgraph:s> <urn:evgraph:p> <urn:evgraph:o> }", "INSERT"),
    ("PREFIX ex: <urn:evgraph:> # DELETE is not a query\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("drop all", "DROP"),
], ids=["insert-data", "delete-after-prologue", "drop-all"])
def test_an_update_is_refused_before_it_reaches_the_server(update, operation, pushed_bundled, embedded):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError) as caught:
        pushed_bundled.select(update)
    assert caught.value.message == (f"The store at {pushed_bundled.endpoint} is read-only here: {operation} is a"
                                    " SPARQL Update, not a query.")
    assert caught.value.hint == "Change the server's data with `evgraph push`."
    assert pushed_bundled.select(count).tuples() == embedded.select(count).tuples()


def test_a_query_the_server_cannot_parse_is_an_endpoint_error(pushed_bundled):
    with pytest.raises(EndpointError) as caught:
        pushed_bundled.select("SELECT ?s WHERE { ?s ?p }")
    message = caught.value.message
    assert message.startswith(f"The SPARQL server at {pushed_bundled.endpoint} answered 400 Bad Request: ")
    assert message.endswith(".")
    assert caught.value.exit_code == 2


def test_an_unreachable_server_is_an_endpoint_error():
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(EndpointError) as caught:
        connect(url)
    assert caught.value.message.startswith(f"Cannot reach the SPARQL server at {url}: ")
    assert caught.value.hint == "Check the URL and that the server is running."



def test_push_command_uploads_and_checks_the_counts(tmp_path):
    from typer.testing import CliRunner

    from conftest import fixture_data_dir
    from evgraph.cli import app
    from server import OxigraphServer

    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    with OxigraphServer() as server:  # its own server: the session's holds the bundled graph
        result = CliRunner().invoke(app, ["push", "--endpoint", server.query_url, "--graph-store", server.store_url,
                                          "--data", str(folder)])
        assert result.exit_code == 0, result.output
        remote = connect(server.query_url)
        graphs = remote.graph_sizes()
        assert len(remote.graphs_of("data")) == 1 and len(remote.graphs_of("derived")) == 1
    assert result.output.replace("\n", " ").split(" named graphs")[0] == f"Pushed {len(graphs)}"
    assert result.output.rstrip().endswith(f"{server.query_url} answers with the same counts.")
