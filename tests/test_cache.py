"""The persistent store: reused while its inputs are unchanged, brought up to date graph by graph when they change,
and rebuilt by a new evgraph; whatever it did, it holds what loading the files afresh would hold."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

from evgraph.cli import app
from evgraph.paths import Layout
from evgraph.rules import add_derivations
from evgraph.store import DERIVED_GRAPH, cache, load_store
from evgraph.store.cache import open_cached

GRAPH = "https://w3id.org/evgraph/graph/source/example.org-shared"
SHARED_A = f"""@prefix ex: <https://example.org/evgraph-test/> .
GRAPH <{GRAPH}> {{ ex:a ex:says "from a" . }}
"""
SHARED_B = f"""@prefix ex: <https://example.org/evgraph-test/> .
GRAPH <{GRAPH}> {{ ex:b ex:says "from b" . }}
"""


@pytest.fixture
def layout(tmp_path) -> Layout:
    """A layout of its own: copies of the bundled ontology, shapes and queries, and two small data files."""
    bundled = Layout.default()
    for name in ("ontology", "shapes", "queries", "data"):
        (tmp_path / name).mkdir() if name == "data" else shutil.copytree(getattr(bundled, name), tmp_path / name)
    shutil.copy(FIXTURES / "good_evidence_chain.ttl", tmp_path / "data")
    shutil.copy(FIXTURES / "fact_sources.trig", tmp_path / "data")
    return Layout(tmp_path / "ontology", tmp_path / "shapes", tmp_path / "data", tmp_path / "queries",
                  bundled.assumptions)


def reopen(layout: Layout, folder: Path):
    store = open_cached(layout, folder)
    assert store is not None
    return store


def same_quads(store) -> bytes:
    """The store's quads, blank-node labels (which each parse draws afresh) blanked, sorted."""
    return b"".join(sorted(re.sub(rb"_:[0-9A-Za-z]+", b"_:", line) for line in store.dump().splitlines(keepends=True)))


def fresh_dump(layout: Layout) -> bytes:
    return same_quads(load_store(layout))


def test_a_second_open_reuses_the_store_and_holds_what_a_fresh_load_holds(layout, tmp_path):
    first = reopen(layout, tmp_path / "store")
    assert first.refresh == ("loaded", [])
    files = [(f.role, f.relative, f.graphs, f.triples) for f in first.files]
    first.close()
    second = reopen(layout, tmp_path / "store")
    assert second.refresh == ("reused", [])
    assert [(f.role, f.relative, f.graphs, f.triples) for f in second.files] == files
    assert same_quads(second) == fresh_dump(layout)


def test_a_changed_data_file_reloads_only_that_file(layout, tmp_path):
    reopen(layout, tmp_path / "store").close()
    chain = layout.data / "good_evidence_chain.ttl"
    chain.write_text(chain.read_text().replace('"Example trial"@en', '"Example trial, renamed"@en'))
    store = reopen(layout, tmp_path / "store")
    assert store.refresh == ("updated", ["good_evidence_chain.ttl"])
    assert same_quads(store) == fresh_dump(layout)
    assert b"Example trial, renamed" in store.dump()


@pytest.mark.parametrize("folder", ["ontology", "shapes"])
def test_a_changed_ontology_or_shapes_file_is_reloaded(layout, tmp_path, folder):
    reopen(layout, tmp_path / "store").close()
    target = sorted(getattr(layout, folder).rglob("*.ttl"))[0]
    target.write_text(target.read_text() + '\n<https://example.org/evgraph-test/x> a <https://example.org/evgraph-test/Marker> .\n')
    store = reopen(layout, tmp_path / "store")
    assert store.refresh == ("updated", [target.relative_to(getattr(layout, folder)).as_posix()])
    assert same_quads(store) == fresh_dump(layout)


def test_added_and_removed_files_add_and_remove_their_graphs(layout, tmp_path):
    reopen(layout, tmp_path / "store").close()
    (layout.data / "a.trig").write_text(SHARED_A)
    added = reopen(layout, tmp_path / "store")
    assert added.refresh == ("updated", ["a.trig"])
    assert GRAPH in added.graphs_of("data")
    added.close()
    (layout.data / "a.trig").unlink()
    removed = reopen(layout, tmp_path / "store")
    assert removed.refresh == ("updated", ["a.trig"])
    assert GRAPH not in removed.graphs_of("data")
    assert same_quads(removed) == fresh_dump(layout)


def test_a_graph_two_files_write_keeps_the_unchanged_files_triples(layout, tmp_path):
    (layout.data / "a.trig").write_text(SHARED_A)
    (layout.data / "b.trig").write_text(SHARED_B)
    reopen(layout, tmp_path / "store").close()
    (layout.data / "a.trig").write_text(SHARED_A.replace("from a", "from a, changed"))
    store = reopen(layout, tmp_path / "store")
    assert store.refresh == ("updated", ["a.trig"])
    dump = store.dump(graphs=[GRAPH]).decode()
    assert '"from a, changed"' in dump and '"from b"' in dump and '"from a"' not in dump
    assert same_quads(store) == fresh_dump(layout)


