"""Synthetic graphs (evgraph.synth): valid, made up, the same for the same seed, about the size asked for."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evgraph.errors import ConfigError
from evgraph.explanation import explain
from evgraph.namespaces import GRAPH_BASE, ID_BASE
from evgraph.paths import Layout
from evgraph.rules import Verdict, add_derivations, derive_all, read_evidence
from evgraph.store import load_store
from evgraph.synth import MARKER, write_synthetic
from evgraph.synth.trig import SYNTH_ID, SYNTH_SOURCE
from evgraph.validation import validate

#: A small graph: scale and seed.
SMALL = (3_000, 1)
#: A graph on which the rules give every kind of verdict (at 3,000 triples few claims can be checked at all).
MEDIUM = (20_000, 2)
#: The rules' warning that a published level is above the one the recorded studies support: a finding about a
#: claim, not a fault in the data.
PUBLISHED_ABOVE_DERIVED = "https://w3id.org/evgraph/shapes#PublishedAboveDerivedShape"
#: Where a term may come from besides the synthetic namespace: the vocabularies, and the graph names.
VOCABULARIES = ("https://w3id.org/evgraph/ontology#", "https://w3id.org/evgraph/scheme/", "http://www.w3.org/",
                "http://purl.org/", GRAPH_BASE)
#: A filter keeping the data graphs (the store also holds the bundled ontology and shapes, in graphs of their own).
DATA_GRAPHS = f"FILTER(!STRSTARTS(STR(?g), '{GRAPH_BASE}ontology/') && !STRSTARTS(STR(?g), '{GRAPH_BASE}shapes/'))"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A synthetic graph of about 3,000 triples."""
    return write_synthetic(tmp_path_factory.mktemp("synth") / "small", *SMALL).out


@pytest.fixture(scope="module")
def medium(tmp_path_factory) -> Path:
    """A synthetic graph of about 20,000 triples."""
    return write_synthetic(tmp_path_factory.mktemp("synth") / "medium", *MEDIUM).out


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_small_graph_conforms_with_no_result_but_the_rules_findings(small):
    store = load_store(data=small)
    assert validate(store, with_rules=False).violations == []
    report = validate(store)
    assert report.conforms
    overclaims = {str(d.subject) for d in derive_all(read_evidence(store)) if d.verdict is Verdict.OVERCLAIM}
    assert sorted((v.severity, v.shape, v.focus) for v in report.violations) == sorted(
        ("Warning", PUBLISHED_ABOVE_DERIVED, focus) for focus in overclaims), "the rules' findings, and nothing else"
    assert all(v.file and v.line for v in report.violations), "each is located in the synthetic files"


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_bytes(small, tmp_path):
    again = write_synthetic(tmp_path / "again", *SMALL)
    other = write_synthetic(tmp_path / "other", SMALL[0], SMALL[1] + 1)
    assert _contents(again.out) == _contents(small)
    assert _contents(other.out) != _contents(small)


def test_the_bytes_do_not_depend_on_hash_seeds_and_the_command_loads_no_heavy_engine(small, tmp_path):
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from evgraph.cli import app\n"
        f"result = CliRunner().invoke(app, ['synth', '--scale', '{SMALL[0]}', '--seed', '{SMALL[1]}', '--out', sys.argv[1]])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = {'pyshacl', 'networkx', 'starlette', 'uvicorn', 'jinja2'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n")
    for hash_seed in ("0", "4242"):
        out = tmp_path / f"hash-{hash_seed}"
        done = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert done.stdout.strip() == "[]"
        assert _contents(out) == _contents(small)


@pytest.mark.parametrize("name", ["small", "medium"])
def test_the_triple_count_is_within_ten_percent_of_the_scale(name, request):
    folder = request.getfixturevalue(name)
    scale = {"small": SMALL, "medium": MEDIUM}[name][0]
    store = load_store(data=folder)
    triples = store.triple_count("data")
    assert abs(triples - scale) <= scale / 10
    assert f"{triples:,} triples" in (folder / MARKER).read_text(encoding="utf-8")
    assert store.graph_sizes(), "every triple is in a named graph under the graph base"


def test_every_node_and_source_is_made_up(small):
    store = load_store(data=small)
    terms = store.select(f"SELECT DISTINCT ?term WHERE {{ GRAPH ?g {{ {{ ?term ?p ?o }} UNION {{ ?s ?p ?term }} }} "
                         f"FILTER(isIRI(?term)) {DATA_GRAPHS} }}")
    foreign = sorted(str(r["term"]) for r in terms if not str(r["term"]).startswith((SYNTH_ID, SYNTH_SOURCE)
                                                                                     + VOCABULARIES))
    assert foreign == []
    assert not [r for r in terms if str(r["term"]).startswith(ID_BASE)]
    sources = store.select(f"SELECT DISTINCT ?source WHERE {{ GRAPH ?g {{ ?node <http://purl.org/dc/terms/source> ?source }}"
                           f" {DATA_GRAPHS} }}")
    assert sources and all(str(r["source"]).startswith(SYNTH_SOURCE) for r in sources)
    typed = store.select(f"SELECT DISTINCT ?node WHERE {{ GRAPH ?g {{ ?node a ?type }} {DATA_GRAPHS} "
                         "FILTER(?type != <https://w3id.org/evgraph/ontology#AssertionGraph>) }")
    assert len(typed) > 100 and all(str(r["node"]).startswith((SYNTH_ID, SYNTH_SOURCE)) for r in typed)


