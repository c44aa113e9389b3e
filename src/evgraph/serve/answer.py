"""Answering one checked SPARQL query in the media type negotiated for it, within the row cap.

:func:`answer` is the work itself, over a store: a worker process (:mod:`evgraph.serve.worker`) runs it, or, with
no workers (an application under test), the server's own process. :class:`Forwarded` sends the query to an
external SPARQL server instead (``--endpoint``), with the time limit as its HTTP timeout, and writes the reply
the same way, so a client sees the same bytes whichever runs behind the endpoint.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Mapping

from starlette.concurrency import run_in_threadpool

from evgraph.errors import EndpointError, EvgraphError, QueryError
from evgraph.paths import Layout
from evgraph.serve.app import Settings
from evgraph.store import Store, serialize
from evgraph.store.results import (
    graph_answer,
    reformat_graph,
    reformat_results,
    select_answer,
)

#: The media types a SELECT or ASK answer is sent in (the first is the default), with the results format of each.
RESULT_MEDIA = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv"}
#: The media types a CONSTRUCT or DESCRIBE answer is sent in (the first is the default).
GRAPH_MEDIA = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}


@dataclass(frozen=True)
class Job:
    """One query to answer: its text (checked by :func:`evgraph.store.check_query`), its form and the media type."""

    text: str
    form: str
    media: str


class QueryTimeout(EvgraphError):
    """The query took longer than the server allows."""

    status = 503


class ForwardTimeout(QueryTimeout):
    """The external SPARQL server took longer than the server allows."""

    status = 504


def timeout_message(seconds: float) -> str:
    """The sentence a query stopped at the time limit gets."""
    return f"The query took longer than {seconds:g} s and was stopped."


@cache
def _linked_data(layout: Layout) -> tuple[dict, dict[str, str]]:
    """The JSON-LD context kept in ontology/context.jsonld and its prefixes, for Turtle (as ``evgraph export``)."""
    from evgraph.linked.export import context

    found = context(layout)
    return found, {k: v for k, v in found.items() if isinstance(v, str) and v.endswith(("/", "#"))}


def graph_body(ntriples: bytes, media: str, layout: Layout) -> bytes:
    """Sorted N-Triples in one of :data:`GRAPH_MEDIA`: Turtle with the project's prefixes, or JSON-LD compacted
    with its context (nothing remote is fetched)."""
    if GRAPH_MEDIA[media] == "ntriples":
        return ntriples
    context, prefixes = _linked_data(layout)
    if GRAPH_MEDIA[media] == "jsonld":
        from evgraph.linked.export import to_jsonld

        return to_jsonld(ntriples, context)
    return serialize(ntriples, "turtle", {name: namespace for name, namespace in prefixes.items()
                                          if f"<{namespace}".encode("utf-8") in ntriples})


def answer(store: Store, job: Job, max_rows: int) -> bytes:
    """The answer to ``job`` over ``store``; :class:`~evgraph.store.results.TooManyRows` past ``max_rows``."""
    if job.media in RESULT_MEDIA:
        return select_answer(store, job.text, RESULT_MEDIA[job.media], max_rows)
    return graph_body(graph_answer(store, job.text, max_rows), job.media, store.layout)


class InProcess:
    """Runs queries in the server's own process, on a thread: for an application with no worker pool (tests).

    A thread cannot be stopped, so there is no time limit here; ``evgraph serve`` always runs workers.
    """

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._ready = False

    def _prepare(self) -> None:
        """Put the rules' derived graph in place once, as a worker does when it loads the store."""
        with self._lock:
            if not self._ready:
                if self.store.writable and not self.store.graphs_of("derived"):
                    from evgraph.rules import add_derivations

                    add_derivations(self.store)
                self._ready = True

    def _answer(self, job: Job) -> bytes:
        self._prepare()
        return answer(self.store, job, self.settings.max_rows)

    async def run(self, job: Job) -> bytes:
        """The answer to ``job``."""
        return await run_in_threadpool(self._answer, job)

    def close(self) -> None:
        """Nothing to stop."""


class Forwarded:
    """Sends checked queries to an external SPARQL 1.1 endpoint, with the time limit as the HTTP timeout."""

    def __init__(self, endpoint: str, headers: Mapping[str, str] | None, settings: Settings, layout: Layout):
        self.endpoint = endpoint
        self.headers = dict(headers or {})
        self.settings = settings
        self.layout = layout

    def _too_slow(self) -> str:
        # The server may still be running it: the Protocol has no way to stop a query.
        return (f"The query took longer than {self.settings.timeout:g} s at the SPARQL server {self.endpoint} and was"
                " abandoned.")

    def _fetch(self, job: Job) -> bytes:
        graph = job.media in GRAPH_MEDIA
        body = urllib.parse.urlencode({"query": job.text}).encode("utf-8")
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            **self.headers, "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/n-triples" if graph else "application/sparql-results+json"})
        limit = self.settings.timeout
        deadline = time.monotonic() + limit
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310 (an http(s) URL, checked)
                chunks = []
                while chunk := response.read(65536):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise ForwardTimeout(self._too_slow())
        except urllib.error.HTTPError as error:
            said = error.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[0][:300]}" if said else ""
            if error.code == 400:
                raise QueryError(f"The SPARQL server at {self.endpoint} refused the query{detail}") from None
            raise EndpointError(f"The SPARQL server at {self.endpoint} answered {error.code} {error.reason}"
                                f"{detail}") from None
        except (TimeoutError, socket.timeout):
            raise ForwardTimeout(self._too_slow()) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if isinstance(getattr(error, "reason", None), (TimeoutError, socket.timeout)):
                raise ForwardTimeout(self._too_slow()) from None
            raise EndpointError(f"Cannot reach the SPARQL server at {self.endpoint}: "
                                f"{getattr(error, 'reason', error)}.") from None
        raw = b"".join(chunks)
        cap = self.settings.max_rows
        if graph:
            return graph_body(reformat_graph(raw, cap, self.endpoint), job.media, self.layout)
        return reformat_results(raw, RESULT_MEDIA[job.media], cap, self.endpoint)

    async def run(self, job: Job) -> bytes:
        """The external server's answer to ``job``, written as the embedded store's would be."""
        return await run_in_threadpool(self._fetch, job)

    def close(self) -> None:
        """Nothing to stop."""
