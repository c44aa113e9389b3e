"""Scale benchmark: evgraph against plain rdflib and plain pySHACL, on synthetic graphs of growing size.

    python benchmarks/scale.py --scales 10000,100000,1000000 --out benchmarks/results

For each scale it writes a synthetic graph (``evgraph synth``, under an example namespace, in a temporary
folder) and times, in one run, each piece of evgraph's work beside a plain baseline doing the same work:

- loading: into memory, into a new persistent store, as the command line's first open (which writes a big
  store behind, in a process of its own), and reopening that store (baseline: rdflib parsing the same files
  into a ``Dataset``);
- the rules, on the persistent store, which reads the files into memory for them as whole-graph work does;
- ``why`` and ``trace`` of one rating (the time in SPARQL queries, and the whole call), every catalogue query
  (its parameters bound to nodes of the synthetic graph), ``impact`` of one study, and the N-Triples and
  JSON-LD exports, on the persistent store; ``audit`` computed in memory (baseline: the same library call on
  the rdflib backend, which runs the same SPARQL on rdflib; exports: rdflib serialising the same graphs);
- validation: full, on the compiled engine, of a store whose rules have not run yet and of one whose
  derived graph is current (baseline: plain pySHACL on the same shapes, which must give the same report),
  and incremental, of 100 nodes (against the full validation with the derived graph current);
- whole commands as a user runs them, each a new process on the warm persistent store, so that ``audit`` and
  ``validate`` read the answer it kept: wall time and peak resident memory (baseline: the same command with
  ``--backend rdflib``).

Query times are the median of ``--repeat`` runs after one warm-up. A baseline that runs past ``--cap``
seconds is stopped (in a child process) and reported as more than the cap, its ratio as at least
cap ÷ evgraph's time. Growth exponents are log(t₂/t₁) ÷ log(n₂/n₁) between consecutive scales. Results go to
``scale-<date>.md`` and ``.json`` under ``--out``, with the machine they ran on. It is a documented command,
not a test: it takes a while, and its absolute figures depend on the machine; ratios are measured in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from machine import machine

from evgraph import queries
from evgraph.namespaces import EV
from evgraph.paths import Layout
from evgraph.store import load_store
from evgraph.store.cache import open_cached
from evgraph.synth import write_synthetic
from evgraph.terms import IRI

#: The catalogue's parameters, and the class of the node each is bound to in a synthetic graph.
PARAM_CLASSES = {"rating": EV.Rating, "recommendation": EV.Recommendation, "intervention": EV.Intervention,
                 "study": EV.Study, "node": EV.Study}
#: Parameters bound to a term rather than a node.
PARAM_TERMS = {"property": EV.sampleSize}
#: The targets of the scale issue, checked against the largest scale measured: (row, limit in s, min ratio).
TARGETS = [("load: into memory", 5.0, 6), ("load: first, on disk", 5.0, 6),
           ("load: first, command line (store written behind when ≥ 32 MiB)", 5.0, 6), ("load: cached reopen", 0.5, None),
           ("why (query time)", 0.005, 20),
           ("trace (query time)", 0.005, 20), ("evgraph audit --format json (new process, kept answer)", 1.0, 20),
           ("audit (computed, in memory)", 1.0, 20), ("validate: full, with the rules", 10.0, 10),
           ("validate: incremental, 100 nodes", 2.0, None)]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_time(work: Callable[[], object], repeat: int) -> float:
    work()  # warm-up: first use of a query plan, the page cache
    return statistics.median(timed(work) for _ in range(repeat))


def sparql_time(store, work: Callable[[], object], repeat: int) -> float:
    """The median seconds ``work`` spends in the store's SPARQL queries (its ``select``), the rest left out."""
    spent = [0.0]
    select = store.select

    def timed_select(*args, **kwargs):
        started = time.perf_counter()
        try:
            return select(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    store.select = timed_select
    try:
        work()  # warm-up
        runs = []
        for _ in range(repeat):
            spent[0] = 0.0
            work()
            runs.append(spent[0])
    finally:
        del store.select
    return statistics.median(runs)


def capped(work: Callable[[], object], cap: float, repeat: int = 1) -> float | None:
    """The median time of ``work`` in a forked child, or None when it ran past ``cap`` seconds (then stopped)."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        writer.send(median_time(work, repeat) if repeat > 1 else timed(work))

    process = context.Process(target=child)
    process.start()
    answer = reader.recv() if reader.poll(cap * (repeat + 1 if repeat > 1 else 1)) else None
    if answer is None:
        process.kill()
    process.join()
    return answer


def node_of(store, cls) -> str:
    """A deterministic node of a class: the one in the middle of the sorted list."""
    rows = store.select(f"SELECT ?x WHERE {{ ?x a <{cls}> }} ORDER BY ?x")
    return str(rows.rows[len(rows) // 2]["x"])


def rdflib_load(layout: Layout):
    """Plain rdflib: parse every ontology, shapes and data file into one Dataset."""
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    for role in ("ontology", "shapes", "data"):
        for path in sorted(Path(getattr(layout, role)).rglob("*")):
            if path.suffix in (".ttl", ".trig"):
                dataset.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    return dataset


def plain_pyshacl(store) -> Callable[[], object]:
    """Plain pySHACL over rdflib graphs of the data and ontology and of the shapes (built before the clock starts),
    with every shape but those of the derived graph: the work of evgraph's first validation pass."""
    from pyshacl import validate as shacl_validate
    from rdflib import Dataset, Graph

    from evgraph.validation import DERIVED_SHAPES

    def graph(graphs) -> Graph:
        dataset, union = Dataset(), Graph()
        dataset.parse(data=store.dump(graphs), format="nquads")
        union.addN((s, p, o, union) for s, p, o, _ in dataset.quads())
        return union

    derived = {g for f in store.files_of("shapes") if f.relative == DERIVED_SHAPES for g in f.graphs}
    data = graph(store.graphs_of("data", "ontology"))
    shapes = graph([g for g in store.graphs_of("shapes") if g not in derived])
    return lambda: shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)


