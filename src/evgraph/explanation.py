"""The "why" tree: what was rated, by whom, on which studies, and whether the rules agree.

Built from the rows of a fixed set of queries (the rules' own, plus claim-links, claim-reviews and
study-reports), whether for one claim or for every claim in an audit. An :class:`Explanation` is a
plain value; rendering it (text, Markdown, JSON) happens at the edge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from evgraph.lookup import Match, resolve
from evgraph.namespaces import DCTERMS, EV, SKOS
from evgraph.queries import run
from evgraph.rules import Derivation, EvidenceRows, derive, evidence_from, read_rows
from evgraph.rules.records import Evidence, first, group, label_of, values, whole_number
from evgraph.store import Store
from evgraph.terms import IRI, Literal

#: The subject queries an explanation reads beyond the rules' own.
EXPLANATION_QUERIES = ("internal/claim-links", "internal/claim-reviews", "internal/study-reports",
                       "internal/fact-origins")


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
    #: Where the facts above come from: ``{"facts", "method", "sources"}``, one per distinct origin.
    origins: list[dict] = field(default_factory=list)
    #: For a confirmed study, who confirmed the link and where: ``{"by", "method", "sources"}`` each, ``by``
    #: listing every agent the graph is attributed to (the partner and whoever stated the link).
    confirmed_by: list[dict] = field(default_factory=list)
    #: True when curation had proposed this study as a candidate before a source confirmed it.
    was_candidate: bool = False


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
    #: Re-reviews: ``{"relation": "revises" | "revised by", "iri", "label", "level"}``.
    revisions: list[dict]
    concerns: list[str]
    sources: list[str] = field(default_factory=list)
    if_candidates_confirmed: dict | None = None
    #: The verdict under named assumptions (``why --assume``): see :mod:`evgraph.lineage.what_if`.
    assumed: dict | None = None

    def to_json(self) -> dict:
        """The explanation as a JSON-ready dict."""
        return asdict(self)


# -- small readers over rows ----------------------------------------------------------------------


def _text(rows: list[dict], column: str) -> str | None:
    value = first(rows, column)
    return None if value is None else str(value)


def _texts(rows: list[dict], column: str) -> list[str]:
    return sorted({str(v) for v in values(rows, column)})


def _flag(rows: list[dict], column: str) -> bool | None:
    flags = {v.boolean() for v in values(rows, column) if isinstance(v, Literal)} - {None}
    return flags.pop() if len(flags) == 1 else None


def _year(rows: list[dict]) -> str | None:
    value = first(rows, "year") or first(rows, "issued")
    return None if value is None else str(value)[:4]


class _Index:
    """The explanation queries' rows, grouped once by subject (and study) for quick assembly."""

    def __init__(self, rows: EvidenceRows, evidence: Evidence):
        self.evidence = evidence
        self.claims = group(rows["internal/claims"], "subject")
        self.links = group(rows["internal/claim-links"], "subject")
        self.reviews = group(rows["internal/claim-reviews"], "subject")
        self.evidence_links = group(rows["internal/claim-evidence"], "subject")
        self.facts = group(rows["internal/study-facts"], "study")
        self.appraisals = group(rows["internal/study-appraisals"], "study")
        self.findings = group(rows["internal/study-findings"], "study")
        self.reports = group(rows["internal/study-reports"], "study")
        self.origins = group(rows["internal/fact-origins"], "node", "property")

    def study_view(self, study: IRI, link: str, basis: str | None) -> StudyView:
        facts = group(self.facts.get((study,), []), "property")

        def fact(prop: IRI) -> list[dict]:
            return facts.get((prop,), [])

        def number(prop: IRI) -> int | None:
            return whole_number(values(fact(prop), "value"))[0]

        appraisals = self.appraisals.get((study,), [])
        reports = sorted((ReportView(str(report), label_of(first(r, "title"), first(r, "label"), fallback=report),
                                     _year(r), _text(r, "doi"), _texts(r, "source"))
                          for (report,), r in group(self.reports.get((study,), []), "report").items()),
                         key=lambda r: (r.year or "", r.title))
        findings = sorted((FindingView(label_of(first(f, "outcome"), first(f, "label"), fallback=finding),
                                       _text(f, "directionLabel") or _text(f, "direction"), _flag(f, "significant"),
                                       _follow_up(f))
                           for (finding,), f in group(self.findings.get((study,), []), "finding").items()),
                          key=lambda f: f.outcome)
        risk = "; ".join(_texts(appraisals, "riskLabel")) or None
        reviews = "; ".join(_texts(appraisals, "judgedInLabel") or _texts(appraisals, "judgedIn"))
        agents = "; ".join(_texts(appraisals, "judgedByLabel") or _texts(appraisals, "judgedBy"))
        judges = ", ".join(part for part in (reviews, f"by {agents}" if agents else "") if part) or None
        return StudyView(
            iri=str(study), label=self.evidence.label(study) if study in self.evidence.studies else str(study),
            link=link, link_basis=basis,
            design=sorted({label_of(r["valueLabel"], fallback=r["value"]) for r in fact(EV.design)}),
            design_as_described="; ".join(_texts(fact(EV.designDescription), "value")) or None,
            country=sorted({label_of(r["valueLabel"], fallback=r["value"]) for r in fact(EV.country)}),
            intervention_arm=number(EV.interventionArmSize), control_arm=number(EV.controlArmSize),
            sample_size=number(EV.sampleSize), risk_of_bias=risk, appraised_by=judges if risk else None,
            reports=reports, findings=findings, sources=_texts(fact(DCTERMS.source), "value"),
            origins=self.origins_of(study),
        )

    def origins_of(self, study: IRI) -> list[dict]:
        """Where the study facts an explanation shows come from, one entry per distinct origin."""
        grouped: dict[tuple, list[str]] = {}
        for prop, name in _ORIGIN_FACTS.items():
            rows = self.origins.get((study, prop), [])
            if rows:
                found = origin(rows)
                grouped.setdefault((found["method"], tuple(found["sources"])), []).append(name)
        # In the order of the first fact of each origin (dicts keep insertion order).
        return [{"facts": names, "method": method, "sources": list(sources)} for (method, sources), names in grouped.items()]

    def level_origin(self, subject: IRI, claim: list[dict]) -> dict | None:
        """Where a claim's published level or strength comes from; None when it has none."""
        rows = self.origins.get((subject, EV.publishedStrength), []) + self.origins.get((subject, EV.evidenceLevel), [])
        return origin(rows) if first(claim, "level") and rows else None

    def confirmations(self, subject: IRI, study: IRI) -> list[dict]:
        """Who recorded the confirmed link from a claim to a study, how and from which documents."""
        rows = [r for prop in (EV.supportedBy, EV.basedOn) for r in self.origins.get((subject, prop), [])
                if r["value"] == study]
        merged: dict[tuple, list[str]] = {}  # (method, sources) -> agents: a graph attributed to several agents
        for (by,), by_rows in group(rows, "recordedBy").items():
            found = origin(by_rows)
            merged.setdefault((found["method"], tuple(found["sources"])), []).append(str(by))
        return [{"by": sorted(by), "method": method, "sources": list(sources)}
                for (method, sources), by in merged.items()]

    def studies_of(self, subject: IRI, links: tuple[str, ...]) -> list[StudyView]:
        views: dict[str, StudyView] = {}
        rows = self.evidence_links.get((subject,), [])
        candidates = {r["study"] for r in rows if str(r["link"]) == "candidate"}
        for link in links:
            for (study,), linked in group([r for r in rows if str(r["link"]) == link], "study").items():
                if str(study) not in views:
                    view = self.study_view(study, link, _text(linked, "basis"))
                    if link == "confirmed":
                        view = replace(view, confirmed_by=self.confirmations(subject, study),
                                       was_candidate=study in candidates)
                    views[str(study)] = view
        return list(views.values())

    def review_views(self, subject: IRI) -> list[ReviewView]:
        views = []
        for (review,), rows in group(self.reviews.get((subject,), []), "review").items():
            authors = _text(rows, "authorNames") or ", ".join(_texts(rows, "creatorLabel")) or None
            views.append(ReviewView(str(review), label_of(first(rows, "title"), first(rows, "label"), fallback=review),
                                    authors, _year(rows), _flag(rows, "listAvailable"), _texts(rows, "conclusion"),
                                    _texts(rows, "source")))
        return views


