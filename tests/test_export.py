"""Export: every format round-trips through a second implementation, and the same data gives the same bytes."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import fixture_data_dir
from pyld import jsonld
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError, NotFound
from evgraph.linked.export import FORMATS, context, export, to_jsonld
from evgraph.queries import get_query
from evgraph.store import load_store
from evgraph.store.sparql_text import with_values
from evgraph.terms import IRI

runner = CliRunner()
OX_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
              "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The good evidence chain plus a TriG file of per-source graphs, with the rules' graph."""
    return load_store(data=fixture_data_dir(tmp_path_factory.mktemp("export"), "good_evidence_chain",
                                            "fact_sources.trig"))


def quads_of(store, scope_roles) -> set:
    return set(ox.parse(store.dump(store.graphs_of(*scope_roles)), format=ox.RdfFormat.N_QUADS))


@pytest.mark.parametrize("fmt", sorted(OX_FORMATS))
def test_each_rdf_format_parses_back_to_the_graph_it_came_from(good, fmt):
    result = export(good, fmt, "curated")
    parsed = set(ox.parse(result.content, format=OX_FORMATS[fmt]))
    expected = quads_of(good, ("data",))
    if FORMATS[fmt]:
        assert parsed == expected
        assert not result.graph_names_dropped
    else:
        assert {q.triple if isinstance(q, ox.Quad) else q for q in parsed} == {q.triple for q in expected}
        assert result.graph_names_dropped


def test_json_ld_expands_back_to_the_same_quads(good):
    result = export(good, "jsonld", "curated")
    document = json.loads(result.content)
    assert document["@context"] == context()
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _no_fetch})
    assert set(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)) == quads_of(good, ("data",))


def test_json_ld_uses_the_readable_terms_of_the_context(good):
    document = json.loads(export(good, "jsonld", "curated").content)
    graphs = {graph["@id"]: graph["@graph"] for graph in document["@graph"]}
    assert graphs["https://w3id.org/evgraph/graph/source/example.org-registry-trial-7"] == [
        {"@id": "https://example.org/evgraph-test/trial-7", "sampleSize": "156"}]


def test_the_context_types_each_term_as_the_data_writes_it(bundled_store):
    """A coerced term compacts only values of its datatype: every bundled value must have it, or the
    export falls back to full IRIs for that property."""
    coerced = {term: spec["@type"] for term, spec in context().items()
               if isinstance(spec, dict) and spec.get("@type", "@id") != "@id" and spec["@id"].startswith("ev:")}
    table = bundled_store.select(
        "SELECT DISTINCT ?p (DATATYPE(?o) AS ?type) WHERE { ?s ?p ?o FILTER(isLiteral(?o)"
        ' && STRSTARTS(STR(?p), "https://w3id.org/evgraph/ontology#")) }')
    xsd = "http://www.w3.org/2001/XMLSchema#"
    found = {(str(row["p"]).split("#")[1], str(row["type"]).replace(xsd, "xsd:")) for row in table}
    mismatched = sorted((term, used) for term, used in found if term in coerced and used != coerced[term])
    assert mismatched == []


def test_a_remote_context_is_never_fetched():
    document = {"@context": "https://example.org/remote-context.jsonld", "@id": "https://example.org/x"}
    with pytest.raises(jsonld.JsonLdError) as caught:
        jsonld.expand(document, {"documentLoader": _refusing_loader()})
    assert str(caught.value.__cause__).startswith(
        "('Refusing to fetch https://example.org/remote-context.jsonld: evgraph never loads remote JSON-LD documents.',)")


def _refusing_loader():
    from evgraph.linked.export import _refuse_remote

    return _refuse_remote


def _no_fetch(url, options=None):
    raise AssertionError(f"fetched {url}")


def test_json_ld_arrays_are_sorted_so_output_is_stable():
    nquads = (b'<https://example.org/a> <https://example.org/p> "b" <https://example.org/g> .\n'
              b'<https://example.org/a> <https://example.org/p> "a" <https://example.org/g> .\n')
    reordered = b"".join(reversed(nquads.splitlines(keepends=True)))
    assert to_jsonld(nquads, {}) == to_jsonld(reordered, {})


