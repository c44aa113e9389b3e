"""Plain-text, Markdown and HTML renderings of explanations and audits (JSON is the values' own)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from evgraph.audit import Audit
from evgraph.explanation import Explanation, StudyView
from evgraph.output import html_link, html_text, printable, web_url
from evgraph.shortnames import short
from evgraph.store import Store

if TYPE_CHECKING:
    from evgraph.lineage.diagram import Diagram
    from evgraph.validation import Report

MARK = {"met": "✓", "not met": "✗", "unknown": "?"}
LINK_MARK = {"confirmed": "✓", "candidate": "~", "evaluates": "·"}

# -- data in HTML and Markdown: text, never markup; links only to web pages ------------------------------

#: Characters Markdown (CommonMark, GitHub's tables) could read as syntax inside a line. Escaping ``[`` and
#: ``]`` is what stops ``[text](javascript:…)`` and ``![x](…)``, and ``<`` every raw HTML tag and autolink,
#: so parentheses, ``!`` and ``&`` (an entity only ever gives text) are left as they are.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]<>|~#])")
#: What would start a block at the beginning of a line: a list item, a setext underline, an ordered item.
_MARKDOWN_LINE_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")


def markdown_text(value: object) -> str:
    """Data as Markdown text on one line: control characters dropped, whitespace runs made one space, and
    everything Markdown or HTML could read as syntax backslash-escaped, so it renders as the text it is."""
    line = _MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(printable(str(value)).split()))
    return _MARKDOWN_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)


def markdown_link(url: str) -> str:
    """An address as a Markdown autolink when it is an http(s) one, else as escaped text."""
    return f"<{url}>" if web_url(url) else markdown_text(url)


def report_lines(report: Report, store: Store) -> list[str]:
    """A validation report as text: each node's results under its file:line, then a one-line summary."""
    lines = []
    for focus, results in report.by_focus.items():
        first = results[0]
        where = f"{first.file}:{first.line}" if first.line else (first.file or "(not in a data file)")
        lines.append(f"{where}  {focus}")
        for result in results:
            detail = [f"path {result.path}"] if result.path else []
            if result.value is not None:
                detail.append(f"value {result.value}")
            suffix = f"  ({'; '.join(detail)})" if detail else ""
            lines.append(f"  {result.severity}: {result.message}{suffix}")
    data_files = len(store.files_of("data"))
    if report.conforms:
        warnings = report.count("Warning")
        tail = f", {warnings} warning(s)" if warnings else ""
        lines.append(f"Conforms: {data_files} data files, {store.triple_count()} triples{tail}.")
    else:
        lines.append(f"Does not conform: {report.count('Violation')} violation(s) on {len(report.by_focus)} node(s)"
                     f" in {data_files} data files.")
    return lines


def _arms(study: StudyView) -> str:
    if study.intervention_arm is None and study.control_arm is None:
        return f"n={study.sample_size} (arm sizes not recorded)" if study.sample_size else "arm sizes not recorded"
    left = "?" if study.intervention_arm is None else str(study.intervention_arm)
    right = "?" if study.control_arm is None else str(study.control_arm)
    return f"{left}/{right} per arm"


def study_line(study: StudyView) -> str:
    """One study in words: design · country · arms · risk of bias."""
    parts = [" / ".join(study.design) or "design not recorded",
             " / ".join(study.country) or "country not recorded",
             _arms(study)]
    if study.risk_of_bias:
        parts.append(f"RoB {study.risk_of_bias} (judged by {study.appraised_by})")
    else:
        parts.append("RoB not appraised")
    return " · ".join(parts)


def _published_line(e: Explanation) -> str:
    p = e.published
    if not p:
        return "nothing published"
    if not p.get("level"):
        why = p.get("not_recorded_because")
        return f"no level recorded{': ' + why if why else ''}"
    line = p["level"]
    if p.get("as_stated") and p["as_stated"] != p["level"]:
        line += f" (as stated: {p['as_stated']})"
    if p.get("scheme"):
        line += f" — {p['scheme']}"
    if p.get("basis"):
        line += f"; {'inferred' if p.get('inferred') else 'read'}: {p['basis']}"
    if p.get("cost"):
        line += f"; cost {p['cost']}"
    return line