#: The study facts whose origin an explanation shows, in the words it uses for them.
_ORIGIN_FACTS = {EV.design: "design", EV.designDescription: "design as described", EV.country: "country",
                 EV.interventionArmSize: "intervention arm", EV.controlArmSize: "control arm",
                 EV.sampleSize: "sample size"}


def origin(rows: list[dict]) -> dict:
    """How (a method of ``ev:MethodScheme``, by its name) and from which documents a fact was recorded."""
    found = _text(rows, "method")
    return {"method": found.rsplit("/", 1)[-1] if found else "not recorded", "sources": _texts(rows, "source")}


def _follow_up(rows: list[dict]) -> float | None:
    months = [v.number() for v in values(rows, "followUpMonths") if isinstance(v, Literal)]
    return months[0] if len(months) == 1 else None


def _labels(rows: list[dict]) -> str | None:
    return "; ".join(sorted({label_of(r["targetLabel"], fallback=r["target"]) for r in rows})) or None


def _published(claim: list[dict], links: dict[str, list[dict]], kind: str, level_origin: dict | None) -> dict:
    level = _text(claim, "levelLabel") or _text(claim, "level")
    common = {"scheme": _text(claim, "schemeLabel") if first(claim, "level") else None, "level": level,
              "as_stated": _text(claim, "asStated"), "origin": level_origin}
    if kind == "Recommendation":
        return {**common, "not_recorded_because": _text(claim, "notRecordedBecause"),
                "by": _labels(links.get("publisher", [])), "in": _text(claim, "guidanceLabel")
                or _text(claim, "guidance"), "date": _text(claim, "guidanceIssued")}
    basis = first(claim, "basis")
    return {**common, "cost": _text(claim, "costLabel"), "basis": _text(claim, "basisLabel") or _text(claim, "basis"),
            "inferred": _flag(claim, "inferred") if basis else None, "mixed_findings": _flag(claim, "mixedFindings"),
            "by": _labels(links.get("attributed to", [])),
            "in": _text(claim, "guidanceLabel") or _text(claim, "guidance"),
            "date": _text(claim, "lastReviewed") or _text(claim, "reviewVersion")}


