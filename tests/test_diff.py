"""evgraph diff: what changed between two versions of the graph, on two small named versions of one chain."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError, DataError
from evgraph.linked.diff import compare, diff_lines, diff_markdown
from evgraph.linked.export import export
from evgraph.linked.versions import open_side
from evgraph.paths import Layout
from evgraph.store import DERIVED_GRAPH, load_store

from conftest import FIXTURES

EX = "https://example.org/evgraph-test/"
CHAIN = "good_evidence_chain.ttl"

#: How the next version of the chain differs from the fixture, one story per edit (each text occurs once).
EDITS = {
    "the rating is re-rated 3 on the trial, now confirmed": (
        'ev:evidenceLevel level:3plus ; ev:costRating cost:2 ; ev:levelAsStated "3+" ;',
        'ev:evidenceLevel level:3 ; ev:costRating cost:2 ; ev:levelAsStated "3" ; ev:basedOn ex:trial ;'),
    "the recommendation is strengthened": (
        "ev:publishedStrength strength:promising ;", "ev:publishedStrength strength:good ;"),
    "the trial is cited from its registry entry": (
        "ev:evaluates ex:programme ; dct:source <https://example.org/source/trial> .",
        "ev:evaluates ex:programme ; dct:source <https://example.org/source/registry> ."),
    "the first paper is withdrawn": (
        'ex:paper-1 a ev:Report ; rdfs:label "Paper one"@en ; dct:title "Outcomes at six months"@en ;\n'
        '    ev:reportsStudy ex:trial ; ev:year "2010"^^xsd:gYear ; bibo:doi "10.1000/example.1" ;\n'
        "    dct:source <https://example.org/source/paper-1> .\n", ""),
    "the second recommendation is dropped": (
        'ex:rec-2 a ev:Recommendation ; rdfs:label "Consider the programme for older children"@en ;'
        " ev:inGuidance ex:guide ;\n"
        '    ev:strengthNotRecorded "The guide\'s stated strength was not in the pages read." ;\n'
        "    dct:source <https://example.org/source/guide> .\n", ""),
    "the discrepancy moves to the curators' file": (
        'ex:discrepancy a ev:Discrepancy ; rdfs:label "Two dates for the guide"@en ;'
        ' rdf:value "One page says October, another November." ;\n'
        "    ev:concerns ex:guide ; dct:source <https://example.org/source/a>, <https://example.org/source/b> .", ""),
}
ADDED = """
ex:follow-up a ev:Study ; rdfs:label "Follow-up trial"@en ; ev:design design:qed ; ev:evaluates ex:programme ;
    dct:source <https://example.org/source/follow-up> .
ex:follow-up-candidate a ev:CandidateEvidence ; rdfs:label "Follow-up proposed for the rating"@en ;
    ev:proposedFor ex:rating ; ev:proposedStudy ex:follow-up ; prov:wasAttributedTo ex:curator ;
    dct:source <https://example.org/source/follow-up> .
"""
CURATION = """@prefix ev:   <https://w3id.org/evgraph/ontology#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix ex:   <https://example.org/evgraph-test/> .

ex:discrepancy a ev:Discrepancy ; rdfs:label "Two dates for the guide"@en ;
    rdf:value "One page says October, another November." ; ev:concerns ex:guide ;
    dct:source <https://example.org/source/a>, <https://example.org/source/b> .