def origin_text(origin: dict) -> str:
    """How and where a fact was recorded, in words: "read from <url>", "quoted from <url>, <url>"."""
    word = _METHOD_WORDS.get(origin["method"], f"{origin['method']}:")
    return f"{word} {', '.join(origin['sources'])}" if origin["sources"] else word.removesuffix(":").removesuffix(" by")


_METHOD_WORDS = {"read": "read from", "quoted": "quoted from", "second-hand": "reported second-hand by",
                 "partner-statement": "stated by a partner in",
                 "inferred-from-page-structure": "inferred from the page structure of",
                 "curator-judgement": "curators' judgement:"}


def explanation_lines(e: Explanation, with_rules: bool = True) -> list[str]:
    """The explanation as aligned text lines, the shape `evgraph why` prints."""
    s, p = e.subject, e.published
    where = ", ".join(x for x in (p.get("in"), p.get("by"), p.get("date")) if x)
    lines = [f"{s['kind'].capitalize():<16}{s['label']}" + (f"   ({where})" if where else "")]
    if s.get("about"):
        lines.append(f"{'About':<16}{s['about']}")
    lines.append(f"{'Published':<16}{_published_line(e)}")
    if p.get("origin"):
        lines.append(f"{'':<16}  level {origin_text(p['origin'])}")
    if e.criteria_text:
        lines.append(f"{'Criteria':<16}{e.criteria_text}")
    for review in e.reviews:
        listing = {True: "included-study list available", False: "included-study list not available",
                   None: "included-study list unknown"}[review.included_study_list_available]
        by = f" ({review.authors}, {review.year})" if review.authors else ""
        lines.append(f"{'Based on':<16}{review.title}{by} — {listing}")
        lines += [f"{'':<16}  review says: {c}" for c in review.conclusions]
    if not e.studies:
        lines.append(f"{'Studies':<16}none recorded")
    for index, study in enumerate(e.studies):
        head = "Studies" if index == 0 else ""
        lines.append(f"{head:<16}{LINK_MARK.get(study.link, '?')} {study.label}   {study_line(study)}")
        if study.link == "candidate":
            lines.append(f"{'':<18}candidate, not confirmed: {study.link_basis or 'proposed by curation'}")
        for confirmed in study.confirmed_by:
            by = (f" by {' and '.join(short(agent) for agent in confirmed['by'])}"
                  if confirmed["method"] == "partner-statement" else "")
            earlier = " (curation had proposed it as a candidate)" if study.was_candidate else ""
            lines.append(f"{'':<18}link confirmed{by}{earlier}: {origin_text(confirmed)}")
        for found in study.origins:
            lines.append(f"{'':<18}{', '.join(found['facts'])}: {origin_text(found)}")
        for report in study.reports:
            doi = f" doi:{report.doi}" if report.doi else ""
            lines.append(f"{'':<18}report: {report.title} ({report.year or 'n.d.'}){doi}")
        for finding in study.findings:
            sig = {True: ", significant", False: ", not significant", None: ""}[finding.significant]
            follow = f", {finding.follow_up_months:g} months" if finding.follow_up_months is not None else ""
            lines.append(f"{'':<18}finding: {finding.outcome} — {finding.direction or 'direction not recorded'}{sig}{follow}")
    if with_rules and e.criteria:
        published_level = p.get("level")
        shown = [c for c in e.criteria if c["level"] == published_level] or e.criteria
        for index, c in enumerate(shown):
            head = "Check" if index == 0 else ""
            missing = f" — missing: {'; '.join(c['missing'])}" if c["missing"] else ""
            lines.append(f"{head:<16}{MARK[c['status']]} {c['criterion']} ({c['status']}){missing}")
    if with_rules and e.verdict:
        derived = e.derived.get("level") or ("none established" if e.verdict == "cannot-verify" else "no level")
        lines.append(f"{'Derived':<16}{derived}")
        lines.append(f"{'Verdict':<16}{e.verdict}: {e.reason}")
        if e.if_candidates_confirmed:
            what_if = e.if_candidates_confirmed
            missing = f" — still missing: {'; '.join(what_if['missing'])}" if what_if["missing"] else ""
            lines.append(f"{'If confirmed':<16}counting the candidate studies: {what_if['verdict']}"
                         f" ({what_if['reason']}){missing}")
    if e.assumed:
        lines += assumed_lines(e.assumed)
    if not e.verdict and e.reason:
        lines.append(f"{'Status':<16}{e.reason}")
    for conflict in e.conflicts:
        lines.append(f"{'Conflicts':<16}{conflict['label']}: {conflict['level']} ({', '.join(conflict['sources'])})")
    for revision in e.revisions:
        head = "Revises" if revision["relation"] == "revises" else "Revised by"
        lines.append(f"{head:<16}{revision['label']}: {revision['level']} (a re-review, not a disagreement)")
    for concern in e.concerns:
        lines.append(f"{'Concern':<16}{concern}")
    for note in e.notes:
        lines.append(f"{'Note':<16}{note}")
    sources = e.sources or ["none"]
    lines += [f"{'Sources' if i == 0 else '':<16}{url}" for i, url in enumerate(sources)]
    return lines