def command(args: list[str], env: dict[str, str], cap: float) -> tuple[float | None, int | None]:
    """Wall seconds and peak resident KiB of ``python -m evgraph ARGS`` as a new process; (None, None) past ``cap``.

    The peak is the child's own VmHWM, read from ``/proc`` while it runs: ``wait4``'s ru_maxrss would count the
    pages a forked child shares with this (large) process before it executes Python afresh.
    """
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "evgraph", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, **env})
    deadline, peak = started + cap, 0
    while True:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak = max(peak, next((int(line.split()[1]) for line in status.splitlines()
                                   if line.startswith("VmHWM:")), 0))
        except (OSError, StopIteration):
            pass
        if process.poll() is not None:
            return time.perf_counter() - started, peak or None
        if time.perf_counter() > deadline:
            process.kill()
            process.wait()
            return None, None
        time.sleep(0.01)


class Run:
    """The rows of one scale: evgraph's seconds, the baseline's, and how they compare."""

    def __init__(self, scale: int, cap: float):
        self.scale, self.cap, self.rows, self.notes = scale, cap, [], {}

    def add(self, name: str, ours: float, baseline: float | None | str, baseline_name: str, **extra) -> None:
        if isinstance(baseline, str):  # not measured, with the reason
            ratio, shown = None, baseline
        elif baseline is None:
            ratio, shown = f"≥ {self.cap / ours:.0f}", f"> {self.cap:.0f}"
        else:
            ratio, shown = round(baseline / ours, 1) if ours else None, round(baseline, 4)
        self.rows.append({"work": name, "evgraph_s": round(ours, 4), "baseline": baseline_name,
                          "baseline_s": shown, "ratio": ratio, **extra})
        print(f"  {name}: {ours:.4f} s; {baseline_name}: {shown} (×{ratio})", flush=True)


