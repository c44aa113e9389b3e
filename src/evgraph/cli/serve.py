"""The serve command: the graph over HTTP. Thin: parse, build the settings, open the store, run the server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from evgraph.cli import (
    BACKENDS,
    Backend,
    BackendOption,
    DataOption,
    EndpointOption,
    _command,
    _echo,
    _err,
    _open,
)

# Settings' defaults, written out so that the other commands need not import the web framework; a test keeps
# them equal.
DEFAULT_TIMEOUT, DEFAULT_MAX_ROWS, DEFAULT_WORKERS = 10.0, 10_000, 2


@_command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but a loopback address lets "
                                                     "other machines query the graph.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free one).", min=0, max=65535)] = 8000,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a SPARQL query may run before it is stopped.",
                                           min=0.1)] = DEFAULT_TIMEOUT,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows (or triples) a SPARQL answer may have.",
                                          min=1)] = DEFAULT_MAX_ROWS,
    workers: Annotated[int, typer.Option("--workers", help="Processes that run SPARQL queries.",
                                         min=1)] = DEFAULT_WORKERS,
    data: DataOption = None, backend: BackendOption = Backend[BACKENDS[0]], endpoint: EndpointOption = None,
) -> None:
    """Serve the graph over HTTP: a read-only SPARQL 1.1 endpoint at /sparql, and a page for every node.

    SELECT and ASK answers come as SPARQL JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE answers as Turtle,
    N-Triples or JSON-LD, as the Accept header asks. SPARQL Update and SERVICE are refused; a query past
    --timeout is stopped (503) and an answer over --max-rows refused (422). With --endpoint, queries go to
    that SPARQL server instead. Each request is logged on stderr; SIGTERM or Ctrl-C stops the server.

    Example: evgraph serve --port 8000 --timeout 10 --max-rows 10000
    """
    from evgraph.serve.app import Service, Settings
    from evgraph.serve.server import is_loopback, serve

    if not is_loopback(host):
        _err().print(f"Note: {host} is not a loopback address, so anyone who can reach this machine can query the"
                     " graph (read-only, without authentication).", markup=False)
    settings = Settings(data=data, backend=backend.value, endpoint=endpoint, timeout=timeout, max_rows=max_rows,
                        workers=workers)
    store = _open(data, backend, endpoint)

    def announce(url: str) -> None:
        _echo(f"Serving the graph at {url} (SPARQL endpoint: {url}sparql); stop with Ctrl-C.\n")
        sys.stdout.flush()

    serve(Service(settings, store), host, port, announce)
