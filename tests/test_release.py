"""Releases: the DCAT/VoID description counts what the store holds, files match their checksums, output is stable."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError
from evgraph.linked.export import FORMATS, MEDIA
from evgraph.linked.release import release
from evgraph.store import load_store

from conftest import fixture_data_dir

EPOCH = "1764547200"  # 2025-12-01T00:00:00Z
VERSION = "2025.12.01"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DATA_FILTER = """FILTER(STRSTARTS(STR(?g), "https://w3id.org/evgraph/graph/")
  && !STRSTARTS(STR(?g), "https://w3id.org/evgraph/graph/ontology/")
  && !STRSTARTS(STR(?g), "https://w3id.org/evgraph/graph/shapes/")
  && STR(?g) != "https://w3id.org/evgraph/graph/derived")"""


@pytest.fixture
def data(tmp_path) -> Path:
    """A small data folder: one evidence chain and one trial whose facts come from two documents."""
    return fixture_data_dir(tmp_path, "good_evidence_chain", "fact_sources.trig")


@pytest.fixture
def released(data, tmp_path, monkeypatch) -> Path:
    """The release folder written from the small data folder, with a fixed SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return release(load_store(data=data), tmp_path / "releases").folder


def _description(folder: Path) -> ox.Store:
    graph = ox.Store()
    graph.load(path=folder / "dataset.ttl", format=ox.RdfFormat.TURTLE, base_iri=folder.as_uri() + "/")
    return graph


def _select(graph: ox.Store, sparql: str) -> list[tuple]:
    return sorted(tuple(term.value for term in row) for row in graph.query(sparql))


def test_the_release_folder_holds_every_format_the_description_the_audit_and_the_changes(released):
    assert released.name == VERSION
    expected = {f"evgraph{MEDIA[fmt][0]}" for fmt in FORMATS} | {
        "dataset.ttl", "dataset.jsonld", "SHA256SUMS", "audit.html", "audit.json", "CHANGES.md"}
    assert {p.name for p in released.iterdir()} == expected
    assert not [p for p in released.parent.iterdir() if p.name != VERSION]  # no temporary folder left


def test_void_counts_are_the_stores_data_counts(released, data):
    store = load_store(data=data)
    graph = _description(released)
    dataset = f"<https://w3id.org/evgraph/dataset/{VERSION}>"
    totals = dict(_select(graph, f"""SELECT ?p ?n WHERE {{ {dataset} ?p ?n
        VALUES ?p {{ <{VOID}triples> <{VOID}entities> <{VOID}classes> <{VOID}properties> }} }}"""))
    assert int(totals[f"{VOID}triples"]) == store.triple_count("data") == 130
    classes = _select(graph, f"""SELECT ?class ?n WHERE {{ {dataset} <{VOID}classPartition> ?part .
        ?part <{VOID}class> ?class ; <{VOID}entities> ?n }}""")
    counted = store.select(f"""SELECT ?class (COUNT(DISTINCT ?node) AS ?n)
        WHERE {{ GRAPH ?g {{ ?node a ?class }} {DATA_FILTER} }} GROUP BY ?class""")
    assert classes == sorted((str(r["class"]), str(r["n"])) for r in counted)
    assert ("https://w3id.org/evgraph/ontology#Recommendation", "2") in classes
    assert int(totals[f"{VOID}classes"]) == len(classes) == 14
    assert int(totals[f"{VOID}entities"]) == 20
    properties = _select(graph, f"""SELECT ?property ?n WHERE {{ {dataset} <{VOID}propertyPartition> ?part .
        ?part <{VOID}property> ?property ; <{VOID}triples> ?n }}""")
    assert sum(int(n) for _, n in properties) == store.triple_count("data")
    assert int(totals[f"{VOID}properties"]) == len(properties) == 57
    examples = _select(graph, f"SELECT ?e WHERE {{ {dataset} <{VOID}exampleResource> ?e }}")
    assert examples == [("https://example.org/evgraph-test/rating",), ("https://example.org/evgraph-test/rec-1",),
                        ("https://example.org/evgraph-test/trial",)]
    assert not _select(graph, f"SELECT ?e WHERE {{ ?d <{VOID}sparqlEndpoint> ?e }}")