def _what_if(index: _Index, subject: IRI, derivation: Derivation | None) -> dict | None:
    if derivation is None or not derivation.candidates:
        return None
    hypothetical = derive(index.evidence, index.evidence.claims[subject], count_candidates=True)
    return {"verdict": hypothetical.verdict.value,
            "derived": index.evidence.label(hypothetical.derived) if hypothetical.derived else None,
            "reason": hypothetical.reason, "missing": hypothetical.missing}


def _build(index: _Index, subject: IRI, derivation: Derivation | None) -> Explanation:
    claim = index.claims.get((subject,), [])
    kind = str(first(claim, "kind")).rsplit("#", 1)[-1]
    by_relation = {str(key[0]): rows for key, rows in group(index.links.get((subject,), []), "relation").items()}
    about = by_relation.get("about", [])
    studies = index.studies_of(subject, ("confirmed", "candidate"))
    reviews = index.review_views(subject)
    sources = set(_texts(by_relation.get("source", []), "target"))
    for view in studies:
        sources.update(view.sources)
        for report in view.reports:
            sources.update(report.sources)
    for review in reviews:
        sources.update(review.sources)
    conflicts = []
    for (conflict,), rows in group(by_relation.get("conflict", []), "target").items():
        conflict_sources = [r for r in by_relation.get("conflict source", []) if r["target"] == conflict]
        conflicts.append({"iri": str(conflict), "label": label_of(first(rows, "targetLabel"), fallback=conflict),
                          "level": _text(rows, "text"), "sources": _texts(conflict_sources, "text")})
    revisions = [{"relation": relation, "iri": str(target), "label": label_of(first(rows, "targetLabel"), fallback=target),
                  "level": _text(rows, "text")}
                 for relation in ("revises", "revised by")
                 for (target,), rows in group(by_relation.get(relation, []), "target").items()]
    return Explanation(
        subject={"iri": str(subject), "label": label_of(first(claim, "label"), fallback=subject), "kind": kind.lower(),
                 "about": _labels(about), "about_iris": sorted({str(r["target"]) for r in about})},
        published=_published(claim, by_relation, kind, index.level_origin(subject, claim)),
        criteria_text=_text(claim, "criteriaText"),
        criteria=[c.to_json() for c in derivation.criteria] if derivation else [],
        derived={"level": index.evidence.label(derivation.derived) if derivation.derived else None}
        if derivation else {},
        verdict=derivation.verdict.value if derivation else None,
        reason=derivation.reason if derivation else None,
        missing=derivation.missing if derivation else [],
        reviews=reviews, studies=studies,
        notes=_texts(by_relation.get("note", []), "text"),
        conflicts=conflicts,
        revisions=revisions,
        concerns=_texts(by_relation.get("concern", []), "text"),
        sources=sorted(sources),
        if_candidates_confirmed=_what_if(index, subject, derivation),
    )


