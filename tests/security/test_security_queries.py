"""Safe querying on every surface: the query policy (evgraph.store.query_policy) in front of the CLI, the library's
backends, the server and the SHACL-SPARQL of a --shapes folder, and the time limit and row cap of `evgraph query`.

Each probe is named for what it tries. A listener on a free loopback port records every connection made to it, so
"nothing called out" is observed, not assumed; a control test shows the engines really would call it. A marker
file outside the data, with content found nowhere else, shows that nothing named by a query was read.
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
import uuid
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import fixture_data_dir
from starlette.testclient import TestClient
from typer.testing import CliRunner

from evgraph import queries
from evgraph.cli import app
from evgraph.errors import QueryError
from evgraph.serve.app import Service, Settings, create_app
from evgraph.store import check_query, check_sparql, load_store
from evgraph.store.query_policy import guard_rdflib
from evgraph.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "queries"
DATA_GRAPH = "https://w3id.org/evgraph/graph/data/catalogue"  # the one graph of tests/fixtures/catalogue.ttl
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
SERVICE_REFUSED = ("The query uses SERVICE, which evgraph refuses: it answers from its own graph and never calls"
                   " another server.")
ENDPOINT_SERVICE_REFUSED = ("The query uses SERVICE, which this endpoint refuses: it answers from its own graph and"
                            " never calls another server.")
READ_ONLY = "evgraph is read-only: {} is a SPARQL Update; send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)."
ENDPOINT_READ_ONLY = ("The endpoint is read-only: {} is a SPARQL Update; send a query (SELECT, ASK, CONSTRUCT or"
                      " DESCRIBE).")


def from_refused(iri: str, keyword: str = "FROM", who: str = "evgraph") -> str:
    """The sentence a FROM (or FROM NAMED) naming something other than the store's graphs gets."""
    return (f"The query reads <{iri}> with {keyword}, which is not one of the store's graphs: {who} never opens a"
            " file or URL a query names.")


runner = CliRunner()


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection made to it and answers none of them."""

    def __init__(self):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="probe-listener", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(1.0)
                try:
                    self.requests.append(connection.recv(65536) or b"(connected, sent nothing)")
                except OSError:
                    self.requests.append(b"(connected)")

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


@pytest.fixture
def listener():
    """A loopback listener that records every connection: the probes assert it heard nothing."""
    heard = Listener()
    yield heard
    heard.close()


@pytest.fixture
def marker(tmp_path) -> tuple[Path, str]:
    """A readable Turtle file outside the data, and the content only it holds."""
    secret = f"MARKER-{uuid.uuid4().hex}"
    path = tmp_path / "outside" / "marker.ttl"
    path.parent.mkdir()
    path.write_text(f'<https://example.org/evgraph-test/secret> <https://example.org/evgraph-test/says> "{secret}" .\n',
                    encoding="utf-8")
    return path, secret


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A data folder holding the query catalogue's test graph (a few thousand triples with the ontology)."""
    return fixture_data_dir(tmp_path_factory.mktemp("security-queries"), "catalogue")


@pytest.fixture(scope="module")
def stores(data_folder) -> dict:
    """The test graph in each embedded backend."""
    return {backend: load_store(data=data_folder, backend=backend) for backend in ("oxigraph", "rdflib")}


@pytest.fixture(scope="module")
def client(data_folder, stores):
    """The server's application over the test graph (queries run in this process)."""
    service = Service(Settings(data=data_folder, max_rows=10_000), stores["oxigraph"])
    with TestClient(create_app(service)) as test_client:
        yield test_client


def cli(*arguments: str):
    return runner.invoke(app, list(arguments))


