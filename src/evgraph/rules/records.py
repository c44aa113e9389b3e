"""Plain records the rules read, built from the rows of the internal queries (no engine, no graph walks)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from evgraph.namespaces import RDFS
from evgraph.store import Table
from evgraph.terms import IRI, Literal, Term, sort_key


def label_of(*candidates: Term | None, fallback: Term | None = None) -> str:
    """The first label given (the smallest, when a column had several), else the fallback's text."""
    for candidate in candidates:
        if candidate is not None:
            return str(candidate)
    return str(fallback) if fallback is not None else ""


def values(rows: Iterable[dict], column: str) -> tuple[Term, ...]:
    """Every distinct value of a column over some rows, in a stable order."""
    return tuple(sorted({r[column] for r in rows if r.get(column) is not None}, key=sort_key))


def first(rows: Iterable[dict], column: str) -> Term | None:
    """The smallest value of a column over some rows (for labels, where any one of them will do)."""
    found = values(rows, column)
    return found[0] if found else None


def group(table: Table | Iterable[dict], *keys: str) -> dict[tuple, list[dict]]:
    """Rows grouped by the values of some columns, groups in key order."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for row in table:
        grouped[tuple(row.get(k) for k in keys)].append(row)
    return dict(sorted(grouped.items(), key=lambda item: tuple(sort_key(v) for v in item[0])))


@dataclass(frozen=True)
class Concept:
    """A SKOS concept: its label, rank (when it has one) and broader concepts."""

    iri: IRI
    label: str
    rank: Term | None = None
    broader: tuple[IRI, ...] = ()


@dataclass(frozen=True)
class Level:
    """One level of a rating scheme and its criteria as recorded: criterion property → values."""

    iri: IRI
    label: str
    scheme: IRI
    rank: Term | None
    criteria: dict[IRI, tuple[Term, ...]]
    incomplete: tuple[str, ...] = ()

    def get(self, prop: IRI) -> tuple[Term, ...]:
        """The values recorded for one criterion property."""
        return self.criteria.get(prop, ())


@dataclass(frozen=True)
class Finding:
    """One result a study reported."""

    iri: IRI
    direction: tuple[Term, ...]
    significant: tuple[Term, ...]
    follow_up_months: tuple[Term, ...]


@dataclass(frozen=True)
class Study:
    """One study and the facts about it the rules check; every value of a fact is kept."""

    iri: IRI
    label: str
    facts: dict[IRI, tuple[Term, ...]] = field(default_factory=dict)
    risk_of_bias: tuple[Term, ...] = ()
    findings: tuple[Finding, ...] = ()

    def get(self, prop: IRI) -> tuple[Term, ...]:
        """Every recorded value of one property of the study."""
        return self.facts.get(prop, ())


@dataclass(frozen=True)
class Claim:
    """A published recommendation strength or rating, with the studies behind it."""

    iri: IRI
    kind: IRI
    published: tuple[IRI, ...]
    confirmed: tuple[IRI, ...]
    candidates: tuple[IRI, ...]
    #: The published level was inferred (from page structure), not read: a verdict on it is an assumption.
    published_inferred: bool = False


@dataclass
class Evidence:
    """Everything the rules look at: claims, their studies, scheme levels and concepts."""

    claims: dict[IRI, Claim]
    studies: dict[IRI, Study]
    levels: dict[IRI, Level]
    concepts: dict[IRI, Concept]

    def label(self, node: Term | None) -> str:
        """A concept's or study's label, else the node's text."""
        if node in self.concepts:
            return self.concepts[node].label
        if node in self.levels:
            return self.levels[node].label
        if node in self.studies:
            return self.studies[node].label
        return "" if node is None else str(node)


# -- building records from rows ------------------------------------------------------------------


def concepts_from(table: Table) -> dict[IRI, Concept]:
    """Concepts from the rows of internal/concepts.rq."""
    return {concept: Concept(concept, label_of(first(rows, "label"), fallback=concept), first(rows, "rank"),
                             tuple(b for b in values(rows, "broader") if isinstance(b, IRI)))
            for (concept,), rows in group(table, "concept").items() if isinstance(concept, IRI)}


def levels_from(table: Table, properties: dict[str, IRI]) -> dict[IRI, Level]:
    """Scheme levels from the rows of level-criteria.rq; ``properties`` maps its columns to criterion IRIs."""
    levels = {}
    for (level, scheme), rows in group(table, "level", "scheme").items():
        criteria = {prop: values(rows, column) for column, prop in properties.items() if values(rows, column)}
        if level in levels:  # a level in two schemes keeps the first scheme; its criteria are the same
            continue
        levels[level] = Level(level, label_of(first(rows, "label"), fallback=level), scheme, first(rows, "rank"),
                              criteria, tuple(str(v) for v in values(rows, "criteriaIncomplete")))
    return levels


def claims_from(claims: Table, evidence: Table) -> dict[IRI, Claim]:
    """Claims from internal/claims.rq and internal/claim-evidence.rq."""
    links = group(evidence, "subject")
    found = {}
    for (subject,), rows in group(claims, "subject").items():
        linked = links.get((subject,), [])
        found[subject] = Claim(
            subject,
            first(rows, "kind"),
            tuple(v for v in values(rows, "level") if isinstance(v, IRI)),
            values([r for r in linked if str(r["link"]) == "confirmed"], "study"),
            values([r for r in linked if str(r["link"]) == "candidate"], "study"),
            any(isinstance(v, Literal) and v.boolean() is True for v in values(rows, "inferred")),
        )
    return found


def studies_from(facts: Table, appraisals: Table, findings: Table) -> dict[IRI, Study]:
    """Studies from internal/study-facts.rq, study-appraisals.rq and study-findings.rq (any subject)."""
    appraised = group(appraisals, "study")
    found_by_study = group(findings, "study")
    studies = {}
    for (study,), rows in group(facts, "study").items():
        by_property = {prop: values(prop_rows, "value") for (prop,), prop_rows in group(rows, "property").items()}
        labels = by_property.get(RDFS.label, ())
        results = tuple(
            Finding(finding, values(f_rows, "direction"), values(f_rows, "significant"), values(f_rows, "followUpMonths"))
            for (finding,), f_rows in group(found_by_study.get((study,), []), "finding").items())
        studies[study] = Study(study, label_of(labels[0] if labels else None, fallback=study), by_property,
                               values(appraised.get((study,), []), "riskOfBias"), results)
    return studies


def whole_number(values_: tuple[Term, ...]) -> tuple[int | None, str | None]:
    """One whole number from a fact's values, or why there is none usable ("not recorded" gives (None, None))."""
    if not values_:
        return None, None
    if len(values_) > 1:
        return None, f"has {len(values_)} recorded values ({', '.join(str(v) for v in values_)})"
    value = values_[0]
    number = value.whole_number() if isinstance(value, Literal) else None
    if number is None:
        return None, f"is not a whole number ('{value}')"
    if number < 0:
        return None, f"is negative ('{value}')"
    return number, None


def is_true(values_: tuple[Term, ...]) -> bool:
    """True when a boolean fact is recorded as true (and not also as false)."""
    flags = {v.boolean() for v in values_ if isinstance(v, Literal)}
    return flags == {True}
