"""Running the application: bind the socket, start the query workers, serve with uvicorn, stop cleanly.

Each request is logged as one line on stderr: method, path, status and duration, as in
``GET /sparql 200 3.1 ms``. SIGTERM (or Ctrl-C) stops the server taking requests, lets those in flight finish,
stops the worker processes and returns, so the command exits 0.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import sys
import time
from typing import Callable

import uvicorn

from evgraph.errors import ConfigError
from evgraph.serve.app import Service, create_app
from evgraph.serve.worker import WorkerPool

#: The request log: one line per request.
LOG = logging.getLogger("evgraph.serve")
#: The request log's line: method, path, status, milliseconds.
LOG_FORMAT = "%s %s %d %.1f ms"


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable only from this machine (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestLog:
    """ASGI middleware that logs each HTTP request once it is answered (:data:`LOG_FORMAT`)."""

    def __init__(self, app, log: logging.Logger = LOG):
        self.app = app
        self.log = log

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the application fails before answering

        async def sending(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.log.info(LOG_FORMAT, scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free one); :class:`ConfigError` when it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        raise ConfigError(f"Cannot listen on {host}:{port}: {error.strerror or error}.",
                          hint="Choose another --port, or stop what is using it.") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a listening socket answers at."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _log_to_stderr() -> None:
    if not LOG.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


def serve(service: Service, host: str, port: int, on_listening: Callable[[str], None]) -> None:
    """Serve the application over ``service`` on ``host``:``port`` until SIGTERM or SIGINT; then stop the workers.

    ``on_listening`` is called with the server's URL once the socket listens. On the embedded store the rules'
    derived graph is put in place first, and ``Settings.workers`` processes load the same store to run queries.
    """
    sock = listen(host, port)
    pool = None
    try:
        if service.store.writable and not service.store.graphs_of("derived"):
            from evgraph.rules import add_derivations

            add_derivations(service.store)
        app = create_app(service)
        if not service.settings.endpoint:
            pool = WorkerPool(service.settings).start()
            app.state.sparql_runner = pool
        _log_to_stderr()
        server = uvicorn.Server(uvicorn.Config(RequestLog(app), log_level="warning", access_log=False,
                                               timeout_graceful_shutdown=int(service.settings.timeout) + 5))
        on_listening(url_of(sock))
        # uvicorn shuts down gracefully on SIGTERM and SIGINT, then raises the signal again for the handler it
        # found: this one notes it, so the command returns and exits 0 once the workers are stopped.
        previous = {number: signal.signal(number, lambda *_: None) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            server.run(sockets=[sock])
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
    finally:
        if pool is not None:
            pool.close()
        sock.close()
