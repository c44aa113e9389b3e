"""The whole-graph audit: every rule verdict and every catalogue finding, with traces and sources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from evgraph.explanation import Explanation, build_explanation
from evgraph.queries import rows, run
from evgraph.rules import VERDICTS, derive_all
from evgraph.store import Store

#: Verdicts an audit lists one by one (the others are only counted).
LISTED = ("overclaim", "underclaim", "cannot-verify")
#: Catalogue queries whose rows become audit findings, with the verdict-like name they are filed under.
CATALOGUE_FINDINGS = {"single-trial-claims": "single-trial"}
FINDING_KINDS = VERDICTS + tuple(CATALOGUE_FINDINGS.values())


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
    graph = store.data_and_ontology_graph
    derivations = derive_all(store)
    summary = Counter({verdict: 0 for verdict in FINDING_KINDS})
    findings: list[Finding] = []
    for derivation in derivations:
        summary[derivation.verdict] += 1
        if derivation.verdict in LISTED:
            explanation = build_explanation(graph, derivation.subject, derivation=derivation)
            findings.append(Finding(str(derivation.subject), explanation.subject["label"], derivation.verdict,
                                    derivation.reason, derivation.missing, explanation))
    for query, verdict in CATALOGUE_FINDINGS.items():
        for row in rows(run(store, query)):
            subject = row["subject"]
            summary[verdict] += 1
            explanation = build_explanation(graph, subject)
            findings.append(Finding(str(subject), explanation.subject["label"], verdict,
                                    _single_trial_reason(row), [], explanation))
    order = {v: i for i, v in enumerate(("overclaim", "underclaim", "single-trial", "cannot-verify"))}
    findings.sort(key=lambda f: (order.get(f.verdict, 9), f.label.lower(), f.subject))
    return Audit(dict(summary), findings)


def _single_trial_reason(row: dict) -> str:
    study = row.get("studyLabel") or row.get("study")
    confirmed = str(row.get("confirmed", "")).lower() == "true"
    status = "confirmed" if confirmed else "a candidate proposed by curation, not confirmed"
    return f"rests on a single study ({study}; {status})"
