"""Finding what a person means: IRI, prefixed name, slug, label fragment; ambiguity and near misses."""

from __future__ import annotations

import pytest
from evgraph.terms import IRI as URIRef

from evgraph.errors import NotFound
from evgraph.lookup import AmbiguousMatch, resolve

EX = "https://example.org/evgraph-test/"


@pytest.fixture
def graph(fixture_store):
    """The good evidence chain with its ontology, in a store."""
    return fixture_store("good_evidence_chain")


def test_full_iri_and_angle_brackets(graph):
    assert resolve(graph, f"{EX}rec-1").iri == URIRef(f"{EX}rec-1")
    assert resolve(graph, f"<{EX}rating>").kind == "Rating"


def test_slug(graph):
    assert resolve(graph, "rec-2").label == "Consider the programme for older children"
    assert resolve(graph, "programme").kind == "Intervention"  # a whole slug wins over label fragments


def test_case_insensitive_label_fragment(graph):
    assert resolve(graph, "OLDER CHILDREN").iri == URIRef(f"{EX}rec-2")


def test_exact_label_beats_fragment(graph):
    assert resolve(graph, "offer the programme").iri == URIRef(f"{EX}rec-1")


def test_several_matches_list_the_candidates(graph):
    with pytest.raises(AmbiguousMatch) as caught:
        resolve(graph, "the programme")
    assert caught.value.message == "'the programme' matches 2 things; name one of them:"
    assert caught.value.exit_code == 2
    assert caught.value.hint.splitlines() == [
        f"  Recommendation  Consider the programme for older children  <{EX}rec-2>",
        f"  Recommendation  Offer the programme  <{EX}rec-1>",
    ]


def test_no_match_suggests_nearest_labels(graph):
    with pytest.raises(NotFound) as caught:
        resolve(graph, "Exmaple programm")
    assert caught.value.message == "Nothing matches 'Exmaple programm'."
    assert caught.value.hint == ("Nearest names: Example programme; Offer the programme;"
                                 " Guidebook rating of the example programme")


def test_unknown_iri_is_not_found(graph):
    with pytest.raises(NotFound) as caught:
        resolve(graph, f"{EX}nothing")
    assert caught.value.message == f"No recommendation, rating or intervention has the IRI {EX}nothing."


def test_no_match_among_other_kinds_says_how_to_name_one(graph):
    with pytest.raises(NotFound) as caught:
        resolve(graph, "qqqqqqqq", ("Study", "Report"))
    assert caught.value.hint == ("Name the study or report by its IRI, its prefixed name (such as study:fhf-pilot) "
                                 "or part of its label.")
