"""Derive the level a rating scheme's criteria give on the recorded evidence, criterion by criterion.

The criteria are read from the ontology (SKOS levels carrying ev:minStudies, ev:eligibleDesign …),
never from code: a new scheme needs data, not a change here. Each criterion is *met*, *not met* or
*unknown*; an unknown names the fact that is missing and for which study. Only confirmed evidence
counts (ev:supportedBy, ev:basedOn), and it is counted in distinct studies, not reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Iterable

from rdflib import Graph, URIRef
from rdflib.term import Literal, Node

from evgraph.namespaces import EV, GRAPH_BASE, ID_BASE, PROV, RDF, RDFS, SKOS, XSD
from evgraph.store import Store

MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"
VERDICTS = ("consistent", "overclaim", "underclaim", "cannot-verify", "no-rule")

FAVOURABLE = URIRef("https://w3id.org/evgraph/scheme/effect-direction/favourable")

#: Criterion properties a level may carry. A level with none of them has no rule.
CRITERIA = (EV.minStudies, EV.eligibleDesign, EV.eligibleCountry, EV.maxRiskOfBias, EV.minArmSize,
            EV.minSampleSize, EV.requiresLongTermImpact, EV.requiresSignificantPositiveFinding)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one level, checked against the evidence."""

    level: str
    criterion: str
    status: str
    missing: tuple[str, ...] = ()
    level_iri: URIRef | None = None

    def to_json(self) -> dict:
        """The result as a JSON-ready dict."""
        return {"level": self.level, "criterion": self.criterion, "status": self.status, "missing": list(self.missing)}


@dataclass(frozen=True)
class LevelResult:
    """All criteria of one level, and whether the evidence reaches it."""

    level: URIRef
    label: str
    rank: int
    status: str
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class Derivation:
    """The rule check of one published recommendation strength or rating."""

    subject: URIRef
    published: URIRef | None
    scheme: URIRef | None
    studies: tuple[URIRef, ...]
    candidates: tuple[URIRef, ...]
    levels: tuple[LevelResult, ...]
    derived: URIRef | None
    verdict: str
    reason: str

    @property
    def criteria(self) -> list[CriterionResult]:
        """Criteria of the published level first, then of the other levels by rank."""
        ordered = sorted(self.levels, key=lambda lv: (lv.level != self.published, -lv.rank))
        return [c for lv in ordered for c in lv.criteria]

    @property
    def missing(self) -> list[str]:
        """Every missing fact that kept the published level from being checked."""
        facts: list[str] = []
        for level in self.levels:
            if level.level == self.published:
                for criterion in level.criteria:
                    facts.extend(m for m in criterion.missing if m not in facts)
        return facts


# -- reading the graph -----------------------------------------------------------------------------


def _label(graph: Graph, node: Node) -> str:
    for prop in (SKOS.prefLabel, RDFS.label, SKOS.notation):
        value = graph.value(node, prop)
        if value is not None:
            return str(value)
    return str(node)


def _int(graph: Graph, node: Node, prop: URIRef) -> int | None:
    value = graph.value(node, prop)
    return int(value.toPython()) if isinstance(value, Literal) else None


def _within(graph: Graph, concept: Node, targets: set[Node]) -> bool:
    """True when concept is one of targets or narrower than one (skos:broader, transitively)."""
    seen, todo = set(), [concept]
    while todo:
        current = todo.pop()
        if current in targets:
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(graph.objects(current, SKOS.broader))
        todo.extend(graph.subjects(SKOS.narrower, current))
    return False


def published_level(graph: Graph, subject: URIRef) -> URIRef | None:
    """The level a recommendation or rating was published with, if recorded."""
    return graph.value(subject, EV.publishedStrength) or graph.value(subject, EV.evidenceLevel)


def confirmed_studies(graph: Graph, subject: URIRef) -> list[URIRef]:
    """Distinct studies a source confirms behind a recommendation or rating."""
    found = set(graph.objects(subject, EV.supportedBy)) | set(graph.objects(subject, EV.basedOn))
    return sorted(s for s in found if (s, RDF.type, EV.Study) in graph)


def candidate_studies(graph: Graph, subject: URIRef) -> list[URIRef]:
    """Distinct studies curation proposed, but no source confirms, behind a subject."""
    links = graph.subjects(EV.proposedFor, subject)
    return sorted({graph.value(link, EV.proposedStudy) for link in links} - {None})


def rated_subjects(graph: Graph) -> list[URIRef]:
    """Every recommendation and every rating with an evidence level, in IRI order."""
    subjects = set(graph.subjects(RDF.type, EV.Recommendation))
    subjects |= {r for r in graph.subjects(RDF.type, EV.Rating) if graph.value(r, EV.evidenceLevel) is not None}
    return sorted(subjects)


