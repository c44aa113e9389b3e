"""The application: settings, the shared service (store and query runner), the routes, and how errors look.

Errors are JSON for API clients and HTML for browsers (by the request's Accept header), one sentence
each, never a traceback.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from evgraph.errors import EvgraphError
from evgraph.store import Store


@dataclass(frozen=True)
class Settings:
    """How the server runs: what it serves and the limits it keeps."""

    data: Path | None = None
    backend: str = "oxigraph"
    #: Front this SPARQL 1.1 endpoint instead of the embedded store.
    endpoint: str | None = None
    #: Seconds a SPARQL query may run.
    timeout: float = 10.0
    #: Rows (or triples) a SPARQL answer may have.
    max_rows: int = 10_000
    #: Bytes a request body may have.
    max_body: int = 1_000_000
    #: Worker processes that run SPARQL queries (each loads the store once; one past the time limit is replaced).
    workers: int = 2


@dataclass
class Service:
    """What every route shares: the settings and the store pages read (the embedded store, or the endpoint's)."""

    settings: Settings
    store: Store


def wants_html(request: Request) -> bool:
    """True when the client prefers HTML (a browser) to JSON (an API client)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def error_response(request: Request, status: int, message: str, hint: str | None = None) -> Response:
    """An error as the client wants it: a small HTML page for a browser, else JSON ``{"error", "status"}`` (with
    ``"hint"`` when there is one)."""
    if wants_html(request):
        advice = f"<pre>{html.escape(hint)}</pre>" if hint else ""
        body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{status} · evgraph</title>"
                "<link rel='stylesheet' href='/static/evgraph.css'></head><body><main>"
                f"<h1>{status}</h1><p>{html.escape(message)}</p>{advice}<p><a href='/'>evgraph</a></p>"
                "</main></body></html>")
        return HTMLResponse(body, status_code=status)
    return JSONResponse({"error": message, "status": status, **({"hint": hint} if hint else {})}, status_code=status)


async def _http_error(request: Request, error: HTTPException) -> Response:
    return error_response(request, error.status_code, str(error.detail))


async def _evgraph_error(request: Request, error: EvgraphError) -> Response:
    return error_response(request, error.status, error.message, error.hint)


def create_app(service: Service) -> Starlette:
    """The application over ``service``: the SPARQL endpoint's routes, then the pages'.

    Any origin may read (CORS), so browser-based SPARQL clients such as YASGUI work from their own pages;
    nothing here can be written.
    """
    from evgraph.serve import pages, sparql

    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                      allow_headers=["Accept", "Content-Type"])
    app = Starlette(routes=sparql.routes() + pages.routes(), middleware=[cors],
                    exception_handlers={HTTPException: _http_error, EvgraphError: _evgraph_error})
    app.state.service = service
    return app