def test_every_graph_has_one_record_and_every_node_cites_the_documents_of_its_graphs(small):
    store = load_store(data=small)
    methods = store.select(
        f"SELECT ?g (COUNT(DISTINCT ?m) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {DATA_GRAPHS} "
        "OPTIONAL { ?g <https://w3id.org/evgraph/ontology#method> ?m } } GROUP BY ?g")
    assert len(methods) > 20
    assert [str(r["g"]) for r in methods if str(r["n"]) != "1"] == [f"{GRAPH_BASE}provenance"]
    uncited = store.select(
        "SELECT ?node ?doc WHERE { GRAPH ?g { ?node ?p ?o } "
        "?g <http://www.w3.org/ns/prov#wasDerivedFrom>|<http://www.w3.org/ns/prov#wasQuotedFrom> ?doc . "
        "FILTER NOT EXISTS { ?node <http://purl.org/dc/terms/source> ?doc } }")
    assert len(uncited) == 0
    undescribed = store.select(
        f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ ?node <http://purl.org/dc/terms/source> ?doc }} {DATA_GRAPHS} "
        "FILTER NOT EXISTS { ?doc a <https://w3id.org/evgraph/ontology#Source> } }")
    assert len(undescribed) == 0


def _data_folder_state() -> dict[str, tuple[int, int]]:
    data = Layout.default().data
    return {str(p.relative_to(data)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(data.rglob("*"))}


def test_synth_refuses_the_data_folder_and_a_folder_it_did_not_write(tmp_path):
    data = Layout.default().data.resolve()
    before = _data_folder_state()
    for out in (data / "synthetic", data):
        with pytest.raises(ConfigError) as refused:
            write_synthetic(out, *SMALL)
        assert refused.value.message == (f"Refusing to write synthetic data into {out}: it is inside the curated data"
                                         f" folder {data}.")
    with pytest.raises(ConfigError) as refused:
        write_synthetic(data.parent, *SMALL)
    assert refused.value.message == (f"Refusing to write synthetic data into {data.parent}: it holds the curated data"
                                     f" folder {data}.")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        write_synthetic(foreign, *SMALL)
    assert refused.value.message == (f"Refusing to write synthetic data into {foreign}: the folder is not empty and"
                                     " synth did not write it (it has no SYNTHETIC.md).")
    assert [p.name for p in foreign.iterdir()] == ["todo.txt"]
    assert _data_folder_state() == before
    assert not (data / "synthetic").exists()


def test_synth_replaces_its_own_folder_and_a_failure_leaves_it_as_it_was(tmp_path):
    out = tmp_path / "synth"
    write_synthetic(out, SMALL[0], 1)
    first = _contents(out)
    write_synthetic(out, SMALL[0], 2)
    second = _contents(out)
    assert second != first

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_synthetic(out, SMALL[0], 3, progress=stop)
    assert _contents(out) == second
    assert [p.name for p in tmp_path.iterdir()] == ["synth"], "no partial folder is left beside it"


def test_the_rules_give_verdicts_on_the_synthetic_claims_and_explain_them(small, medium):
    assert all(str(d.subject).startswith(SYNTH_ID) for d in add_derivations(load_store(data=small)))
    store = load_store(data=medium)
    verdicts = {d.subject: d.verdict for d in add_derivations(store)}
    assert len(verdicts) > 50 and all(str(subject).startswith(SYNTH_ID) for subject in verdicts)
    assert len(set(verdicts.values())) >= 4
    assert {Verdict.CONSISTENT, Verdict.OVERCLAIM} <= set(verdicts.values()), "claims the recorded studies settle"
    checked = next(subject for subject, verdict in verdicts.items() if verdict is Verdict.CONSISTENT)
    rating = next(subject for subject in verdicts if str(subject).startswith(f"{SYNTH_ID}rating/"))
    recommendation = next(subject for subject in verdicts if str(subject).startswith(f"{SYNTH_ID}recommendation/"))
    for subject in (checked, rating, recommendation):
        explanation, = explain(store, str(subject))
        assert explanation.subject["iri"] == str(subject)
        assert explanation.verdict == verdicts[subject].value
        assert explanation.sources and all(source.startswith(SYNTH_SOURCE) for source in explanation.sources)


def test_the_command_writes_the_folder_and_says_so(tmp_path):
    from evgraph.cli import app

    out = tmp_path / "synth"
    result = CliRunner().invoke(app, ["synth", "--scale", "2000", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = re.fullmatch(r"Wrote (\d+) files \(([\d,]+) triples\) to (.+)\.\n", result.output)
    assert written, result.output
    assert int(written.group(1)) == len(list(out.glob("*.trig"))) > 1
    assert int(written.group(2).replace(",", "")) == load_store(data=out).triple_count("data")
    assert written.group(3) == str(out)
    refused = CliRunner().invoke(app, ["synth", "--out", str(Layout.default().data / "synthetic")])
    assert refused.exit_code == 2
    assert "Refusing to write synthetic data into" in refused.output
