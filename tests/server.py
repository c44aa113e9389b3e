"""Real servers for tests, each on a free loopback port and stopped by its PID: Oxigraph (in a temporary
folder), and ``evgraph serve`` (:class:`EvgraphServer`).

The ``oxigraph`` executable comes from the PyPI package of the same name (in the ``test`` extra). The
server is started with ``--union-default-graph``, as evgraph's queries need::

    with OxigraphServer() as server:
        push(load_store(), server.store_url)
        store = connect(server.query_url)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def oxigraph_executable() -> Path:
    """The ``oxigraph`` program beside this Python (the venv's bin folder), else the one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise RuntimeError(f"No oxigraph executable beside {sys.executable} or on PATH; "
                       "install the test extra: pip install -e '.[test]'.")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """An ``oxigraph serve`` process over a temporary folder; a context manager."""

    def __init__(self, executable: Path | None = None, timeout_s: float = STARTUP_TIMEOUT_S):
        self.executable = executable or oxigraph_executable()
        self.timeout_s = timeout_s
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint."""
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        """The SPARQL 1.1 Update endpoint."""
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return f"{self.base_url}/store"

    def start(self) -> "OxigraphServer":
        if self.process is not None:
            raise RuntimeError("The server is already running.")
        self._folder = tempfile.TemporaryDirectory(prefix="evgraph-oxigraph-")
        folder = Path(self._folder.name)
        self.port = free_port()
        self._log = open(folder / "server.log", "w+b")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(self.executable), "serve", "--location", str(folder / "db"),
             "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        ask = urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + self.timeout_s
        last_error: object = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with code {self.process.returncode} before answering:"
                                   f" {self._output()}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?{ask}", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = error
            time.sleep(0.1)
        raise RuntimeError(f"oxigraph serve did not answer at {self.query_url} within {self.timeout_s:g} s"
                           f" (last error: {last_error}). Output: {self._output()}")

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()[-2000:]

    def stop(self) -> None:
        """Terminate the server process (by its PID), kill it if it does not stop, remove its folder."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> "OxigraphServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class EvgraphServer:
    """An ``evgraph serve`` process on a free loopback port, its output in files in ``folder``, stopped by its PID
    (SIGTERM, then SIGKILL). The environment's ``EVGRAPH_*`` settings are not passed on."""

    def __init__(self, folder: Path, *options: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base_url}/sparql"
        self.out, self.err = folder / "stdout.txt", folder / "stderr.txt"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EVGRAPH_")}
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen([str(Path(sys.executable).parent / "evgraph"), "serve", "--port",
                                             str(self.port), *options],
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}?query=ASK%7B%7D", timeout=10) as response:
                    assert response.status == 200
                    return
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"evgraph serve did not start: {self.err.read_text()}") from None
                time.sleep(0.1)

    def children(self) -> list[int]:
        """The PIDs of the server's child processes (its query workers, multiprocessing's resource tracker)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
