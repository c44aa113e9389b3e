"""A pool of worker processes that run SPARQL queries, so that a query past the time limit can be stopped.

pyoxigraph cannot cancel a running query, but a process can be killed. Each worker is started with the
``spawn`` method (a fresh interpreter: it shares no threads or locks with the server), loads the store once
from the server's :class:`~evgraph.serve.app.Settings`, then answers one job at a time over a pipe. A job that
runs past ``Settings.timeout`` has its worker killed and a fresh one started in its place, and the request gets
503 with :func:`~evgraph.serve.answer.timeout_message`. A worker whose server has gone (its pipe closes) exits.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from multiprocessing.connection import Connection

from starlette.concurrency import run_in_threadpool

from evgraph.errors import EvgraphError
from evgraph.serve.answer import Job, QueryTimeout, answer, timeout_message
from evgraph.serve.app import Settings
from evgraph.store import Store, load_store

_SPAWN = multiprocessing.get_context("spawn")
#: Seconds a new worker may take to load the store before a request waiting for it gives up.
LOAD_TIMEOUT_S = 300.0
#: Seconds a worker asked to stop may take before it is killed.
STOP_TIMEOUT_S = 5.0


class WorkerFailed(EvgraphError):
    """A query worker stopped without answering."""

    status = 500


class Refused(EvgraphError):
    """An error a worker reported, with the HTTP status it carries."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def open_store(settings: Settings) -> Store:
    """The store a worker answers from: the settings' data (or the bundled data) with the rules' derived graph."""
    from evgraph.rules import add_derivations

    store = load_store(data=settings.data, backend=settings.backend)
    add_derivations(store)
    return store


def _work(settings: Settings, pipe: Connection) -> None:
    """A worker's life: load the store, say so, then answer jobs until told to stop or the server goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the server stops us
    try:
        store = open_store(settings)
    except Exception as error:  # noqa: BLE001 — reported to the server, which answers 500
        pipe.send(("failed", 500, f"A query worker could not load the store: {error}"))
        return
    pipe.send(("ready", 200, ""))
    while True:
        try:
            job = pipe.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = ("ok", 200, answer(store, job, settings.max_rows))
        except EvgraphError as error:
            reply = ("error", error.status, error.message)
        except Exception as error:  # noqa: BLE001 — a bug, answered 500 rather than ending the worker
            reply = ("error", 500, f"Internal error: {type(error).__name__}: {error}.")
        try:
            pipe.send(reply)
        except (BrokenPipeError, OSError):
            return


class _Overdue(Exception):
    """The job ran past the time limit."""


class Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, settings: Settings):
        self._pipe, child = _SPAWN.Pipe()
        self.process = _SPAWN.Process(target=_work, args=(settings, child), name="evgraph-sparql-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid

    def _receive(self, timeout: float) -> tuple[str, int, object]:
        if not self._pipe.poll(timeout):
            raise _Overdue
        try:
            return self._pipe.recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"A query worker (process {self.pid}) stopped without answering.") from None

    def wait_until_ready(self) -> None:
        """Wait until the worker has loaded the store (blocking); raises what went wrong if it could not."""
        if self.ready:
            return
        try:
            kind, status, said = self._receive(LOAD_TIMEOUT_S)
        except _Overdue:
            raise WorkerFailed(f"A query worker did not load the store within {LOAD_TIMEOUT_S:g} s.") from None
        if kind != "ready":
            raise Refused(str(said), status)
        self.ready = True

    def call(self, job: Job, timeout: float) -> bytes:
        """Send ``job`` and wait for the answer (blocking: run it on a thread); :class:`_Overdue` past ``timeout``."""
        self.wait_until_ready()
        try:
            self._pipe.send(job)
        except (BrokenPipeError, OSError):
            raise WorkerFailed(f"A query worker (process {self.pid}) is gone.") from None
        kind, status, said = self._receive(timeout)
        if kind != "ok":
            raise Refused(str(said), status)
        return said  # type: ignore[return-value]

    def kill(self) -> None:
        """Stop the process now (SIGKILL, by its PID) and wait for it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(STOP_TIMEOUT_S)
        self._pipe.close()

    def ask_to_stop(self) -> None:
        """Tell the worker to finish once its current job is answered."""
        try:
            self._pipe.send(None)
        except (BrokenPipeError, OSError):
            pass

    def stop(self) -> None:
        """Wait a few seconds for the worker to finish (see :meth:`ask_to_stop`), then kill it if it has not."""
        self.process.join(STOP_TIMEOUT_S)
        self.kill()


class WorkerPool:
    """``Settings.workers`` worker processes; a request waits for an idle one, so a query never waits on a lock
    in the event loop, and other clients are served while it runs."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] | None = None
        self._loading: set[asyncio.Task] = set()

    def start(self) -> "WorkerPool":
        """Start the workers; each loads the store in the background and answers once it has."""
        self.workers = [Worker(self.settings) for _ in range(max(1, self.settings.workers))]
        return self

    def _queue(self) -> asyncio.Queue[Worker]:
        if self._idle is None:  # made in the event loop that serves the requests
            self._idle = asyncio.Queue()
            for worker in self.workers:
                self._idle.put_nowait(worker)
        return self._idle

    def _replace(self, worker: Worker) -> Worker:
        worker.kill()
        fresh = Worker(self.settings)
        self.workers = [fresh if w is worker else w for w in self.workers]
        return fresh

    async def _replaced(self, worker: Worker) -> None:
        """Kill ``worker`` and start a fresh one, which joins the idle workers once it has loaded the store (so no
        request waits for it while another worker is free)."""
        fresh = await run_in_threadpool(self._replace, worker)

        async def join_when_ready() -> None:
            try:
                await run_in_threadpool(fresh.wait_until_ready)
            except EvgraphError:
                pass  # it joins all the same: the request that takes it gets a 500 saying the worker stopped
            self._queue().put_nowait(fresh)

        task = asyncio.create_task(join_when_ready())
        self._loading.add(task)
        task.add_done_callback(self._loading.discard)

    async def run(self, job: Job) -> bytes:
        """The answer to ``job`` from the first idle worker; :class:`QueryTimeout` past ``Settings.timeout``."""
        idle = self._queue()
        worker = await idle.get()
        try:
            body = await run_in_threadpool(worker.call, job, self.settings.timeout)
        except _Overdue:
            await self._replaced(worker)
            raise QueryTimeout(timeout_message(self.settings.timeout)) from None
        except WorkerFailed:
            await self._replaced(worker)
            raise
        except BaseException:
            idle.put_nowait(worker)
            raise
        idle.put_nowait(worker)
        return body

    def close(self) -> None:
        """Stop every worker and wait for it (called once the server has stopped taking requests)."""
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.ask_to_stop()
        for worker in workers:
            worker.stop()