# -- checking one study ----------------------------------------------------------------------------


@dataclass
class _Check:
    status: str
    missing: list[str] = field(default_factory=list)


def _risk_of_bias(graph: Graph, study: URIRef) -> Node | None:
    for appraisal in sorted(graph.subjects(EV.appraises, study)):
        level = graph.value(appraisal, EV.riskOfBias)
        if level is not None:
            return level
    return None


def _check_study(graph: Graph, level: URIRef, study: URIRef, name: str) -> dict[str, _Check]:
    """Each per-study criterion of ``level`` for one study."""
    checks: dict[str, _Check] = {}
    designs = set(graph.objects(level, EV.eligibleDesign))
    if designs:
        own = list(graph.objects(study, EV.design))
        if not own:
            checks["design"] = _Check(UNKNOWN, [f"design of {name}"])
        else:
            checks["design"] = _Check(MET if any(_within(graph, d, designs) for d in own) else NOT_MET)
    countries = set(graph.objects(level, EV.eligibleCountry))
    if countries:
        own = list(graph.objects(study, EV.country))
        if not own:
            checks["country"] = _Check(UNKNOWN, [f"country of {name}"])
        elif all(_within(graph, c, countries) for c in own):
            checks["country"] = _Check(MET)
        else:
            outside = ", ".join(sorted(_label(graph, c) for c in own if not _within(graph, c, countries)))
            group = ", ".join(sorted(_label(graph, c) for c in countries))
            checks["country"] = _Check(UNKNOWN, [f"whether {outside} counts as '{group}' ({name})"])
    max_rob = graph.value(level, EV.maxRiskOfBias)
    if max_rob is not None:
        rob = _risk_of_bias(graph, study)
        if rob is None:
            checks["risk of bias"] = _Check(UNKNOWN, [f"risk of bias of {name} (no appraisal recorded)"])
        else:
            ok = (_int(graph, rob, EV.rank) or 99) <= (_int(graph, max_rob, EV.rank) or 0)
            checks["risk of bias"] = _Check(MET if ok else NOT_MET)
    min_arm = _int(graph, level, EV.minArmSize)
    if min_arm is not None:
        arms = [_int(graph, study, EV.interventionArmSize), _int(graph, study, EV.controlArmSize)]
        if any(a is not None and a < min_arm for a in arms):
            checks["arm size"] = _Check(NOT_MET)
        elif None in arms:
            checks["arm size"] = _Check(UNKNOWN, [f"arm sizes of {name}"])
        else:
            checks["arm size"] = _Check(MET)
    min_sample = _int(graph, level, EV.minSampleSize)
    if min_sample is not None:
        total = _int(graph, study, EV.sampleSize)
        arms = [_int(graph, study, EV.interventionArmSize), _int(graph, study, EV.controlArmSize)]
        if total is None and None not in arms:
            total = sum(arms)
        if total is None:
            checks["sample size"] = _Check(UNKNOWN, [f"sample size of {name}"])
        else:
            checks["sample size"] = _Check(MET if total >= min_sample else NOT_MET)
    findings = list(graph.subjects(EV.ofStudy, study))
    favourable = [f for f in findings if graph.value(f, EV.direction) == FAVOURABLE]
    if graph.value(level, EV.requiresSignificantPositiveFinding) == Literal(True):
        if any(graph.value(f, EV.significant) == Literal(True) for f in favourable):
            checks["significant positive finding"] = _Check(MET)
        else:
            checks["significant positive finding"] = _Check(
                UNKNOWN, [f"a statistically significant favourable finding of {name}"])
    if graph.value(level, EV.requiresLongTermImpact) == Literal(True):
        months = graph.value(level, EV.minFollowUpMonths)
        needed = float(months) if months is not None else 12.0
        lasting = [f for f in favourable if (graph.value(f, EV.followUpMonths) is not None
                                             and float(graph.value(f, EV.followUpMonths)) >= needed)]
        checks["long-term impact"] = _Check(MET) if lasting else _Check(
            UNKNOWN, [f"a favourable finding at {needed:g}+ months' follow-up for {name}"])
    return checks


# -- checking one level -----------------------------------------------------------------------------


