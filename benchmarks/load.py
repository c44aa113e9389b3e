"""Load test for ``evgraph serve``: N concurrent clients × M mixed requests, then a stream of expensive queries.

    python benchmarks/load.py --clients 50 --requests 20 --timeout 2 --report benchmarks/results

Without ``--url`` it starts ``evgraph serve`` (on the bundled data, or ``--data DIR``) on a free loopback port
with ``--timeout`` and ``--workers``, and stops it at the end; with ``--url`` it loads a server already running
(give ``--pid`` to measure its memory too). It runs three phases:

1. **warm-up**: each request below once, one at a time, so every route is loaded and its cost alone is known;
2. **mixed**: ``--clients`` threads each send ``--requests`` requests drawn (seeded) from: the query catalogue
   (``queries/*.rq`` with each parameter's documented example bound as a VALUES block) POSTed to ``/sparql``;
   ``why`` pages (``GET /id/recommendation/…`` and ``/id/rating/…`` as ``text/html``); Turtle and JSON-LD
   dereferencing of nodes (``/id/…`` with ``Accept: text/turtle`` / ``application/ld+json``); and a share of
   deliberately expensive queries (cross products: a count, a DISTINCT, an ORDER BY) that must be stopped at the
   server's time limit (503);
3. **expensive**: only the expensive queries, ``--expensive`` of them, from up to ``--clients`` threads, with the
   memory of the server's process tree sampled throughout to show it stays bounded.

It reports throughput, p50/p99 latency (overall and per kind), errors (anything but the expected answer: 200 with
the expected media type, or 503 for an expensive query, counted apart as timeouts) and the peak resident memory
of the server's process tree (the server and its query workers, VmRSS summed from ``/proc`` every 50 ms; VmHWM is
each process's own peak). Exit status: 0 when there were no errors, 1 otherwise.

Standard library only (threads and ``http.client``), plus evgraph itself for the query catalogue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from machine import machine

from evgraph.namespaces import EV, ID_BASE
from evgraph.queries import bind, catalogue
from evgraph.store.sparql_text import with_values

#: Queries no store answers within a few seconds on the bundled data: a count over a three-way cross product
#: (CPU), DISTINCT over a two-way one (a growing hash table) and ORDER BY over one (a growing sort buffer).
EXPENSIVE = {
    "expensive-count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "expensive-distinct": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?d ?c WHERE { ?a ?b ?c . ?d ?e ?f } }",
    "expensive-order": "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
}
#: The mix of the mixed phase, by weight (the expensive share is --expensive-share).
WEIGHTS = {"catalogue": 0.40, "why-page": 0.20, "turtle": 0.20, "jsonld": 0.20}
RESULT_MEDIA = "application/sparql-results+json"
_DISCOVER = """PREFIX ev: <https://w3id.org/evgraph/ontology#>
SELECT ?node ?class WHERE {{ VALUES ?class {{ {classes} }} ?node a ?class . FILTER(STRSTARTS(STR(?node), "{base}")) }}
ORDER BY ?node"""
_CLAIMS = {f"{EV}Recommendation", f"{EV}Rating"}
_NODES = ("ev:Recommendation", "ev:Rating", "ev:Study", "ev:Intervention", "ev:Report", "ev:EvidenceReview")


@dataclass(frozen=True)
class Request:
    """One request to send: its kind (for the report), method, path, headers, body, and what a good answer is."""

    kind: str
    label: str
    method: str
    path: str
    accept: str
    body: bytes | None = None
    expect_status: int = 200
    expect_media: str | None = None


@dataclass
class Outcome:
    """What one request got."""

    kind: str
    label: str
    status: int
    seconds: float
    size: int
    problem: str | None = None  # why it is an error, or None
    timeout: bool = False  # an expensive query stopped at the server's time limit, as expected


@dataclass
class Memory:
    """Samples of the resident memory of a process and its descendants."""

    samples: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, KiB summed over the tree)
    server: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, KiB of the server process)
    server_hwm_kib: int = 0  # the server process's own peak (VmHWM)
    worker_hwm_kib: int = 0  # the largest peak (VmHWM) of any other process of the tree: the query workers
    most_processes: int = 0  # the most processes alive in the tree at once
    pids: set[int] = field(default_factory=set)  # every process of the tree seen

    def peak(self, start: float, end: float, series: str = "samples") -> int:
        return max((kib for t, kib in getattr(self, series) if start <= t <= end), default=0)


# -- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args: argparse.Namespace, log: Path) -> tuple[subprocess.Popen, str]:
    """``evgraph serve`` on a free loopback port; the process and its base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "evgraph", "serve", "--port", str(port), "--timeout", str(args.timeout),
               "--workers", str(args.workers)]
    if args.data:
        command += ["--data", str(args.data)]
    with open(log, "wb") as stream:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stream, stderr=stream)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"evgraph serve exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            status, _, _ = fetch(url, Request("probe", "probe", "GET", "/sparql?query=ASK%7B%7D", RESULT_MEDIA), 60)
            if status == 200:
                return process, url
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("evgraph serve did not answer within 120 s.")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(30)


