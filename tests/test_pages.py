"""The linked-data pages (evgraph.serve.pages), through the application object: content negotiation, escaping,
the index, catalogue queries and search."""

from __future__ import annotations

import html
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, fixture_data_dir
from pyld import jsonld
from rdflib import Graph, URIRef
from starlette.testclient import TestClient

from evgraph.queries import catalogue
from evgraph.serve.app import Service, Settings, create_app
from evgraph.store import load_store

ID = "https://w3id.org/evgraph/id/"
EX = "https://example.org/evgraph-test/"
REC = f"{ID}recommendation/hostile"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser sends
HOSTILE = '<script>alert("pwned")</script> Offer <b>mentoring</b> & "support"'


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The pages over the query catalogue's graph plus a recommendation with a hostile label, under the data's base."""
    folder = fixture_data_dir(tmp_path_factory.mktemp("pages"), "catalogue", "pages_hostile_label")
    with TestClient(create_app(Service(Settings(data=folder), load_store(data=folder)))) as test_client:
        yield test_client


def page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Accept": HTML})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


class Elements(HTMLParser):
    """Every start tag with its attributes, the text of each table cell, and whether every element that was
    opened was closed in order (void elements aside)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.mismatched: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self._table: list[str] = []
        self._cell: list[str] | None = None
        self.text_of: dict[str, list[str]] = {"title": [], "h1": [], "h3": []}
        self._capture: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag not in self.VOID:
            self.open.append(tag)
        if tag == "table":
            self._table.append(attributes.get("class", ""))
            self.rows.setdefault(self._table[-1], [])
        elif tag == "tr" and self._table:
            self.rows[self._table[-1]].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag in self.text_of:
            self._capture = tag
            self.text_of[tag].append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.mismatched.append(tag)
        else:
            self.open.pop()
        if tag == "table" and self._table:
            self._table.pop()
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[self._table[-1]][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == self._capture:
            self._capture = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._capture:
            self.text_of[self._capture][-1] += data


# -- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("accept, media", [
    (HTML, "text/html; charset=utf-8"),
    ("text/turtle", "text/turtle; charset=utf-8"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.5, text/turtle;q=0.9", "text/turtle; charset=utf-8"),
    ("*/*", "text/turtle; charset=utf-8"),
    ("", "text/turtle; charset=utf-8"),
])
def test_each_media_type_gets_its_view_of_the_node(client, accept, media):
    response = client.get("/id/recommendation/hostile", headers={"Accept": accept})
    assert (response.status_code, response.headers["content-type"], response.headers["vary"]) == (200, media, "Accept, Origin")


