"""The pages: every node of the graph at its own IRI's path, negotiated (HTML for a browser; Turtle, N-Triples or
JSON-LD for a linked-data client), an index with the audit and the query catalogue, and a label search.

``/id/<path>`` answers for ``https://w3id.org/evgraph/id/<path>``, so a server behind the data's base host
resolves the IRIs as they are; ``/resource?iri=<IRI>`` answers for any IRI in the graph. Pages are Jinja2
templates (autoescaped) styled by one CSS file under ``/static``: no script, font or style is fetched from
anywhere else.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from evgraph.audit import Audit, run_audit
from evgraph.errors import EvgraphError, NotFound, QueryError
from evgraph.explanation import Explanation, explain
from evgraph.lineage import drawing
from evgraph.lineage.diagram import VERDICT_COLOURS
from evgraph.lookup import NOUNS, Match, nameable
from evgraph.namespaces import ID_BASE
from evgraph.output import printable, web_url
from evgraph.queries import Query, catalogue, expand_iri, run
from evgraph.render import LINK_MARK, MARK, explanation_lines, origin_text, study_line
from evgraph.rules import add_derivations
from evgraph.serve import figures, negotiation, resources
from evgraph.serve.app import Service, error_response
from evgraph.shortnames import short
from evgraph.store import Store
from evgraph.terms import IRI

HERE = Path(__file__).parent
#: Every kind the search looks among (lookup's names for them), and how the index names each in the plural.
KINDS = ("Recommendation", "Rating", "Intervention", "Guidance", "PracticeGuide", "Guidebook", "EvidenceReview",
         "Study", "Report", "Organisation")
PLURALS = {"Recommendation": "recommendations", "Rating": "ratings", "Intervention": "interventions",
           "Guidance": "guides", "PracticeGuide": "practice guides", "Guidebook": "guidebooks",
           "EvidenceReview": "evidence reviews", "Study": "studies", "Report": "reports",
           "Organisation": "organisations"}
#: At most this many search matches are listed.
MAX_MATCHES = 200


@cache
def templates() -> Jinja2Templates:
    """The page templates (autoescaped), with the helpers they use to show terms."""
    found = Jinja2Templates(directory=str(HERE / "templates"))
    found.env.globals.update(href=href, short=short, is_iri=is_iri, external=external, verdict_style=verdict_style,
                             MARK=MARK, LINK_MARK=LINK_MARK, study_line=study_line, origin_text=origin_text,
                             origin_words=origin_words, by_site=by_site, web_url=web_url,
                             legend_html=Markup(drawing.legend_html()), figure_css=Markup(drawing.FIGURE_CSS))
    found.env.trim_blocks = found.env.lstrip_blocks = True
    found.env.finalize = _printable
    return found


def _printable(value):
    """What a template prints (a string, a term, a number) as text without control characters; markup we built,
    such as a diagram's SVG, is left alone. Autoescaping then applies as usual."""
    return value if hasattr(value, "__html__") else printable(str(value))


# -- what templates call ----------------------------------------------------------------------------


def href(term) -> str:
    """The path of a node's page on this server: ``/id/…`` for an IRI under the data's base, else ``/resource?iri=…``."""
    iri = str(term)
    if iri.startswith(ID_BASE) and len(iri) > len(ID_BASE):
        return "/id/" + urllib.parse.quote(iri[len(ID_BASE):], safe="/-._~!$&'()*+,;=:@")
    return "/resource?" + urllib.parse.urlencode({"iri": iri})


def is_iri(term) -> bool:
    """True for an IRI (a link to follow), False for a literal or blank node."""
    return isinstance(term, IRI)


def external(term) -> bool:
    """True for a web address outside evgraph's own IRIs: a page may also link to it directly."""
    iri = str(term)
    return web_url(iri) is not None and not iri.startswith("https://w3id.org/evgraph/")


def site(url: str) -> str:
    """The host of a web address, without ``www.``: a short name for a link to a source."""
    host = urllib.parse.urlsplit(url).hostname or url
    return host.removeprefix("www.")


