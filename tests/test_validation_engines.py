"""The compiled engine gives pySHACL's report exactly, in full and for a set of focus nodes.

Every data fixture, the bundled data and a synthetic graph are validated by both engines. Incremental
validation is checked against full validation: restricted to a set of nodes it is the full report's subset, and
after a change the nodes :func:`touched_nodes` names are the only ones whose results change.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from evgraph.paths import Layout
from evgraph.rules import add_derivations
from evgraph.store import DERIVED_GRAPH, load_store, read_quads
from evgraph.terms import IRI
from evgraph.validation import Report, touched_nodes, validate
from evgraph.validation import reference as reference_engine
from evgraph.validation.shacl_sparql import Unreadable, needs_pyshacl, read_select

#: Fixture files that are not curated data: the PROV-O and ORG axioms test_reasoning reads as an ontology, and a
#: file that does not parse (test_store's syntax error).
NOT_DATA = {"prov-axioms.ttl", "broken_syntax.ttl"}
DATA_FIXTURES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".ttl", ".trig") and p.name not in NOT_DATA)
FAULTS = sorted(p.stem for p in FIXTURES.glob("fault_*.ttl"))
#: Data folders among the ingest fixtures (the rest are partner files in every format, not data).
INGEST_FOLDERS = [("base",), ("base", "existing_violation")]
EX = "https://example.org/evgraph-test/"


def both(store) -> tuple[Report, Report]:
    """The compiled engine's report and pySHACL's, on one store (each pass reads only its own graphs)."""
    return validate(store), validate(store, engine="pyshacl")


def data_folder(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        if file.is_dir():
            shutil.copytree(file, folder / file.name)
        else:
            shutil.copy(file, folder / file.name)
    return folder


def keys(report: Report) -> list[tuple]:
    """The results without their location (stores loaded from different folders locate them differently)."""
    return sorted((v.focus, v.path, v.value, v.message, v.severity, v.shape) for v in report.violations)


# -- the engines agree -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATA_FIXTURES)
def test_both_engines_give_the_same_report_on_each_fixture(tmp_path, name):
    compiled, reference = both(load_store(data=data_folder(tmp_path, FIXTURES / name)))
    assert compiled == reference


@pytest.mark.parametrize("parts", INGEST_FOLDERS, ids="+".join)
def test_both_engines_give_the_same_report_on_the_ingest_data_folders(tmp_path, parts):
    folder = data_folder(tmp_path, *(p for part in parts for p in (FIXTURES / "ingest" / part).iterdir()))
    compiled, reference = both(load_store(data=folder))
    assert compiled == reference


@pytest.fixture(scope="module")
def reference_report(bundled_store) -> Report:
    """pySHACL's report of the bundled data; computed once, because it is slow."""
    return validate(bundled_store, engine="pyshacl")


def test_both_engines_give_the_same_report_on_the_bundled_data(bundled_store, reference_report):
    assert validate(bundled_store) == reference_report


def test_both_engines_give_the_same_report_on_a_synthetic_graph(tmp_path):
    from evgraph.synth import write_synthetic

    compiled, reference = both(load_store(data=write_synthetic(tmp_path / "synth", 3_000, 5).out))
    assert compiled == reference


# Mutations of test_shapes_messages reaching what the fixtures do not: a boolean given as a number, a number below
# a bound and one not whole (sh:or of datatypes), a DOI pattern, a blank focus node, a date that is text.
MUTATED = ["ev:ukTested must be true or false", "A minimum age must", "A control arm size must",
           "A DOI must look like", "A curated node must have an IRI", "A publication date must be one"]


@pytest.mark.parametrize("start", MUTATED)
def test_both_engines_give_the_same_report_on_mutated_data(tmp_path, start):
    from test_shapes_messages import MUTATIONS, mutated_store

    [mutation] = [m for message, m in MUTATIONS.items() if message.startswith(start)]
    compiled, reference = both(mutated_store(tmp_path, mutation))
    assert compiled.violations and compiled == reference


# -- shapes the compiled engine leaves to pySHACL --------------------------------------------------------------


@pytest.fixture
def fallback_store(tmp_path):
    """The good evidence chain, validated with the bundled shapes plus two the compiler does not read."""
    shapes = tmp_path / "shapes"
    shutil.copytree(Layout.default().shapes, shapes)
    shutil.copy(FIXTURES / "shapes_fallback" / "fallback.ttl", shapes / "fallback.ttl")
    return load_store(data=data_folder(tmp_path, FIXTURES / "good_evidence_chain.ttl"), shapes=shapes)


def test_a_shape_the_compiler_does_not_read_runs_with_pyshacl_alone(fallback_store, monkeypatch):
    ran: list[list[str]] = []
    run_shapes = reference_engine.run_shapes

    def recorded(store, data_graphs, shapes_graphs, shapes):
        ran.append(sorted(str(s) for s in shapes))
        return run_shapes(store, data_graphs, shapes_graphs, shapes)

    monkeypatch.setattr(reference_engine, "run_shapes", recorded)
    compiled = validate(fallback_store)
    assert ran == [[f"{EX}LabelEqualsTitleShape", f"{EX}LabelledStudyShape"]]
    assert compiled == validate(fallback_store, engine="pyshacl")
    messages = {v.message for v in compiled.violations}
    assert "A study's label must equal its ev:shortTitle." in messages
    assert any(m.startswith(f"Study {EX}trial is labelled ") for m in messages)