def measure(scale: int, folder: Path, work: Path, args) -> Run:
    from evgraph.audit import run_audit
    from evgraph.explanation import explain
    from evgraph.lineage.impact import impact_of
    from evgraph.linked.export import export
    from evgraph.rules import add_derivations
    from evgraph.validation import validate

    run, cap, repeat = Run(scale, args.cap), args.cap, args.repeat
    layout = Layout.default().with_overrides(data=folder)
    baseline_load = capped(lambda: rdflib_load(layout), cap)
    memory_load = timed(lambda: load_store(layout))
    run.add("load: into memory", memory_load, baseline_load, "rdflib Dataset.parse")
    store_dir = work / f"store-{scale}"
    first = time.perf_counter()
    store = open_cached(layout, store_dir)
    run.add("load: first, on disk", time.perf_counter() - first, baseline_load, "rdflib Dataset.parse")
    store.close()
    behind_dir = work / f"store-behind-{scale}"
    first = time.perf_counter()
    open_cached(layout, behind_dir, write_behind=True).close()  # the command line's first open
    answered, store = time.perf_counter() - first, None
    while store is None:  # the folder is busy until the process writing it behind is done
        time.sleep(0.05)
        store = open_cached(layout, behind_dir)
    run.notes["store_written_behind_s"] = round(time.perf_counter() - first, 2)
    run.add("load: first, command line (store written behind when ≥ 32 MiB)", answered, baseline_load,
            "rdflib Dataset.parse")
    store.close()
    shutil.rmtree(behind_dir, ignore_errors=True)
    reopened = []
    for _ in range(repeat):
        started = time.perf_counter()
        store = open_cached(layout, store_dir)
        reopened.append(time.perf_counter() - started)
        store.close()
    run.add("load: cached reopen", statistics.median(reopened), baseline_load, "rdflib Dataset.parse")
    store = open_cached(layout, store_dir)
    run.notes["triples"] = store.triple_count()
    derive = timed(lambda: add_derivations(store))
    reference = load_store(layout, backend="rdflib")
    # Run here, not in a capped child: the queries that read the derived graph need it on the baseline too.
    run.add("rules: derive and store", derive, timed(lambda: add_derivations(reference)), "rdflib backend")

    rating, study = node_of(store, EV.Rating), node_of(store, EV.Study)
    for name, check in (("why", True), ("trace", False)):
        run.add(f"{name} (query time)", sparql_time(store, lambda: explain(store, rating, check_rules=check), repeat),
                capped(lambda: sparql_time(reference, lambda: explain(reference, rating, check_rules=check), 1), cap),
                "rdflib backend")
        run.add(f"{name} (whole call)", median_time(lambda: explain(store, rating, check_rules=check), repeat),
                capped(lambda: explain(reference, rating, check_rules=check), cap), "rdflib backend")
    memory = store.in_memory()  # what the rules read, as whole-graph work does (loaded by the rules' row)
    run.add("audit (computed, in memory)", median_time(lambda: run_audit(memory), repeat),
            capped(lambda: run_audit(reference), cap), "rdflib backend")
    run.add("impact of a study", median_time(lambda: impact_of(store, study), repeat),
            capped(lambda: impact_of(reference, study), cap), "rdflib backend")
    for query in queries.catalogue():
        params = {p.name: IRI(str(PARAM_TERMS.get(p.name) or node_of(store, PARAM_CLASSES[p.name])))
                  for p in query.params}
        run.add(f"query {query.name}", median_time(lambda: queries.run(store, query.name, params), repeat),
                capped(lambda: queries.run(reference, query.name, params), cap), "rdflib backend")
    for fmt, rdflib_fmt in (("ntriples", "nt"), ("jsonld", "json-ld")):
        run.add(f"export {fmt}", timed(lambda fmt=fmt: export(store, fmt)),
                capped(lambda rdflib_fmt=rdflib_fmt: reference._dataset.serialize(format=rdflib_fmt), cap),
                "rdflib serialize")

    fresh = load_store(layout)  # its derived graph not yet written: a full validation runs the rules too
    full = timed(lambda: validate(fresh))
    run.notes["conforms"] = validate(memory).conforms
    run.add("validate: full, with the rules", full, capped(plain_pyshacl(store), cap), "plain pySHACL")
    shapes_only = timed(lambda: validate(memory))
    run.add("validate: full, derived graph current", shapes_only, capped(plain_pyshacl(store), cap), "plain pySHACL")
    nodes = [str(row["x"]) for row in store.select(
        f"SELECT ?x WHERE {{ ?x a <{EV.Study}> }} ORDER BY ?x LIMIT 100").rows]
    run.add("validate: incremental, 100 nodes", timed(lambda: validate(memory, focus=nodes)), shapes_only,
            "full compiled validation, derived graph current")
    store.close()

    env = {"EVGRAPH_STORE": str(store_dir)}
    for name, cli in (("evgraph why (new process)", ["why", rating, "--data", str(folder)]),
                      ("evgraph audit --format json (new process, kept answer)",
                       ["audit", "--format", "json", "--data", str(folder)]),
                      ("evgraph validate (new process, kept answer)", ["validate", "--data", str(folder)])):
        command(cli, env, 10 * cap)  # warm: the store up to date, the derived graph current, the answers kept
        samples = [command(cli, env, cap) for _ in range(repeat)]
        ours = None if any(t is None for t, _ in samples) else statistics.median(t for t, _ in samples)
        rss = max((r or 0) for _, r in samples)
        base, base_rss = command([*cli, "--backend", "rdflib"], {"EVGRAPH_NO_CACHE": "1"}, cap)
        if ours is None:  # past the cap itself: no ratio to give
            run.add(name, cap, f"not run: evgraph itself took > {cap:.0f} s", "same command, --backend rdflib",
                    evgraph_past_cap=True)
            continue
        run.add(name, ours, base, "same command, --backend rdflib", peak_rss_mib=round((rss or 0) / 1024),
                baseline_peak_rss_mib=round(base_rss / 1024) if base_rss else None)
    return run