def by_site(urls: list[str]) -> list[tuple[str, list[str]]]:
    """Web addresses grouped by :func:`site`, in first-seen order: a short way to link to several sources."""
    grouped: dict[str, list[str]] = {}
    for url in urls:
        grouped.setdefault(site(url), []).append(url)
    return list(grouped.items())


def origin_words(origin: dict) -> str:
    """How a fact was recorded, in words, without its documents ("read from", "quoted from"…)."""
    if not origin["sources"]:
        return origin_text(origin)
    return origin_text({**origin, "sources": ["\0"]}).removesuffix("\0").strip()


def verdict_style(verdict: str | None) -> str:
    """Inline colours of a verdict's badge, the ones its diagram box has."""
    fill, line, _ = VERDICT_COLOURS.get(verdict or "", ("#eeeeee", "#6b6b6b", ""))
    return f"background:{fill};border-color:{line}"


# -- what a server start computes once --------------------------------------------------------------


@dataclass
class Prepared:
    """What the pages compute once per application: the rules' derived graph in place, the catalogue, the
    nodes by kind, and (on first need, it takes a second on large data) the audit."""

    catalogue: list[Query]
    names: list[Match]
    audit_lock: threading.Lock = field(default_factory=threading.Lock)
    audit: Audit | None = None

    def kinds(self) -> list[tuple[str, int]]:
        """Each kind of node with how many there are, in :data:`KINDS` order."""
        counts = Counter(m.kind for m in self.names)
        return [(kind, counts[kind]) for kind in KINDS if counts[kind]]


_PREPARING = threading.Lock()


def prepared(request: Request) -> Prepared:
    """The application's :class:`Prepared`, made on the first request. On an embedded store without the rules'
    derived graph, the rules run first (as ``evgraph export`` does), so bundles and catalogue queries see it."""
    state = request.app.state
    with _PREPARING:
        if getattr(state, "pages", None) is None:
            store = service(request).store
            if store.writable and not store.graphs_of("derived"):
                add_derivations(store)
            names = sorted(nameable(store, KINDS), key=lambda m: (KINDS.index(m.kind), m.label.lower(), str(m.iri)))
            state.pages = Prepared(catalogue(store.layout.queries), names)
    return state.pages


def audit_of(request: Request) -> Audit:
    """The audit of the served graph, computed on first need and kept for the application's life."""
    ready = prepared(request)
    with ready.audit_lock:
        if ready.audit is None:
            ready.audit = run_audit(service(request).store)
    return ready.audit


def service(request: Request) -> Service:
    """The application's shared service (settings and store)."""
    return request.app.state.service


def _page(request: Request, name: str, context: dict, status: int = 200, vary: bool = False) -> Response:
    headers = {"Vary": "Accept"} if vary else None
    return templates().TemplateResponse(request, name, context, status_code=status, headers=headers)


# -- the index, search and queries ----------------------------------------------------------------------


def index(request: Request) -> Response:
    """The front page: the audit's verdict counts, what there is to browse, and the query catalogue."""
    ready = prepared(request)
    return _page(request, "index.html", {"summary": audit_of(request).summary, "catalogue": ready.catalogue,
                                         "kinds": ready.kinds(), "plurals": PLURALS})


def search(request: Request) -> Response:
    """Nodes whose label or name holds the words searched for (case-insensitive), or every node of one kind."""
    ready = prepared(request)
    text = request.query_params.get("q", "").strip()
    kind = request.query_params.get("kind", "")
    matches = []
    if text or kind in KINDS:
        wanted = text.lower()
        matches = [m for m in ready.names if (not kind or m.kind == kind)
                   and (not wanted or any(wanted in name.lower() for name in (m.label, *m.names, str(m.iri))))]
    return _page(request, "search.html", {"q": text, "kind": kind if kind in KINDS else "", "matches":
                                          matches[:MAX_MATCHES], "total": len(matches), "nouns": NOUNS,
                                          "plurals": PLURALS, "kinds": ready.kinds()})


