"""Plain-text rendering of the lineage answers (impact, weak points, what-if audits, organisation lineage):
lines, no colour, IRIs written short."""

from __future__ import annotations

import json
import re

from evgraph.lineage.impact import Impact, Outcome, Step
from evgraph.lineage.organisations import (
    AFTER,
    HAPPENED,
    RELATION_WORDS,
    ROLES,
    Agent,
    EventView,
    Lineage,
    Piece,
    period,
)
from evgraph.lineage.projection import Node
from evgraph.lineage.weak_points import CutPoint, WeakPoints
from evgraph.lineage.what_if import AssumedAudit
from evgraph.output import html_text, json_text, printable
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
    if output_format == "json":
        return json_text({**json.loads(rendered), "assumed": assumed.to_json()})
    lines = [printable(line) for line in assumed_audit_lines(assumed)]
    if output_format == "html":
        section = (f'<section id="assumptions"><h2>Under assumptions</h2>\n<pre>{html_text(chr(10).join(lines[1:]))}'
                   f"</pre>\n<p>{html_text(lines[0])}</p></section>\n")
        return rendered.replace("</body>", section + "</body>", 1)
    if output_format == "markdown":  # a fence longer than any run of backticks in the data, which cannot close it
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", "\n".join(lines))), default=0))
        return rendered.rstrip("\n") + f"\n\n## Under assumptions\n\n{fence}\n" + "\n".join(lines) + f"\n{fence}\n"
    return rendered.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


# -- organisation lineage ------------------------------------------------------------------------


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _agents(agents: tuple[Agent, ...]) -> str:
    if not agents:
        return "not recorded"
    return "; ".join(a.label + (f" (through {', '.join(label for _, label in a.through)})" if a.through else "")
                     for a in agents)


def _piece_lines(items: tuple[Piece, ...]) -> list[str]:
    lines = []
    for p in items:
        how = ", ".join(RELATION_WORDS.get(r, r) for r in p.relation)
        lines.append(f"{'':16}{p.date or 'undated':<11}{p.label}   ({p.kind}; {how})")
        if any(getattr(p, f"{role}_by") for role in ROLES):
            lines.append(f"{'':27}" + " · ".join(f"{role} by {_agents(getattr(p, f'{role}_by'))}" for role in ROLES))
        else:
            lines.append(f"{'':27}evaluated, commissioned and published by: not recorded")
    return lines


def _tally(items: tuple[Piece, ...]) -> str:
    undated = sum(p.date is None for p in items)
    return _count(len(items), "piece") + (f", {undated} undated (no date recorded; kept)" if undated else "")


def _not_yet(event: EventView, as_of: str) -> str:
    if event.status == AFTER:
        return f"after {as_of}"
    dated = period(event.date)
    if dated is None:
        return f"its date cannot be read, so it cannot be ordered against {as_of}; not counted"
    return (f"in the {dated.unit} of {dated.text}, which contains {as_of}; its exact day is not recorded, so it "
            f"cannot be ordered against {as_of} and is not counted")


def lineage_lines(lineage: Lineage) -> list[str]:
    """The lineage as aligned text lines, the shape `evgraph org` prints."""
    as_of = lineage.as_of
    lines = [f"{'Organisation':<16}{lineage.label}   ({short(lineage.organisation)})"]
    if as_of is not None:
        unit = period(as_of).unit
        end = "" if unit == "day" else f", to the end of that {unit}"
        lines.append(f"{'As of':<16}{as_of}{end} (change events and pieces dated after it, or in a month or year"
                     " that contains it, are left out; undated ones are kept)")
    heads = {"resulting": "Formed by", "original": "Changed by"}
    for event in lineage.events:
        when_ = event.date or "date not recorded"
        if event.status == HAPPENED:
            lines.append(f"{heads[event.role]:<16}{event.label}   ({short(event.iri)}, {when_})")
        else:
            lines.append(f"{'Not yet':<16}{event.label}   ({short(event.iri)}, dated {when_}: "
                         f"{_not_yet(event, as_of)})")
    if lineage.not_yet_formed:
        lines.append(f"{'':16}so as of {as_of} {lineage.label} had not yet been formed: it is recorded only as"
                     " resulting from that change")
    pending = {e.role for e in lineage.events if e.status != HAPPENED}
    for head, found, role in (("Predecessors", lineage.predecessors, "resulting"),
                              ("Successors", lineage.successors, "original")):
        if not found:
            lines.append(f"{head:<16}" + (f"none as of {as_of}" if role in pending else "none recorded"))
        for index, r in enumerate(found):
            lines.append(f"{head if index == 0 else '':<16}{r.label}   ({short(r.iri)}; {short(r.event)}, "
                         f"{r.date or 'date not recorded'})")
    lines.append(f"{'Stands behind':<16}" + (_tally(lineage.stands_behind) if lineage.stands_behind
                                            else "nothing recorded"))
    lines += _piece_lines(lineage.stands_behind)
    if not lineage.inherited:
        lines.append(f"{'Inherited':<16}nothing: no predecessors" + (f" as of {as_of}" if "resulting" in pending else ""))
    for index, group in enumerate(lineage.inherited):
        lines.append(f"{'Inherited' if index == 0 else '':<16}from {group.source_label} ({short(group.source)}) "
                     f"through {short(group.event)}, {group.date or 'date not recorded'}: "
                     + (_tally(group.items) if group.items else "nothing recorded"))
        lines += _piece_lines(group.items)
    if as_of is not None:
        after, unordered = lineage.left_out["after"], lineage.left_out["cannot_be_ordered"]
        parts = [f"{_count(after, 'piece')} dated after {as_of}"] if after else []
        if unordered:
            parts.append(f"{_count(unordered, 'piece')} dated in a month or year that contains {as_of}"
                         " (cannot be ordered against it)")
        lines.append(f"{'Left out':<16}" + ("; ".join(parts) or "nothing"))
    return lines
