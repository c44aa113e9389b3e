"""The criteria a scheme level may carry: one registry drives the checks, their wording and ``has_rule``.

Each :class:`Criterion` names the level property that switches it on, how to word it for a level, and how
to check one study against it. The checks are pure: a value the shapes would not allow is never an
error here, only *unknown* with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

from evgraph.namespaces import EV
from evgraph.rules.records import Evidence, Level, Study, is_true, whole_number
from evgraph.terms import IRI, Literal, Term

FAVOURABLE = IRI("https://w3id.org/evgraph/scheme/effect-direction/favourable")
#: Follow-up that counts as long-term when a level does not say (months).
DEFAULT_LONG_TERM_MONTHS = 12.0


class Status(str, Enum):
    """Whether one criterion holds: met, not met, or unknown (a fact is missing)."""

    MET = "met"
    NOT_MET = "not met"
    UNKNOWN = "unknown"


@dataclass
class Check:
    """One criterion checked on one study: its status and, when unknown, the missing facts."""

    status: Status
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Criterion:
    """One machine-readable criterion of a scheme level."""

    property: IRI
    name: str
    description: str
    describe: Callable[[Level, Evidence], str]
    check: Callable[[Level, Study, Evidence], Check] | None = None
    #: Further level properties the check reads (e.g. the follow-up a long-term impact needs).
    parameters: tuple[IRI, ...] = ()

    def declared_by(self, level: Level) -> bool:
        """True when the level switches this criterion on (a boolean criterion recorded false is off)."""
        recorded = level.get(self.property)
        if not recorded:
            return False
        flags = [v.boolean() for v in recorded if isinstance(v, Literal) and v.datatype.endswith("#boolean")]
        return not (flags and not any(flags))


def within(evidence: Evidence, concept: Term, targets: set[Term]) -> bool:
    """True when concept is one of targets or narrower than one (skos:broader, transitively)."""
    seen, todo = set(), [concept]
    while todo:
        current = todo.pop()
        if current in targets:
            return True
        if current in seen:
            continue
        seen.add(current)
        known = evidence.concepts.get(current)
        todo.extend(known.broader if known else ())
    return False


def _labels(evidence: Evidence, nodes) -> str:
    return " or ".join(sorted(evidence.label(n) for n in nodes))


def _number(level: Level, prop: IRI) -> tuple[int | None, str | None]:
    return whole_number(level.get(prop))


# -- per-study checks ---------------------------------------------------------------------------------


def _check_design(level: Level, study: Study, evidence: Evidence) -> Check:
    own = study.get(EV.design)
    if not own:
        return Check(Status.UNKNOWN, [f"design of {study.label}"])
    if not all(isinstance(d, IRI) for d in own):
        return Check(Status.UNKNOWN, [f"design of {study.label} as a concept (recorded as text: "
                                      f"{', '.join(str(d) for d in own if not isinstance(d, IRI))})"])
    eligible = set(level.get(EV.eligibleDesign))
    return Check(Status.MET if any(within(evidence, d, eligible) for d in own) else Status.NOT_MET)


def _check_country(level: Level, study: Study, evidence: Evidence) -> Check:
    own = study.get(EV.country)
    if not own:
        return Check(Status.UNKNOWN, [f"country of {study.label}"])
    eligible = set(level.get(EV.eligibleCountry))
    outside = [c for c in own if not within(evidence, c, eligible)]
    if not outside:
        return Check(Status.MET)
    names = ", ".join(sorted(evidence.label(c) for c in outside))
    group = ", ".join(sorted(evidence.label(c) for c in eligible))
    return Check(Status.UNKNOWN, [f"whether {names} counts as '{group}' ({study.label})"])


def _rank(evidence: Evidence, concept: Term) -> int | None:
    known = evidence.concepts.get(concept)
    rank = known.rank if known else None
    return rank.whole_number() if isinstance(rank, Literal) else None


def _check_risk_of_bias(level: Level, study: Study, evidence: Evidence) -> Check:
    if not study.risk_of_bias:
        return Check(Status.UNKNOWN, [f"risk of bias of {study.label} (no appraisal recorded)"])
    ceilings = [_rank(evidence, c) for c in level.get(EV.maxRiskOfBias)]
    ranks = [_rank(evidence, r) for r in study.risk_of_bias]
    if None in ceilings or len(ceilings) != 1:
        return Check(Status.UNKNOWN, [f"a single ranked risk-of-bias ceiling for level {level.label}"])
    if None in ranks:
        return Check(Status.UNKNOWN, [f"the rank of the risk-of-bias level judged for {study.label}"])
    if all(r <= ceilings[0] for r in ranks):
        return Check(Status.MET)
    if all(r > ceilings[0] for r in ranks):
        return Check(Status.NOT_MET)
    judged = "; ".join(evidence.label(r) for r in study.risk_of_bias)
    return Check(Status.UNKNOWN, [f"which risk-of-bias appraisal of {study.label} applies (they differ: {judged})"])


def _check_arm_size(level: Level, study: Study, evidence: Evidence) -> Check:
    minimum, problem = _number(level, EV.minArmSize)
    if problem:
        return Check(Status.UNKNOWN, [f"the minimum arm size of level {level.label} {problem}"])
    arms, missing = [], []
    for prop, noun in ((EV.interventionArmSize, "intervention arm size"), (EV.controlArmSize, "control arm size")):
        size, problem = whole_number(study.get(prop))
        arms.append(size)
        if problem:
            missing.append(f"{noun} of {study.label} {problem}")
    if any(a is not None and a < minimum for a in arms):
        return Check(Status.NOT_MET)
    if None in arms:
        return Check(Status.UNKNOWN, missing or [f"arm sizes of {study.label}"])
    return Check(Status.MET)


def _check_sample_size(level: Level, study: Study, evidence: Evidence) -> Check:
    minimum, problem = _number(level, EV.minSampleSize)
    if problem:
        return Check(Status.UNKNOWN, [f"the minimum sample size of level {level.label} {problem}"])
    total, problem = whole_number(study.get(EV.sampleSize))
    if problem:
        return Check(Status.UNKNOWN, [f"sample size of {study.label} {problem}"])
    if total is None:
        arms = [whole_number(study.get(p))[0] for p in (EV.interventionArmSize, EV.controlArmSize)]
        total = sum(arms) if None not in arms else None
    if total is None:
        return Check(Status.UNKNOWN, [f"sample size of {study.label}"])
    return Check(Status.MET if total >= minimum else Status.NOT_MET)


def _favourable(study: Study):
    return [f for f in study.findings if FAVOURABLE in f.direction]


def _check_significant(level: Level, study: Study, evidence: Evidence) -> Check:
    if any(is_true(f.significant) for f in _favourable(study)):
        return Check(Status.MET)
    return Check(Status.UNKNOWN, [f"a statistically significant favourable finding of {study.label}"])


def _months_needed(level: Level) -> float | None:
    recorded = level.get(EV.minFollowUpMonths)
    if not recorded:
        return DEFAULT_LONG_TERM_MONTHS
    numbers = [v.number() for v in recorded if isinstance(v, Literal)]
    return numbers[0] if len(numbers) == 1 and numbers[0] is not None else None


def _check_long_term(level: Level, study: Study, evidence: Evidence) -> Check:
    needed = _months_needed(level)
    if needed is None:
        return Check(Status.UNKNOWN, [f"the follow-up level {level.label} requires (not one number)"])
    lasting = [f for f in _favourable(study)
               if any(isinstance(m, Literal) and (m.number() or 0) >= needed for m in f.follow_up_months)]
    if lasting:
        return Check(Status.MET)
    return Check(Status.UNKNOWN, [f"a favourable finding at {needed:g}+ months' follow-up for {study.label}"])


def _describe_long_term(level: Level, evidence: Evidence) -> str:
    if not level.get(EV.minFollowUpMonths):
        return "long-term impact"
    needed = _months_needed(level)
    return f"favourable impact lasting {needed:g}+ months" if needed is not None else "long-term impact"


def min_studies(level: Level) -> tuple[int, str | None]:
    """How many distinct studies a level needs (1 when it does not say), and any problem with the value."""
    needed, problem = _number(level, EV.minStudies)
    return (needed if needed is not None and needed > 0 else 1), problem


def _describe_count(level: Level) -> str:
    needed, problem = min_studies(level)
    if problem:
        return "a minimum number of distinct studies"
    return f"at least {needed} distinct {'study' if needed == 1 else 'studies'}"


def _describe_number(template: str, prop: IRI) -> Callable[[Level, Evidence], str]:
    def describe(level: Level, evidence: Evidence) -> str:
        number, _ = _number(level, prop)
        return template.format(number if number is not None else "?")
    return describe


#: Every criterion a level may carry, in the order the study count comes first.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(EV.minStudies, "study count", "At least this many distinct studies (not reports).",
              lambda level, ev: _describe_count(level)),
    Criterion(EV.eligibleDesign, "design", "Each study's design is one of these (or narrower).",
              lambda level, ev: "design: " + _labels(ev, level.get(EV.eligibleDesign)), _check_design),
    Criterion(EV.eligibleCountry, "country", "Each study was run in one of these countries (or narrower).",
              lambda level, ev: "country: " + _labels(ev, level.get(EV.eligibleCountry)), _check_country),
    Criterion(EV.maxRiskOfBias, "risk of bias", "A review judged each study's risk of bias at most this.",
              lambda level, ev: f"risk of bias at most {_labels(ev, level.get(EV.maxRiskOfBias))}",
              _check_risk_of_bias),
    Criterion(EV.minArmSize, "arm size", "At least this many participants in each arm.",
              _describe_number("at least {} per arm", EV.minArmSize), _check_arm_size),
    Criterion(EV.minSampleSize, "sample size", "At least this many participants in all.",
              _describe_number("at least {} participants", EV.minSampleSize), _check_sample_size),
    Criterion(EV.requiresLongTermImpact, "long-term impact",
              "A favourable finding at the follow-up the level names (ev:minFollowUpMonths, else 12 months).",
              _describe_long_term, _check_long_term, parameters=(EV.minFollowUpMonths,)),
    Criterion(EV.requiresSignificantPositiveFinding, "significant positive finding",
              "A statistically significant favourable finding.",
              lambda level, ev: "significant positive finding", _check_significant),
)

#: Every level property the rules read: the criteria and their parameters.
CRITERION_PROPERTIES: tuple[IRI, ...] = tuple(c.property for c in CRITERIA) + tuple(
    p for c in CRITERIA for p in c.parameters)


def has_rule(level: Level) -> bool:
    """True when the level carries at least one machine-readable criterion."""
    return any(level.get(c.property) for c in CRITERIA)