def query_page(request: Request) -> Response:
    """One catalogue query: its documentation and form, and, once its parameters are given, its rows as a table."""
    ready = prepared(request)
    name = request.path_params["name"]
    query = next((q for q in ready.catalogue if q.name == name), None)
    if query is None:
        raise NotFound(f"No catalogue query is named '{name}'.",
                       hint="The index lists them: " + ", ".join(q.name for q in ready.catalogue))
    given = {p.name: request.query_params[p.name].strip() for p in query.params
             if request.query_params.get(p.name, "").strip()}
    values = {p.name: given.get(p.name, p.example or "") for p in query.params}
    missing = [p.name for p in query.params if not p.optional and p.name not in given]
    table, error, status = None, None, 200
    if not missing:
        try:
            table = run(service(request).store, query, given)
        except QueryError as problem:
            error, status = str(problem), 400
    limit = service(request).settings.max_rows
    return _page(request, "query.html", {"query": query, "values": values, "missing": missing, "table": table,
                                         "rows": table.rows[:limit] if table else [], "limit": limit,
                                         "error": error}, status)


# -- a node's page ------------------------------------------------------------------------------


def id_page(request: Request) -> Response:
    """The node ``https://w3id.org/evgraph/id/<path>``, as the request's Accept header (or ``?format=``) asks."""
    return _node(request, IRI(ID_BASE + request.path_params["path"]))


def resource_page(request: Request) -> Response:
    """Any node of the graph by its IRI (or prefixed name), ``/resource?iri=…``, negotiated like ``/id/…``."""
    text = request.query_params.get("iri", "").strip()
    if not text:
        raise QueryError("Give the IRI of a node: /resource?iri=https://w3id.org/evgraph/id/…")
    return _node(request, expand_iri(text))


def _node(request: Request, iri: IRI) -> Response:
    fmt = request.query_params.get("format")
    if fmt is not None and fmt not in negotiation.FORMATS:
        raise QueryError(f"Unknown format '{fmt}'.", hint=f"Choose one of: {', '.join(negotiation.FORMATS)}.")
    store = service(request).store
    prepared(request)
    node = resources.describe(store, iri)
    if node is None:
        return _vary(error_response(request, 404, f"Nothing in the graph is {iri}."))
    media = negotiation.FORMATS[fmt] if fmt else negotiation.negotiate(request.headers.get("accept"))
    if media is None:
        return _vary(error_response(request, 406, "This resource is available as " + ", ".join(negotiation.OFFERS)
                                    + "; the Accept header takes none of them."))
    if media != "text/html":
        name = next(n for n, m in resources.RDF_MEDIA.items() if m == media)
        return Response(resources.rdf_description(store, iri, name), media_type=media, headers={"Vary": "Accept"})
    explanation = _explanation(store, iri) if node.is_claim else None
    picture = figures.figure(store, iri, href) if figures.has_diagram(node.classes) else None
    return _page(request, "resource.html", {
        "node": node, "e": explanation, "labels": {str(v.term): v.label for f in node.facts for v in f.values if v.label}, "figure": Markup(picture) if picture else None,
        "text": "\n".join(explanation_lines(explanation)) if explanation else None,
        "criteria": _shown_criteria(explanation) if explanation else [],
        "formats": [(label, f"{href(iri)}{'&' if '?' in href(iri) else '?'}format={fmt}", media)
                    for label, fmt, media in (("Turtle", "turtle", "text/turtle"),
                                              ("N-Triples", "ntriples", "application/n-triples"),
                                              ("JSON-LD", "jsonld", "application/ld+json"))],
        "fact_sources": f"/query/fact-sources?{urllib.parse.urlencode({'node': str(iri)})}",
    }, vary=True)


def _explanation(store: Store, iri: IRI) -> Explanation | None:
    try:
        found = explain(store, str(iri))
    except EvgraphError:
        return None
    return found[0] if found else None


def _shown_criteria(e: Explanation) -> list[dict]:
    """The criteria of the published level (all of them when it has none), as ``why`` shows them."""
    level = e.published.get("level")
    return [c for c in e.criteria if c["level"] == level] or e.criteria


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


def routes() -> list[Route | Mount]:
    """The pages' routes: the index, search, catalogue queries, nodes by path and by IRI, and the CSS."""
    return [
        Route("/", index, methods=["GET"]),
        Route("/search", search, methods=["GET"]),
        Route("/query/{name}", query_page, methods=["GET"]),
        Route("/id/{path:path}", id_page, methods=["GET"]),
        Route("/resource", resource_page, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]