def tree_pids(root: int) -> list[int]:
    """``root`` and every process descended from it, from ``/proc/*/stat``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample_memory(root: int, memory: Memory, stop: threading.Event, every: float = 0.05) -> None:
    while not stop.is_set():
        pids = tree_pids(root)
        memory.pids.update(pids)
        now, rss = time.monotonic(), {p: status_kib(p, "VmRSS") for p in pids}
        memory.samples.append((now, sum(rss.values())))
        memory.server.append((now, rss[root]))
        memory.most_processes = max(memory.most_processes, sum(1 for kib in rss.values() if kib))
        memory.server_hwm_kib = max(memory.server_hwm_kib, status_kib(root, "VmHWM"))
        memory.worker_hwm_kib = max([memory.worker_hwm_kib, *(status_kib(p, "VmHWM") for p in pids if p != root)])
        stop.wait(every)


# -- requests ----------------------------------------------------------------------------------------------------


def fetch(base: str, request: Request, timeout: float,
          connection: http.client.HTTPConnection | None = None) -> tuple[int, str, bytes]:
    """Send one request (on ``connection`` when given, kept alive); status, media type and body."""
    own = connection is None
    if own:
        parsed = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    headers = {"Accept": request.accept}
    if request.body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(request.method, urllib.parse.urlsplit(base).path.rstrip("/") + request.path,
                           body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, (response.getheader("Content-Type") or "").split(";")[0].strip(), body
    finally:
        if own:
            connection.close()


def sparql(base: str, query: str, timeout: float) -> dict:
    status, _, body = fetch(base, Request("setup", "setup", "POST", "/sparql", RESULT_MEDIA,
                                          urllib.parse.urlencode({"query": query}).encode()), timeout)
    if status != 200:
        raise SystemExit(f"The server answered {status} to a setup query: {body[:500]!r}")
    return json.loads(body)


def build_requests(base: str, timeout: float) -> dict[str, list[Request]]:
    """Every request of each kind: the catalogue with its examples, pages and descriptions of the graph's nodes."""
    kinds: dict[str, list[Request]] = {"catalogue": [], "why-page": [], "turtle": [], "jsonld": [], "expensive": []}
    for query in catalogue():
        values = {p.name: p.example for p in query.params if p.example is not None}
        if any(p.name not in values and not p.optional for p in query.params):
            continue  # a required parameter without a documented example
        text = with_values(query.text, bind(query, values))
        graph = query.form in ("CONSTRUCT", "DESCRIBE")
        accept = "text/turtle" if graph else RESULT_MEDIA
        kinds["catalogue"].append(Request("catalogue", query.name, "POST", "/sparql", accept,
                                          urllib.parse.urlencode({"query": text}).encode(), expect_media=accept))
    nodes = sparql(base, _DISCOVER.format(classes=" ".join(_NODES), base=ID_BASE), timeout)["results"]["bindings"]
    claims = [n["node"]["value"] for n in nodes if n["class"]["value"] in _CLAIMS]
    for iri in claims:
        path = "/id/" + urllib.parse.quote(iri[len(ID_BASE):])
        kinds["why-page"].append(Request("why-page", path, "GET", path, "text/html", expect_media="text/html"))
    for node in sorted({n["node"]["value"] for n in nodes}):
        path = "/id/" + urllib.parse.quote(node[len(ID_BASE):])
        kinds["turtle"].append(Request("turtle", path, "GET", path, "text/turtle", expect_media="text/turtle"))
        kinds["jsonld"].append(Request("jsonld", path, "GET", path, "application/ld+json",
                                       expect_media="application/ld+json"))
    for name, text in EXPENSIVE.items():
        kinds["expensive"].append(Request("expensive", name, "POST", "/sparql", RESULT_MEDIA,
                                          urllib.parse.urlencode({"query": text}).encode(), expect_status=503))
    return kinds


