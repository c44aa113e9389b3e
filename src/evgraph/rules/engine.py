"""Derive the level a scheme's criteria give on the recorded evidence, and compare it with the published one.

Pure functions over :mod:`evgraph.rules.records`: no store, no queries. Only confirmed evidence counts
(ev:supportedBy, ev:basedOn), counted in distinct studies, not reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from evgraph.namespaces import EV
from evgraph.rules.criteria import (
    CRITERIA,
    Check,
    Criterion,
    Status,
    has_rule,
    min_studies,
)
from evgraph.rules.records import Claim, Evidence, Level, Study
from evgraph.terms import IRI, Literal


class Verdict(str, Enum):
    """How a published level compares with what the rules derive."""

    CONSISTENT = "consistent"
    OVERCLAIM = "overclaim"
    UNDERCLAIM = "underclaim"
    CANNOT_VERIFY = "cannot-verify"
    NO_RULE = "no-rule"


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one level, checked against the evidence."""

    level: str
    criterion: str
    status: Status
    missing: tuple[str, ...] = ()
    level_iri: IRI | None = None

    def to_json(self) -> dict:
        """The result as a JSON-ready dict."""
        return {"level": self.level, "criterion": self.criterion, "status": self.status.value,
                "missing": list(self.missing)}


@dataclass(frozen=True)
class LevelResult:
    """All criteria of one level, and whether the evidence reaches it."""

    level: IRI
    label: str
    rank: int
    status: Status
    criteria: tuple[CriterionResult, ...]


@dataclass(frozen=True)
class Derivation:
    """The rule check of one published recommendation strength or rating."""

    subject: IRI
    published: IRI | None
    scheme: IRI | None
    studies: tuple[IRI, ...]
    candidates: tuple[IRI, ...]
    levels: tuple[LevelResult, ...]
    derived: IRI | None
    verdict: Verdict
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


def _combine(statuses: Iterable[Status]) -> Status:
    statuses = list(statuses)
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    return Status.UNKNOWN if Status.UNKNOWN in statuses else Status.MET


def _tally(statuses: list[Status], needed: int, enough_studies: bool) -> Status:
    """Met when enough studies meet it; not met when too few still could (on the recorded studies)."""
    if sum(s is Status.MET for s in statuses) >= needed:
        return Status.MET
    if enough_studies and sum(s is not Status.NOT_MET for s in statuses) < needed:
        return Status.NOT_MET
    return Status.UNKNOWN


def _rank(level: Level) -> int:
    return (level.rank.whole_number() if isinstance(level.rank, Literal) else None) or 0


def _study(evidence: Evidence, iri: IRI) -> Study:
    return evidence.studies.get(iri) or Study(iri, str(iri))


def per_study_criteria(level: Level) -> list[Criterion]:
    """The criteria of a level that are checked study by study, in the order they are reported."""
    return sorted((c for c in CRITERIA if c.check and c.declared_by(level)), key=lambda c: c.name)


def check_level(evidence: Evidence, level: Level, studies: tuple[IRI, ...], candidates: int = 0) -> LevelResult:
    """Check every criterion of one level against the confirmed studies.

    The study count is never *not met*: the sources rarely list every study behind a claim, so too few
    confirmed studies means *unknown*. The other criteria are judged on the studies recorded.
    """
    needed, count_problem = min_studies(level)
    enough = len(studies) >= needed and not count_problem
    criteria = per_study_criteria(level)
    per_study: dict[IRI, dict[str, Check]] = {
        s: {c.name: c.check(level, _study(evidence, s), evidence) for c in criteria} for s in studies}

    count_text = CRITERIA[0].describe(level, evidence)
    missing: tuple[str, ...] = ()
    if count_problem:
        missing = (f"the minimum number of studies of level {level.label} {count_problem}",)
    elif not enough:
        proposed = f"; {candidates} proposed by curation but not confirmed" if candidates else ""
        missing = (f"which studies it rests on: {len(studies)} confirmed, {needed} needed{proposed}",)
    results = [CriterionResult(level.label, count_text, Status.MET if enough else Status.UNKNOWN, missing, level.iri)]
    for criterion in criteria:
        description = criterion.describe(level, evidence)
        if not studies:
            results.append(CriterionResult(level.label, description, Status.UNKNOWN,
                                           ("no confirmed study to check",), level.iri))
            continue
        checks = [per_study[s][criterion.name] for s in studies]
        status = _tally([c.status for c in checks], needed, enough)
        gaps = tuple(m for c in checks for m in c.missing) if status is Status.UNKNOWN else ()
        results.append(CriterionResult(level.label, description, status, gaps, level.iri))

    overall = [_combine(c.status for c in checks.values()) for checks in per_study.values()]
    status = _tally(overall, needed, enough)
    for incomplete in level.incomplete:
        # Part of the published definition is not data, so the level can be ruled out but never confirmed.
        results.append(CriterionResult(level.label, "criteria not recorded as data", Status.UNKNOWN, (incomplete,),
                                       level.iri))
    if (level.incomplete or count_problem) and status is Status.MET:
        status = Status.UNKNOWN
    return LevelResult(level.iri, level.label, _rank(level), status, tuple(results))