def test_an_accept_header_taking_none_of_the_views_is_refused(client):
    json_client = client.get("/id/recommendation/hostile", headers={"Accept": "application/json"})
    assert json_client.headers["content-type"] == "application/ld+json"  # JSON-LD is JSON
    response = client.get("/id/recommendation/hostile", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["error"].startswith("This resource is available as text/turtle, application/ld+json")


def test_the_turtle_view_is_the_export_bundle_with_every_triple_of_the_node(client):
    response = client.get("/id/recommendation/hostile", headers={"Accept": "text/turtle"})
    served = Graph().parse(data=response.text, format="turtle")
    curated = Graph().parse(FIXTURES / "pages_hostile_label.ttl", format="turtle")
    assert set(curated.triples((URIRef(REC), None, None))) <= set(served)
    # the bundle reaches what the claim rests on: the study, its report, and the rules' derivation
    assert (URIRef(f"{ID}report/hostile-trial-paper"), None, None) in served
    assert set(curated) <= set(served)
    assert (URIRef(f"{ID}derived/recommendation/hostile"), None, None) in served
    triples = client.get("/id/recommendation/hostile", headers={"Accept": "application/n-triples"}).text
    assert set(Graph().parse(data=triples, format="nt")) == set(served)


def test_the_json_ld_view_is_compacted_with_the_project_context_and_names_the_node(client):
    document = json.loads(client.get("/id/recommendation/hostile", headers={"Accept": "application/ld+json"}).text)
    from evgraph.linked.export import context

    assert document["@context"] == context()
    ids = {node["@id"] for graph in document["@graph"] for node in graph["@graph"]}
    assert "rec:hostile" in ids
    expanded = jsonld.expand(document)  # the context is inline: nothing is fetched
    assert REC in {node["@id"] for graph in expanded for node in graph.get("@graph", [])}


def test_resource_by_iri_answers_for_any_node_and_is_the_same_page_as_its_path(client):
    by_path = page(client, "/id/recommendation/hostile")
    assert page(client, f"/resource?iri={REC}") == by_path
    assert page(client, "/resource?iri=rec:hostile") == by_path
    study = Elements(page(client, f"/resource?iri={EX}rct"))
    assert study.text_of["h1"] == ["Example RCT"]
    turtle = client.get(f"/resource?iri={EX}rct", headers={"Accept": "text/turtle"})
    assert (turtle.status_code, turtle.headers["vary"]) == (200, "Accept, Origin")
    assert (URIRef(f"{EX}rct"), None, None) in Graph().parse(data=turtle.text, format="turtle")


def test_a_format_parameter_chooses_the_view_for_a_link(client):
    response = client.get("/id/recommendation/hostile?format=jsonld", headers={"Accept": HTML})
    assert response.headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize("url", ["/id/recommendation/nothing-here", f"/resource?iri={EX}nothing-here"])
def test_an_iri_nothing_describes_is_404_as_html_for_a_browser_and_json_otherwise(client, url):
    text = page(client, url, 404)
    assert "Nothing in the graph is" in text and "nothing-here" in text
    response = client.get(url, headers={"Accept": "application/json"})
    assert (response.status_code, response.headers["vary"]) == (404, "Accept, Origin")
    assert response.json() == {"error": f"Nothing in the graph is {(ID + 'recommendation/') if 'id/' in url else EX}"
                                         "nothing-here.", "status": 404}


def test_a_value_that_is_not_an_iri_is_a_400(client):
    response = client.get("/resource?iri=not an iri", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "is not an IRI" in response.json()["error"]


# -- what a page shows ---------------------------------------------------------------------------


def test_a_hostile_label_is_shown_as_text_on_every_page(client):
    for url in ("/id/recommendation/hostile", "/id/study/hostile-trial", "/search?q=offer",
                "/search?kind=Recommendation", "/query/trace-recommendation?recommendation=rec:hostile"):
        text = page(client, url)
        assert "<script" not in text and "<b>mentoring" not in text and "<img" not in text, url
        parsed = Elements(text)
        assert not any(tag == "script" for tag, _ in parsed.tags), url
    text = page(client, "/id/recommendation/hostile")
    assert Elements(text).text_of["h1"] == [HOSTILE]
    assert Elements(text).text_of["title"] == [f"{HOSTILE} · evgraph"]
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; Offer &lt;b&gt;mentoring&lt;/b&gt; &amp; &#34;support&#34;" in text


def test_a_recommendation_page_explains_it_and_draws_its_provenance(client):
    text = page(client, "/id/recommendation/hostile")
    parsed = Elements(text)
    assert "promising" in text and "cannot-verify" in text
    assert "risk of bias of Mentoring trial (Leeds) (no appraisal recorded)" in text
    links = [attrs.get("href") for tag, attrs in parsed.tags if tag == "a"]
    assert "/id/study/hostile-trial" in links and "/id/report/hostile-trial-paper" in links
    assert "/id/guidance/hostile-guide" in links and "/id/intervention/hostile-mentoring" in links
    if shutil.which("dot"):
        svg = text[text.index("<svg"):text.index("</svg>")]
        assert 'href="/id/study/hostile-trial"' in svg  # each box links to its page
    else:
        assert "class='mermaid-source'" in text


def test_a_page_lists_facts_and_every_neighbour_in_and_out(client):
    parsed = Elements(page(client, "/id/study/hostile-trial"))
    facts = {row[0]: row[1] for row in parsed.rows["facts"] if len(row) == 2}
    assert facts["control arm size ev:controlArmSize"] == "38"
    assert facts["evaluates ev:evaluates"] == "Mentoring <img src=x onerror=alert(1)>"
    assert facts["reports study ev:reportsStudy"] == "Mentoring trial paper"  # linked from the report
    assert facts["supported by ev:supportedBy"] == HOSTILE  # linked from the recommendation
    links = [attrs.get("href") for tag, attrs in parsed.tags if tag == "a"]
    assert "/id/recommendation/hostile" in links and "/id/report/hostile-trial-paper" in links


# -- the index, queries and search ------------------------------------------------------------------


def test_the_index_lists_every_catalogue_query_with_a_prefilled_form(client):
    text = page(client, "/")
    parsed = Elements(text)
    forms = [attrs["action"] for tag, attrs in parsed.tags if tag == "form"]
    inputs = {(attrs.get("name"), attrs.get("value")) for tag, attrs in parsed.tags if tag == "input"}
    for query in catalogue():
        assert f"/query/{query.name}" in forms
        assert f"{query.summary} {query.name}" in [" ".join(h3.split()) for h3 in parsed.text_of["h3"]]
        for param in query.params:
            assert (param.name, param.example) in inputs
    counts = {row[0]: row[1] for row in parsed.rows["counts"] if len(row) == 2}
    assert counts["overclaim"] == "2" and counts["consistent"] == "1" and counts["underclaim"] == "1"


def test_a_query_run_from_its_page_gives_the_exact_rows(client):
    text = page(client, f"/query/study-dependents?study={EX}rct")
    rows = Elements(text).rows["results"]
    assert rows[0] == ["study", "dependent", "type", "relation", "label", "proposedFor"]
    assert rows[1:] == [[f"{EX}rct", f"{EX}{dependent}", kind, relation, label, ""] for dependent, kind, relation, label in [
        ("rec-confirmed", "ev:Recommendation", "ev:supportedBy", "Offer the programme"),
        ("rating-consistent", "ev:Rating", "ev:basedOn", "Rating 3 on the RCT"),
        ("rating-underclaim", "ev:Rating", "ev:basedOn", "Rating 2 on the RCT"),
        ("review", "ev:EvidenceReview", "ev:includes", "Example review"),
        ("rct-finding", "ev:Finding", "ev:ofStudy", "Fewer placement moves"),
        ("rct-paper-1", "ev:Report", "ev:reportsStudy", "RCT paper one"),
        ("rct-paper-2", "ev:Report", "ev:reportsStudy", "RCT paper two"),
        ("rct-paper-3", "ev:Report", "ev:reportsStudy", "RCT paper three"),
        ("rct-appraisal", "ev:Appraisal", "ev:appraises", "The review's appraisal of the RCT"),
    ]]
    assert 'href="/resource?iri=https%3A%2F%2Fexample.org%2Fevgraph-test%2Frec-confirmed"' in text


def test_a_query_page_with_a_bad_parameter_says_so_and_an_unknown_query_is_404(client):
    text = page(client, "/query/study-dependents?study=not+an+IRI", 400)
    assert "'not an IRI' is not an IRI." in html.unescape(text) and 'value="not an IRI"' in text
    assert "Give study to run it." in page(client, "/query/study-dependents?study=")
    answer = client.get("/query/no-such-query", headers={"Accept": "application/json"}).json()
    assert (answer["error"], answer["status"]) == ("No catalogue query is named 'no-such-query'.", 404)
    assert answer["hint"].startswith("The index lists them: fact-sources, guide-vs-review, ")


def test_search_finds_a_node_by_part_of_its_label(client):
    parsed = Elements(page(client, "/search?q=MENTORING TRIAL"))
    assert parsed.rows["matches"][1:] == [["Mentoring trial (Leeds)", "study", "study:hostile-trial"],
                                          ["Mentoring trial paper", "report", "report:hostile-trial-paper"]]
    assert ("a", {"href": "/id/study/hostile-trial"}) in parsed.tags
    parsed = Elements(page(client, "/search?q=rct"))
    assert [row[:2] for row in parsed.rows["matches"][1:]] == [
        ["Rating 2 on the RCT", "rating"], ["Rating 3 on the RCT", "rating"], ["Example RCT", "study"],
        ["RCT paper one", "report"], ["RCT paper three", "report"], ["RCT paper two", "report"]]
    recommendations = Elements(page(client, "/search?kind=Recommendation")).rows["matches"][1:]
    assert len(recommendations) == 5 and all(row[1] == "recommendation" for row in recommendations)


# -- every page ---------------------------------------------------------------------------------------

PAGES = ["/", "/search?q=rct", "/search", "/query/overclaims", f"/query/study-dependents?study={EX}rct",
         "/id/recommendation/hostile", "/id/study/hostile-trial", f"/resource?iri={EX}rec-confirmed",
         "/resource?iri=https://w3id.org/evgraph/ontology%23Study"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_html5_with_a_title_and_main_and_fetches_nothing_from_elsewhere(client, url):
    text = page(client, url)
    assert text.startswith("<!doctype html>\n<html lang=\"en\">")
    parsed = Elements(text)
    assert parsed.mismatched == [] and parsed.open == []
    assert len(parsed.text_of["title"]) == 1 and parsed.text_of["title"][0].strip()
    assert [tag for tag, _ in parsed.tags].count("main") == 1
    for tag, attrs in parsed.tags:
        if tag in ("script", "img", "link", "iframe", "source", "embed", "object", "audio", "video", "style", "image"):
            for name in ("src", "href", "data", "xlink:href"):
                value = attrs.get(name)
                assert value is None or (value.startswith("/") and not value.startswith("//")), (url, tag, value)
    assert "@import" not in text and "url(" not in text


def test_the_stylesheet_is_served_from_the_package_and_fetches_nothing(client):
    response = client.get("/static/evgraph.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "@import" not in response.text and "url(" not in response.text
    assert Path(__file__).parents[1].joinpath("src/evgraph/serve/static/evgraph.css").read_text() == response.text


def test_pages_read_a_sparql_endpoint_store_too(pushed_bundled):
    """Over a SPARQL server (evgraph serve --endpoint), a page reads the same queries; the data view, which cannot
    dump the server's graphs into a bundle, is the node's own triples and those pointing at it."""
    with TestClient(create_app(Service(Settings(endpoint="http://server.invalid"), pushed_bundled))) as remote:
        text = page(remote, "/id/recommendation/mb-offending")
        assert "cannot-verify" in text and "/id/study/fhf-efficacy" in text
        turtle = remote.get("/id/recommendation/mb-offending", headers={"Accept": "text/turtle"})
        served = Graph().parse(data=turtle.text, format="turtle")
        rec = URIRef(f"{ID}recommendation/mb-offending")
        assert (rec, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in served
        assert (None, URIRef("https://w3id.org/evgraph/ontology#proposedFor"), rec) in served