def explain_rows(rows: EvidenceRows, subjects: list[IRI], derivations: dict[IRI, Derivation] | None = None,
                 check_rules: bool = True, evidence: Evidence | None = None) -> list[Explanation]:
    """Explanations of some claims from already-read rows (reusing records and derivations when given)."""
    evidence = evidence or evidence_from(rows)
    index = _Index(rows, evidence)
    explanations = []
    for subject in subjects:
        derivation = (derivations or {}).get(subject)
        if check_rules and derivation is None and subject in evidence.claims:
            derivation = derive(evidence, evidence.claims[subject])
        explanations.append(_build(index, subject, derivation if check_rules else None))
    return explanations


def explain(store: Store, thing: str, check_rules: bool = True) -> list[Explanation]:
    """Explain what ``thing`` names: a recommendation, a rating, or every rating and recommendation about an intervention."""
    match = resolve(store, thing)
    if match.kind != "Intervention":
        rows = read_rows(store, match.iri, EXPLANATION_QUERIES)
        return explain_rows(rows, [match.iri], check_rules=check_rules)
    subjects = [row["subject"] for row in run(store, "internal/claims-about", {"intervention": match.iri})]
    explanations = []
    for subject in subjects:  # one claim at a time: each answer is a fixed set of queries
        explanations += explain_rows(read_rows(store, subject, EXPLANATION_QUERIES), [subject], check_rules=check_rules)
    return explanations or [_unrated(store, match)]


def _unrated(store: Store, match: Match) -> Explanation:
    """An intervention with no rating or recommendation: say so, with the studies that evaluate it."""
    rows = read_rows(store, match.iri, EXPLANATION_QUERIES)
    index = _Index(rows, evidence_from(rows))
    facts = group(run(store, "internal/node-notes", {"node": match.iri}), "property")
    return Explanation(
        subject={"iri": str(match.iri), "label": match.label, "kind": "intervention", "about": None, "about_iris": []},
        published={}, criteria_text=None, criteria=[], derived={}, verdict=None,
        reason="no rating or recommendation about this intervention is recorded", missing=[], reviews=[],
        studies=index.studies_of(match.iri, ("evaluates",)),
        notes=_texts(facts.get((SKOS.note,), []), "value"),
        conflicts=[], revisions=[], concerns=[],
        sources=_texts(facts.get((DCTERMS.source,), []), "value"),
    )