def test_the_description_states_licence_publisher_version_and_issued_date(released):
    graph = _description(released)
    rows = dict(_select(graph, f"""PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?p ?o WHERE {{ <https://w3id.org/evgraph/dataset/{VERSION}> ?p ?o
        VALUES ?p {{ dct:license dct:publisher dct:issued <{DCAT}version> <http://www.w3.org/2002/07/owl#versionInfo> }} }}"""))
    assert rows == {
        "http://purl.org/dc/terms/license": "https://creativecommons.org/licenses/by/4.0/",
        "http://purl.org/dc/terms/publisher": "https://w3id.org/evgraph/id/agent/evgraph-curation",
        "http://purl.org/dc/terms/issued": "2025-12-01",
        f"{DCAT}version": VERSION,
        "http://www.w3.org/2002/07/owl#versionInfo": VERSION,
    }


def test_each_distribution_matches_its_file(released):
    graph = _description(released)
    rows = _select(graph, f"""SELECT ?url ?media ?size ?algorithm ?sum WHERE {{
        ?d a <{DCAT}Distribution> ; <{DCAT}downloadURL> ?url ; <{DCAT}mediaType> ?media ; <{DCAT}byteSize> ?size ;
           <{SPDX}checksum> ?c . ?c <{SPDX}algorithm> ?algorithm ; <{SPDX}checksumValue> ?sum }}""")
    assert len(rows) == len(FORMATS)
    media = {f"evgraph{suffix}": kind for suffix, kind in MEDIA.values()}
    for url, kind, size, algorithm, digest in rows:
        file = released / url.rsplit("/", 1)[-1]
        assert url == file.as_uri()  # relative to the release folder
        assert kind == f"https://www.iana.org/assignments/media-types/{media[file.name]}"
        assert int(size) == file.stat().st_size
        assert algorithm == f"{SPDX}checksumAlgorithm_sha256"
        assert digest == hashlib.sha256(file.read_bytes()).hexdigest()