def derive(evidence: Evidence, claim: Claim, count_candidates: bool = False) -> Derivation:
    """Check one recommendation or rating against its scheme's criteria and give a verdict.

    With ``count_candidates`` the candidate studies count as if confirmed: a what-if for auditors
    ("would confirming them settle it?"), never the verdict itself.
    """
    studies, candidates = claim.confirmed, claim.candidates
    if count_candidates:
        studies, candidates = tuple(sorted(set(studies) | set(candidates))), ()
    if not claim.published:
        return Derivation(claim.iri, None, None, studies, candidates, (), None, Verdict.CANNOT_VERIFY,
                          "no published level is recorded, so there is nothing to check")
    if len(claim.published) > 1:
        return Derivation(claim.iri, None, None, studies, candidates, (), None, Verdict.CANNOT_VERIFY,
                          f"{len(claim.published)} published levels are recorded "
                          f"({', '.join(evidence.label(p) for p in claim.published)}), so which to check is unclear")
    published = claim.published[0]
    own = evidence.levels.get(published)
    if own is None or not has_rule(own):
        scheme = own.scheme if own else None
        return Derivation(claim.iri, published, scheme, studies, candidates, (), None, Verdict.NO_RULE,
                          f"the level '{evidence.label(published)}' has no machine-readable criteria")
    levels = sorted((lv for lv in evidence.levels.values() if lv.scheme == own.scheme and has_rule(lv)),
                    key=lambda lv: (-_rank(lv), lv.iri))
    results = tuple(check_level(evidence, lv, studies, len(candidates)) for lv in levels)
    met = [r for r in results if r.status is Status.MET]
    derived = met[0].level if met else None
    mine = next(r for r in results if r.level == published)
    higher_met = [r for r in met if r.rank > mine.rank]
    if higher_met:
        verdict, reason = Verdict.UNDERCLAIM, f"the recorded studies meet '{higher_met[0].label}'"
    elif mine.status is Status.MET:
        verdict, reason = Verdict.CONSISTENT, "the recorded studies meet every criterion of the published level"
    elif mine.status is Status.NOT_MET:
        derived_label = f"'{evidence.label(derived)}'" if derived else "no level"
        verdict, reason = Verdict.OVERCLAIM, f"the recorded studies support {derived_label}, below the published level"
    else:
        verdict, reason = Verdict.CANNOT_VERIFY, "facts needed to check the published level are missing"
    if claim.published_inferred and verdict is not Verdict.CANNOT_VERIFY:
        reason += ", assuming the published level, which was inferred from the page rather than read"
    return Derivation(claim.iri, published, own.scheme, studies, candidates, results, derived, verdict, reason)


def derive_all(evidence: Evidence) -> list[Derivation]:
    """Derivations for every recommendation, and every rating with an evidence level, in IRI order."""
    return [derive(evidence, claim) for _, claim in sorted(evidence.claims.items()) if _rated(evidence, claim)]


def _rated(evidence: Evidence, claim: Claim) -> bool:
    return claim.kind == EV.Recommendation or bool(claim.published)
