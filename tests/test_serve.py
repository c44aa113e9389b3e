"""The SPARQL endpoint (evgraph.serve.sparql and the store's query checks): the protocol and its refusals through
the application object, then one real `evgraph serve` process for the time limit, the row cap, many clients at
once, the request log and a clean stop, and `serve --endpoint` in front of a real Oxigraph server."""

from __future__ import annotations

import asyncio
import doctest
import json
import logging
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import fixture_data_dir
from server import EvgraphServer
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from starlette.testclient import TestClient

from evgraph.errors import QueryError
from evgraph.linked.export import context
from evgraph.paths import Layout
from evgraph.serve import sparql
from evgraph.serve.app import Service, Settings, create_app
from evgraph.serve.server import RequestLog, is_loopback
from evgraph.store import load_store, query_form

EV = "https://w3id.org/evgraph/ontology#"
EX = "https://example.org/evgraph-test/"
PREFIXES = (f"PREFIX ev: <{EV}> PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
            " PREFIX design: <https://w3id.org/evgraph/scheme/design/>\n")
STUDIES = PREFIXES + ("SELECT ?study ?label ?n WHERE { ?study a ev:Study ; rdfs:label ?label"
                      " OPTIONAL { ?study ev:sampleSize ?n } } ORDER BY ?study")
ASK_RCT = PREFIXES + "ASK { ex:rct ev:design design:rct }"
CONSTRUCT_RCT = PREFIXES + ("CONSTRUCT { ex:rct rdfs:label ?label ; ev:interventionArmSize ?n }"
                            " WHERE { ex:rct rdfs:label ?label ; ev:interventionArmSize ?n }")
READ_ONLY = "The endpoint is read-only: {} is a SPARQL Update; send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)."
SERVICE_REFUSED = ("The query uses SERVICE, which this endpoint refuses: it answers from its own graph and never calls"
                   " another server.")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _catalogue_folder(tmp_path_factory) -> Path:
    return fixture_data_dir(tmp_path_factory.mktemp("serve"), "catalogue")


@pytest.fixture(scope="module")
def catalogue_folder(tmp_path_factory) -> Path:
    """A data folder holding the query catalogue's test graph (tests/fixtures/catalogue.ttl)."""
    return _catalogue_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def client(catalogue_folder):
    """The application over the catalogue's test graph, queries run in this process (no worker pool)."""
    service = Service(Settings(data=catalogue_folder, max_rows=6), load_store(data=catalogue_folder))
    with TestClient(create_app(service)) as test_client:
        yield test_client


def get(client, query: str, accept: str | None = None, **params):
    return client.get("/sparql", params={"query": query, **params}, headers={"Accept": accept} if accept else {})