def test_sha256sums_lists_every_other_file_with_its_digest(released):
    lines = (released / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names == sorted(p.name for p in released.iterdir() if p.name != "SHA256SUMS")
    for line in lines:
        digest, name = line.split("  ", 1)
        assert digest == hashlib.sha256((released / name).read_bytes()).hexdigest()


def test_the_json_ld_description_keeps_download_urls_relative(released):
    document = json.loads((released / "dataset.jsonld").read_text(encoding="utf-8"))
    assert "@base" not in document["@context"]
    assert '"evgraph.trig"' in json.dumps(document)
    parsed = ox.Store()
    parsed.load(path=released / "dataset.jsonld", format=ox.RdfFormat.JSON_LD, base_iri=released.as_uri() + "/")
    assert len(parsed) == len(_description(released))


def test_two_releases_of_the_same_data_are_byte_identical(data, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = release(load_store(data=data), tmp_path / "a").folder
    second = release(load_store(data=data), tmp_path / "b").folder
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_an_existing_version_folder_is_refused_and_left_untouched(released, data):
    before = {p.name: p.read_bytes() for p in released.iterdir()}
    with pytest.raises(ConfigError, match="already exists"):
        release(load_store(data=data), released.parent)
    assert {p.name: p.read_bytes() for p in released.iterdir()} == before
    assert [p.name for p in released.parent.iterdir()] == [VERSION]


def test_a_failed_release_leaves_nothing_behind(data, tmp_path, monkeypatch):
    import evgraph.linked.release as module

    def fail(path, content):
        raise OSError("disk full")

    monkeypatch.setattr(module, "write_bytes_atomically", fail)
    with pytest.raises(OSError):
        release(load_store(data=data), tmp_path / "releases", version="1")
    assert list((tmp_path / "releases").iterdir()) == []


def test_changes_say_what_changed_in_the_domains_words_then_compare_the_counts(data, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (tmp_path / "old").mkdir()
    smaller = fixture_data_dir(tmp_path / "old", "good_evidence_chain")
    old = release(load_store(data=smaller), tmp_path / "old-releases", version="0.1").folder
    chain = data / "good_evidence_chain.ttl"
    chain.write_text(chain.read_text(encoding="utf-8").replace("strength:promising", "strength:good"),
                     encoding="utf-8")
    new = release(load_store(data=data), tmp_path / "new", version="0.2",
                  previous=old).folder
    changes = (new / "CHANGES.md").read_text(encoding="utf-8")
    assert changes == """# evgraph 0.2 (2025-12-01)

Changes since 0.1 (2025-12-01): first in the domain's terms, as `evgraph diff` reads that release's evgraph.trig \
and this release's data; then counted over the curated data graphs as the two releases' dataset.ttl describe them.

## What changed

- **Old:** 0.1
- **New:** 0.2

### Published levels

| kind | node | from | to |
|---|---|---|---|
| recommendation | Offer the programme <https://example.org/evgraph-test/rec-1> | promising | good |

### Ratings and recommendations added or removed

No change.

### Studies, reports and findings added or removed

No change.

### Evidence links added or removed

No change.

### Verdicts

No change.

### Sources

No change.

### Triples

| old | new | added | removed | moved between named graphs |
|---|---|---|---|---|
| 107 | 130 | 24 | 1 | 0 |

## Counts

| | 0.1 | 0.2 | change |
|---|---:|---:|---:|
| triples | 107 | 130 | +23 |
| entities | 17 | 20 | +3 |
| classes | 13 | 14 | +1 |
| properties | 51 | 57 | +6 |

### Entities per class

| class | 0.1 | 0.2 | change |
|---|---:|---:|---:|
| ev:AssertionGraph (new class) | 0 | 3 | +3 |
"""
    previous = _select(_description(new), f"SELECT ?p WHERE {{ ?d <{DCAT}previousVersion> ?p }}")
    assert previous == [("https://w3id.org/evgraph/dataset/0.1",)]


def test_without_a_previous_release_changes_list_this_releases_counts(released):
    changes = (released / "CHANGES.md").read_text(encoding="utf-8")
    assert changes.splitlines()[:4] == [f"# evgraph {VERSION} (2025-12-01)", "",
                                        "No previous release was given, so this lists the counts of this one.", ""]
    assert "## What changed" not in changes


def test_a_previous_release_without_its_graph_is_refused(released, data, tmp_path):
    (released / "evgraph.trig").unlink()
    with pytest.raises(ConfigError) as caught:
        release(load_store(data=data), tmp_path / "next", version="next", previous=released)
    assert caught.value.message == f"{released} is not a complete evgraph release: it has no evgraph.trig."
    assert not (tmp_path / "next").exists()


def test_previous_must_be_a_release(data, tmp_path):
    with pytest.raises(ConfigError, match="is not an evgraph release"):
        release(load_store(data=data), tmp_path / "releases", previous=tmp_path)
    assert not (tmp_path / "releases").exists()


def test_the_release_command_writes_the_folder_and_says_where(data, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "releases"
    args = ["release", "--out", str(out), "--version", "1.0", "--data", str(data),
            "--endpoint", "https://example.org/sparql"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"Wrote release 1.0 to {out / '1.0'} (12 files)." in result.output
    endpoint = _select(_description(out / "1.0"), f"SELECT ?e WHERE {{ ?d <{VOID}sparqlEndpoint> ?e }}")
    assert endpoint == [("https://example.org/sparql",)]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2
    assert f"Error: Release {out / '1.0'} already exists; give another --version or remove it first." in again.output