def _combine(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    if NOT_MET in statuses:
        return NOT_MET
    return UNKNOWN if UNKNOWN in statuses else MET


def _tally(statuses: list[str], needed: int, enough_studies: bool) -> str:
    """Met when enough studies meet it; not met when too few still could (on the recorded studies)."""
    if sum(s == MET for s in statuses) >= needed:
        return MET
    if enough_studies and sum(s != NOT_MET for s in statuses) < needed:
        return NOT_MET
    return UNKNOWN


def check_level(graph: Graph, level: URIRef, studies: list[URIRef], candidates: int = 0) -> LevelResult:
    """Check every criterion of one level against the confirmed studies.

    The study count is never *not met*: the sources rarely list every study behind a claim, so too few
    confirmed studies means *unknown*. The other criteria are judged on the studies recorded.
    """
    label = _label(graph, level)
    needed = _int(graph, level, EV.minStudies) or 1
    enough = len(studies) >= needed
    per_study = {s: _check_study(graph, level, s, _label(graph, s)) for s in studies}

    noun = "study" if needed == 1 else "studies"
    missing: tuple[str, ...] = ()
    if not enough:
        proposed = f"; {candidates} proposed by curation but not confirmed" if candidates else ""
        missing = (f"which studies it rests on: {len(studies)} confirmed, {needed} needed{proposed}",)
    results = [CriterionResult(label, f"at least {needed} distinct {noun}", MET if enough else UNKNOWN, missing, level)]
    for name in sorted({name for checks in per_study.values() for name in checks}):
        checks = [per_study[s][name] for s in studies if name in per_study[s]]
        status = _tally([c.status for c in checks], needed, enough)
        gaps = tuple(m for c in checks for m in c.missing) if status == UNKNOWN else ()
        results.append(CriterionResult(label, _describe(graph, level, name), status, gaps, level))
    if not studies:
        results += [CriterionResult(label, _describe(graph, level, name), UNKNOWN, ("no confirmed study to check",), level)
                    for name in sorted(_declared_criteria(graph, level))]

    overall = [_combine(c.status for c in checks.values()) for checks in per_study.values()]
    status = _tally(overall, needed, enough)
    incomplete = graph.value(level, EV.criteriaIncomplete)
    if incomplete is not None:
        # Part of the published definition is not data, so the level can be ruled out but never confirmed.
        results.append(CriterionResult(label, "criteria not recorded as data", UNKNOWN, (str(incomplete),), level))
        if status == MET:
            status = UNKNOWN
    return LevelResult(level, label, _int(graph, level, EV.rank) or 0, status, tuple(results))


def _declared_criteria(graph: Graph, level: URIRef) -> set[str]:
    """Names of the per-study criteria a level carries."""
    names = {
        EV.eligibleDesign: "design", EV.eligibleCountry: "country", EV.maxRiskOfBias: "risk of bias",
        EV.minArmSize: "arm size", EV.minSampleSize: "sample size",
        EV.requiresLongTermImpact: "long-term impact",
        EV.requiresSignificantPositiveFinding: "significant positive finding",
    }
    return {name for prop, name in names.items() if graph.value(level, prop) not in (None, Literal(False))}


def _describe(graph: Graph, level: URIRef, name: str) -> str:
    if name == "design":
        return "design: " + " or ".join(sorted(_label(graph, d) for d in graph.objects(level, EV.eligibleDesign)))
    if name == "country":
        return "country: " + " or ".join(sorted(_label(graph, c) for c in graph.objects(level, EV.eligibleCountry)))
    if name == "risk of bias":
        return f"risk of bias at most {_label(graph, graph.value(level, EV.maxRiskOfBias))}"
    if name == "arm size":
        return f"at least {_int(graph, level, EV.minArmSize)} per arm"
    if name == "sample size":
        return f"at least {_int(graph, level, EV.minSampleSize)} participants"
    if name == "long-term impact":
        months = graph.value(level, EV.minFollowUpMonths)
        return f"favourable impact lasting {float(months):g}+ months" if months is not None else "long-term impact"
    return name


def has_rule(graph: Graph, level: URIRef) -> bool:
    """True when the level carries at least one machine-readable criterion."""
    return any(graph.value(level, prop) is not None for prop in CRITERIA)


# -- verdicts ---------------------------------------------------------------------------------------


def derive(graph: Graph, subject: URIRef, count_candidates: bool = False) -> Derivation:
    """Check one recommendation or rating against its scheme's criteria and give a verdict.

    With ``count_candidates`` the candidate studies count as if confirmed: a what-if for auditors
    ("would confirming them settle it?"), never the verdict itself.
    """
    published = published_level(graph, subject)
    studies = confirmed_studies(graph, subject)
    candidates = candidate_studies(graph, subject)
    if count_candidates:
        studies, candidates = sorted(set(studies) | set(candidates)), []
    if published is None:
        return Derivation(subject, None, None, tuple(studies), tuple(candidates), (), None, "cannot-verify",
                          "no published level is recorded, so there is nothing to check")
    scheme = graph.value(published, SKOS.inScheme)
    levels = sorted((lv for lv in graph.subjects(SKOS.inScheme, scheme) if has_rule(graph, lv)),
                    key=lambda lv: -(_int(graph, lv, EV.rank) or 0))
    if not has_rule(graph, published):
        return Derivation(subject, published, scheme, tuple(studies), tuple(candidates), (), None, "no-rule",
                          f"the level '{_label(graph, published)}' has no machine-readable criteria")
    results = tuple(check_level(graph, lv, studies, len(candidates)) for lv in levels)
    met = [r for r in results if r.status == MET]
    derived = met[0].level if met else None
    own = next(r for r in results if r.level == published)
    higher_met = [r for r in met if r.rank > own.rank]
    if higher_met:
        verdict, reason = "underclaim", f"the recorded studies meet '{higher_met[0].label}'"
    elif own.status == MET:
        verdict, reason = "consistent", "the recorded studies meet every criterion of the published level"
    elif own.status == NOT_MET:
        derived_label = f"'{_label(graph, derived)}'" if derived else "no level"
        verdict, reason = "overclaim", f"the recorded studies support {derived_label}, below the published level"
    else:
        verdict, reason = "cannot-verify", "facts needed to check the published level are missing"
    return Derivation(subject, published, scheme, tuple(studies), tuple(candidates), results, derived, verdict, reason)


def derive_all(store: Store) -> list[Derivation]:
    """Derivations for every recommendation and every rating with an evidence level."""
    graph = store.data_and_ontology_graph
    return [derive(graph, subject) for subject in rated_subjects(graph)]


# -- derived graph ----------------------------------------------------------------------------------

#: The named graph that holds what the rules derive; curated data never goes here.
DERIVED_GRAPH = URIRef(f"{GRAPH_BASE}derived")


def _evgraph_version() -> str:
    try:
        return version("evgraph")
    except PackageNotFoundError:
        return "unknown"


def derivation_iri(subject: URIRef) -> URIRef:
    """Where the derivation of a subject lives: /id/derived/<type>/<slug> for /id/<type>/<slug>."""
    text = str(subject)
    local = text[len(ID_BASE):] if text.startswith(ID_BASE) else text.split("://", 1)[-1].replace("#", "/")
    return URIRef(f"{ID_BASE}derived/{local}")


def derived_graph(derivations: list[Derivation], when: datetime | None = None) -> Graph:
    """The derivations as RDF with PROV provenance: generated by one rule evaluation, at a time, by a version."""
    when = when or datetime.now(timezone.utc)
    graph = Graph()
    graph.bind("ev", EV)
    graph.bind("prov", PROV)
    run = URIRef(f"{ID_BASE}evaluation/{when.strftime('%Y%m%dT%H%M%SZ')}")
    graph.add((run, RDF.type, EV.RuleEvaluation))
    graph.add((run, RDFS.label, Literal(f"evgraph rule evaluation {when.isoformat(timespec='seconds')}", lang="en")))
    graph.add((run, PROV.startedAtTime, Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    graph.add((run, EV.softwareVersion, Literal(_evgraph_version())))
    for derivation in derivations:
        node = derivation_iri(derivation.subject)
        graph.add((node, RDF.type, EV.Derivation))
        graph.add((node, EV.derivedFor, derivation.subject))
        graph.add((node, PROV.wasGeneratedBy, run))
        graph.add((node, EV.verdict, Literal(derivation.verdict)))
        graph.add((node, EV.reason, Literal(derivation.reason)))
        if derivation.published is not None:
            graph.add((node, EV.publishedLevel, derivation.published))
        if derivation.derived is not None:
            graph.add((node, EV.derivedLevel, derivation.derived))
        for study in derivation.studies:
            graph.add((node, PROV.wasDerivedFrom, study))
        for number, criterion in enumerate(derivation.criteria, start=1):
            result = URIRef(f"{node}/criterion-{number}")
            graph.add((node, EV.hasCriterionResult, result))
            graph.add((result, RDF.type, EV.CriterionResult))
            graph.add((result, EV.forLevel, criterion.level_iri))
            graph.add((result, EV.criterion, Literal(criterion.criterion)))
            graph.add((result, EV.criterionStatus, Literal(criterion.status)))
            for fact in criterion.missing:
                graph.add((result, EV.missingFact, Literal(fact)))
    return graph


def add_derivations(store: Store, when: datetime | None = None) -> list[Derivation]:
    """Derive every rating in the store and put the results in the store's derived named graph."""
    derivations = derive_all(store)
    store.add_graph("derived", DERIVED_GRAPH, derived_graph(derivations, when))
    return derivations