def assumed_lines(assumed: dict) -> list[str]:
    """A claim's verdict under assumptions (``WhatIf.to_json()``): which, the result, each criterion changed."""
    names = ", ".join(a["name"] for a in assumed["assumptions"])
    lines = [f"{'Assuming':<16}{names} (what-if, not evidence)"]
    lines.append(f"{'':<16}verdict {assumed['verdict_without']} → {assumed['verdict_with']}; derived level "
                 f"{assumed['derived_without'] or 'none'} → {assumed['derived_with'] or 'none'}")
    for change in assumed["criteria"]:
        by = (" and ".join(change["assumptions"]) + " together") if change["jointly"] else ", ".join(change["assumptions"])
        lines.append(f"{'':<16}{change['level']}: {change['criterion']}: {change['without']} → {change['with']} ({by})")
    return lines


def explanation_markdown(e: Explanation, with_rules: bool = True) -> str:
    """The explanation as Markdown, for pasting into an audit file; every value from the data is escaped
    (:func:`markdown_text`), and only http(s) sources are links."""
    m = markdown_text
    s, p = e.subject, e.published
    out = [f"### {m(s['label'])}", "", f"- **Kind:** {m(s['kind'])}"]
    if s.get("about"):
        out.append(f"- **About:** {m(s['about'])}")
    where = ", ".join(str(x) for x in (p.get("in"), p.get("by"), p.get("date")) if x)
    out.append(f"- **Published:** {m(_published_line(e))}" + (f" ({m(where)})" if p.get("in") else ""))
    if e.criteria_text:
        out.append(f"- **Criteria:** {m(e.criteria_text)}")
    for review in e.reviews:
        out.append(f"- **Based on:** {m(review.title)}" + (f" ({m(review.authors)}, {m(review.year)})" if review.authors else ""))
    if with_rules and e.verdict:
        out.append(f"- **Verdict:** `{e.verdict}` — {m(e.reason)}")
        out.append(f"- **Derived level:** {m(e.derived.get('level') or 'none')}")
        if e.if_candidates_confirmed:
            what_if = e.if_candidates_confirmed
            out.append(f"- **If the candidate studies were confirmed:** `{what_if['verdict']}` — {m(what_if['reason'])}"
                       + (f"; still missing: {m('; '.join(what_if['missing']))}" if what_if["missing"] else ""))
    if e.assumed:
        out += [f"- **{m(line)}**" if index == 0 else f"  - {m(line)}"
                for index, line in enumerate(assumed_lines(e.assumed))]
    if e.studies:
        out += ["", "| | study | design | country | arms | risk of bias | reports |", "|---|---|---|---|---|---|---|"]
        for study in e.studies:
            reports = "; ".join(f"{r.title} ({r.year or 'n.d.'})" for r in study.reports) or "—"
            rob = f"{study.risk_of_bias} ({study.appraised_by})" if study.risk_of_bias else "not appraised"
            cells = (study.link, study.label, " / ".join(study.design) or "—", " / ".join(study.country) or "—",
                     _arms(study), rob, reports)
            out.append("| " + " | ".join(m(cell) for cell in cells) + " |")
    if with_rules and e.criteria:
        out += ["", "| level | criterion | status | missing |", "|---|---|---|---|"]
        for c in e.criteria:
            cells = (c["level"], c["criterion"], c["status"], "; ".join(c["missing"]) or "—")
            out.append("| " + " | ".join(m(cell) for cell in cells) + " |")
    if e.concerns:
        out += [""] + [f"> Concern: {m(c)}" for c in e.concerns]
    out += ["", "Sources: " + " · ".join(markdown_link(u) for u in e.sources), ""]
    return "\n".join(out)


