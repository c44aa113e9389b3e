"""The whole-graph audit: every rule verdict and every catalogue finding, with traces and sources.

One run of each query over the whole graph, however many claims there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from evgraph.explanation import EXPLANATION_QUERIES, Explanation, explain_rows
from evgraph.queries import run
from evgraph.rules import Verdict, derive_all, evidence_from, read_rows
from evgraph.store import Store

#: Verdicts an audit lists one by one (the others are only counted).
LISTED = (Verdict.OVERCLAIM, Verdict.UNDERCLAIM, Verdict.CANNOT_VERIFY)
#: Catalogue queries whose rows become audit findings, with the verdict-like name they are filed under.
CATALOGUE_FINDINGS = {"single-trial-claims": "single-trial"}
FINDING_KINDS = tuple(v.value for v in Verdict) + tuple(CATALOGUE_FINDINGS.values())
_ORDER = {v: i for i, v in enumerate(("overclaim", "underclaim", "single-trial", "cannot-verify"))}


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

    def occurring(self, verdicts: list[str]) -> list[str]:
        """Which of the given verdicts occur at least once."""
        return [v for v in verdicts if self.summary.get(v, 0)]

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
    flagged = {name: list(run(store, name)) for name in CATALOGUE_FINDINGS}
    subjects = sorted({d.subject for d in listed} | {r["subject"] for found in flagged.values() for r in found})
    explanations = dict(zip(subjects, explain_rows(rows, subjects, by_subject, evidence=evidence)))
    findings = [Finding(str(d.subject), explanations[d.subject].subject["label"], d.verdict.value, d.reason,
                        d.missing, explanations[d.subject]) for d in listed]
    for name, verdict in CATALOGUE_FINDINGS.items():
        for row in flagged[name]:
            summary[verdict] += 1
            explanation = explanations[row["subject"]]
            findings.append(Finding(str(row["subject"]), explanation.subject["label"], verdict,
                                    _single_trial_reason(row), [], explanation))
    findings.sort(key=lambda f: (_ORDER.get(f.verdict, 9), f.label.lower(), f.subject))
    return Audit(dict(summary), findings)


def _single_trial_reason(row: dict) -> str:
    study = row.get("studyLabel") or row.get("study")
    confirmed = str(row.get("confirmed", "")).lower() == "true"
    status = "confirmed" if confirmed else "a candidate proposed by curation, not confirmed"
    return f"rests on a single study ({study}; {status})"
