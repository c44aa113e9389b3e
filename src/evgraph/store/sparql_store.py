"""A SPARQL 1.1 server as the store: read through the Protocol, written only by ``push`` (Graph Store Protocol).

The server must answer queries over the union of its named graphs by default (see the README for how
to configure Oxigraph, Jena Fuseki, GraphDB, QLever, Virtuoso and Neptune). Parameters are bound by
writing a ``VALUES`` block at the start of the query's WHERE clause: the protocol has no other way,
and a VALUES block holds RDF terms, never query text.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox

from evgraph.errors import ConfigError, EndpointError, QueryError
from evgraph.paths import Layout
from evgraph.store.base import ROLES, Store, Table, Triple, rdf_files, role_of
from evgraph.store.oxigraph_store import to_term as _ox_to_term
from evgraph.store.query_policy import check_query
from evgraph.store.sparql_text import update_keyword, with_values
from evgraph.terms import IRI, RDF_LANG_STRING, XSD_STRING, BlankNode, Literal, Term

_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
          "csv": "text/csv", "tsv": "text/tab-separated-values"}
_TIMEOUT_S = 120


def _read(request: urllib.request.Request, url: str) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:  # noqa: S310 (http(s) checked)
            return response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace").strip().splitlines()
        said = detail[0][:300].rstrip() if detail else ""
        raise EndpointError(f"The SPARQL server at {url} answered {error.code} {error.reason}"
                            + (f": {said}" if said else "") + ("" if said.endswith((".", "!", "?")) else ".")) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise EndpointError(f"Cannot reach the SPARQL server at {url}: {reason}.",
                            hint="Check the URL and that the server is running.") from None


def _check_url(url: str) -> str:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"'{url}' is not an http(s) URL of a SPARQL endpoint.")
    return url


def _json_term(value: dict) -> Term:
    kind = value["type"]
    if kind == "uri":
        return IRI(value["value"])
    if kind == "bnode":
        return BlankNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], RDF_LANG_STRING, value["xml:lang"].lower())
    return Literal(value["value"], value.get("datatype", XSD_STRING))


def table_of(answer: dict) -> Table:
    """A SPARQL JSON results document of a SELECT query, parsed, as a :class:`Table`."""
    names = tuple(answer["head"].get("vars", []))
    rows = [{name: _json_term(b[name]) if name in b else None for name in names}
            for b in answer["results"]["bindings"]]
    return Table(names, rows)


class SparqlStore(Store):
    """A remote SPARQL 1.1 Protocol endpoint, read-only."""

    backend = "sparql"
    writable = False

    def __init__(self, layout: Layout, endpoint: str, headers: Mapping[str, str] | None = None):
        super().__init__(layout)
        self.endpoint = _check_url(endpoint)
        self.headers = dict(headers or {})
        self._sizes = self.graph_sizes()

    def _post(self, sparql: str, accept: str) -> bytes:
        operation = update_keyword(sparql)
        if operation:  # some servers (Virtuoso's /sparql) run an update sent as a query: never send one
            raise QueryError(f"The store at {self.endpoint} is read-only here: {operation} is a SPARQL Update,"
                             " not a query.", hint="Change the server's data with `evgraph push`.")
        check_query(sparql, self)  # the server would call a SERVICE, or read what FROM names, for us
        body = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            **self.headers, "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        return _read(request, self.endpoint)

    def _results(self, sparql: str, bindings: Mapping[str, Term] | None) -> dict:
        raw = self._post(with_values(sparql, bindings), _MEDIA["json"])
        try:
            return json.loads(raw)
        except ValueError:
            raise EndpointError(f"The SPARQL server at {self.endpoint} did not answer with SPARQL JSON results.") from None

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        answer = self._results(sparql, bindings)
        if "results" not in answer:
            raise QueryError("Expected a SELECT query.")
        return table_of(answer)

    def ask(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> bool:
        answer = self._results(sparql, bindings)
        if "boolean" not in answer:
            raise QueryError("Expected an ASK query.")
        return bool(answer["boolean"])

    def construct(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[Triple]:
        raw = self._post(with_values(sparql, bindings), "application/n-triples")
        try:
            parsed = ox.parse(raw, format=ox.RdfFormat.N_TRIPLES)
            return [(_ox_to_term(t.subject), _ox_to_term(t.predicate), _ox_to_term(t.object)) for t in parsed]
        except SyntaxError as error:
            raise EndpointError(f"The SPARQL server at {self.endpoint} sent N-Triples that do not parse: {error}") from None

    def serialize_select(self, sparql: str, bindings: Mapping[str, Term] | None, media: str) -> bytes:
        return self._post(with_values(sparql, bindings), _MEDIA[media])

    def load_file(self, path: Path, graph: IRI) -> dict[IRI, int]:
        raise ConfigError(f"The store at {self.endpoint} is read-only here; use `evgraph push` to upload.")

    def replace_graph(self, graph: IRI, triples: Iterable[Triple]) -> None:
        raise ConfigError(f"The store at {self.endpoint} is read-only here; use `evgraph push` to upload.")

    def dump(self, graphs: Iterable[IRI] | None = None, subjects: Iterable[IRI] | None = None) -> bytes:
        raise ConfigError(f"Reading whole graphs from {self.endpoint} is not supported; run against local files.")

    def graphs_of(self, *roles: str) -> list[IRI]:
        """Names of the server's evgraph graphs of the given roles (a role is read from the graph's name)."""
        return sorted(g for g in self._sizes if role_of(g) in roles)

    def source_files(self) -> list[Path]:
        """The local layout's data and ontology files, when they are there: the server has no files."""
        found = []
        for role in ("data", "ontology"):
            folder = getattr(self.layout, role)
            if folder.is_dir():
                found += rdf_files(folder, role)
        return found


def push(source: Store, graph_store: str, headers: Mapping[str, str] | None = None) -> dict[IRI, int]:
    """Upload every named graph of ``source`` with the SPARQL 1.1 Graph Store Protocol (PUT, one per graph).

    Returns each graph pushed with its triple count.
    """
    _check_url(graph_store)
    graphs = source.graphs_of(*ROLES, "derived")
    by_graph: dict[str, list[ox.Quad]] = {str(g): [] for g in graphs}
    for quad in ox.parse(source.dump(graphs), format=ox.RdfFormat.N_QUADS):  # one dump, not one per graph
        by_graph[quad.graph_name.value].append(quad)
    pushed: dict[IRI, int] = {}
    for graph in graphs:
        quads = by_graph[str(graph)]
        url = f"{graph_store}{'&' if '?' in graph_store else '?'}graph={urllib.parse.quote(str(graph), safe='')}"
        triples = ox.serialize([quad.triple for quad in quads], format=ox.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(url, data=triples, method="PUT",
                                         headers={**dict(headers or {}), "Content-Type": "application/n-triples"})
        _read(request, graph_store)
        pushed[graph] = len(quads)
    return pushed