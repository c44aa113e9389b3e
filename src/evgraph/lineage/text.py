"""Plain-text rendering of the lineage answers (impact, weak points): lines, no colour, IRIs written short."""

from __future__ import annotations

import html
import json

from evgraph.lineage.impact import Impact, Outcome, Step
from evgraph.lineage.projection import Node
from evgraph.lineage.weak_points import CutPoint, WeakPoints
from evgraph.lineage.what_if import AssumedAudit
from evgraph.shortnames import short


def _name(node: Node) -> str:
    return f"{node.label} <{short(str(node.iri))}>"


def _path(steps: tuple[Step, ...]) -> str:
    parts = []
    for step in steps:
        parts.append(short(str(step.node.iri)))
        if step.relation is not None:
            parts.append(f"--{step.relation}{' (candidate)' if step.link == 'candidate' else ''}-->")
    return " ".join(parts)


def _change(before: Outcome, after: Outcome) -> str:
    derived = (f"derived {before.derived or 'no level'}" if before.derived == after.derived
               else f"derived {before.derived or 'no level'} → {after.derived or 'no level'}")
    verdict = (f"verdict {before.verdict}" if before.verdict == after.verdict
               else f"verdict {before.verdict} → {after.verdict}")
    return f"{derived}; {verdict}"


def impact_lines(impact: Impact) -> list[str]:
    """The impact of a subject, and of its withdrawal when one was asked for."""
    lines = [f"Impact of {impact.subject.kind} {_name(impact.subject)}", ""]
    if not impact.dependents:
        lines.append("Nothing rests on it: no guide, review, recommendation or rating reaches it.")
    else:
        lines.append(f"Rests on it ({len(impact.dependents)}):")
        for dependent in impact.dependents:
            support = "" if dependent.support == "confirmed" else "  [through a curation candidate]"
            lines.append(f"  {dependent.node.kind:<15}{_name(dependent.node)}{support}")
            lines.append(f"  {'':<15}{_path(dependent.path)}")
    if impact.withdrawn is None:
        return lines
    lines.append("")
    studies = ", ".join(short(str(s.iri)) for s in impact.withdrawn_studies)
    taken = {"report": "the findings it reports", "review": "the risk-of-bias appraisals made in it"}.get(
        impact.subject.kind, f"its studies ({studies})" if studies else "no study")
    lines.append(f"If withdrawn (taking out {taken if impact.subject.kind != 'study' else 'the study'}):")
    if not impact.withdrawn:
        lines.append("  no recommendation or rating would change or lose a study.")
    for claim in impact.withdrawn:
        lines.append(f"  {_name(claim.node)}")
        lines.append(f"    published: {claim.published or 'not recorded'}")
        lost = [f"confirmed {short(str(n.iri))}" for n in claim.lost_confirmed] + \
               [f"candidate {short(str(n.iri))}" for n in claim.lost_candidates]
        if lost:
            lines.append(f"    loses: {', '.join(lost)}")
        lines.append(f"    rules: {_change(claim.before, claim.after)}")
        lines.append(f"    counting candidates as confirmed: {_change(claim.candidates_before, claim.candidates_after)}")
    return lines


def _cut_lines(point: CutPoint) -> list[str]:
    if len(point.nodes) == 1:
        head = f"  {point.nodes[0].kind:<15}{_name(point.nodes[0])}"
    else:
        head = f"  {short(str(point.nodes[0].iri))} --{point.relation}--> {short(str(point.nodes[1].iri))}"
    lines = [head]
    for cut in point.cuts:
        whole = "all of its evidence: " if cut.whole else ""
        studies = ", ".join(short(str(s.iri)) for s in cut.studies_lost)
        lines.append(f"  {'':<15}cuts {short(str(cut.guide.iri))} off from {whole}{studies}")
    return lines


def weak_points_lines(weak: WeakPoints) -> list[str]:
    """The weak points of the graph, section by section."""
    lines = [f"Studies the most claims rest on (top {len(weak.studies)}):"]
    for load in weak.studies:
        lines.append(f"  {_name(load.study)}")
        lines.append(f"    {len(load.confirmed)} confirmed, {len(load.candidate)} through curation candidates; "
                     f"guides above: {', '.join(short(str(g.iri)) for g in load.guides) or 'none'}")
    lines += ["", f"Claims resting on one confirmed study ({len(weak.one_confirmed)}): a finding"]
    lines += [f"  {_name(s.claim)}: {short(str(s.study.iri))}" for s in weak.one_confirmed] or ["  none"]
    lines += ["", f"Claims where only one study is recorded, as a curation candidate ({len(weak.one_recorded)}): "
                  "a coverage gap, not a finding"]
    lines += [f"  {_name(s.claim)}: {short(str(s.study.iri))}" for s in weak.one_recorded] or ["  none"]
    lines += ["", f"Articulation points: one node whose withdrawal cuts a guide off from studies "
                  f"({len(weak.articulation_points)})"]
    lines += [line for point in weak.articulation_points for line in _cut_lines(point)] or ["  none"]
    lines += ["", f"Bridges: one link whose withdrawal cuts a guide off from studies ({len(weak.bridges)})"]
    lines += [line for point in weak.bridges for line in _cut_lines(point)] or ["  none"]
    lines += ["", f"Possible reports of one trial entered as separate studies ({len(weak.duplicates)})"]
    lines += [f"  {short(row['study'])} and {short(row['other'])}: {row['basis']}" for row in weak.duplicates] or ["  none"]
    return lines


def assumed_audit_lines(assumed: AssumedAudit) -> list[str]:
    """The audit under assumptions: which, the verdict counts without and with, each claim they change."""
    lines = ["Under assumptions (a what-if, not evidence; nothing here is recorded as a fact):"]
    lines += [f"  {a.name}: {a.summary}" for a in assumed.used]
    counts = ", ".join(f"{v} {assumed.summary_without[v]} → {assumed.summary_with[v]}" for v in assumed.summary_with)
    lines += [f"  verdicts: {counts}", f"  claims whose verdict or derived level changes ({len(assumed.changed)}):"]
    for label, answer in assumed.changed:
        lines.append(f"    {label} <{short(str(answer.subject))}>: verdict {answer.verdict_without} → "
                     f"{answer.verdict_with}; derived level {answer.derived_without or 'none'} → "
                     f"{answer.derived_with or 'none'}")
    return lines


def append_assumed(rendered: str, output_format: str, assumed: AssumedAudit) -> str:
    """An audit already rendered (text, markdown, html or json) with its what-if section added."""
    lines = assumed_audit_lines(assumed)
    if output_format == "json":
        return json.dumps({**json.loads(rendered), "assumed": assumed.to_json()}, indent=2, ensure_ascii=False) + "\n"
    if output_format == "html":
        section = (f'<section id="assumptions"><h2>Under assumptions</h2>\n<pre>{html.escape(chr(10).join(lines[1:]))}'
                   f"</pre>\n<p>{html.escape(lines[0])}</p></section>\n")
        return rendered.replace("</body>", section + "</body>", 1)
    if output_format == "markdown":
        return rendered.rstrip("\n") + "\n\n## Under assumptions\n\n```\n" + "\n".join(lines) + "\n```\n"
    return rendered.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