def bundled_rows(args) -> Run:
    """The two targets stated on the bundled data: ``why`` and ``validate`` as new processes on a warm store (and
    ``validate`` computing its report, with ``--no-cache``)."""
    run = Run(0, args.cap)
    layout = Layout.default()
    run.notes["triples"] = load_store(layout).triple_count()
    rating = "rating:incredible-years-preschool"
    for name, cli, env in (("evgraph why, bundled data (new process)", ["why", rating], {}),
                           ("evgraph validate, bundled data (new process, kept answer)", ["validate"], {}),
                           ("evgraph validate, bundled data (new process, --no-cache)", ["validate"],
                            {"EVGRAPH_NO_CACHE": "1"})):
        command(cli, env, args.cap)
        times = [command(cli, env, args.cap)[0] for _ in range(args.repeat)]
        base = command([*cli, "--backend", "rdflib"], {"EVGRAPH_NO_CACHE": "1"}, args.cap)[0]
        run.add(name, statistics.median(times), base, "same command, --backend rdflib")
    return run


def exponents(runs: list[Run]) -> dict[str, list[float | None]]:
    """Each row's growth exponent between consecutive scales (evgraph's time)."""
    table: dict[str, list[float | None]] = {}
    for before, after in zip(runs, runs[1:]):
        times = {row["work"]: row["evgraph_s"] for row in before.rows}
        n1, n2 = before.notes["triples"], after.notes["triples"]
        for row in after.rows:
            t1, t2 = times.get(row["work"]), row["evgraph_s"]
            value = round(math.log(t2 / t1) / math.log(n2 / n1), 2) if t1 and t2 and n2 != n1 else None
            table.setdefault(row["work"], []).append(value)
    return table


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# Scale benchmark, {report['date']}", "", f"`{report['command']}`", "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, Python "
             f"{m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) +
             f". Load average before: {report['load_before'][0]}, after: {m['load_average'][0]}.", ""]
    for run in report["runs"]:
        title = "Bundled data" if run["scale"] == 0 else f"Synthetic graph, scale {run['scale']:,}"
        lines += [f"## {title} ({run['notes']['triples']:,} data triples)", "",
                  "| work | evgraph (s) | baseline | baseline (s) | ratio | peak RSS (MiB) |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['work']} | {'> ' if r.get('evgraph_past_cap') else ''}{r['evgraph_s']} | {r['baseline']} | "
                  f"{r['baseline_s']} | {r['ratio'] or '—'} | {r.get('peak_rss_mib') or '—'} |" for r in run["rows"]]
        lines.append("")
    if report["exponents"]:
        scales = [f"{a:,} → {b:,}" for a, b in zip(report["scales"], report["scales"][1:])]
        lines += ["## Growth exponents (evgraph's time)", "", "| work | " + " | ".join(scales) + " |",
                  "|---|" + "---|" * len(scales)]
        lines += [f"| {work} | " + " | ".join("—" if v is None else str(v) for v in values) + " |"
                  for work, values in report["exponents"].items()]
        lines.append("")
    lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'no'} |" for t in report["targets"]]
    return "\n".join(lines) + "\n"


