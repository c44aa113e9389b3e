"""The whole-graph audit: every rule verdict and every catalogue finding, with traces and sources.

One run of each query over the whole graph, however many claims there are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from evgraph.explanation import EXPLANATION_QUERIES, Explanation, explain_rows
from evgraph.queries import run
from evgraph.rules import Verdict, derive_all, evidence_from, read_rows
from evgraph.rules.records import first, label_of
from evgraph.store import Store
from evgraph.terms import IRI

#: Verdicts an audit lists one by one (the others are only counted).
LISTED = (Verdict.OVERCLAIM, Verdict.UNDERCLAIM, Verdict.CANNOT_VERIFY)
#: The verdict-like kinds of finding the catalogue queries give, each with the query whose rows it reads.
#: ``single-trial`` is a claim resting on one study a source confirms (a finding); ``single-candidate`` one
#: whose only recorded study is a curation candidate (a gap in what is recorded, not a finding).
CATALOGUE_FINDINGS = {"single-trial": "single-trial-claims", "single-candidate": "single-trial-claims",
                      "stale": "stale-claims"}
FINDING_KINDS = tuple(v.value for v in Verdict) + tuple(CATALOGUE_FINDINGS)
_ORDER = {v: i for i, v in enumerate(("overclaim", "underclaim", "single-trial", "stale", "cannot-verify",
                                      "single-candidate"))}


@dataclass
class Finding:
    """One thing an auditor should look at."""

    subject: str
    label: str
    verdict: str
    reason: str
    missing: list[str]
    explanation: Explanation | None

    def to_json(self) -> dict:
        """The finding as a JSON-ready dict."""
        return {"subject": self.subject, "label": self.label, "verdict": self.verdict, "reason": self.reason,
                "missing": self.missing, "trace": self.explanation.to_json() if self.explanation else None}


@dataclass
class Audit:
    """Counts per verdict, then each finding."""

    summary: dict[str, int]
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict:
        """The audit as a JSON-ready dict."""
        return {"summary": self.summary, "findings": [f.to_json() for f in self.findings]}


def run_audit(store: Store) -> Audit:
    """Check every recommendation and rating, and run the catalogue queries that flag claims."""
    rows = read_rows(store, None, EXPLANATION_QUERIES)
    evidence = evidence_from(rows)
    derivations = derive_all(evidence)
    by_subject = {d.subject: d for d in derivations}
    summary = Counter({kind: 0 for kind in FINDING_KINDS})
    listed = [d for d in derivations if d.verdict in LISTED]
    for derivation in derivations:
        summary[derivation.verdict.value] += 1
    answers = {name: list(run(store, name)) for name in sorted(set(CATALOGUE_FINDINGS.values()))}
    flagged = {kind: _FLAGGED[kind](answers[name]) for kind, name in CATALOGUE_FINDINGS.items()}
    subjects = sorted({d.subject for d in listed} | {subject for found in flagged.values() for subject, _ in found})
    explanations = dict(zip(subjects, explain_rows(rows, subjects, by_subject, evidence=evidence)))
    findings = [Finding(str(d.subject), explanations[d.subject].subject["label"], d.verdict.value, d.reason,
                        d.missing, explanations[d.subject]) for d in listed]
    for verdict, found in flagged.items():
        for subject, reason in found:
            summary[verdict] += 1
            explanation = explanations[subject]
            findings.append(Finding(str(subject), explanation.subject["label"], verdict, reason, [], explanation))
    findings.sort(key=lambda f: (_ORDER.get(f.verdict, 9), f.label.lower(), f.subject))
    return Audit(dict(summary), findings)


def _confirmed(row: dict) -> bool:
    return str(row.get("confirmed", "")).lower() == "true"


def _single_studies(rows: Iterable[dict], confirmed: bool) -> list[tuple[IRI, str]]:
    """Each claim of single-trial-claims whose one study is (or is not) confirmed, once, with the study's label.

    The query gives a row per label of the claim and of the study (and per published level), so a claim
    with several is one finding all the same, naming its study by its smallest label, as ``why`` does.
    """
    studies: dict[IRI, list[dict]] = {}
    for row in rows:
        if _confirmed(row) == confirmed:
            studies.setdefault(row["subject"], []).append(row)
    return [(subject, label_of(first(found, "studyLabel"), fallback=first(found, "study")))
            for subject, found in sorted(studies.items(), key=lambda item: str(item[0]))]


def _single_trial_findings(rows: Iterable[dict]) -> list[tuple[IRI, str]]:
    """A claim whose one study a source confirms."""
    return [(subject, f"rests on a single study, confirmed ({study})") for subject, study in _single_studies(rows, True)]


def _single_candidate_findings(rows: Iterable[dict]) -> list[tuple[IRI, str]]:
    """A claim whose only recorded study is a curation candidate: a coverage gap, kept apart from single-trial."""
    return [(subject, f"only one study is recorded, and only as a candidate proposed by curation, not confirmed "
                      f"({study}): a gap in what is recorded, not a finding")
            for subject, study in _single_studies(rows, False)]


#: How stale-claims says where a claim's date comes from, by property and whether the claim itself holds it.
_DATED = {("lastReviewed", True): "reviewed", ("lastReviewed", False): "reviewed",
          ("validFrom", True): "valid from", ("issued", True): "issued", ("issued", False): "guide issued"}


def _stale_findings(rows: Iterable[dict]) -> list[tuple[IRI, str]]:
    """One finding per claim of stale-claims with a report certainly later than it; its reason names the
    claim's date and every such report (by date, then label) with its null or unfavourable findings.

    Rows whose order is "unknown" (same year as a claim dated by month, say) are not findings: the query
    shows them for an auditor to settle.
    """
    later: dict[IRI, list[dict]] = {}
    for row in rows:
        if str(row["order"]) == "later":
            later.setdefault(row["subject"], []).append(row)
    return [(subject, _stale_reason(found)) for subject, found in sorted(later.items(), key=lambda item: str(item[0]))]


def _stale_reason(rows: list[dict]) -> str:
    first = rows[0]
    prop = str(first["claimDateProperty"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    dated = _DATED.get((prop, first["claimDateOf"] == first["subject"]), prop)
    # One entry per report and date, named by its smallest label (a report with several is still one report).
    reports: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for row in rows:
        labels, findings = reports.setdefault((str(row["reportDate"]), str(row["report"])), (set(), set()))
        labels.add(str(row.get("reportLabel") or row["report"]))
        direction = row.get("directionLabel") or row["direction"]
        findings.add(f"{row.get('findingLabel') or row['finding']} ({direction})")
    named = sorted((date, min(labels), report, findings) for (date, report), (labels, findings) in reports.items())
    found = "; ".join(f"{label} ({date}) found: {' and '.join(sorted(findings))}" for date, label, _, findings in named)
    return f"{dated} {first['claimDate']}, before {found}"


#: Each catalogue finding kind and how its query's rows become (subject, reason) pairs.
_FLAGGED: dict[str, Callable[[Iterable[dict]], list[tuple[IRI, str]]]] = {
    "single-trial": _single_trial_findings, "single-candidate": _single_candidate_findings, "stale": _stale_findings}