def server_error(response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["error"]


# -- control: the hazard is real ------------------------------------------------------------------------------


def test_control_the_listener_hears_what_oxigraph_would_send(listener):
    """Oxigraph, asked directly, does call a SERVICE (so the listener would catch any surface that let one by)."""
    raw = ox.Store()
    raw.add(ox.Quad(ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p"), ox.Literal("1"), ox.DefaultGraph()))
    with pytest.raises(OSError):
        list(raw.query(f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"))
    assert listener.requests and listener.requests[0].startswith(b"POST /sparql")


# -- SERVICE and FROM <http://…>: nothing calls out, on any surface ----------------------------------------


def service_query(listener: Listener) -> str:
    return f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"


def from_query(listener: Listener) -> str:
    return f"SELECT * FROM <{listener.url}/graph.ttl> WHERE {{ ?s ?p ?o }}"


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_probe_service_through_each_backend_calls_nobody(backend, stores, listener):
    store = stores[backend]
    for run in (store.select, lambda text: store.serialize_select(text, None, "csv"),
                lambda text: store.ask(text.replace("SELECT *", "ASK")),
                lambda text: store.construct(text.replace("SELECT *", "CONSTRUCT { ?s ?p ?o }"))):
        with pytest.raises(QueryError) as refused:
            run(service_query(listener))
        assert refused.value.message == SERVICE_REFUSED
    assert listener.requests == []


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_probe_from_a_url_through_each_backend_calls_nobody(backend, stores, listener):
    with pytest.raises(QueryError) as refused:
        stores[backend].select(from_query(listener))
    assert refused.value.message == from_refused(f"{listener.url}/graph.ttl")
    assert listener.requests == []


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_probe_service_and_from_a_url_through_evgraph_query_call_nobody(backend, data_folder, listener, tmp_path):
    own_file = tmp_path / "calls-out.rq"
    own_file.write_text(service_query(listener), encoding="utf-8")
    for arguments, message in [(["-e", service_query(listener)], SERVICE_REFUSED),
                               ([str(own_file)], SERVICE_REFUSED),
                               (["-e", from_query(listener)], from_refused(f"{listener.url}/graph.ttl"))]:
        result = cli("query", *arguments, "--data", str(data_folder), "--backend", backend, "--format", "csv")
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.splitlines()[0] == f"Error: {message}"
    assert listener.requests == []


def test_probe_service_and_from_a_url_through_the_server_call_nobody(client, listener):
    assert server_error(client.get("/sparql", params={"query": service_query(listener)})) == ENDPOINT_SERVICE_REFUSED
    response = client.post("/sparql", data={"query": from_query(listener)})
    assert server_error(response) == from_refused(f"{listener.url}/graph.ttl", who="this endpoint")
    assert listener.requests == []


def test_probe_service_through_a_remote_store_is_never_sent(oxigraph_server, listener):
    """A SPARQL server evgraph reads from would call the SERVICE itself: the query never leaves."""
    from evgraph.store import connect

    remote = connect(oxigraph_server.query_url)
    with pytest.raises(QueryError) as refused:
        remote.select(service_query(listener))
    assert refused.value.message == SERVICE_REFUSED
    with pytest.raises(QueryError) as refused:
        remote.select(from_query(listener))
    assert refused.value.message == from_refused(f"{listener.url}/graph.ttl")
    assert listener.requests == []


def test_probe_checking_a_query_s_syntax_never_runs_its_service(listener):
    """The syntax check runs a query over an empty store, where an ASK would call its SERVICE at once."""
    assert check_sparql(f"ASK {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}") is None
    with pytest.raises(QueryError):
        queries.adhoc_query(f"ASK {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert listener.requests == []


# -- FROM <file:…>: nothing named by a query is read ----------------------------------------------------------


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_probe_from_a_file_outside_the_data_reads_nothing(backend, stores, data_folder, client, marker):
    path, secret = marker
    for query, keyword in [(f"SELECT * FROM <{path.as_uri()}> WHERE {{ ?s ?p ?o }}", "FROM"),
                           (f"SELECT * FROM NAMED <{path.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                            "FROM NAMED")]:
        with pytest.raises(QueryError) as refused:
            stores[backend].select(query)
        assert refused.value.message == from_refused(path.as_uri(), keyword)
        result = cli("query", "-e", query, "--data", str(data_folder), "--backend", backend, "--format", "json")
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0] == f"Error: {from_refused(path.as_uri(), keyword)}"
        response = client.get("/sparql", params={"query": query})
        assert server_error(response) == from_refused(path.as_uri(), keyword, "this endpoint")
        assert secret not in result.output + response.text + str(refused.value)


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_probe_billion_laughs_behind_from_is_refused_at_once(backend, data_folder):
    laughs = (FIXTURES / "queries_billion_laughs.rdf").as_uri()
    started = time.monotonic()
    result = cli("query", "-e", f"SELECT * FROM <{laughs}> WHERE {{ ?s ?p ?o }}", "--data", str(data_folder),
                 "--backend", backend)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"Error: {from_refused(laughs)}"
    assert time.monotonic() - started < 10  # loading the test graph; no parser ever sees the file


def test_probe_rdflib_itself_loads_nothing_a_query_names_and_calls_no_service(listener, marker):
    """Defence in depth: rdflib's own graph loading is off and its SERVICE refused, for any caller in the process
    (pySHACL included), even for a query that never passed the policy."""
    from rdflib import Dataset

    path, secret = marker
    guard_rdflib()
    dataset = Dataset(default_union=True)
    laughs = (FIXTURES / "queries_billion_laughs.rdf").as_uri()
    for named in (path.as_uri(), f"{listener.url}/graph.ttl", laughs):
        assert list(dataset.query(f"SELECT * FROM <{named}> WHERE {{ ?s ?p ?o }}")) == []
        assert list(dataset.query(f"SELECT * FROM NAMED <{named}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")) == []
    with pytest.raises(QueryError) as refused:  # alone in the pattern, so rdflib evaluates it on an empty dataset
        list(dataset.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"))
    assert refused.value.message == SERVICE_REFUSED
    assert listener.requests == []


# -- tricky spellings are refused; "service" and "from" inside IRIs, strings and names are not ---------------


#: SERVICE however it is written; each is checked against Oxigraph itself, which does call the listener.
SERVICE_SPELLINGS = {
    "lowercase": "select * {{ ?s ?p ?o . service <{url}/sparql> {{ ?s ?p ?o }} }}",
    "after-comments": ("# SELECT only, no SERVICE here\nSELECT * # still none\nWHERE {{ ?s ?p ?o # nor here\n"
                       "  SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"),
    "nested-group": "SELECT * {{ ?s ?p ?o {{ OPTIONAL {{ {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }} }} }}",
    "silent": "SELECT * {{ ?s ?p ?o SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "glued": "SELECT * {{ ?s ?p ?o BIND(1<2 AS ?x)SERVICE<{url}/sparql>{{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("spelling", SERVICE_SPELLINGS, ids=list(SERVICE_SPELLINGS))
def test_probe_service_spelled_any_way_is_refused(spelling, stores, listener):
    text = SERVICE_SPELLINGS[spelling].format(url=listener.url)
    oracle = ox.Store()
    oracle.add(ox.Quad(ox.NamedNode("https://e/s"), ox.NamedNode("https://e/p"), ox.Literal("1"), ox.DefaultGraph()))
    try:
        list(oracle.query(text))
    except OSError:
        pass
    assert listener.requests, "Oxigraph itself should call the listener: the probe is real"
    listener.requests.clear()
    for store in stores.values():
        with pytest.raises(QueryError) as refused:
            store.select(text)
        assert refused.value.message == SERVICE_REFUSED
    assert listener.requests == []


#: FROM however it is written, each naming the listener: refused with the IRI a parser reads.
FROM_SPELLINGS = {
    "from-named": ("SELECT * FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED", "{url}/g"),
    "lowercase-glued": ("select*from<{url}/g>{{?s ?p ?o}}", "FROM", "{url}/g"),
    "ask-glued": ("ASKFROM<{url}/g>{{?s ?p ?o}}", "FROM", "{url}/g"),
    "named-glued": ("SELECT * FROMNAMED<{url}/g> {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM NAMED", "{url}/g"),
    "prefixed-name": ("PREFIX x: <{url}/> SELECT * FROM x:g WHERE {{ ?s ?p ?o }}", "FROM", "{url}/g"),
    "prefix-glued": ("PREFIX x: <{url}/> SELECT * FROMx:g WHERE {{ ?s ?p ?o }}", "FROM", "{url}/g"),
    "after-a-comment": ("SELECT * FROM # the graph:\n  <{url}/g> WHERE {{ ?s ?p ?o }}", "FROM", "{url}/g"),
    "relative-to-base": ("BASE <{url}/> SELECT * FROM <g> WHERE {{ ?s ?p ?o }}", "FROM", "{url}/g"),
    "unicode-escape": ("SELECT * FROM <{url}/\\u0067> WHERE {{ ?s ?p ?o }}", "FROM", "{url}/g"),
    "after-a-store-graph": (f"SELECT * FROM <{DATA_GRAPH}> FROM NAMED <{{url}}/g> WHERE {{{{ ?s ?p ?o }}}}",
                            "FROM NAMED", "{url}/g"),
}


@pytest.mark.parametrize("spelling", FROM_SPELLINGS, ids=list(FROM_SPELLINGS))
def test_probe_from_spelled_any_way_is_refused(spelling, stores, listener):
    text, keyword, iri = (part.format(url=listener.url) for part in FROM_SPELLINGS[spelling])
    assert check_sparql(text) is None, "Oxigraph parses the probe"
    for store in stores.values():
        with pytest.raises(QueryError) as refused:
            store.select(text)
        assert refused.value.message == from_refused(iri, keyword)
    assert listener.requests == []


#: Code point escapes, which rdflib writes out before it parses anything (SPARQL 1.1 section 19.2): each hides
#: SERVICE or FROM from a reader that does not, and each is refused with what it becomes.
ESCAPED = {
    "escaped-service": ("SELECT * {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", SERVICE_REFUSED),
    "escaped-from": ("SELECT * \\u0046ROM <{url}/g> WHERE {{ ?s ?p ?o }}", from_refused("{url}/g")),
    "service-after-an-escaped-quote": ('SELECT * {{ ?s ?p "\\u0022 SERVICE <{url}/sparql> {{ ?s ?p ?o }} \\u0022" }}',
                                       SERVICE_REFUSED),
}


@pytest.mark.parametrize("spelling", ESCAPED, ids=list(ESCAPED))
def test_probe_code_point_escapes_hide_nothing(spelling, stores, client, listener):
    text, message = (part.format(url=listener.url) for part in ESCAPED[spelling])
    for store in stores.values():
        with pytest.raises(QueryError) as refused:
            store.select(text)
        assert refused.value.message == message
    assert server_error(client.get("/sparql", params={"query": text})).startswith("The query ")
    assert listener.requests == []


@pytest.mark.parametrize("text, word", [
    ("PREFIX from: <https://example.org/> SELECT * WHERE { ?s from:p ?o }", "from:"),
    ("SELECT * FROM ?g WHERE { ?s ?p ?o }", "FROM"),
    ("PREFIX named: <https://example.org/> SELECT * FROM named:g WHERE { ?s ?p ?o }", "FROM"),
], ids=["prefix-named-from", "no-iri-after-from", "named-or-from-named"])
def test_probe_a_from_that_cannot_be_read_is_refused(text, word):
    with pytest.raises(QueryError) as refused:
        check_query(text)
    assert refused.value.message == (f"The query has '{word}' outside its IRIs, strings and names, where it may be"
                                     " read as FROM, and no graph IRI that can be checked follows it; write FROM"
                                     " <graph IRI>, or rename it.")


#: "service" and "from" where no parser reads a keyword: IRIs, strings, variables, local names, comments.
HARMLESS = ("PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ex: <https://example.org/service/from#>\n"
            "SELECT ?from ?service WHERE { # SERVICE <http://127.0.0.1:9/> FROM <file:///etc/passwd>\n"
            "  VALUES ?service { <https://example.org/service> } VALUES ?from { \"SERVICE <x> FROM <y>\"@en }\n"
            "  OPTIONAL { ?service prov:wasDerivedFrom ?x ; ex:service ?y ; ex:from ?z } }")


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_service_and_from_inside_iris_strings_and_names_pass(backend, stores, client):
    table = stores[backend].select(HARMLESS)
    assert [(str(row["service"]), str(row["from"])) for row in table] == [
        ("https://example.org/service", "SERVICE <x> FROM <y>")]
    assert client.get("/sparql", params={"query": HARMLESS}).status_code == 200


def test_every_query_evgraph_ships_passes_the_policy():
    """The catalogue and the library's own reads go through the same check (each text is read once, then cached)."""
    shipped = queries.catalogue() + queries.internal_queries()
    assert len(shipped) > 40
    assert {query.name: check_query(query.text) for query in shipped} == {query.name: query.form for query in shipped}


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_from_a_graph_of_the_store_chooses_it(backend, stores, data_folder):
    """FROM one of the store's own graphs runs, and reads that graph only (the ontology is in others)."""
    store = stores[backend]
    in_union = "ASK { ?class a <http://www.w3.org/2002/07/owl#Class> }"
    in_data = f"ASK FROM <{DATA_GRAPH}> {{ ?class a <http://www.w3.org/2002/07/owl#Class> }}"
    named = f"SELECT DISTINCT ?g FROM NAMED <{DATA_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert (store.ask(in_union), store.ask(in_data)) == (True, False)
    assert [str(row["g"]) for row in store.select(named)] == [DATA_GRAPH]
    result = cli("query", "-e", named, "--data", str(data_folder), "--backend", backend, "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, f"g\n{DATA_GRAPH}\n")  # CliRunner reads CRLF as LF


# -- every update form, on every surface ----------------------------------------------------------------------

UPDATES = {
    "INSERT": "INSERT DATA { <https://e/s> <https://e/p> <https://e/o> }",
    "DELETE": "PREFIX ex: <https://e/> # a comment saying SELECT\nDELETE WHERE { ?s ?p ?o }",
    "LOAD": "LOAD <MARKER>",
    "CLEAR": "CLEAR ALL",
    "DROP": "drop all",
    "CREATE": "CREATE GRAPH <https://e/g>",
    "ADD": "ADD DEFAULT TO <https://e/g>",
    "MOVE": "MOVE <https://e/a> TO <https://e/b>",
    "COPY": "COPY <https://e/a> TO DEFAULT",
    "WITH": "WITH <https://e/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
}


@pytest.mark.parametrize("operation", UPDATES)
def test_probe_every_update_form_is_refused_on_every_surface(operation, stores, data_folder, client, marker):
    path, secret = marker
    text = UPDATES[operation].replace("MARKER", path.as_uri())
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = {backend: store.select(count).tuples() for backend, store in stores.items()}
    for store in stores.values():
        with pytest.raises(QueryError) as refused:
            store.select(text)
        assert refused.value.message == READ_ONLY.format(operation)
    result = cli("query", "-e", text, "--data", str(data_folder))
    assert (result.exit_code, result.stderr.splitlines()[0]) == (2, f"Error: {READ_ONLY.format(operation)}")
    assert server_error(client.post("/sparql", data={"query": text})) == ENDPOINT_READ_ONLY.format(operation)
    assert {backend: store.select(count).tuples() for backend, store in stores.items()} == before
    assert secret not in result.output


# -- the time limit and the row cap of evgraph query ----------------------------------------------------------

CARTESIAN = str(FIXTURES / "queries_cartesian_product.rq")


def test_probe_a_cartesian_product_is_stopped_at_the_time_limit(data_folder):
    started = time.monotonic()
    result = cli("query", CARTESIAN, "--timeout", "1", "--data", str(data_folder))
    elapsed = time.monotonic() - started
    assert result.exit_code == 2
    assert result.stderr == "Error: The query took longer than 1 s and was stopped.\n"
    assert result.stdout == ""
    assert 1.0 <= elapsed < 2.0  # the timeout, plus 1 s (loading this graph takes a tenth of that)
    assert multiprocessing.active_children() == []
    following = cli("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--data", str(data_folder),
                    "--timeout", "1", "--format", "csv")
    assert following.exit_code == 0, following.output
    assert following.stdout.startswith("n\n")


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_the_time_limit_stops_the_work_on_each_backend(backend, stores):
    query = queries.adhoc_query(Path(CARTESIAN).read_text(encoding="utf-8"))
    started = time.monotonic()
    with pytest.raises(QueryError) as stopped:
        queries.answer(stores[backend], query, {}, "csv", timeout=1)
    assert stopped.value.message == "The query took longer than 1 s and was stopped."
    assert 1.0 <= time.monotonic() - started < 2.0
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("output_format", ["table", "csv", "json", "xml", "tsv"])
def test_probe_an_answer_over_the_row_cap_is_refused_not_cut(output_format, data_folder):
    result = cli("query", "-e", EVERYTHING, "--max-rows", "5", "--format", output_format, "--data", str(data_folder))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "Error: The answer has more than 5 rows; add a LIMIT.\n"
    capped = cli("query", "-e", EVERYTHING + " LIMIT 5", "--max-rows", "5", "--format", "csv", "--data",
                 str(data_folder))
    assert capped.exit_code == 0
    assert len(capped.stdout.splitlines()) == 6


def test_no_limits_at_zero_give_the_same_answer(data_folder):
    named = "SELECT * WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o"  # no blank labels
    limited = cli("query", "-e", named, "--format", "csv", "--data", str(data_folder))
    unlimited = cli("query", "-e", named, "--format", "csv", "--timeout", "0", "--max-rows", "0", "--data",
                    str(data_folder))
    assert limited.exit_code == unlimited.exit_code == 0
    assert limited.stdout == unlimited.stdout
    assert len(unlimited.stdout.splitlines()) > 1000


def test_a_refusal_inside_the_child_keeps_its_words_and_exit_code(data_folder):
    result = cli("query", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "--max-rows", "2", "--timeout", "5",
                 "--format", "json", "--data", str(data_folder))
    assert (result.exit_code, result.stderr) == (2, "Error: The answer has more than 2 rows; add a LIMIT.\n")


# -- SHACL-SPARQL from a --shapes folder ------------------------------------------------------------------------


@pytest.fixture
def no_pyshacl(monkeypatch):
    """pySHACL's validate, replaced by one that fails the test if anything calls it."""
    import pyshacl

    def called(*args, **kwargs):
        raise AssertionError("pySHACL ran")

    monkeypatch.setattr(pyshacl, "validate", called)


def shapes_folder(tmp_path: Path, fixture: str, listener: Listener, marker_path: Path) -> Path:
    folder = tmp_path / "shapes"
    folder.mkdir()
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    (folder / fixture).write_text(text.replace("LISTENER", listener.url).replace("MARKER", marker_path.as_uri()),
                                  encoding="utf-8")
    return folder


@pytest.mark.parametrize("fixture, kind, message", [
    ("queries_shape_service_select.ttl", "sh:select", SERVICE_REFUSED),
    ("queries_shape_service_ask.ttl", "sh:ask", SERVICE_REFUSED),
    ("queries_shape_from_target.ttl", "sh:select", None),
], ids=["service-in-a-constraint", "service-silent-in-an-ask-validator", "from-a-file-in-a-target"])
def test_probe_shapes_calling_out_are_refused_before_pyshacl_runs(fixture, kind, message, tmp_path, data_folder,
                                                                  listener, marker, no_pyshacl):
    path, secret = marker
    folder = shapes_folder(tmp_path, fixture, listener, path)
    message = message or from_refused(path.as_uri())
    result = cli("validate", "--shapes", str(folder), "--data", str(data_folder))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (f"Error: {folder / fixture}: a shape's {kind} query was not run."
                                             f" {message}")
    assert listener.requests == []
    assert secret not in result.output
    with pytest.raises(QueryError):
        validate(load_store(data=data_folder, shapes=folder, backend="rdflib"))
    assert listener.requests == []


def test_shapes_whose_sparql_only_mentions_service_and_from_run(tmp_path, data_folder, listener, marker):
    folder = shapes_folder(tmp_path, "queries_shape_harmless.ttl", listener, marker[0])
    result = cli("validate", "--shapes", str(folder), "--data", str(data_folder), "--format", "json")
    assert result.exit_code == 0, result.output
    assert listener.requests == []
