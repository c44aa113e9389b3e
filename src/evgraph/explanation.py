"""The "why" tree: what was rated, by whom, on which studies, and whether the rules agree.

An :class:`Explanation` is a plain value; rendering it (text, Markdown, JSON) happens at the edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Literal, Node

from evgraph.lookup import EXPLAINABLE, Match, resolve
from evgraph.namespaces import BIBO, DCTERMS, EV, PROV, RDF, RDFS, SKOS
from evgraph.rules import Derivation, candidate_studies, confirmed_studies, derive
from evgraph.store import Store


@dataclass(frozen=True)
class ReportView:
    """A publication that describes a study."""

    iri: str
    title: str
    year: str | None
    doi: str | None
    sources: list[str]


@dataclass(frozen=True)
class FindingView:
    """A result a study reported."""

    outcome: str
    direction: str | None
    significant: bool | None
    follow_up_months: float | None


@dataclass(frozen=True)
class StudyView:
    """One distinct study behind a claim, with the facts the rules look at."""

    iri: str
    label: str
    link: str
    link_basis: str | None
    design: list[str]
    design_as_described: str | None
    country: list[str]
    intervention_arm: int | None
    control_arm: int | None
    sample_size: int | None
    risk_of_bias: str | None
    appraised_by: str | None
    reports: list[ReportView]
    findings: list[FindingView]
    sources: list[str]


@dataclass(frozen=True)
class ReviewView:
    """An evidence review a guide rests on, with its own conclusions."""

    iri: str
    title: str
    authors: str | None
    year: str | None
    included_study_list_available: bool | None
    conclusions: list[str]
    sources: list[str]


@dataclass
class Explanation:
    """Why a recommendation or rating says what it says."""

    subject: dict
    published: dict
    criteria_text: str | None
    criteria: list[dict]
    derived: dict
    verdict: str | None
    reason: str | None
    missing: list[str]
    reviews: list[ReviewView]
    studies: list[StudyView]
    notes: list[str]
    conflicts: list[dict]
    concerns: list[str]
    sources: list[str] = field(default_factory=list)
    if_candidates_confirmed: dict | None = None

    def to_json(self) -> dict:
        """The explanation as a JSON-ready dict."""
        return asdict(self)


# -- small readers --------------------------------------------------------------------------------


def _label(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    for prop in (RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.notation):
        value = graph.value(node, prop)
        if value is not None:
            return str(value)
    return str(node)


def _joined(graph: Graph, node: Node | None, prop: URIRef) -> str | None:
    """Labels of every value of a property, sorted and joined, so the answer never depends on order."""
    if node is None:
        return None
    return "; ".join(sorted(_label(graph, v) for v in graph.objects(node, prop))) or None


def _text(graph: Graph, node: Node, prop: URIRef) -> str | None:
    value = graph.value(node, prop)
    return None if value is None else str(value)


def _number(graph: Graph, node: Node, prop: URIRef) -> int | None:
    value = graph.value(node, prop)
    return int(value.toPython()) if isinstance(value, Literal) else None


def _sources(graph: Graph, node: Node) -> list[str]:
    return sorted(str(s) for s in graph.objects(node, DCTERMS.source))


def _year(graph: Graph, node: Node) -> str | None:
    value = graph.value(node, EV.year) or graph.value(node, DCTERMS.issued)
    return None if value is None else str(value)[:4]


def _boolean(graph: Graph, node: Node, prop: URIRef) -> bool | None:
    value = graph.value(node, prop)
    return None if value is None else bool(value.toPython())


# -- building blocks ------------------------------------------------------------------------------


def _study_view(graph: Graph, study: URIRef, subject: URIRef, link: str) -> StudyView:
    basis = None
    if link == "candidate":
        for candidate in graph.subjects(EV.proposedStudy, study):
            if graph.value(candidate, EV.proposedFor) == subject:
                basis = _text(graph, candidate, EV.linkBasis)
    appraisal = min(graph.subjects(EV.appraises, study), default=None)
    reports = sorted(
        (ReportView(str(r), _text(graph, r, DCTERMS.title) or _label(graph, r), _year(graph, r),
                    _text(graph, r, BIBO.doi), _sources(graph, r))
         for r in graph.subjects(EV.reportsStudy, study)),
        key=lambda r: (r.year or "", r.title))
    findings = sorted(
        (FindingView(_text(graph, f, EV.outcomeDescription) or _label(graph, f),
                     _label(graph, graph.value(f, EV.direction)), _boolean(graph, f, EV.significant),
                     float(graph.value(f, EV.followUpMonths)) if graph.value(f, EV.followUpMonths) is not None else None)
         for f in graph.subjects(EV.ofStudy, study)),
        key=lambda f: f.outcome)
    return StudyView(
        iri=str(study), label=_label(graph, study), link=link, link_basis=basis,
        design=sorted(_label(graph, d) for d in graph.objects(study, EV.design)),
        design_as_described=_text(graph, study, EV.designDescription),
        country=sorted(_label(graph, c) for c in graph.objects(study, EV.country)),
        intervention_arm=_number(graph, study, EV.interventionArmSize),
        control_arm=_number(graph, study, EV.controlArmSize),
        sample_size=_number(graph, study, EV.sampleSize),
        risk_of_bias=_label(graph, graph.value(appraisal, EV.riskOfBias)) if appraisal else None,
        appraised_by=_label(graph, graph.value(appraisal, PROV.wasAttributedTo)) if appraisal else None,
        reports=reports, findings=findings, sources=_sources(graph, study),
    )


def _review_view(graph: Graph, review: URIRef) -> ReviewView:
    conclusions = sorted(str(graph.value(s, RDF.value)) for s in graph.subjects(EV.conclusionOf, review)
                         if graph.value(s, RDF.value) is not None)
    authors = _text(graph, review, EV.authorNames) or ", ".join(
        sorted(_label(graph, c) for c in graph.objects(review, DCTERMS.creator))) or None
    return ReviewView(str(review), _text(graph, review, DCTERMS.title) or _label(graph, review), authors,
                      _year(graph, review), _boolean(graph, review, EV.includedStudyListAvailable),
                      conclusions, _sources(graph, review))


def _reviews_of(graph: Graph, subject: URIRef, guidance: Node | None) -> list[URIRef]:
    reviews = set(graph.objects(subject, PROV.wasDerivedFrom))
    if guidance is not None:
        reviews |= set(graph.objects(guidance, EV.basedOn))
    return sorted(r for r in reviews if (r, RDF.type, EV.EvidenceReview) in graph)


def _published(graph: Graph, subject: URIRef, kind: str) -> dict:
    if kind == "Recommendation":
        level = graph.value(subject, EV.publishedStrength)
        guidance = graph.value(subject, EV.inGuidance)
        return {
            "scheme": _label(graph, graph.value(level, SKOS.inScheme)) if level else None,
            "level": _label(graph, level),
            "as_stated": _text(graph, subject, EV.strengthAsStated),
            "not_recorded_because": _text(graph, subject, EV.strengthNotRecorded),
            "by": _joined(graph, guidance, DCTERMS.publisher),
            "in": _label(graph, guidance),
            "date": _text(graph, guidance, DCTERMS.issued) if guidance else None,
        }
    level = graph.value(subject, EV.evidenceLevel)
    basis = graph.value(subject, EV.ratingBasis)
    return {
        "scheme": _label(graph, graph.value(level, SKOS.inScheme)) if level else None,
        "level": _label(graph, level),
        "as_stated": _text(graph, subject, EV.levelAsStated),
        "cost": _label(graph, graph.value(subject, EV.costRating)),
        "basis": _label(graph, basis),
        "inferred": _boolean(graph, basis, EV.inferred) if basis else None,
        "mixed_findings": _boolean(graph, subject, EV.mixedFindings),
        "by": _joined(graph, subject, PROV.wasAttributedTo),
        "in": _label(graph, graph.value(subject, EV.inGuidance)),
        "date": _text(graph, subject, EV.lastReviewed) or _text(graph, subject, EV.reviewVersion),
    }


# -- the public functions -------------------------------------------------------------------------


def _subjects_for(graph: Graph, match: Match) -> list[URIRef]:
    if match.kind != "Intervention":
        return [match.iri]
    ratings = sorted(graph.subjects(EV.rates, match.iri))
    recommendations = sorted(r for r in graph.subjects(EV.about, match.iri) if (r, RDF.type, EV.Recommendation) in graph)
    return ratings + recommendations


def build_explanation(graph: Graph, subject: URIRef, check_rules: bool = True,
                      derivation: Derivation | None = None) -> Explanation:
    """The explanation of one recommendation or rating (reusing ``derivation`` when already derived)."""
    kind = "Recommendation" if (subject, RDF.type, EV.Recommendation) in graph else "Rating"
    about = sorted(set(graph.objects(subject, EV.rates)) | set(graph.objects(subject, EV.about)))
    guidance = graph.value(subject, EV.inGuidance)
    if check_rules and derivation is None:
        derivation = derive(graph, subject)
    what_if = None
    if derivation is not None and derivation.candidates:
        hypothetical = derive(graph, subject, count_candidates=True)
        what_if = {"verdict": hypothetical.verdict, "derived": _label(graph, hypothetical.derived),
                   "reason": hypothetical.reason, "missing": hypothetical.missing}
    studies = [_study_view(graph, s, subject, "confirmed") for s in confirmed_studies(graph, subject)]
    studies += [_study_view(graph, s, subject, "candidate") for s in candidate_studies(graph, subject)
                if str(s) not in {v.iri for v in studies}]
    reviews = [_review_view(graph, r) for r in _reviews_of(graph, subject, guidance)]
    level = graph.value(subject, EV.publishedStrength) or graph.value(subject, EV.evidenceLevel)
    concerns = sorted(str(graph.value(c, RDF.value)) for c in graph.subjects(RDF.type, EV.Concern)
                      if {subject, guidance} & set(graph.objects(c, EV.concerns)))
    sources = set(_sources(graph, subject))
    for view in studies:
        sources.update(view.sources)
        for report in view.reports:
            sources.update(report.sources)
    for review in reviews:
        sources.update(review.sources)
    return Explanation(
        subject={"iri": str(subject), "label": _label(graph, subject), "kind": kind.lower(),
                 "about": "; ".join(sorted(_label(graph, a) for a in about)) or None,
                 "about_iris": [str(a) for a in about]},
        published=_published(graph, subject, kind),
        criteria_text=_text(graph, level, EV.criteriaText) if level is not None else None,
        criteria=[c.to_json() for c in derivation.criteria] if derivation else [],
        derived={"level": _label(graph, derivation.derived)} if derivation else {},
        verdict=derivation.verdict if derivation else None,
        reason=derivation.reason if derivation else None,
        missing=derivation.missing if derivation else [],
        reviews=reviews,
        studies=studies,
        notes=sorted(str(n) for n in graph.objects(subject, SKOS.note)),
        conflicts=[{"iri": str(c), "label": _label(graph, c), "level": _label(graph, graph.value(c, EV.evidenceLevel)),
                    "sources": _sources(graph, c)} for c in sorted(graph.objects(subject, EV.conflictsWith))],
        concerns=concerns,
        sources=sorted(sources),
        if_candidates_confirmed=what_if,
    )


def explain(store: Store, thing: str, check_rules: bool = True) -> list[Explanation]:
    """Explain what ``thing`` names: a recommendation, a rating, or every rating and recommendation about an intervention."""
    graph = store.data_and_ontology_graph
    match = resolve(graph, thing, EXPLAINABLE)
    return [build_explanation(graph, subject, check_rules) for subject in _subjects_for(graph, match)] or [
        _unrated(graph, match)]


def _unrated(graph: Graph, match: Match) -> Explanation:
    """An intervention with no rating or recommendation: say so, with its notes and sources."""
    return Explanation(
        subject={"iri": str(match.iri), "label": match.label, "kind": "intervention", "about": None, "about_iris": []},
        published={}, criteria_text=None, criteria=[], derived={}, verdict=None,
        reason="no rating or recommendation about this intervention is recorded", missing=[], reviews=[],
        studies=[_study_view(graph, s, match.iri, "evaluates") for s in sorted(graph.subjects(EV.evaluates, match.iri))],
        notes=sorted(str(n) for n in graph.objects(match.iri, SKOS.note)), conflicts=[], concerns=[],
        sources=_sources(graph, match.iri),
    )