def test_touched_nodes_cannot_bound_a_shape_pyshacl_runs(fallback_store):
    assert touched_nodes(fallback_store, [(IRI(f"{EX}trial"), IRI("http://www.w3.org/2000/01/rdf-schema#label"),
                                           IRI(f"{EX}x"))]) is None


@pytest.mark.parametrize("text, joinable", [
    ("SELECT $this ?value WHERE { $this <urn:p> ?value . FILTER NOT EXISTS { ?value a ?type } }", True),
    ("SELECT $this ?value WHERE { ?x <urn:p> $this . OPTIONAL { ?x <urn:q> ?value FILTER(?value != $this) } }", True),
    ("SELECT $this ?value WHERE { { BIND(STR($this) AS ?t) } $this <urn:p> ?value }", False),
    ("SELECT $this ?value WHERE { { ?value <urn:p> ?x FILTER(?x = $this) } UNION { $this <urn:q> ?value } }", False),
    ("SELECT $this (COUNT(?v) AS ?value) WHERE { $this <urn:p> ?v } GROUP BY $this", False),
])
def test_a_constraint_runs_once_over_the_graph_only_where_a_join_equals_pre_binding(text, joinable):
    assert not needs_pyshacl(text)
    assert read_select(text).joinable is joinable


def test_sparql_the_reader_does_not_know_is_refused_not_guessed():
    with pytest.raises(Unreadable):
        read_select("SELECT $this WHERE { SERVICE <urn:s> { $this ?p ?o } }")


# -- incremental validation ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """The bundled data with every fault fixture added, and its full report (without the rules)."""
    folder = tmp_path_factory.mktemp("faulty") / "data"
    shutil.copytree(Layout.default().data, folder)
    for name in FAULTS:
        shutil.copy(FIXTURES / f"{name}.ttl", folder / f"{name}.ttl")
    store = load_store(data=folder)
    return store, validate(store, with_rules=False)


def test_validating_some_nodes_gives_the_full_report_for_those_nodes(faulty):
    store, full = faulty
    reported = sorted({v.focus for v in full.violations})
    others = [str(row["s"]) for row in store.select("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }")]
    chosen = random.Random(7).sample(others, 150) + reported[::2]
    partial = validate(store, with_rules=False, focus=chosen)
    assert partial.violations == [v for v in full.violations if v.focus in set(chosen)]
    assert validate(store, with_rules=False, focus=[]).violations == []


@pytest.fixture(scope="module")
def bundled_full(bundled_store) -> Report:
    """The compiled report of the bundled data without the rules."""
    return validate(bundled_store, with_rules=False)


@pytest.mark.parametrize("name", FAULTS)
def test_only_touched_nodes_change_when_a_fault_is_added(tmp_path, bundled_full, name):
    folder = tmp_path / "data"
    shutil.copytree(Layout.default().data, folder)
    shutil.copy(FIXTURES / f"{name}.ttl", folder / f"{name}.ttl")
    after = load_store(data=folder)
    changed = [(s, p, o) for s, p, o, _ in read_quads(FIXTURES / f"{name}.ttl")]
    touched = touched_nodes(after, changed)
    assert touched is not None
    names = {str(n) for n in touched}
    full_after = validate(after, with_rules=False)
    partial = validate(after, with_rules=False, focus=touched)
    assert keys(partial) == [k for k in keys(full_after) if k[0] in names]
    untouched = Report(True, [v for v in bundled_full.violations if v.focus not in names])
    assert keys(full_after) == sorted(keys(untouched) + keys(partial))


def _derived(store) -> set[tuple]:
    add_derivations(store)
    return set(store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {DERIVED_GRAPH.n3()} {{ ?s ?p ?o }} }}").tuples())


def test_with_the_rules_the_changed_derived_graph_touches_its_nodes(tmp_path):
    before = load_store(data=data_folder(tmp_path / "before", FIXTURES / "good_evidence_chain.ttl"))
    after = load_store(data=data_folder(tmp_path / "after", FIXTURES / "good_evidence_chain.ttl",
                                        FIXTURES / "catalogue.ttl"))
    old, new = _derived(before), _derived(after)
    added = {(s, p, o) for s, p, o, _ in read_quads(FIXTURES / "catalogue.ttl")} | (new - old)
    touched = touched_nodes(after, added) | touched_nodes(before, old - new)
    names = {str(n) for n in touched}
    full_before, full_after = validate(before), validate(after)
    partial = validate(after, focus=touched)
    assert partial.count("Warning") == 2
    assert keys(partial) == [k for k in keys(full_after) if k[0] in names]
    untouched = Report(True, [v for v in full_before.violations if v.focus not in names])
    assert keys(full_after) == sorted(keys(untouched) + keys(partial))


def test_a_change_to_a_type_touches_the_nodes_that_point_at_it(bundled_store):
    """The type of an agent (held by the store, as :func:`touched_nodes` needs) reaches what is attributed to it."""
    [row] = bundled_store.select("SELECT ?r ?o ?t WHERE { ?r <http://www.w3.org/ns/prov#wasAttributedTo> ?o ."
                                 " ?o a ?t } LIMIT 1").rows
    touched = touched_nodes(bundled_store, [(row["o"], IRI("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), row["t"])])
    assert row["o"] in touched and row["r"] in touched


def test_a_change_to_the_class_hierarchy_runs_the_shapes_that_read_it(bundled_store):
    changed = [(IRI("https://w3id.org/evgraph/ontology#Study"), IRI("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                IRI("http://www.w3.org/ns/prov#Activity"))]
    touched = touched_nodes(bundled_store, changed)
    assert touched is not None and {str(n) for n in touched} >= {str(s) for s, _, _ in changed}
