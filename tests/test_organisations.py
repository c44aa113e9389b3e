"""`evgraph org`: organisation lineage through change events, what each stands behind, as of a date."""

from __future__ import annotations

import json

import pytest
from conftest import fixture_data_dir
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError
from evgraph.lineage.organisations import (
    AFTER,
    HAPPENED,
    UNORDERED,
    ChangeEvent,
    change_graph,
    organisation_lineage,
    parse_as_of,
    relatives,
    when,
)
from evgraph.lineage.text import lineage_lines
from evgraph.lookup import AmbiguousMatch
from evgraph.terms import IRI
from evgraph.validation import validate

EX = "https://example.org/evgraph-test/"
FIXTURE = "organisation_lineage.trig"
runner = CliRunner()


@pytest.fixture
def store(fixture_store):
    """Alpha Trust and Beta Institute merging into Gamma Centre in March 2020 (tests/fixtures)."""
    return fixture_store(FIXTURE)


def _org(tmp_path, *args: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    return runner.invoke(app, ["org", *args, "--data", str(fixture_data_dir(tmp_path, FIXTURE))])


def _pieces(items) -> list[tuple]:
    """Each piece as (iri, relations, date, evaluated by, commissioned by, published by), IRIs after ex:."""
    def local(iri: str) -> str:
        return iri.removeprefix(EX)
    return [(local(p.iri), p.relation, p.date, *([local(a.iri) for a in getattr(p, f"{role}_by")]
                                                 for role in ("evaluated", "commissioned", "published")))
            for p in items]


# -- the fixture ----------------------------------------------------------------------------------


def test_the_fixture_conforms_to_the_shapes(store):
    assert validate(store, with_rules=False).conforms


# -- predecessors, successors, what each stands behind --------------------------------------------


def test_the_resulting_organisation_has_both_originals_as_predecessors(store):
    lineage = organisation_lineage(store, "gamma")
    assert lineage.label == "Gamma Centre"
    assert [(r.iri, r.label, r.event, r.date) for r in lineage.predecessors] == [
        (f"{EX}alpha", "Alpha Trust", f"{EX}merger", "2020-03"),
        (f"{EX}beta", "Beta Institute", f"{EX}merger", "2020-03"),
    ]
    assert lineage.successors == ()
    assert [(e.iri, e.role, e.status) for e in lineage.events] == [(f"{EX}merger", "resulting", HAPPENED)]


def test_an_original_organisation_has_the_resulting_one_as_successor(store):
    lineage = organisation_lineage(store, "AT")  # an alternative name (skos:altLabel)
    assert lineage.organisation == f"{EX}alpha"
    assert [(r.iri, r.event, r.date) for r in lineage.successors] == [(f"{EX}gamma", f"{EX}merger", "2020-03")]
    assert lineage.predecessors == ()
    assert [(e.role, e.status) for e in lineage.events] == [("original", HAPPENED)]


def test_what_an_organisation_stands_behind_and_what_it_inherited(store):
    lineage = organisation_lineage(store, "Gamma Centre")
    assert _pieces(lineage.stands_behind) == [
        ("gamma-guide", ("dcterms:publisher",), "2021-02-01", [], ["delta"], ["gamma"]),
        ("gamma-note", ("dcterms:publisher",), None, [], [], ["gamma"]),
    ]
    assert [(i.source, i.event, i.date) for i in lineage.inherited] == [
        (f"{EX}alpha", f"{EX}merger", "2020-03"), (f"{EX}beta", f"{EX}merger", "2020-03")]
    alpha, beta = lineage.inherited
    assert _pieces(alpha.items) == [
        ("beta-review", ("ev:commissionedBy",), "2019", [], ["alpha"], ["beta"]),
        ("alpha-paper", ("dcterms:publisher",), "2019-05-01", [], [], ["alpha"]),
        ("alpha-rating", ("prov:wasAttributedTo",), None, [], [], []),
    ]
    # A report's evaluators and commissioners are those of the study it describes (ev:reportsStudy).
    assert _pieces(beta.items) == [
        ("beta-review", ("dcterms:creator", "dcterms:publisher"), "2019", [], ["alpha"], ["beta"]),
        ("beta-trial-report", ("dcterms:publisher",), "2019-11", ["beta"], ["delta"], ["beta"]),
        ("beta-trial", ("ev:evaluatedBy",), None, ["beta"], ["delta"], []),
    ]
    assert lineage.left_out == {"after": 0, "cannot_be_ordered": 0}


def test_the_commissioner_sees_what_it_commissioned(store):
    lineage = organisation_lineage(store, "Delta Department")
    assert [(p.iri.removeprefix(EX), p.kind, p.relation) for p in lineage.stands_behind] == [
        ("gamma-guide", "practice guide", ("ev:commissionedBy",)),
        ("beta-trial", "study", ("ev:commissionedBy",)),
    ]
    assert lineage.inherited == ()


def test_several_matching_organisations_are_listed(store):
    with pytest.raises(AmbiguousMatch) as caught:
        organisation_lineage(store, "t")  # Alpha Trust, Beta Institute, Gamma Centre, Delta Department
    assert caught.value.message == "'t' matches 4 things; name one of them:"


# -- text, as of dates before and after the merger ---------------------------------------------------


GAMMA_NOW = f"""\
Organisation    Gamma Centre   ({EX}gamma)
Formed by       Merger of Alpha and Beta into Gamma   ({EX}merger, 2020-03)
Predecessors    Alpha Trust   ({EX}alpha; {EX}merger, 2020-03)
                Beta Institute   ({EX}beta; {EX}merger, 2020-03)
Successors      none recorded
Stands behind   2 pieces, 1 undated (no date recorded; kept)
                2021-02-01 Gamma's guide   (practice guide; published)
                           evaluated by not recorded · commissioned by Delta Department · published by Gamma Centre
                undated    Gamma's note   (publication; published)
                           evaluated by not recorded · commissioned by not recorded · published by Gamma Centre
Inherited       from Alpha Trust ({EX}alpha) through {EX}merger, 2020-03: 3 pieces, 1 undated (no date recorded; kept)
                2019       Beta's review   (evidence review; commissioned)
                           evaluated by not recorded · commissioned by Alpha Trust · published by Beta Institute
                2019-05-01 Alpha's paper   (publication; published)
                           evaluated by not recorded · commissioned by not recorded · published by Alpha Trust
                undated    Alpha's cost rating of the programme   (rating; attributed to it)
                           evaluated, commissioned and published by: not recorded
                from Beta Institute ({EX}beta) through {EX}merger, 2020-03: 3 pieces, 1 undated (no date recorded; kept)
                2019       Beta's review   (evidence review; created, published)
                           evaluated by not recorded · commissioned by Alpha Trust · published by Beta Institute
                2019-11    Beta's trial report   (report; published)
                           evaluated by Beta Institute · commissioned by Delta Department · published by Beta Institute
                undated    Beta's trial   (study; evaluated)
                           evaluated by Beta Institute · commissioned by Delta Department · published by not recorded
"""


def test_text_with_everything_recorded(tmp_path):
    result = _org(tmp_path, "gamma")
    assert result.exit_code == 0
    assert result.output == GAMMA_NOW


def test_text_as_of_a_date_before_the_merger(tmp_path):
    result = _org(tmp_path, "gamma", "--as-of", "2020-01-01")
    assert result.exit_code == 0
    assert result.output == f"""\
Organisation    Gamma Centre   ({EX}gamma)
As of           2020-01-01 (change events and pieces dated after it, or in a month or year that contains it, are left out; undated ones are kept)
Not yet         Merger of Alpha and Beta into Gamma   ({EX}merger, dated 2020-03: after 2020-01-01)
                so as of 2020-01-01 Gamma Centre had not yet been formed: it is recorded only as resulting from that change
Predecessors    none as of 2020-01-01
Successors      none recorded
Stands behind   1 piece, 1 undated (no date recorded; kept)
                undated    Gamma's note   (publication; published)
                           evaluated by not recorded · commissioned by not recorded · published by Gamma Centre
Inherited       nothing: no predecessors as of 2020-01-01
Left out        1 piece dated after 2020-01-01
"""


def test_text_as_of_a_date_after_the_merger(tmp_path):
    result = _org(tmp_path, "gamma", "--as-of", "2020-06-30")
    assert result.exit_code == 0
    expected = GAMMA_NOW.splitlines()
    # The guide (2021-02-01) is not yet published; everything else is as now.
    expected[1:1] = [("As of           2020-06-30 (change events and pieces dated after it, or in a month or year"
                      " that contains it, are left out; undated ones are kept)")]
    expected[6:11] = ["Stands behind   1 piece, 1 undated (no date recorded; kept)",
                      "                undated    Gamma's note   (publication; published)",
                      ("                           evaluated by not recorded · commissioned by not recorded ·"
                       " published by Gamma Centre")]
    assert result.output.splitlines() == expected + ["Left out        1 piece dated after 2020-06-30"]


def test_an_original_organisation_before_the_merger_has_no_successor_yet(tmp_path):
    result = _org(tmp_path, "Alpha", "--as-of", "2019-06-30")
    assert result.exit_code == 0
    assert result.output == f"""\
Organisation    Alpha Trust   ({EX}alpha)
As of           2019-06-30 (change events and pieces dated after it, or in a month or year that contains it, are left out; undated ones are kept)
Not yet         Merger of Alpha and Beta into Gamma   ({EX}merger, dated 2020-03: after 2019-06-30)
Predecessors    none recorded
Successors      none as of 2019-06-30
Stands behind   2 pieces, 1 undated (no date recorded; kept)
                2019-05-01 Alpha's paper   (publication; published)
                           evaluated by not recorded · commissioned by not recorded · published by Alpha Trust
                undated    Alpha's cost rating of the programme   (rating; attributed to it)
                           evaluated, commissioned and published by: not recorded
Inherited       nothing: no predecessors
Left out        1 piece dated in a month or year that contains 2019-06-30 (cannot be ordered against it)
"""


def test_a_merger_dated_by_month_cannot_be_ordered_against_a_day_in_that_month(store):
    lineage = organisation_lineage(store, "gamma", as_of="2020-03-10")
    assert lineage.predecessors == () and lineage.inherited == () and lineage.not_yet_formed
    assert [(e.iri, e.status) for e in lineage.events] == [(f"{EX}merger", UNORDERED)]
    assert lineage_lines(lineage)[2] == (
        f"Not yet         Merger of Alpha and Beta into Gamma   ({EX}merger, dated 2020-03: in the month of 2020-03,"
        " which contains 2020-03-10; its exact day is not recorded, so it cannot be ordered against 2020-03-10 and"
        " is not counted)")
    # As of the month itself (its end), or the year, the merger has happened.
    for as_of in ("2020-03", "2020"):
        assert [r.iri for r in organisation_lineage(store, "gamma", as_of=as_of).predecessors] == [
            f"{EX}alpha", f"{EX}beta"]


# -- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, start, end", [
    ("2022-06-01", "2022-06-01", "2022-06-01"), ("2022-02", "2022-02-01", "2022-02-28"),
    ("2024-02", "2024-02-01", "2024-02-29"), ("2022", "2022-01-01", "2022-12-31"),
])
def test_as_of_is_a_day_a_month_or_a_year(text, start, end):
    period = parse_as_of(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


@pytest.mark.parametrize("text", ["2022-13-01", "2022-02-30", "01/06/2022", "2022-6-1", "June 2022", "",
                                  "2022-06-01T00:00:00"])
def test_a_bad_as_of_is_a_config_error(text):
    with pytest.raises(ConfigError) as caught:
        parse_as_of(text)
    assert caught.value.message == (f"The as-of date '{text}' is not a date: give a day (YYYY-MM-DD), a month"
                                    " (YYYY-MM) or a year (YYYY).")


def test_a_bad_as_of_is_one_sentence_and_exit_2(tmp_path):
    result = _org(tmp_path, "gamma", "--as-of", "2020-02-30")
    assert result.exit_code == 2
    assert result.output == ("Error: The as-of date '2020-02-30' is not a date: give a day (YYYY-MM-DD), a month"
                             " (YYYY-MM) or a year (YYYY).\n")


@pytest.mark.parametrize("dated, as_of, status", [
    ("2022-12", "2022-12-15", UNORDERED), ("2022-12", "2022-12", HAPPENED), ("2022-12", "2022-11-30", AFTER),
    ("2022-12", "2022", HAPPENED), ("2022", "2022-06-01", UNORDERED), ("2022-12-06T00:00:00", "2022-12-06", HAPPENED),
    ("2023-01-01", "2022", AFTER), (None, "2000", HAPPENED), ("not a date", "2022", UNORDERED),
])
def test_dates_of_mixed_granularity_against_as_of(dated, as_of, status):
    assert when(dated, parse_as_of(as_of)) == status


def test_predecessors_are_transitive_and_each_step_needs_its_event_to_have_happened():
    events = {IRI(f"{EX}e1"): ChangeEvent(IRI(f"{EX}e1"), "A into B", "2010", frozenset({IRI(f"{EX}a")}),
                                          frozenset({IRI(f"{EX}b")})),
              IRI(f"{EX}e2"): ChangeEvent(IRI(f"{EX}e2"), "B and C into D", "2015-04-01",
                                          frozenset({IRI(f"{EX}b"), IRI(f"{EX}c")}), frozenset({IRI(f"{EX}d")}))}
    names = {IRI(f"{EX}{x}"): x.upper() for x in "abcd"}

    def found(organisation: str, upstream: bool, as_of: str | None = None) -> list[tuple[str, str]]:
        graph = change_graph(events, parse_as_of(as_of) if as_of else None)
        return [(r.label, r.event.removeprefix(EX)) for r in relatives(graph, events, names, IRI(f"{EX}{organisation}"),
                                                                       upstream)]

    assert found("d", upstream=True) == [("A", "e1"), ("B", "e2"), ("C", "e2")]
    assert found("a", upstream=False) == [("B", "e1"), ("D", "e2")]
    assert found("d", upstream=True, as_of="2015-03") == []
    assert found("a", upstream=False, as_of="2015-03") == [("B", "e1")]


# -- JSON -----------------------------------------------------------------------------------------


def test_json_shape_and_byte_identical_runs(tmp_path):
    first = _org(tmp_path / "one", "gamma", "--as-of", "2020-06-30", "--format", "json")
    second = _org(tmp_path / "two", "gamma", "--as-of", "2020-06-30", "--format", "json")
    assert first.exit_code == 0 and first.output == second.output
    answer = json.loads(first.output)
    assert list(answer) == ["organisation", "label", "as_of", "predecessors", "successors", "stands_behind",
                            "inherited", "events", "left_out"]
    assert (answer["organisation"], answer["label"], answer["as_of"]) == (f"{EX}gamma", "Gamma Centre", "2020-06-30")
    assert answer["predecessors"][0] == {"iri": f"{EX}alpha", "label": "Alpha Trust", "event": f"{EX}merger",
                                         "date": "2020-03"}
    assert answer["successors"] == []
    assert answer["stands_behind"] == [{
        "iri": f"{EX}gamma-note", "label": "Gamma's note", "kind": "publication", "relation": ["dcterms:publisher"],
        "date": None, "evaluated_by": [], "commissioned_by": [],
        "published_by": [{"iri": f"{EX}gamma", "label": "Gamma Centre", "through": []}]}]
    assert [(i["from"], i["event"], i["date"], [p["iri"].removeprefix(EX) for p in i["items"]])
            for i in answer["inherited"]] == [
        (f"{EX}alpha", f"{EX}merger", "2020-03", ["beta-review", "alpha-paper", "alpha-rating"]),
        (f"{EX}beta", f"{EX}merger", "2020-03", ["beta-review", "beta-trial-report", "beta-trial"])]
    assert answer["events"] == [{"event": f"{EX}merger", "label": "Merger of Alpha and Beta into Gamma",
                                 "date": "2020-03", "role": "resulting", "status": "happened"}]
    assert answer["left_out"] == {"after": 1, "cannot_be_ordered": 0}


# -- the bundled data -----------------------------------------------------------------------------


def test_foundations_on_the_bundled_data(bundled_store):
    merger = "https://w3id.org/evgraph/id/event/wwcsc-eif-merger"
    now = organisation_lineage(bundled_store, "Foundations")
    assert [(r.iri.rsplit("/", 1)[-1], r.event, r.date) for r in now.predecessors] == [
        ("eif", merger, "2022-12"), ("wwcsc", merger, "2022-12")]
    assert [i.source.rsplit("/", 1)[-1] for i in now.inherited] == ["eif", "wwcsc"]
    before = organisation_lineage(bundled_store, "Foundations", as_of="2022-06-01")
    assert before.predecessors == () and before.inherited == () and before.not_yet_formed
    assert [(e.iri, e.date, e.status) for e in before.events] == [(merger, "2022-12", AFTER)]
    eif = organisation_lineage(bundled_store, "EIF", as_of="2022-06-01")
    assert eif.successors == ()