"""


def _next_version(text: str) -> str:
    for story, (before, after) in EDITS.items():
        assert text.count(before) == 1, f"edit '{story}' no longer matches the fixture"
        text = text.replace(before, after)
    return text + ADDED


def _write_versions(root: Path) -> tuple[Path, Path]:
    """Two data folders: the fixture chain, and its next version (a second file holds the discrepancy)."""
    old, new = root / "old", root / "new"
    old.mkdir()
    new.mkdir()
    shutil.copy(FIXTURES / CHAIN, old / CHAIN)
    (new / CHAIN).write_text(_next_version((FIXTURES / CHAIN).read_text(encoding="utf-8")), encoding="utf-8")
    (new / "curation.ttl").write_text(CURATION, encoding="utf-8")
    return old, new


@pytest.fixture
def versions(tmp_path) -> tuple[Path, Path]:
    """The chain fixture as an old and a new data folder."""
    return _write_versions(tmp_path)


def _node(slug: str, kind: str, label: str) -> dict:
    return {"iri": f"{EX}{slug}", "kind": kind, "label": label}


RATING = "Guidebook rating of the example programme"


def test_the_diff_names_each_change_in_the_domains_words(versions):
    old, new = versions
    assert compare(str(old), str(new)).to_json() == {
        "old": str(old),
        "new": str(new),
        "ratings_changed": [{
            **_node("rating", "rating", RATING), "from": "3+", "to": "3",
            "from_levels": ["https://w3id.org/evgraph/scheme/guidebook-level/3plus"],
            "to_levels": ["https://w3id.org/evgraph/scheme/guidebook-level/3"]}],
        "recommendations_changed": [{
            **_node("rec-1", "recommendation", "Offer the programme"), "from": "promising", "to": "good",
            "from_levels": ["https://w3id.org/evgraph/scheme/practice-guide-strength/promising"],
            "to_levels": ["https://w3id.org/evgraph/scheme/practice-guide-strength/good"]}],
        "claims_added": [],
        "claims_removed": [_node("rec-2", "recommendation", "Consider the programme for older children")],
        "nodes_added": [_node("follow-up", "study", "Follow-up trial")],
        "nodes_removed": [_node("paper-1", "report", "Paper one")],
        "links_added": [{"subject": f"{EX}rating", "subject_label": RATING, "relation": "ev:basedOn",
                         "object": f"{EX}trial", "object_label": "Example trial"}],
        "links_removed": [],
        "candidates_added": [{"candidate": f"{EX}follow-up-candidate", "subject": f"{EX}rating",
                              "subject_label": RATING, "relation": "ev:CandidateEvidence",
                              "object": f"{EX}follow-up", "object_label": "Follow-up trial"}],
        "candidates_removed": [],
        "verdicts_changed": [{**_node("rating", "rating", RATING), "from": "cannot-verify", "to": "consistent"}],
        "sources_changed": {"nodes": 1, "changes": [{
            "iri": f"{EX}trial", "label": "Example trial", "added": ["https://example.org/source/registry"],
            "removed": ["https://example.org/source/trial"]}]},
        # 16 triples out (two levels, a strength, a source, paper one's 7, rec-2's 5) and 16 in (the
        # rating's level, words and link, the strength, the source, the study's 5, the candidate's 6); the
        # discrepancy's 6 triples changed file, so graph.
        "counts": {"old_triples": 107, "new_triples": 107, "added": 16, "removed": 16, "moved": 6},
    }


def test_text_is_aligned_lines_like_why(versions):
    old, new = versions
    assert diff_lines(compare(str(old), str(new))) == [
        f"Old               {old}",
        f"New               {new}",
        f"Evidence levels   ~ {RATING}: 3+ → 3   {EX}rating",
        f"Strengths         ~ Offer the programme: promising → good   {EX}rec-1",
        "Ratings           no change",
        f"Recommendations   - Consider the programme for older children   {EX}rec-2",
        f"Studies           + Follow-up trial   {EX}follow-up",
        f"Reports           - Paper one   {EX}paper-1",
        "Findings          no change",
        f"Evidence links    + {RATING}  ev:basedOn  Example trial",
        f"Candidate links   + {RATING}  candidate  Follow-up trial",
        f"Verdicts          ~ {RATING}: cannot-verify → consistent   {EX}rating",
        "Sources           1 node with changed sources",
        f"                  ~ Example trial   {EX}trial",
        "                      + https://example.org/source/registry",
        "                      - https://example.org/source/trial",
        "Triples           107 → 107: 16 added, 16 removed, 6 moved between named graphs",
    ]


def test_markdown_has_a_heading_and_a_table_per_part(versions):
    old, new = versions
    text = diff_markdown(compare(str(old), str(new)))
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# evgraph diff", "## Published levels", "## Ratings and recommendations added or removed",
        "## Studies, reports and findings added or removed", "## Evidence links added or removed", "## Verdicts",
        "## Sources", "## Triples"]
    levels = text.split("## Published levels\n\n")[1].split("\n\n")[0]
    assert levels.splitlines() == [
        "| kind | node | from | to |",
        "|---|---|---|---|",
        f"| rating | {RATING} <{EX}rating> | 3+ | 3 |",
        f"| recommendation | Offer the programme <{EX}rec-1> | promising | good |",
    ]
    assert text.endswith("| old | new | added | removed | moved between named graphs |\n|---|---|---|---|---|\n"
                         "| 107 | 107 | 16 | 16 | 6 |\n")


def test_a_version_against_itself_changes_nothing(versions):
    old, _ = versions
    diff = compare(str(old), str(old))
    assert diff_lines(diff)[2:] == [f"{heading:<18}no change" for heading in (
        "Evidence levels", "Strengths", "Ratings", "Recommendations", "Studies", "Reports", "Findings",
        "Evidence links", "Candidate links", "Verdicts", "Sources")] + [
        "Triples           107 → 107: 0 added, 0 removed, 0 moved between named graphs"]
    assert "No change." in diff_markdown(diff)


def test_turtle_rewritten_as_trig_is_a_move_and_nothing_else(tmp_path):
    """The bundled data went from Turtle files to TriG graphs: the same triples, each in a new named graph."""
    turtle, trig = tmp_path / "turtle", tmp_path / "trig"
    turtle.mkdir()
    trig.mkdir()
    shutil.copy(FIXTURES / CHAIN, turtle / CHAIN)
    lines = (FIXTURES / CHAIN).read_text(encoding="utf-8").splitlines()
    prefixes = [line for line in lines if line.startswith("@prefix")]
    body = [line for line in lines if not line.startswith("@prefix")]
    (trig / "chain.trig").write_text("\n".join(
        prefixes + ["GRAPH <https://w3id.org/evgraph/graph/source/example.org-chain> {"] + body + ["}"]) + "\n",
        encoding="utf-8")
    counts = compare(str(turtle), str(trig)).to_json()["counts"]
    assert counts == {"old_triples": 107, "new_triples": 107, "added": 0, "removed": 0, "moved": 107}


# -- versions from git -------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args], capture_output=True, check=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path, versions) -> Path:
    """A git repository of its own, whose data/ folder holds the chain at HEAD~1 and its next version at HEAD."""
    old, new = versions
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copy(old / CHAIN, repo / "data" / CHAIN)
    _git(repo, "add", "data")
    _git(repo, "commit", "-q", "-m", "The chain")
    for path in new.iterdir():
        shutil.copy(path, repo / "data" / path.name)
    _git(repo, "add", "data")
    _git(repo, "commit", "-q", "-m", "Its next version")
    return repo


def test_revisions_are_read_from_git_and_their_files_removed_afterwards(repo, versions):
    old, new = versions
    first, second = _git(repo, "rev-parse", "HEAD~1"), _git(repo, "rev-parse", "HEAD")
    from_git = compare("HEAD~1", "HEAD:data", repo=repo).to_json()
    assert from_git["old"] == f"HEAD~1:data ({first[:12]})"
    assert from_git["new"] == f"HEAD:data ({second[:12]})"
    from_folders = compare(str(old), str(new)).to_json()
    assert {k: v for k, v in from_git.items() if k not in ("old", "new")} == {
        k: v for k, v in from_folders.items() if k not in ("old", "new")}
    with open_side("HEAD", repo=repo) as side:
        written = side.store.layout.data
        assert sorted(p.name for p in written.iterdir()) == ["curation.ttl", CHAIN]
    assert not written.exists()


def test_a_spec_that_is_neither_folder_nor_revision_is_one_sentence(repo):
    with pytest.raises(ConfigError) as caught:
        compare("no-such-version", "HEAD", repo=repo)
    assert caught.value.message == (f"'no-such-version' is neither a data folder, an export file (.trig or .nq)"
                                    f" nor a revision of the git repository at {repo}.")


def test_a_revision_without_the_folder_says_so(repo):
    commit = _git(repo, "rev-parse", "HEAD")
    with pytest.raises(ConfigError) as caught:
        compare("HEAD:shapes", "HEAD", repo=repo)
    assert caught.value.message == f"Revision HEAD ({commit[:12]}) of {repo} has no folder 'shapes'."


# -- versions from export files ------------------------------------------------------------------------

STRENGTH = "https://w3id.org/evgraph/scheme/practice-guide-strength/"
PROMISING_LABEL = (f'<{STRENGTH}promising> <http://www.w3.org/2004/02/skos/core#prefLabel> "promising"@en'
                   " <https://w3id.org/evgraph/graph/ontology/schemes/practice-guide-strength> .\n")


def _export(data: Path, to: Path, fmt: str = "trig", scope: str = "all") -> Path:
    to.write_bytes(export(load_store(data=data), fmt, scope).content)
    return to


def _without_labels(diff: dict) -> dict:
    return {key: value for key, value in diff.items() if key not in ("old", "new")}


@pytest.mark.parametrize("fmt, suffix", [("trig", ".trig"), ("nquads", ".nq")])
def test_an_export_file_is_read_as_the_version_it_was_exported_from(versions, tmp_path, fmt, suffix):
    old, new = versions
    exported = _export(old, tmp_path / f"evgraph{suffix}", fmt)
    diff = compare(str(exported), str(new)).to_json()
    assert (diff["old"], diff["new"]) == (str(exported), str(new))
    assert _without_labels(diff) == _without_labels(compare(str(old), str(new)).to_json())
    assert _without_labels(compare(str(new), str(exported)).to_json()) == _without_labels(
        compare(str(new), str(old)).to_json())


def test_an_exports_data_graphs_are_the_data_its_ontology_graphs_the_ontology_and_its_derived_graph_is_dropped(
        versions, tmp_path):
    old, _ = versions
    exported = _export(old, tmp_path / "evgraph.trig")
    folder = load_store(data=old)
    with open_side(str(exported)) as side:
        written = side.store.layout.data.parent
        assert side.store.graphs_of("data") == folder.graphs_of("data") == [
            "https://w3id.org/evgraph/graph/data/good_evidence_chain"]
        assert side.store.graphs_of("ontology") == folder.graphs_of("ontology")
        assert sorted(p.name for p in written.iterdir()) == ["data", "ontology"]
        assert DERIVED_GRAPH not in side.store.graph_sizes()
        assert side.store.triple_count("data") == 107
    assert not written.exists()


def test_the_ontology_read_is_the_exports_own(versions, tmp_path):
    old, new = versions
    exported = _export(old, tmp_path / "evgraph.nq", "nquads")
    text = exported.read_text(encoding="utf-8")
    assert text.count(PROMISING_LABEL) == 1
    exported.write_text(text.replace(PROMISING_LABEL, PROMISING_LABEL.replace('"promising"', '"Promising, then"')),
                        encoding="utf-8")
    changed = compare(str(exported), str(new)).to_json()["recommendations_changed"]
    assert [(c["from"], c["to"]) for c in changed] == [("Promising, then", "good")]


def test_a_curated_export_is_read_with_the_bundled_ontology(versions, tmp_path):
    old, new = versions
    exported = _export(old, tmp_path / "curated.trig", scope="curated")
    with open_side(str(exported)) as side:
        assert side.store.layout.ontology == Layout.default().ontology
    assert _without_labels(compare(str(exported), str(new)).to_json()) == _without_labels(
        compare(str(old), str(new)).to_json())


def test_an_export_with_triples_outside_every_named_graph_is_refused(tmp_path, versions):
    _, new = versions
    file = tmp_path / "plain.trig"
    file.write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
                    "<https://w3id.org/evgraph/graph/data/x> { <https://example.org/a> <https://example.org/b> 1 . }\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as caught:
        compare(str(file), str(new))
    assert caught.value.message == f"{file}: 1 triple(s) outside every named graph, so it is not an evgraph export."


def test_an_export_without_data_graphs_is_refused(tmp_path, versions):
    old, new = versions
    exported = _export(old, tmp_path / "ontology.nq", "nquads", "ontology")
    with pytest.raises(DataError) as caught:
        compare(str(new), str(exported))
    assert caught.value.message == f"{exported} holds no data graphs, only ontology."


def test_cli_reads_an_export_file(versions, tmp_path):
    old, new = versions
    exported = _export(old, tmp_path / "evgraph.trig")
    result = CliRunner().invoke(app, ["diff", str(exported), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert _without_labels(json.loads(result.output)) == _without_labels(compare(str(old), str(new)).to_json())


# -- the command line ----------------------------------------------------------------------------------


def test_cli_json_is_the_diffs_own(versions):
    old, new = versions
    result = CliRunner().invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == compare(str(old), str(new)).to_json()


def test_cli_refuses_a_spec_that_is_neither_with_exit_2(repo, versions):
    old, _ = versions
    result = CliRunner().invoke(app, ["diff", str(old), "no-such-version", "--repo", str(repo)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (f"Error: 'no-such-version' is neither a data folder, an export file"
                                             f" (.trig or .nq) nor a revision of the git repository at {repo}.")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_output_is_byte_identical_across_hash_seeds(versions, output_format):
    old, new = versions

    def run(seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-m", "evgraph", "diff", str(old), str(new), "--format", output_format],
                              env=env, capture_output=True, check=True).stdout

    first = run("1")
    assert first == run("2") and b"Follow-up trial" in first


# -- the queries it reads through ------------------------------------------------------------------------


def test_the_rdflib_backend_gives_the_same_diff(versions):
    old, new = versions
    assert compare(str(old), str(new), backend="rdflib") == compare(str(old), str(new))