def test_all_scope_holds_ontology_data_and_derived_graphs_but_not_shapes(good):
    result = export(good, "nquads", "all")
    graphs = {q.graph_name.value for q in ox.parse(result.content, format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/evgraph/graph/derived" in graphs
    assert "https://w3id.org/evgraph/graph/ontology/evgraph" in graphs
    assert not [g for g in graphs if "/graph/shapes/" in g]
    assert result.graphs == len(graphs)


@pytest.mark.parametrize(("fmt", "scope", "message"), [
    ("yaml", "all", "Unknown export format 'yaml'."),
    ("trig", "everything", "'everything' is neither an export scope (all, curated, derived, ontology) nor a node in"
                           " the graph."),
])
def test_an_unknown_format_or_scope_is_a_sentence(good, fmt, scope, message):
    with pytest.raises((ConfigError, NotFound)) as caught:
        export(good, fmt, scope)
    assert caught.value.message == message


EXPORT_TWICE = """
import hashlib, sys
from pathlib import Path
from evgraph.store import load_store
from evgraph.linked.export import export
store = load_store(data=Path(sys.argv[1]))
print(*[hashlib.sha256(export(store, f, 'all').content).hexdigest() for f in ('trig', 'turtle', 'jsonld')])
"""


def test_two_exports_of_the_same_data_are_byte_identical_across_runs_and_hash_seeds(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain", "fact_sources.trig")
    digests = {subprocess.run([sys.executable, "-c", EXPORT_TWICE, str(folder)], capture_output=True, text=True,
                              check=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(digests) == 1


def test_the_export_command_writes_atomically_and_says_when_graph_names_are_dropped(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain", "fact_sources.trig")
    out = tmp_path / "graph.ttl"
    result = runner.invoke(app, ["export", "--format", "turtle", "--scope", "curated", "--data", str(folder),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Note: turtle holds triples only, so the names of the 6 named graphs are dropped" in result.output
    assert out.read_bytes() == export(load_store(data=folder), "turtle", "curated").content
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_export_command_to_a_missing_folder_is_a_sentence_and_writes_nothing(tmp_path):
    folder = fixture_data_dir(tmp_path, "good_evidence_chain")
    result = runner.invoke(app, ["export", "--data", str(folder), "--out", str(tmp_path / "absent" / "g.trig")])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"Error: Cannot write {tmp_path / 'absent' / 'g.trig'}: the folder" \
                                            f" {tmp_path / 'absent'} does not exist."


# -- bundles ----------------------------------------------------------------------------------------


def _loaded_alone(content: bytes) -> ox.Store:
    """A partner's view: the bundle in a fresh Oxigraph store, nothing else."""
    alone = ox.Store()
    alone.load(content, format=ox.RdfFormat.TRIG)
    return alone


def _rows(solutions) -> set:
    return {tuple(None if solution[v] is None else str(solution[v]) for v in solutions.variables)
            for solution in solutions}


def test_a_bundle_for_one_recommendation_answers_trace_recommendation_alone(bundled_store):
    recommendation = IRI("https://w3id.org/evgraph/id/recommendation/kinship-navigator-programmes")
    trace = with_values(get_query("trace-recommendation").text, {"recommendation": recommendation})
    bundle = export(bundled_store, "trig", "rec:kinship-navigator-programmes")
    alone = _rows(_loaded_alone(bundle.content).query(trace, use_default_graph_as_union=True))
    full = {tuple(None if v is None else v.n3() for v in row) for row in bundled_store.select(trace).tuples()}
    assert alone == full and len(full) == 13
    assert bundle.graphs == 124


def test_a_bundle_carries_the_records_sources_terms_and_scheme_it_uses(bundled_store):
    alone = _loaded_alone(export(bundled_store, "trig", "rating:functional-family-therapy").content)

    def ask(pattern: str) -> bool:
        return alone.query(f"ASK {{ {pattern} }}", use_default_graph_as_union=True)

    assert ask("<https://w3id.org/evgraph/graph/inferred/guidebook.eif.org.uk-programme-functional-family-therapy>"
               " <https://w3id.org/evgraph/ontology#method> <https://w3id.org/evgraph/scheme/method/"
               "inferred-from-page-structure>")
    assert ask("<http://guidebook.eif.org.uk/programme/functional-family-therapy>"
               " <https://w3id.org/evgraph/ontology#sourceType> ?type")
    assert ask("<https://w3id.org/evgraph/ontology#evidenceLevel> a ?kind")
    assert ask("<https://w3id.org/evgraph/scheme/guidebook-level/4> <https://w3id.org/evgraph/ontology#rank> ?rank")
    assert ask("?derivation <https://w3id.org/evgraph/ontology#derivedFor>"
               " <https://w3id.org/evgraph/id/rating/functional-family-therapy>")
    assert not ask("?shape a <http://www.w3.org/ns/shacl#NodeShape>")


def test_a_bundle_for_a_node_that_is_not_there_is_a_sentence(bundled_store):
    with pytest.raises(NotFound) as caught:
        export(bundled_store, "trig", "study:no-such-trial")
    assert caught.value.message == "Nothing in the graph is https://w3id.org/evgraph/id/study/no-such-trial."


def test_a_file_written_atomically_gets_the_mode_a_plain_open_would_give(tmp_path):
    from evgraph.output import write_atomically

    write_atomically(tmp_path / "atomic.txt", "text")
    with open(tmp_path / "plain.txt", "w", encoding="utf-8") as stream:
        stream.write("text")
    assert (tmp_path / "atomic.txt").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode


def test_json_ld_keeps_a_literal_holding_a_character_python_splits_lines_at():
    from evgraph.linked.export import to_jsonld

    nquads = ('<https://example.org/evgraph-test/n> <http://www.w3.org/2000/01/rdf-schema#label> '
              '"one\u2028two\u0085three" <https://w3id.org/evgraph/graph/curation> .\n').encode("utf-8")
    written = json.loads(to_jsonld(nquads, {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}))
    assert written["@id"] == "https://w3id.org/evgraph/graph/curation"
    assert written["@graph"][0]["rdfs:label"] == "one\u2028two\u0085three"