def judge(request: Request, status: int, media: str, body: bytes, seconds: float) -> Outcome:
    outcome = Outcome(request.kind, request.label, status, seconds, len(body))
    if request.kind == "expensive":
        if status == 503:
            outcome.timeout = True
        else:
            outcome.problem = f"expected 503 (stopped at the time limit), got {status}"
    elif status != request.expect_status:
        outcome.problem = f"expected {request.expect_status}, got {status}: {body[:200]!r}"
    elif request.expect_media and media != request.expect_media:
        outcome.problem = f"expected {request.expect_media}, got {media or 'no Content-Type'}"
    elif not body:
        outcome.problem = "empty body"
    return outcome


def client(base: str, plan: list[Request], timeout: float, results: list[Outcome], lock: threading.Lock) -> None:
    """One client: send its requests in turn over one kept-alive connection (opened again after an error)."""
    parsed = urllib.parse.urlsplit(base)
    connection = None
    mine = []
    for request in plan:
        if connection is None:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
        started = time.perf_counter()
        try:
            status, media, body = fetch(base, request, timeout, connection)
            mine.append(judge(request, status, media, body, time.perf_counter() - started))
        except (OSError, http.client.HTTPException) as error:
            mine.append(Outcome(request.kind, request.label, 0, time.perf_counter() - started, 0,
                                f"{type(error).__name__}: {error}"))
            connection.close()
            connection = None
    if connection is not None:
        connection.close()
    with lock:
        results.extend(mine)


def run_phase(base: str, plans: list[list[Request]], timeout: float) -> tuple[list[Outcome], float, float, float]:
    """Run one client thread per plan at once; the outcomes, wall seconds, and start and end (monotonic)."""
    results: list[Outcome] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(base, plan, timeout, results, lock)) for plan in plans]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = time.monotonic()
    return results, ended - started, started, ended


# -- the report --------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]  # nearest rank


