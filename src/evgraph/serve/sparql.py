"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only queries over the union of the named graphs.

A query comes as ``GET ?query=``, as a form-encoded ``POST`` (``query=``) or as an ``application/sparql-query``
body. SELECT and ASK answers are sent as SPARQL JSON (the default), XML, CSV or TSV; CONSTRUCT and DESCRIBE
answers as Turtle (the default), N-Triples or JSON-LD; whichever the Accept header prefers, else 406. With no
query, ``GET /sparql`` describes the service (SPARQL 1.1 Service Description).

Refused, with one sentence each, by the query policy every surface shares (:mod:`evgraph.store.query_policy`):
SPARQL Update in any form (400, the endpoint is read-only), SERVICE (400, it never calls another server), FROM
or FROM NAMED naming anything but the store's own graphs (400, it never opens a file or URL a query names); and
here: ``default-graph-uri`` and ``named-graph-uri`` (400: FROM, FROM NAMED and GRAPH in the query do the same),
a query that does not parse (400, the parser's message), a body over ``Settings.max_body`` (413), an answer
over ``Settings.max_rows`` (422), a query past ``Settings.timeout`` (503; 504 when an external endpoint is too
slow).
"""

from __future__ import annotations

import html
import urllib.parse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from evgraph.errors import EvgraphError, QueryError
from evgraph.serve.answer import GRAPH_MEDIA, RESULT_MEDIA, Forwarded, InProcess, Job
from evgraph.serve.app import Service, Settings
from evgraph.serve.negotiation import negotiate
from evgraph.store import check_query, serialize

#: Media types clients name for one of ours.
RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                  "application/xml": "application/sparql-results+xml", "text/xml": "application/sparql-results+xml"}
GRAPH_ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle"}
#: The service description's media types: RDF for a program (Turtle first), a short page for a browser.
DESCRIPTION_MEDIA = (*GRAPH_MEDIA, "text/html")

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
#: The result formats the description lists, as W3C format IRIs.
_FORMAT_NAMES = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                 "N-Triples", "JSON-LD")


class BodyTooLarge(EvgraphError):
    """The request body is larger than the server accepts."""

    status = 413


class NotAcceptable(EvgraphError):
    """No media type the client accepts can be sent."""

    status = 406


class UnsupportedMedia(EvgraphError):
    """The request body is of a type the endpoint does not read."""

    status = 415


def routes() -> list[Route]:
    """The endpoint's one route."""
    return [Route("/sparql", sparql_endpoint, methods=["GET", "POST"])]


# -- content negotiation ------------------------------------------------------------------------------------


def _chosen(request: Request, offers: tuple[str, ...], aliases: dict[str, str], what: str) -> str:
    media = negotiate(request.headers.get("accept"), offers, aliases)
    if media is None:
        raise NotAcceptable(f"None of the media types in the Accept header can be sent for {what}; ask for one of:"
                            f" {', '.join(offers)}.")
    return media


# -- the protocol ------------------------------------------------------------------------------------------


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past ``limit`` bytes, whether or not a Content-Length says so."""
    too_large = BodyTooLarge(f"The request body is larger than {limit} bytes, the most this endpoint accepts.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise too_large
    return bytes(received)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("The request body is not UTF-8 text.") from None


READ_ONLY = ("The endpoint is read-only: SPARQL Update is not accepted; send a query (SELECT, ASK, CONSTRUCT or"
             " DESCRIBE).")
DATASET_REFUSED = ("default-graph-uri and named-graph-uri are not supported: the default graph is the union of every"
                   " named graph; choose graphs in the query with FROM, FROM NAMED or GRAPH.")


async def _parameters(request: Request, settings: Settings) -> dict[str, list[str]]:
    """The protocol's parameters, from the URL and, for a POST, the body; an update in any form is refused."""
    parameters: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        parameters.setdefault(key, []).append(value)
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            raise QueryError(READ_ONLY)
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise UnsupportedMedia("Send the query as application/x-www-form-urlencoded (query=…) or as an"
                                   " application/sparql-query body.")
        body = _text(await _body(request, settings.max_body))
        if media == "application/sparql-query":
            parameters.setdefault("query", []).append(body)
        else:
            for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
                parameters.setdefault(key, []).append(value)
    if "update" in parameters:
        raise QueryError(READ_ONLY)
    if "default-graph-uri" in parameters or "named-graph-uri" in parameters:
        raise QueryError(DATASET_REFUSED)
    if len(parameters.get("query", [])) > 1:
        raise QueryError(f"Send one query, not {len(parameters['query'])}.")
    return parameters


def _runner(request: Request):
    """What runs queries: the server's worker pool, else (no pool: an application under test) the store in this
    process, or the external endpoint the server fronts."""
    state = request.app.state
    runner = getattr(state, "sparql_runner", None)
    if runner is None:
        service: Service = state.service
        if service.settings.endpoint:
            store = service.store
            runner = Forwarded(getattr(store, "endpoint", service.settings.endpoint), getattr(store, "headers", None),
                               service.settings, store.layout)
        else:
            runner = InProcess(service.store, service.settings)
        state.sparql_runner = runner
    return runner


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: answer a query, or describe the service when there is none."""
    service: Service = request.app.state.service
    parameters = await _parameters(request, service.settings)
    if "query" not in parameters:
        if request.method == "POST":
            raise QueryError("Send a query: the request has no query parameter and no application/sparql-query body.")
        return describe(request, service.settings)
    text = parameters["query"][0]
    form = check_query(text, service.store, speaker="endpoint")
    if form in ("SELECT", "ASK"):
        media = _chosen(request, tuple(RESULT_MEDIA), RESULT_ALIASES, f"{form} queries")
    else:
        media = _chosen(request, tuple(GRAPH_MEDIA), GRAPH_ALIASES, f"{form} queries")
    body = await _runner(request).run(Job(text, form, media))
    return Response(body, media_type=media, headers={"Vary": "Accept"})


# -- the service description ---------------------------------------------------------------------------------


def description_ntriples(endpoint: str) -> bytes:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``, as sorted N-Triples."""
    node = f"<{endpoint}>"
    lines = [f"{node} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SD}Service> .",
             f"{node} <{SD}endpoint> {node} .",
             f"{node} <{SD}supportedLanguage> <{SD}SPARQL11Query> .",
             f"{node} <{SD}feature> <{SD}UnionDefaultGraph> .",
             f'{node} <http://www.w3.org/2000/01/rdf-schema#label> "evgraph SPARQL endpoint (read-only)"@en .']
    lines += [f"{node} <{SD}resultFormat> <{FORMATS}{name}> ." for name in _FORMAT_NAMES]
    return "".join(f"{line}\n" for line in sorted(lines)).encode("utf-8")


_PREFIXES = {"sd": SD, "formats": FORMATS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def describe(request: Request, settings: Settings) -> Response:
    """The service description, negotiated: Turtle, N-Triples, JSON-LD, or a short page for a browser."""
    media = _chosen(request, DESCRIPTION_MEDIA, {"application/xhtml+xml": "text/html", **GRAPH_ALIASES},
                    "the service description")
    endpoint = str(request.url.replace(query="", fragment=""))  # Starlette keeps a Host header that is no host out
    if media == "text/html":
        return Response(_page(endpoint, settings), media_type=media, headers={"Vary": "Accept"})
    ntriples = description_ntriples(endpoint)
    if media == "application/ld+json":
        from evgraph.linked.export import to_jsonld

        body = to_jsonld(ntriples, _PREFIXES)
    elif media == "text/turtle":
        body = serialize(ntriples, "turtle", _PREFIXES)
    else:
        body = ntriples
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _page(endpoint: str, settings: Settings) -> str:
    example = "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?class (COUNT(*) AS ?n) WHERE { ?s a ?class }"
                                                             " GROUP BY ?class ORDER BY DESC(?n) LIMIT 10"})
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>evgraph SPARQL endpoint</title>"
            "</head><body><h1>evgraph SPARQL endpoint</h1>"
            f"<p>{html.escape(endpoint)} is a read-only SPARQL 1.1 endpoint over the evidence graph. Send a query as"
            " <code>GET /sparql?query=…</code>, as a form-encoded POST (<code>query=…</code>) or as an"
            " <code>application/sparql-query</code> body; the default graph is the union of the named graphs."
            f" A query may run {settings.timeout:g} s and answer {settings.max_rows} rows; SPARQL Update and SERVICE"
            f" are refused. <a href='{html.escape(example)}'>An example query</a>.</p>"
            "<p><a href='/'>The graph's pages</a></p></body></html>")