def audit_lines(audit: Audit) -> list[str]:
    """The audit as text: counts, then each finding with its trace."""
    lines = ["Verdicts    " + " · ".join(f"{k} {v}" for k, v in audit.summary.items()), ""]
    for finding in audit.findings:
        lines.append(f"[{finding.verdict}] {finding.label}  <{finding.subject}>")
        lines.append(f"  {finding.reason}")
        lines += [f"  missing: {m}" for m in finding.missing]
        if finding.explanation:
            lines += ["  " + line for line in explanation_lines(finding.explanation, with_rules=False)]
        lines.append("")
    return lines


def audit_markdown(audit: Audit) -> str:
    """The audit as Markdown; every value from the data is escaped (:func:`markdown_text`)."""
    m = markdown_text
    out = ["# evgraph audit", "", "| verdict | count |", "|---|---|"]
    out += [f"| {m(k)} | {v} |" for k, v in audit.summary.items()]
    for finding in audit.findings:
        out += ["", f"## [{finding.verdict}] {m(finding.label)}", "", m(finding.reason), ""]
        out += [f"- missing: {m(missing)}" for missing in finding.missing]
        if finding.explanation:
            out += ["", explanation_markdown(finding.explanation, with_rules=False)]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin:0}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.finding{border:1px solid #ddd;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.verdict{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.85rem;margin-right:.4rem;color:#fff;background:#555}
.overclaim{background:#b3261e}.underclaim{background:#7a5c00}.cannot-verify{background:#4a5a6a}.single-trial{background:#6a3d9a}.single-candidate{background:#5c5c5c}.stale{background:#2f6f6f}
.missing{color:#7a2e00}.small{font-size:.85rem;color:#555}summary{cursor:pointer}code{font-size:.85rem}
"""


def audit_html(audit: Audit, diagrams: Mapping[str, "Diagram"] | None = None) -> str:
    """The audit as one self-contained HTML page (inline CSS, no scripts, nothing fetched, every value from the
    data escaped, only http(s) sources linked); each finding links to
    its claim's provenance diagram (``diagrams``, by subject: see lineage.diagram.audit_diagrams), drawn inline
    (SVG with Graphviz, else Mermaid text) once per claim."""
    from evgraph.lineage import drawing

    e = html_text
    drawn = drawing.figures_of(diagrams or {})
    placed: set[str] = set()
    rows = "".join(f"<tr><td>{e(k)}</td><td>{v}</td></tr>" for k, v in audit.summary.items())
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>evgraph audit</title><style>{_CSS}{drawing.FIGURE_CSS}</style></head><body>",
             "<h1>evgraph audit</h1>",
             "<p>Every published recommendation strength and rating checked against the studies recorded for it. "
             "<em>cannot-verify</em> means the facts needed to check it are not in the sources.</p>",
             f"<table><tr><th>verdict</th><th>count</th></tr>{rows}</table>",
             "<details><summary>How the diagrams are drawn</summary><p>An arrow runs from a claim to what it rests"
             f" on: guide, claim, reviews, studies, reports.</p>{drawing.legend_html()}</details>"]
    for finding in audit.findings:
        anchor = drawing.diagram_anchor(finding.subject)
        parts.append(f"<section class='finding'><h2><span class='verdict {e(finding.verdict)}'>{e(finding.verdict)}</span>"
                     f"{e(finding.label)}</h2><p class='small'><code>{e(finding.subject)}</code>"
                     + (f" · <a href='#{anchor}'>diagram</a>" if finding.subject in drawn else "")
                     + f"</p><p>{e(finding.reason)}</p>")
        if finding.missing:
            parts.append("<ul>" + "".join(f"<li class='missing'>missing: {e(m)}</li>" for m in finding.missing) + "</ul>")
        if finding.subject in drawn and finding.subject not in placed:
            placed.add(finding.subject)
            parts.append(f"<details id='{anchor}'><summary>Diagram</summary>"
                         f"{drawn[finding.subject]}</details>")
        if finding.explanation:
            trace = "\n".join(explanation_lines(finding.explanation, with_rules=False))
            links = "".join(f"<li>{html_link(u)}</li>" for u in finding.explanation.sources)
            parts.append(f"<details><summary>Trace</summary><pre>{e(trace)}</pre></details>"
                         f"<details><summary>Sources</summary><ul>{links}</ul></details>")
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)