# -- the store's query checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("# a comment saying ASK\nPREFIX ex: <http://example.org/construct#>\nBASE <http://x/>\nask { ?s ?p ?o }", "ASK"),
    ("PREFIX:<http://example.org/>CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/a>", "DESCRIBE"),
])
def test_query_form_reads_the_form_after_the_prologue(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize("text, keyword", [
    ("INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }", "INSERT"),
    ("PREFIX ex: <http://e/> # SELECT\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("CLEAR ALL", "CLEAR"), ("CREATE GRAPH <http://e/g>", "CREATE"), ("DROP ALL", "DROP"),
    ("COPY DEFAULT TO <http://e/g>", "COPY"), ("MOVE <http://e/a> TO <http://e/b>", "MOVE"),
    ("ADD <http://e/a> TO <http://e/b>", "ADD"), ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
])
def test_every_update_is_refused_as_read_only(text, keyword):
    with pytest.raises(QueryError) as refused:
        query_form(text)
    assert refused.value.message == READ_ONLY.format(keyword)


#: SERVICE as a parser reads it, where masking by rule of thumb would miss it: each line is checked against
#: Oxigraph itself below (it really would call port 9, which it refuses without any network).
SERVICE_CALLS = [
    "SELECT * WHERE { ?s ?p ?o SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } }",
    "select * { ?s ?p ?o . service <http://127.0.0.1:9/> { } }",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * { ?s ?p ex:.SERVICE ex: { } }",  # 'ex:' then '.', not a local name
    "PREFIX ex: <http://e/> SELECT * { ?s ?p ?o OPTIONAL { ?s ex:a\\#b ?x } SERVICE <http://127.0.0.1:9/> { } }",
    'SELECT * { ?s ?p ?o BIND("a\\"b" AS ?x) SERVICE <http://127.0.0.1:9/> { } }',
    'SELECT * { ?s ?p ?o BIND("""a\\"""" AS ?x) SERVICE <http://127.0.0.1:9/> { } }',
    "SELECT * { ?s ?p ?o BIND(<http://e/\\u0041#x> AS ?x) SERVICE <http://127.0.0.1:9/> { } }",
    "SELECT * { ?s ?p ?o BIND(1<2 AS ?x)SERVICE<http://127.0.0.1:9/>{ } }",
]


#: Words a parser may read as SERVICE (the first, glued to a prefixed name, Oxigraph does), refused with the word.
SERVICE_WORDS = [
    ("PREFIX ex: <http://127.0.0.1:9/> SELECT * { ?s ?p ?o SERVICEex:sparql{ } }", "SERVICEex:", True),
    ("PREFIX myservice: <http://e/> SELECT * { ?s myservice:p ?o }", "myservice:", False),
]


def _oracle_calls_port_9(text: str) -> bool:
    """True when Oxigraph, running the query over one triple, would call the service at port 9 (it refuses that
    port itself, so nothing goes on the network)."""
    oracle = ox.Store()
    oracle.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://127.0.0.1:9/")))
    try:
        list(oracle.query(text))
    except OSError as error:
        return "port 9" in str(error)
    return False


@pytest.mark.parametrize("text", SERVICE_CALLS)
def test_service_is_refused_however_it_is_written(text):
    assert _oracle_calls_port_9(text)
    with pytest.raises(QueryError) as refused:
        query_form(text)
    assert refused.value.message == SERVICE_REFUSED


@pytest.mark.parametrize("text, word, calls", SERVICE_WORDS)
def test_a_word_that_may_be_read_as_service_is_refused(text, word, calls):
    assert _oracle_calls_port_9(text) is calls
    with pytest.raises(QueryError) as refused:
        query_form(text)
    assert refused.value.message == (f"The query has '{word}' outside its IRIs, strings and names, where it may be"
                                     " read as SERVICE, which this endpoint refuses (it never calls another server);"
                                     " rename it.")


#: "service" where no parser reads the keyword: in IRIs, strings, variables, local names, language tags, comments.
NOT_SERVICE = ("PREFIX ex: <http://example.org/service#> PREFIX schema: <https://schema.org/>\n"
               "SELECT ?service WHERE { # SERVICE <http://127.0.0.1:9/> {}\n"
               ' ?service schema:serviceType ?type . OPTIONAL { ?service ex:service "SERVICE <x> {}"@service }'
               ' FILTER(?type != <http://example.org/service>) FILTER(?type != """service""") }')


def test_service_in_an_iri_string_name_or_comment_is_not_refused(client):
    assert query_form(NOT_SERVICE) == "SELECT"
    response = get(client, NOT_SERVICE)
    assert response.status_code == 200, response.text
    assert response.json() == {"head": {"vars": ["service"]}, "results": {"bindings": []}}


def test_a_text_that_is_no_query_gets_the_parser_message():
    with pytest.raises(QueryError) as refused:
        query_form("SHOW TABLES")
    assert refused.value.message == "The query is not valid SPARQL: error at 1:10: expected CONSTRUCT"


# -- the protocol, through the application -------------------------------------------------------------------

STUDIES_JSON = {"head": {"vars": ["study", "label", "n"]}, "results": {"bindings": [
    {"study": {"type": "uri", "value": f"{EX}pre-post"},
     "label": {"type": "literal", "value": "Example pre-post study", "xml:lang": "en"},
     "n": {"type": "literal", "value": "40", "datatype": XSD_INTEGER}},
    {"study": {"type": "uri", "value": f"{EX}qed"}, "label": {"type": "literal", "value": "Example QED", "xml:lang": "en"}},
    {"study": {"type": "uri", "value": f"{EX}rct"}, "label": {"type": "literal", "value": "Example RCT", "xml:lang": "en"}},
]}}
STUDIES_XML = ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
               '<variable name="study"/><variable name="label"/><variable name="n"/></head><results>'
               f'<result><binding name="study"><uri>{EX}pre-post</uri></binding><binding name="label"><literal'
               ' xml:lang="en">Example pre-post study</literal></binding><binding name="n"><literal'
               f' datatype="{XSD_INTEGER}">40</literal></binding></result>'
               f'<result><binding name="study"><uri>{EX}qed</uri></binding><binding name="label"><literal'
               ' xml:lang="en">Example QED</literal></binding></result>'
               f'<result><binding name="study"><uri>{EX}rct</uri></binding><binding name="label"><literal'
               ' xml:lang="en">Example RCT</literal></binding></result></results></sparql>')
STUDIES_CSV = (f"study,label,n\r\n{EX}pre-post,Example pre-post study,40\r\n{EX}qed,Example QED,\r\n"
               f"{EX}rct,Example RCT,\r\n")
STUDIES_TSV = (f'?study\t?label\t?n\n<{EX}pre-post>\t"Example pre-post study"@en\t40\n'
               f'<{EX}qed>\t"Example QED"@en\t\n<{EX}rct>\t"Example RCT"@en\t\n')


@pytest.mark.parametrize("accept, media, body", [
    (None, "application/sparql-results+json", json.dumps(STUDIES_JSON, separators=(",", ":"))),
    ("application/sparql-results+json", "application/sparql-results+json", json.dumps(STUDIES_JSON, separators=(",", ":"))),
    ("application/json", "application/sparql-results+json", json.dumps(STUDIES_JSON, separators=(",", ":"))),
    ("application/sparql-results+xml", "application/sparql-results+xml", STUDIES_XML),
    ("text/csv", "text/csv; charset=utf-8", STUDIES_CSV),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", STUDIES_TSV),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values; charset=utf-8", STUDIES_TSV),
])
def test_select_answers_in_each_results_format(client, accept, media, body):
    response = get(client, STUDIES, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media
    assert response.headers["vary"] == "Accept, Origin"
    assert response.text == body


@pytest.mark.parametrize("accept, body", [
    ("application/sparql-results+json", '{"head":{},"boolean":true}'),
    ("application/sparql-results+xml", '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                                       "<head></head><boolean>true</boolean></sparql>"),
    ("text/csv", "true"), ("text/tab-separated-values", "true"),
])
def test_ask_answers_in_each_results_format(client, accept, body):
    response = get(client, ASK_RCT, accept)
    assert (response.status_code, response.text) == (200, body)


RCT_NTRIPLES = (f'<{EX}rct> <http://www.w3.org/2000/01/rdf-schema#label> "Example RCT"@en .\n'
                f'<{EX}rct> <{EV}interventionArmSize> "79"^^<{XSD_INTEGER}> .\n')
RCT_TURTLE = ("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
              f"@prefix ev: <{EV}> .\n"
              "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              f'<{EX}rct> rdfs:label "Example RCT"@en ;\n\tev:interventionArmSize 79 .\n')


@pytest.mark.parametrize("accept, media, body", [
    (None, "text/turtle; charset=utf-8", RCT_TURTLE),
    ("text/turtle", "text/turtle; charset=utf-8", RCT_TURTLE),
    ("application/n-triples", "application/n-triples", RCT_NTRIPLES),
])
def test_construct_answers_as_turtle_and_n_triples(client, accept, media, body):
    response = get(client, CONSTRUCT_RCT, accept)
    assert response.status_code == 200, response.text
    assert (response.headers["content-type"], response.text) == (media, body)


def test_construct_answers_as_json_ld_compacted_with_the_project_context(client):
    response = get(client, CONSTRUCT_RCT, "application/ld+json")
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert document.pop("@context") == context(Layout.default())
    assert document == {"@id": f"{EX}rct", "interventionArmSize": "79",  # the context types it as xsd:integer
                        "label": {"@language": "en", "@value": "Example RCT"}}


def test_describe_answers_with_the_node(client):
    response = get(client, PREFIXES + "DESCRIBE ex:qed", "application/n-triples")
    assert response.status_code == 200
    assert f'<{EX}qed> <http://www.w3.org/2000/01/rdf-schema#label> "Example QED"@en .\n' in response.text
    assert all(line.startswith(f"<{EX}qed> ") for line in response.text.splitlines())


def test_get_form_post_and_direct_post_give_the_same_answer(client):
    by_get = get(client, STUDIES, "text/csv")
    by_form = client.post("/sparql", data={"query": STUDIES}, headers={"Accept": "text/csv"})
    direct = client.post("/sparql", content=STUDIES.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"})
    assert by_get.text == by_form.text == direct.text == STUDIES_CSV


def test_from_chooses_the_default_graph_instead_of_the_union(client):
    in_union = PREFIXES + "ASK { ev:Study a ?type }"
    in_data_graph = PREFIXES + "ASK FROM <https://w3id.org/evgraph/graph/data/catalogue> { ev:Study a ?type }"
    assert get(client, in_union).json()["boolean"] is True
    assert get(client, in_data_graph).json()["boolean"] is False  # the ontology's triples are in another graph


# -- the service description ------------------------------------------------------------------------------------

SD_NTRIPLES = "".join(f"{line} .\n" for line in sorted([
    "<http://testserver/sparql> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<http://www.w3.org/ns/sparql-service-description#Service>",
    "<http://testserver/sparql> <http://www.w3.org/ns/sparql-service-description#endpoint> <http://testserver/sparql>",
    "<http://testserver/sparql> <http://www.w3.org/ns/sparql-service-description#supportedLanguage> "
    "<http://www.w3.org/ns/sparql-service-description#SPARQL11Query>",
    "<http://testserver/sparql> <http://www.w3.org/ns/sparql-service-description#feature> "
    "<http://www.w3.org/ns/sparql-service-description#UnionDefaultGraph>",
    '<http://testserver/sparql> <http://www.w3.org/2000/01/rdf-schema#label> "evgraph SPARQL endpoint (read-only)"@en',
    *(f"<http://testserver/sparql> <http://www.w3.org/ns/sparql-service-description#resultFormat> "
      f"<http://www.w3.org/ns/formats/{name}>" for name in (
          "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
          "N-Triples", "JSON-LD")),
]))
SD_TURTLE = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
<http://testserver/sparql> a sd:Service ;
\trdfs:label "evgraph SPARQL endpoint (read-only)"@en ;
\tsd:endpoint <http://testserver/sparql> ;
\tsd:feature sd:UnionDefaultGraph ;
\tsd:resultFormat formats:JSON-LD , formats:N-Triples , formats:SPARQL_Results_CSV , formats:SPARQL_Results_JSON , \
formats:SPARQL_Results_TSV , formats:SPARQL_Results_XML , formats:Turtle ;
\tsd:supportedLanguage sd:SPARQL11Query .
"""


@pytest.mark.parametrize("accept, media, body", [
    (None, "text/turtle; charset=utf-8", SD_TURTLE),
    ("*/*", "text/turtle; charset=utf-8", SD_TURTLE),
    ("application/n-triples", "application/n-triples", SD_NTRIPLES),
])
def test_sparql_with_no_query_describes_the_service(client, accept, media, body):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert (response.headers["content-type"], response.text) == (media, body)


def test_the_service_description_as_json_ld_holds_the_same_triples(client):
    response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    triples = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    assert "".join(sorted(f"{triple} .\n" for triple in triples)) == SD_NTRIPLES


def test_a_browser_gets_a_short_page_saying_what_the_endpoint_is(client):
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>evgraph SPARQL endpoint</title>" in response.text
    assert "http://testserver/sparql is a read-only SPARQL 1.1 endpoint" in response.text
    assert "A query may run 10 s and answer 6 rows; SPARQL Update and SERVICE are refused." in response.text
    assert "<a href='/'>The graph's pages</a>" in response.text


def test_a_hostile_host_header_does_not_get_into_the_description(client):
    # Sent as raw ASGI: the test client would put its own Host header in.
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/sparql", "raw_path": b"/sparql", "root_path": "", "query_string": b"",
             "headers": [(b"host", b'evil"> <http://e/p> <http://e/o'), (b"accept", b"application/n-triples")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["status"] == 200
    assert sent[1]["body"].decode("utf-8") == SD_NTRIPLES.replace("http://testserver/", "http://127.0.0.1/")


# -- refusals -------------------------------------------------------------------------------------------------


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == status
    return body["error"]


def test_an_update_sent_as_a_query_is_refused(client):
    insert = "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"
    assert _error(client.post("/sparql", data={"query": insert}), 400) == READ_ONLY.format("INSERT")
    assert _error(get(client, "LOAD <http://example.org/data.ttl>"), 400) == READ_ONLY.format("LOAD")


@pytest.mark.parametrize("send", [
    lambda c: c.post("/sparql", data={"update": "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"}),
    lambda c: c.get("/sparql", params={"update": "DROP ALL"}),
    lambda c: c.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
], ids=["update=", "GET update=", "sparql-update body"])
def test_an_update_sent_as_an_update_is_refused(client, send):
    assert _error(send(client), 400) == ("The endpoint is read-only: SPARQL Update is not accepted; send a query"
                                         " (SELECT, ASK, CONSTRUCT or DESCRIBE).")


def test_a_query_using_service_is_refused(client):
    assert _error(get(client, SERVICE_CALLS[0]), 400) == SERVICE_REFUSED


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_are_refused_pointing_to_from(client, parameter):
    response = get(client, STUDIES, **{parameter: "https://w3id.org/evgraph/graph/data/catalogue"})
    assert _error(response, 400) == ("default-graph-uri and named-graph-uri are not supported: the default graph is"
                                     " the union of every named graph; choose graphs in the query with FROM, FROM"
                                     " NAMED or GRAPH.")


def test_a_query_that_does_not_parse_gets_the_parser_message(client):
    assert _error(get(client, "SELECT * WHERE { ?s ?p }"), 400) == (
        "The query is not valid SPARQL: error at 1:25: expected one of LATERAL, SERVICE, [_]")


def test_a_body_over_the_limit_is_refused(client):
    too_long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000
    declared = client.post("/sparql", content=too_long.encode(), headers={"Content-Type": "application/sparql-query"})
    streamed = client.post("/sparql", content=iter([too_long[:500_000].encode(), too_long[500_000:].encode()]),
                           headers={"Content-Type": "application/sparql-query"})  # no Content-Length
    message = "The request body is larger than 1000000 bytes, the most this endpoint accepts."
    assert _error(declared, 413) == _error(streamed, 413) == message


def test_an_accept_header_nothing_satisfies_is_406(client):
    assert _error(get(client, STUDIES, "text/turtle"), 406) == (
        "None of the media types in the Accept header can be sent for SELECT queries; ask for one of:"
        " application/sparql-results+json, application/sparql-results+xml, text/csv, text/tab-separated-values.")
    assert _error(get(client, CONSTRUCT_RCT, "text/csv"), 406) == (
        "None of the media types in the Accept header can be sent for CONSTRUCT queries; ask for one of:"
        " text/turtle, application/n-triples, application/ld+json.")
    assert _error(client.get("/sparql", headers={"Accept": "image/png"}), 406).startswith(
        "None of the media types in the Accept header can be sent for the service description")


def test_other_malformed_requests_say_what_to_send(client):
    assert _error(client.post("/sparql", content=b"query", headers={"Content-Type": "text/plain"}), 415) == (
        "Send the query as application/x-www-form-urlencoded (query=…) or as an application/sparql-query body.")
    assert _error(client.post("/sparql", data={"other": "x"}), 400) == (
        "Send a query: the request has no query parameter and no application/sparql-query body.")
    assert _error(client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D"), 400) == "Send one query, not 2."
    assert client.put("/sparql", content=b"x").status_code == 405


def test_a_browser_gets_the_refusal_as_a_page(client):
    response = get(client, "DROP ALL", "text/html")
    assert (response.status_code, response.headers["content-type"]) == (400, "text/html; charset=utf-8")
    assert "<p>The endpoint is read-only: DROP is a SPARQL Update;" in response.text


def test_an_answer_over_the_row_cap_is_refused_not_cut(client):
    everything = "SELECT * WHERE { ?s ?p ?o }"
    assert _error(get(client, everything), 422) == "The answer has more than 6 rows; add a LIMIT."
    assert _error(get(client, "CONSTRUCT WHERE { ?s ?p ?o }"), 422) == "The answer has more than 6 triples; add a LIMIT."
    assert len(get(client, everything + " LIMIT 6").json()["results"]["bindings"]) == 6


# -- pieces -----------------------------------------------------------------------------------------------------


def test_negotiation_examples_hold():
    assert doctest.testmod(sparql).failed == 0


def test_the_request_log_has_one_line_per_request(catalogue_folder, caplog):
    logger = logging.getLogger("evgraph.test-serve")
    app = RequestLog(create_app(Service(Settings(), load_store(data=catalogue_folder))), logger)
    with caplog.at_level(logging.INFO, logger=logger.name), TestClient(app) as logged:
        logged.get("/sparql", params={"query": "ASK {}"})
        logged.post("/sparql", data={"update": "DROP ALL"})
    lines = [record.getMessage() for record in caplog.records]
    assert [re.sub(r"\d+\.\d ms$", "N ms", line) for line in lines] == ["GET /sparql 200 N ms", "POST /sparql 400 N ms"]


def test_cli_defaults_are_the_settings_defaults():
    from evgraph.cli import serve as command

    defaults = Settings()
    assert (command.DEFAULT_TIMEOUT, command.DEFAULT_MAX_ROWS, command.DEFAULT_WORKERS) == (
        defaults.timeout, defaults.max_rows, defaults.workers)


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False)])
def test_loopback_hosts_are_told_apart(host, loopback):
    assert is_loopback(host) is loopback


# -- a real server ---------------------------------------------------------------------------------------------


def _running(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``evgraph serve`` on the catalogue's test graph with a 1 s time limit, 5 rows at most and two workers."""
    folder = _catalogue_folder(tmp_path_factory)
    server = EvgraphServer(folder.parent, "--data", str(folder), "--timeout", "1", "--max-rows", "5", "--workers", "2")
    yield server
    server.stop()


def _wrapper(url: str, query: str, fmt: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(url)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    return wrapper


def test_the_server_says_where_it_listens(served):
    assert served.out.read_text() == (f"Serving the graph at http://127.0.0.1:{served.port}/ (SPARQL endpoint:"
                                      f" http://127.0.0.1:{served.port}/sparql); stop with Ctrl-C.\n")


def test_sparqlwrapper_gets_each_format(served):
    assert _wrapper(served.url, STUDIES, JSON).query().convert() == STUDIES_JSON
    assert _wrapper(served.url, STUDIES, XML).query().convert().toxml() == STUDIES_XML.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" ?>')  # as xml.dom.minidom writes the declaration
    assert _wrapper(served.url, STUDIES, CSV).query().convert().decode("utf-8") == STUDIES_CSV
    assert _wrapper(served.url, ASK_RCT, JSON).query().convert() == {"head": {}, "boolean": True}
    assert _wrapper(served.url, CONSTRUCT_RCT, TURTLE).query().convert().decode("utf-8") == RCT_TURTLE


def test_plain_http_clients_get_the_same_answers(served):
    request = urllib.request.Request(served.url, data=STUDIES.encode("utf-8"), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
        assert response.read().decode("utf-8") == STUDIES_TSV
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{served.url}?{urllib.parse.urlencode({'query': 'CLEAR ALL'})}", timeout=10)
    assert refused.value.code == 400
    assert json.loads(refused.value.read()) == {"error": READ_ONLY.format("CLEAR"), "status": 400}


def _ask(url: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
                                     headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_query_past_the_time_limit_is_stopped_and_the_next_is_answered(served):
    expensive = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    status, body = _ask(served.url, expensive)
    elapsed = time.monotonic() - started
    assert (status, json.loads(body)) == (503, {"error": "The query took longer than 1 s and was stopped.",
                                                "status": 503})
    assert 1.0 <= elapsed < 2.0
    assert _ask(served.url, ASK_RCT) == (200, b'{"head":{},"boolean":true}')
    assert _ask(served.url, STUDIES, "text/csv") == (200, STUDIES_CSV.encode())


def test_an_answer_over_the_row_cap_is_refused(served):
    status, body = _ask(served.url, "SELECT * WHERE { ?s ?p ?o }")
    assert (status, json.loads(body)["error"]) == (422, "The answer has more than 5 rows; add a LIMIT.")
    status, body = _ask(served.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5


def test_fifty_clients_at_once_are_all_answered(served):
    expected = [(STUDIES, "text/csv", STUDIES_CSV.encode()), (ASK_RCT, "text/tab-separated-values", b"true"),
                (CONSTRUCT_RCT, "application/n-triples", RCT_NTRIPLES.encode())]

    def client(_: int) -> list[tuple[int, bytes]]:
        return [_ask(served.url, query, accept) for query, accept, _ in expected]

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(client, range(50)))
    assert answers == [[(200, body) for _, _, body in expected]] * 50


def test_every_request_is_logged_in_one_line(served):
    _ask(served.url, ASK_RCT)
    lines = served.err.read_text().splitlines()
    assert lines and all(re.fullmatch(r"(GET|POST) /sparql \d{3} \d+\.\d ms", line) for line in lines), lines
    assert any(re.fullmatch(r"POST /sparql 503 1\d{3}\.\d ms", line) for line in lines)
    assert any(line.startswith("POST /sparql 422 ") for line in lines)


def test_sigterm_stops_the_server_and_its_workers(served):
    # Last on purpose: it stops the module's server.
    workers = served.children()
    assert len([pid for pid in workers if _running(pid)]) >= 2
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(10) == 0
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]


# -- in front of another SPARQL server -------------------------------------------------------------------------

#: Questions asked of the bundled graph through both endpoints, beside some of the catalogue's.
BUNDLED_QUERIES = [
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class",
    PREFIXES + "SELECT ?rec ?label WHERE { ?rec a ev:Recommendation ; rdfs:label ?label } ORDER BY ?rec LIMIT 20",
    PREFIXES + "ASK { ?rating a ev:Rating }",
]


def test_serve_endpoint_answers_as_the_embedded_store_does(pushed_bundled, oxigraph_server, tmp_path):
    from evgraph.queries import get_query

    queries = BUNDLED_QUERIES + [get_query(name).text
                                 for name in ("single-trial-claims", "unverifiable", "level-criteria")]
    embedded = TestClient(create_app(Service(Settings(), load_store())))
    front = EvgraphServer(tmp_path, "--endpoint", oxigraph_server.query_url)
    try:
        for query in queries:
            for accept in ("application/sparql-results+json", "text/csv"):
                through_front = _ask(front.url, query, accept)
                assert through_front[0] == 200, through_front
                assert through_front[1] == get(embedded, query, accept).content, query
        construct = PREFIXES + "CONSTRUCT { ?rec rdfs:label ?label } WHERE { ?rec a ev:Recommendation ; rdfs:label ?label }"
        assert _ask(front.url, construct, "text/turtle") == (200, get(embedded, construct, "text/turtle").content)
        status, body = _ask(front.url, "SELECT * WHERE { ?s ?p ?o }")
        assert (status, json.loads(body)["error"]) == (422, "The answer has more than 10000 rows; add a LIMIT.")
    finally:
        front.stop()
    assert front.process.returncode == 0


def test_browser_based_clients_from_other_origins_may_read(client):
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method":
                                                   "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