def test_the_derived_graph_is_kept_until_data_queries_or_ontology_change(layout, tmp_path):
    store = reopen(layout, tmp_path / "store")
    assert not store.derived_current()
    assert add_derivations(store) is not None
    derived = store.dump(graphs=[DERIVED_GRAPH])
    store.close()
    kept = reopen(layout, tmp_path / "store")
    assert kept.derived_current() and add_derivations(kept) is None
    assert kept.dump(graphs=[DERIVED_GRAPH]) == derived
    kept.close()
    for changed in (layout.queries / "internal" / "claims.rq", layout.data / "good_evidence_chain.ttl",
                    sorted(layout.ontology.rglob("*.ttl"))[0]):
        changed.write_text(changed.read_text() + "\n# changed\n")
        store = reopen(layout, tmp_path / "store")
        assert not store.derived_current(), changed
        assert add_derivations(store) is not None
        store.close()


def test_a_kept_answer_is_used_until_a_file_the_queries_or_the_code_change(layout, tmp_path, monkeypatch):
    code = tmp_path / "code"
    shutil.copytree(cache._PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", code)
    computed = []

    def answer(store) -> str:
        return store.kept("answer", lambda: computed.append(1) or f"answer {len(computed)}")

    store = reopen(layout, tmp_path / "store")
    assert answer(store) == "answer 1"
    store.close()
    store = reopen(layout, tmp_path / "store")
    assert answer(store) == "answer 1" and len(computed) == 1
    store.close()
    for changed in (layout.data / "good_evidence_chain.ttl", sorted(layout.ontology.rglob("*.ttl"))[0],
                    sorted(layout.shapes.rglob("*.ttl"))[0], layout.queries / "internal" / "concepts.rq",
                    code / "audit.py", code / "serve" / "templates" / "base.html"):
        changed.write_text(changed.read_text() + "\n# changed\n")
        store = reopen(layout, tmp_path / "store")
        assert answer(store) == f"answer {len(computed)}" and answer(store) == f"answer {len(computed)}", changed
        store.close()
    assert len(computed) == 7


def test_kept_answers_belong_to_evgraph_s_own_code_and_go_with_a_rebuilt_store(layout, tmp_path, monkeypatch):
    import evgraph

    assert cache._PACKAGE == Path(evgraph.__file__).resolve().parent
    store = reopen(layout, tmp_path / "store")
    store.kept("answer", lambda: "old")
    store.close()
    monkeypatch.setattr(cache, "_version", lambda: "99.0")
    store = reopen(layout, tmp_path / "store")
    assert not (tmp_path / "store" / "answers").exists()
    assert store.kept("answer", lambda: "new") == "new"


def test_a_kept_select_gives_the_rows_the_query_gives(layout, tmp_path):
    from evgraph.queries import get_query

    text = get_query("level-criteria", layout.queries).text
    store = reopen(layout, tmp_path / "store")
    assert store.select_kept(text).rows == store.select(text).rows
    store.close()
    store = reopen(layout, tmp_path / "store")
    kept = store.select_kept(text)
    assert len(list((tmp_path / "store" / "answers").iterdir())) == 1
    assert kept.variables == store.select(text).variables and kept.rows == store.select(text).rows
    assert len(kept.rows) > 10


def test_whole_graph_work_reads_the_files_loaded_into_memory(layout, tmp_path, monkeypatch):
    reopen(layout, tmp_path / "store").close()
    store = reopen(layout, tmp_path / "store")
    memory = store.in_memory()
    assert type(memory).__name__ == "OxigraphStore" and store.in_memory() is memory
    assert same_quads(memory) == same_quads(store)

    def refuse(*_args, **_kwargs):
        raise AssertionError("read through the database")

    monkeypatch.setattr(store, "select", refuse)
    assert add_derivations(store) is not None  # derived in memory, kept on disk
    monkeypatch.undo()
    assert store.derived_current() and len(store.dump(graphs=[DERIVED_GRAPH])) > 0


def test_files_changed_after_the_store_was_opened_are_not_read_as_the_store(layout, tmp_path):
    from evgraph.errors import DataError

    store = reopen(layout, tmp_path / "store")
    store._memory = None  # the first load keeps its memory copy; a later open has none
    chain = layout.data / "good_evidence_chain.ttl"
    chain.write_text(chain.read_text() + "\n# changed\n")
    with pytest.raises(DataError, match="The files changed while evgraph was reading them; run the command again."):
        store.in_memory()


def test_a_big_new_store_is_written_behind_while_the_command_reads_memory(layout, tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(cache, "BEHIND_BYTES", 0)
    memory = open_cached(layout, tmp_path / "store", write_behind=True)
    assert type(memory).__name__ == "OxigraphStore" and same_quads(memory) == fresh_dump(layout)
    deadline, store = time.monotonic() + 60, None
    while store is None and time.monotonic() < deadline:  # busy while the detached process writes
        store = open_cached(layout, tmp_path / "store")
        time.sleep(0.05)
    assert store is not None and store.refresh == ("reused", [])
    assert same_quads(store) == fresh_dump(layout)


def test_a_new_evgraph_version_reloads_everything(layout, tmp_path, monkeypatch):
    reopen(layout, tmp_path / "store").close()
    monkeypatch.setattr(cache, "_version", lambda: "99.0")
    store = reopen(layout, tmp_path / "store")
    assert store.refresh == ("loaded", [])
    assert json.loads((tmp_path / "store" / "manifest.json").read_text())["software"]["evgraph"] == "99.0"
    assert same_quads(store) == fresh_dump(layout)


def test_a_file_that_no_longer_parses_is_refused_and_the_next_open_rebuilds(layout, tmp_path):
    from evgraph.errors import DataError

    reopen(layout, tmp_path / "store").close()
    chain = layout.data / "good_evidence_chain.ttl"
    good = chain.read_text()
    chain.write_text(good + "\nthis is not turtle\n")
    with pytest.raises(DataError, match=r"good_evidence_chain\.ttl:\d+: Turtle syntax error"):
        open_cached(layout, tmp_path / "store")
    chain.write_text(good)
    store = reopen(layout, tmp_path / "store")
    assert store.refresh == ("loaded", [])
    assert same_quads(store) == fresh_dump(layout)


def test_a_busy_store_folder_is_not_opened_twice(layout, tmp_path):
    held = reopen(layout, tmp_path / "store")
    assert open_cached(layout, tmp_path / "store") is None
    held.close()
    reopen(layout, tmp_path / "store").close()


def test_the_cache_home_keeps_the_most_recently_used_folders(layout, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "KEEP", 2)
    folders = []
    for number in range(3):
        data = tmp_path / f"data-{number}"
        shutil.copytree(layout.data, data)
        moved = layout.with_overrides(data=data)
        store = reopen(moved, None)
        folders.append(store.folder)
        store.close()
    assert [f.exists() for f in folders] == [False, True, True]
    assert folders[2].parent == tmp_path / "cache" / "evgraph" / "stores"


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evgraph", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, check=False)


def test_the_command_line_answers_alike_from_a_new_a_kept_and_no_store(tmp_path):
    from typer.testing import CliRunner

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "good_evidence_chain.ttl", data)
    runner = CliRunner()
    args = ["why", "https://example.org/evgraph-test/rating", "--data", str(data), "--format", "json"]
    first = runner.invoke(app, ["--store", str(tmp_path / "store"), *args])
    kept = runner.invoke(app, ["--store", str(tmp_path / "store"), *args])
    memory = runner.invoke(app, ["--no-cache", *args])
    assert first.exit_code == kept.exit_code == memory.exit_code == 0, first.output
    assert first.stdout == kept.stdout == memory.stdout
    assert json.loads(first.stdout)[0]["subject"]["iri"] == "https://example.org/evgraph-test/rating"
    assert (tmp_path / "store" / "manifest.json").is_file()


@pytest.mark.parametrize("args", [["audit", "--format", "json"], ["audit", "--format", "markdown"],
                                  ["validate"], ["validate", "--format", "json"]], ids=" ".join)
def test_audit_and_validate_answer_alike_from_a_kept_answer(tmp_path, monkeypatch, args):
    from typer.testing import CliRunner

    import evgraph.audit
    import evgraph.validation

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "good_evidence_chain.ttl", data)
    shutil.copy(FIXTURES / "fault_link_to_nothing.ttl", data)  # a violation: validate exits 1
    runner = CliRunner()
    stored = ["--store", str(tmp_path / "store"), *args, "--data", str(data)]
    first = runner.invoke(app, stored)
    memory = runner.invoke(app, ["--no-cache", *args, "--data", str(data)])

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(evgraph.audit, "run_audit", refuse)
    monkeypatch.setattr(evgraph.validation, "validate", refuse)
    kept = runner.invoke(app, stored)
    assert first.stdout == kept.stdout == memory.stdout, kept.output
    assert first.exit_code == kept.exit_code == memory.exit_code == (1 if args[0] == "validate" else 0)
    assert ("link_to_nothing" in first.stdout) == (args[0] == "validate")


def test_no_cache_writes_nothing_to_the_cache_home(tmp_path):
    result = run_cli("--no-cache", "stats", "--format", "json", env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["triples"] > 0
    assert not (tmp_path / "cache").exists()


def test_the_readme_says_how_many_store_folders_are_kept():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert cache.KEEP == 8 and "The eight most recently used\n  folders are kept." in readme


def test_release_reports_each_step_to_a_progress_callback(tmp_path):
    from evgraph.linked.release import release

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "good_evidence_chain.ttl", data)
    seen = []
    release(load_store(data=data), tmp_path / "releases", "1.0", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(step, seen[0][1]) for step in range(1, seen[0][1] + 1)] and seen[0][1] >= 5