def check_targets(runs: list[dict]) -> list[dict]:
    largest = max((r for r in runs if r["scale"]), key=lambda r: r["scale"], default=None)
    checks = []
    if largest:
        rows = {row["work"]: row for row in largest["rows"]}
        for work, limit, ratio in TARGETS:
            row = rows.get(work)
            if row is None:
                continue
            measured_ratio = row["ratio"]
            numeric = float(str(measured_ratio).lstrip("≥ ")) if measured_ratio not in (None, "") else None
            met = row["evgraph_s"] <= limit and (ratio is None or (numeric is not None and numeric >= ratio))
            checks.append({"target": f"{work} at {largest['notes']['triples']:,} triples: ≤ {limit} s"
                                     + (f", ≥ {ratio}× baseline" if ratio else ""),
                           "measured": f"{row['evgraph_s']} s" + (f", ×{measured_ratio}" if ratio else ""), "met": met})
        peaks = [row["peak_rss_mib"] for row in largest["rows"] if row.get("peak_rss_mib")]
        if peaks:
            checks.append({"target": "peak RSS of a command ≤ 1536 MiB", "measured": f"{max(peaks)} MiB",
                           "met": max(peaks) <= 1536})
    for run in runs:
        if run["scale"] == 0:
            for row in run["rows"]:
                limit = 0.3 if "why" in row["work"] else 1.0
                checks.append({"target": f"{row['work']} < {limit} s", "measured": f"{row['evgraph_s']} s",
                               "met": row["evgraph_s"] < limit})
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,100000,1000000", help="Comma-separated triple counts.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Runs per query time (median).")
    parser.add_argument("--cap", type=float, default=300.0, help="Seconds after which a baseline is stopped.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--no-bundled", action="store_true", help="Skip the bundled-data rows.")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s]
    load_before = [round(x, 2) for x in os.getloadavg()]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="evgraph-scale-") as scratch:
        work = Path(scratch)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")  # the bundled rows' store, not the user's
        if not args.no_bundled:
            print("bundled data", flush=True)
            runs.append(bundled_rows(args))
        for scale in scales:
            folder = work / f"synth-{scale}"
            print(f"scale {scale:,}", flush=True)
            synth_s = timed(lambda: write_synthetic(folder, scale, args.seed))
            run = measure(scale, folder, work, args)
            run.notes["synth_s"] = round(synth_s, 2)
            runs.append(run)
            shutil.rmtree(folder, ignore_errors=True)
    scaled = [r for r in runs if r.scale]
    report = {"date": dt.date.today().isoformat(), "command": "python benchmarks/scale.py " + " ".join(argv or sys.argv[1:]),
              "machine": machine(), "load_before": load_before, "scales": [r.notes["triples"] for r in scaled],
              "runs": [{"scale": r.scale, "notes": r.notes, "rows": r.rows} for r in runs],
              "exponents": exponents(scaled)}
    report["targets"] = check_targets(report["runs"])
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"scale-{report['date']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print(f"Wrote {stem}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
