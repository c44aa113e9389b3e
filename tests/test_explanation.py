"""The why tree: content of explanations built from the good evidence chain."""

from __future__ import annotations

from evgraph.explanation import EXPLANATION_QUERIES, explain, explain_rows
from evgraph.rules import read_rows
from evgraph.render import explanation_lines, explanation_markdown

EX = "https://example.org/evgraph-test/"


def test_recommendation_explanation_content(fixture_store):
    [e] = explain(fixture_store("good_evidence_chain"), "rec-1")
    data = e.to_json()
    assert data["subject"] == {"iri": f"{EX}rec-1", "label": "Offer the programme", "kind": "recommendation",
                               "about": "Example programme", "about_iris": [f"{EX}programme"]}
    assert {k: data["published"][k] for k in ("scheme", "level", "by", "in", "date")} == {
        "scheme": "Foundations practice-guide evidence strength", "level": "promising",
        "by": "Foundations", "in": "Example guide", "date": None}
    assert data["verdict"] == "cannot-verify"
    assert data["derived"] == {"level": None}
    assert data["missing"] == ["whether United States counts as 'UK or a comparable high-income country' (Example trial)"]
    [study] = data["studies"]
    assert {k: study[k] for k in ("iri", "label", "link", "design", "country", "intervention_arm", "control_arm",
                                  "risk_of_bias", "appraised_by")} == {
        "iri": f"{EX}trial", "label": "Example trial", "link": "confirmed", "design": ["randomised controlled trial"],
        "country": ["United States"], "intervention_arm": 79, "control_arm": 77, "risk_of_bias": "moderate",
        "appraised_by": "Example review, by Example review team"}
    assert [r["title"] for r in study["reports"]] == ["Outcomes at six months", "Outcomes at one year"]
    assert [r["title"] for r in data["reviews"]] == ["A systematic review"]
    assert {(c["criterion"], c["status"]) for c in data["criteria"] if c["level"] == "promising"} == {
        ("at least 1 distinct study", "met"),
        ("design: quasi-experimental design or randomised controlled trial", "met"),
        ("country: UK or a comparable high-income country", "unknown"),
        ("risk of bias at most moderate", "met"),
    }
    assert data["sources"] == [f"https://example.org/source/{s}" for s in ("guide", "paper-1", "paper-2", "review", "trial")]


def test_intervention_explains_its_ratings_then_its_recommendations(fixture_store):
    explanations = explain(fixture_store("good_evidence_chain"), "Example programme")
    assert [(e.subject["kind"], e.subject["iri"]) for e in explanations] == [
        ("rating", f"{EX}rating"), ("recommendation", f"{EX}rec-1")]
    rating = explanations[0]
    assert rating.published["basis"] == "digit read, '+' inferred from page structure"
    assert rating.published["inferred"] is True
    assert [s.link for s in rating.studies] == ["candidate"]
    assert rating.studies[0].link_basis == "Same programme; not confirmed."


def test_text_rendering_shows_verdict_studies_and_sources(fixture_store):
    [e] = explain(fixture_store("good_evidence_chain"), "rec-1")
    lines = explanation_lines(e)
    assert lines[0] == "Recommendation  Offer the programme   (Example guide, Foundations)"
    assert lines[2] == "Published       promising — Foundations practice-guide evidence strength"
    assert ("Studies         ✓ Example trial   randomised controlled trial · United States · 79/77 per arm"
            " · RoB moderate (judged by Example review, by Example review team)") in lines
    assert "Verdict         cannot-verify: facts needed to check the published level are missing" in lines
    assert lines[-1] == "                https://example.org/source/trial"


def test_trace_leaves_out_the_rule_check(fixture_store):
    [e] = explain(fixture_store("good_evidence_chain"), "rec-1", check_rules=False)
    assert e.verdict is None and e.criteria == []
    text = "\n".join(explanation_lines(e, with_rules=False))
    assert "Verdict" not in text and "Check" not in text and "Example trial" in text


def test_markdown_has_a_study_table(fixture_store):
    [e] = explain(fixture_store("good_evidence_chain"), "rec-1")
    markdown = explanation_markdown(e)
    assert markdown.startswith("### Offer the programme\n")
    assert ("| confirmed | Example trial | randomised controlled trial | United States | 79/77 per arm |"
            " moderate (Example review, by Example review team) | Outcomes at six months (2010); Outcomes at one year (2012) |") in markdown
    assert "- **Verdict:** `cannot-verify`" in markdown


def test_why_answers_every_recommendation_and_rating_in_the_bundled_data(bundled_store):
    rows = read_rows(bundled_store, None, EXPLANATION_QUERIES)
    subjects = sorted({row["subject"] for row in rows["internal/claims"]})
    assert len(subjects) == 72
    for e in explain_rows(rows, subjects):
        subject = e.subject["iri"]
        assert e.verdict in {"consistent", "overclaim", "underclaim", "cannot-verify", "no-rule"}, subject
        assert e.sources, f"{subject} has no sources"
        assert e.reason


class CountingStore:
    """A store that counts the queries asked of it."""

    def __init__(self, store):
        self.store, self.asked = store, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def select(self, sparql, bindings=None):
        self.asked.append(sparql)
        return self.store.select(sparql, bindings)

    def select_kept(self, sparql):
        self.asked.append(sparql)
        return self.store.select_kept(sparql)


def test_why_asks_a_fixed_number_of_queries_however_many_studies(bundled_store):
    """No N+1: the navigator recommendation (7 studies) and the FHF one (2 studies) cost the same queries."""
    counts = {}
    for thing, studies in (("rec:kinship-navigator-programmes", 7), ("rec:mb-mental-health-skills-and-mentoring", 2)):
        counting = CountingStore(bundled_store)
        [e] = explain(counting, thing)
        assert len(e.studies) == studies
        counts[thing] = len(counting.asked)
    assert set(counts.values()) == {12}