def summary(outcomes: list[Outcome], seconds: float) -> dict:
    def stats(items: list[Outcome]) -> dict:
        times = [o.seconds * 1000 for o in items]
        return {"requests": len(items), "errors": sum(o.problem is not None for o in items),
                "timeouts": sum(o.timeout for o in items),
                "p50_ms": round(percentile(times, 50), 1), "p99_ms": round(percentile(times, 99), 1),
                "max_ms": round(max(times, default=float("nan")), 1),
                "mean_ms": round(statistics.fmean(times), 1) if times else None}

    kinds = sorted({o.kind for o in outcomes})
    return {"seconds": round(seconds, 2), "throughput_rps": round(len(outcomes) / seconds, 1) if seconds else None,
            "all": stats(outcomes), "all_but_expensive": stats([o for o in outcomes if o.kind != "expensive"]),
            "by_kind": {k: stats([o for o in outcomes if o.kind == k]) for k in kinds},
            "problems": sorted({f"{o.kind} {o.label}: {o.problem}" for o in outcomes if o.problem})[:20]}


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def markdown(report: dict) -> str:
    s, m = report["settings"], report["machine"]
    lines = [f"# Load test of `evgraph serve`, {report['date']}", "",
             f"`{report['command']}`", "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, Python "
             f"{m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ". Load average "
             f"before the run: {report['load_before'][0]}, after: {m['load_average'][0]} (other work on the machine"
             " competes with the server and its clients).", "",
             f"Server: {s['server']}, `--timeout {s['timeout']}` s, `--workers {s['workers']}`; data: {s['data']} "
             f"({report['graph']['triples']} triples). Clients and server share the machine, so the client threads "
             "take CPU from the server.", ""]
    mixed, expensive = report["mixed"], report["expensive"]
    lines += ["## Results", "",
              "| phase | requests | seconds | throughput | p50 | p99 | max | errors | expected timeouts (503) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, phase in (("mixed", mixed), ("mixed, without expensive", None), ("expensive only", expensive)):
        if phase is None:
            a = mixed["all_but_expensive"]
            lines.append(f"| {name} | {a['requests']} | | | {a['p50_ms']} ms | {a['p99_ms']} ms | {a['max_ms']} ms |"
                         f" {a['errors']} | {a['timeouts']} |")
            continue
        a = phase["all"]
        lines.append(f"| {name} | {a['requests']} | {phase['seconds']} | {phase['throughput_rps']} req/s |"
                     f" {a['p50_ms']} ms | {a['p99_ms']} ms | {a['max_ms']} ms | {a['errors']} | {a['timeouts']} |")
    lines += ["", "Mixed phase by kind:", "", "| kind | requests | p50 | p99 | max | errors | timeouts |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, a in mixed["by_kind"].items():
        lines.append(f"| {kind} | {a['requests']} | {a['p50_ms']} ms | {a['p99_ms']} ms | {a['max_ms']} ms |"
                     f" {a['errors']} | {a['timeouts']} |")
    lines += ["", "Warm-up (each request once, alone):", "", "| kind | requests | p50 | max | errors |",
              "|---|---:|---:|---:|---:|"]
    for kind, a in report["warmup"]["by_kind"].items():
        lines.append(f"| {kind} | {a['requests']} | {a['p50_ms']} ms | {a['max_ms']} ms | {a['errors']} |")
    mem = report["memory"]
    if mem:
        lines += ["", "## Memory (resident: VmRSS sampled every 50 ms)", "",
                  "| | server and its workers | server process |", "|---|---:|---:|",
                  f"| after start and warm-up | {mib(mem['baseline_kib'])} | {mib(mem['server_baseline_kib'])} |",
                  f"| peak, mixed phase | {mib(mem['peak_mixed_kib'])} | {mib(mem['server_peak_mixed_kib'])} |",
                  f"| peak, expensive-only phase | {mib(mem['peak_expensive_kib'])} |"
                  f" {mib(mem['server_peak_expensive_kib'])} |",
                  f"| at the end | {mib(mem['end_kib'])} | {mib(mem['server_end_kib'])} |", "",
                  "- expensive-only phase, peak of the tree by quarter: "
                  + ", ".join(mib(q) for q in mem["expensive_quarters_kib"]),
                  f"- largest peak of one query worker (VmHWM): {mib(mem['worker_hwm_kib'])}; of the server process:"
                  f" {mib(mem['server_hwm_kib'])}",
                  f"- processes: at most {mem['most_processes']} at once, {mem['processes_seen']} seen (a worker whose"
                  " query is stopped is killed and a fresh one started, which loads the store; pages with a diagram"
                  " run Graphviz)",
                  f"- bounded under the stream of expensive queries: {'yes' if mem['bounded'] else 'NO'} (the"
                  " second half of the expensive-only phase peaks within 25 % of the first half: a stopped query's"
                  " memory goes with its worker, so the peak is the rest plus what --workers queries allocate"
                  " within --timeout)"]
    problems = mixed["problems"] + expensive["problems"] + report["warmup"]["problems"]
    lines += ["", "## Errors", ""]
    lines += [f"- {p}" for p in problems] or ["None: every request got the expected answer (200 with the asked "
                                              "media type; 503 for the expensive queries)."]
    return "\n".join(lines) + "\n"


# -- main --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=20, help="requests per client in the mixed phase")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--url", help="an evgraph serve already running (its base URL, http://host:port)")
    target.add_argument("--data", type=Path, help="the data folder to serve (default: the bundled data)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, to sample its memory")
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's --timeout, seconds (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="the server's --workers (default 2)")
    parser.add_argument("--expensive-share", type=float, default=0.02,
                        help="share of expensive queries in the mixed phase (default 0.02)")
    parser.add_argument("--expensive", type=int, default=40, help="requests in the expensive-only phase (default 40)")
    parser.add_argument("--client-timeout", type=float, default=600.0,
                        help="seconds a client waits for one answer (requests queue for a free query worker)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix")
    parser.add_argument("--report", type=Path, help="folder to write load-<date>.md and load-<date>.json into")
    args = parser.parse_args(argv)

    load_before = [round(x, 2) for x in os.getloadavg()]
    scratch = Path(tempfile.mkdtemp(prefix="evgraph-load-"))
    process = None
    if args.url:
        base, root = args.url.rstrip("/"), args.pid
    else:
        process, base = start_server(args, scratch / "serve.log")
        root = process.pid
    memory, stop = Memory(), threading.Event()
    sampler = None
    if root and Path(f"/proc/{root}").exists():
        sampler = threading.Thread(target=sample_memory, args=(root, memory, stop), daemon=True)
        sampler.start()
    try:
        kinds = build_requests(base, args.client_timeout)
        count = sparql(base, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", args.client_timeout)
        triples = int(count["results"]["bindings"][0]["n"]["value"])
        rng = random.Random(args.seed)

        warm = [*kinds["catalogue"], *(r for k in ("why-page", "turtle", "jsonld") for r in kinds[k][:10]),
                *kinds["expensive"]]
        warmup, warm_seconds, _, _ = run_phase(base, [warm], args.client_timeout)
        time.sleep(args.timeout + 8)  # let the workers stopped by the warm-up's expensive queries load again
        baseline = memory.samples[-1][1] if memory.samples else 0
        server_baseline = memory.server[-1][1] if memory.server else 0

        names = list(WEIGHTS) + ["expensive"]
        weights = [w * (1 - args.expensive_share) for w in WEIGHTS.values()] + [args.expensive_share]
        plans = [[rng.choice(kinds[rng.choices(names, weights)[0]]) for _ in range(args.requests)]
                 for _ in range(args.clients)]
        mixed, mixed_seconds, mixed_start, mixed_end = run_phase(base, plans, args.client_timeout)
        time.sleep(args.timeout + 8)

        threads = max(1, min(args.clients, args.expensive))
        stream = [kinds["expensive"][i % len(kinds["expensive"])] for i in range(args.expensive)]
        expensive, exp_seconds, exp_start, exp_end = run_phase(base, [stream[i::threads] for i in range(threads)],
                                                               args.client_timeout)
        time.sleep(args.timeout + 8)
    finally:
        stop.set()
        if sampler:
            sampler.join()
        if process is not None:
            stop_server(process)

    report = {
        "date": dt.date.today().isoformat(), "command": "python benchmarks/load.py " + " ".join(sys.argv[1:]),
        "machine": machine(), "load_before": load_before,
        "settings": {"clients": args.clients, "requests": args.requests, "timeout": args.timeout,
                     "workers": args.workers, "expensive_share": args.expensive_share, "expensive": args.expensive,
                     "seed": args.seed, "server": args.url or "started by the script (127.0.0.1)",
                     "data": str(args.data) if args.data else "the bundled data"},
        "graph": {"triples": triples, **{k: len(v) for k, v in kinds.items()}},
        "warmup": summary(warmup, warm_seconds), "mixed": summary(mixed, mixed_seconds),
        "expensive": summary(expensive, exp_seconds), "memory": None,
    }
    if memory.samples:
        quarter = (exp_end - exp_start) / 4
        quarters = [memory.peak(exp_start + i * quarter, exp_start + (i + 1) * quarter) for i in range(4)]
        halves = [max(quarters[:2]), max(quarters[2:])]
        report["memory"] = {
            "baseline_kib": baseline, "peak_mixed_kib": memory.peak(mixed_start, mixed_end),
            "peak_expensive_kib": memory.peak(exp_start, exp_end),
            "expensive_quarters_kib": quarters, "end_kib": memory.samples[-1][1],
            "server_baseline_kib": server_baseline,
            "server_peak_mixed_kib": memory.peak(mixed_start, mixed_end, "server"),
            "server_peak_expensive_kib": memory.peak(exp_start, exp_end, "server"),
            "server_end_kib": memory.server[-1][1], "server_hwm_kib": memory.server_hwm_kib,
            "worker_hwm_kib": memory.worker_hwm_kib, "most_processes": memory.most_processes,
            "processes_seen": len(memory.pids), "bounded": halves[1] <= 1.25 * halves[0],
            "samples": len(memory.samples)}
    text = markdown(report)
    sys.stdout.write(text)
    if args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        stem = args.report / f"load-{report['date']}"
        stem.with_suffix(".md").write_text(text, encoding="utf-8")
        stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    errors = report["warmup"]["all"]["errors"] + report["mixed"]["all"]["errors"] + report["expensive"]["all"]["errors"]
    if errors:
        sys.stderr.write(f"{errors} error(s); the server's log is in {scratch}.\n")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
