"""Pictures of provenance: the tree above and below one node, as Mermaid, Graphviz DOT, SVG or an HTML page.

A :class:`Diagram` is a plain value built from the projection (:mod:`evgraph.lineage.projection`) and the
rules' verdicts; the renderers only format it, each escaping labels its own way. SVG comes from running
Graphviz's ``dot`` on the DOT text. Node ids (n1, n2, …) follow kind, label and IRI order, so the same
graph always draws to the same bytes.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import textwrap
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import networkx as nx

from evgraph.errors import ConfigError
from evgraph.lineage.impact import dependents
from evgraph.lineage.projection import KINDS, evidence_view, provenance_graph
from evgraph.lookup import resolve
from evgraph.rules import derive_all, read_evidence
from evgraph.shortnames import short
from evgraph.store import Store
from evgraph.terms import IRI

if TYPE_CHECKING:
    from evgraph.audit import Audit

#: What ``diagram`` takes, by class local name.
SUBJECT_KINDS = ("Recommendation", "Rating", "Study", "Organisation", "EvidenceReview", "Report", "Guidance",
                 "PracticeGuide", "Guidebook", "Intervention")
#: Kinds top of a tree first: the order nodes are numbered, listed and counted in.
KIND_ORDER = ("organisation", "guide", "recommendation", "rating", "review", "study", "report", "intervention")
CLAIM_KINDS = ("recommendation", "rating")
#: At most this many nodes directly above or below one node are drawn; a note counts the rest.
FAN_OUT = 8
#: At most this many nodes are drawn in all (notes aside): a branch that would pass it is left out, and counted.
MAX_NODES = 40
#: Labels are wrapped to this many characters, and cut (with …) after this many lines.
WRAP, MAX_LINES = 28, 4
#: Seconds Graphviz may take.
DOT_TIMEOUT = 60
MISSING_DOT = ("Graphviz's dot program was not found: install Graphviz (Debian package `graphviz`) "
               "or use --format mermaid or --format dot.")

#: One colour per verdict (fill, border) and what it means; a recommendation or rating is drawn in its
#: verdict's colours ("not checked": a rating with no published level, which the rules do not check).
VERDICT_COLOURS = {
    "consistent": ("#d7f0d8", "#2e7d32", "the recorded studies meet the published level"),
    "overclaim": ("#f9d3cf", "#b3261e", "published above what the recorded studies support"),
    "underclaim": ("#fcecc2", "#7a5c00", "published below what the recorded studies support"),
    "cannot-verify": ("#dde4eb", "#4a5a6a", "facts needed to check the published level are missing"),
    "no-rule": ("#eeeeee", "#6b6b6b", "the published level has no machine-readable criteria"),
    "not checked": ("#ffffff", "#9e9e9e", "no published level for the rules to check"),
}
#: How each kind is drawn: DOT shape, DOT style, Mermaid brackets, fill, border (claims take their verdict's).
KIND_STYLES = {
    "organisation": ("box3d", "filled", ("([", "])"), "#f2f2f2", "#424242"),
    "guide": ("folder", "filled", ("[[", "]]"), "#ffffff", "#424242"),
    "recommendation": ("box", "rounded,filled", ("(", ")"), None, None),
    "rating": ("box", "rounded,filled", ("(", ")"), None, None),
    "review": ("tab", "filled", ("[/", "/]"), "#ffffff", "#424242"),
    "study": ("box", "filled", ("[", "]"), "#f5f5f5", "#424242"),
    "report": ("note", "filled", (">", "]"), "#ffffff", "#757575"),
    "intervention": ("hexagon", "filled", ("{{", "}}"), "#ffffff", "#424242"),
    "note": ("plaintext", "", ("[", "]"), "#ffffff", "#9e9e9e"),
}
_PLURALS = {"organisation": "organisations", "guide": "guides", "recommendation": "recommendations",
            "rating": "ratings", "review": "reviews", "study": "studies", "report": "reports",
            "intervention": "interventions"}
_CLASS_KIND = {**KINDS, "PracticeGuide": "guide", "Guidebook": "guide"}


@dataclass(frozen=True)
class DiagramNode:
    """One box: its id, IRI (none for a note, or a guide an explanation names only by title), kind, label and,
    for a recommendation or rating, the verdict it is coloured by."""

    id: str
    iri: str | None
    kind: str
    label: str
    verdict: str | None = None


@dataclass(frozen=True)
class DiagramEdge:
    """An arrow from a node to what it rests on: ``link`` "confirmed", "candidate", or "more" (a note's)."""

    source: str
    target: str
    link: str


@dataclass(frozen=True)
class Diagram:
    """The provenance tree around one subject, ready to draw; ``omitted`` nodes are only counted, in notes."""

    subject: DiagramNode
    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    omitted: int = 0

    @property
    def title(self) -> str:
        """What the diagram shows, in words."""
        return f"Provenance of {self.subject.label}"

    def verdicts(self) -> list[str]:
        """The verdicts its nodes are coloured by, in legend order."""
        present = {n.verdict for n in self.nodes}
        return [v for v in VERDICT_COLOURS if v in present]

    def links(self) -> list[str]:
        """The kinds of arrow it has."""
        present = {e.link for e in self.edges}
        return [link for link in ("confirmed", "candidate", "more") if link in present]


# -- building ----------------------------------------------------------------------------------------


def build_diagram(store: Store, text: str) -> Diagram:
    """The diagram of what ``text`` names: a recommendation, rating, study, organisation, guide, review, report
    or intervention, with each recommendation and rating coloured by the rules' verdict."""
    match = resolve(store, text, SUBJECT_KINDS)
    graph = provenance_graph(store)
    if match.iri not in graph:
        graph.add_node(match.iri, kind=_CLASS_KIND[match.kind], label=match.label)
    verdicts = {d.subject: d.verdict.value for d in derive_all(read_evidence(store))}
    return diagram_of(graph, match.iri, verdicts)


def diagram_of(graph: nx.DiGraph, subject: IRI, verdicts: Mapping[str, str], fan_out: int = FAN_OUT,
               max_nodes: int = MAX_NODES) -> Diagram:
    """The tree around ``subject`` in a projection-shaped graph.

    Above it: what rests on it (:func:`~evgraph.lineage.impact.dependents`, and a report's studies). Below it:
    what it rests on, evidence on evidence down to reports; an organisation's first step is everything it
    stands behind. Arrows are the graph's edges between the nodes drawn. Neighbours are taken in kind, label
    and IRI order, at most ``fan_out`` per node and ``max_nodes`` in all; a note counts the rest.
    """
    evidence = evidence_view(graph)
    kind = graph.nodes[subject]["kind"]
    above_allowed = {d.node.iri for d in dependents(graph, subject)}
    above_allowed |= {p for p in graph.predecessors(subject) if graph.nodes[p]["kind"] == "study"}

    def below(iri: IRI) -> Iterable[IRI]:
        if iri == subject and kind == "organisation":
            return graph.successors(iri)
        return evidence.successors(iri) if iri in evidence else ()

    def above(iri: IRI) -> Iterable[IRI]:
        return (p for p in graph.predecessors(iri) if p in above_allowed)

    def key(iri: IRI) -> tuple:
        return KIND_ORDER.index(graph.nodes[iri]["kind"]), graph.nodes[iri]["label"].lower(), str(iri)

    shown = {subject}
    reached = {"above": _walk(subject, above, key, shown, fan_out, max_nodes),
               "below": _walk(subject, below, key, shown, fan_out, max_nodes)}
    ids = {iri: f"n{i}" for i, iri in enumerate(sorted(shown, key=key), start=1)}
    nodes = [DiagramNode(ids[iri], str(iri) if isinstance(iri, IRI) else None, graph.nodes[iri]["kind"],
                         graph.nodes[iri]["label"],
                         verdicts.get(iri, "not checked") if graph.nodes[iri]["kind"] in CLAIM_KINDS else None)
             for iri in sorted(shown, key=key)]
    edges = [DiagramEdge(ids[u], ids[v], graph.edges[u, v]["link"]) for u, v in graph.subgraph(shown).edges]
    omitted: set[IRI] = set()
    for direction, step in (("above", above), ("below", below)):
        for iri in sorted(reached[direction], key=key):
            hidden = sorted((other for other in step(iri) if other not in shown), key=key)
            if not hidden:
                continue
            omitted.update(hidden)
            note = f"n{len(nodes) + 1}"
            counts = Counter(graph.nodes[h]["kind"] for h in hidden)
            words = ", ".join(f"{n} {k if n == 1 else _PLURALS[k]}" for k, n in counts.items())
            nodes.append(DiagramNode(note, None, "note", f"… and {len(hidden)} more: {words}"))
            edges.append(DiagramEdge(note, ids[iri], "more") if direction == "above"
                         else DiagramEdge(ids[iri], note, "more"))
    order = {node.id: i for i, node in enumerate(nodes)}
    edges.sort(key=lambda e: (order[e.source], order[e.target]))
    return Diagram(nodes[order[ids[subject]]], tuple(nodes), tuple(edges), len(omitted))


def _walk(start: IRI, step: Callable[[IRI], Iterable[IRI]], key: Callable, shown: set, fan_out: int,
          max_nodes: int) -> list[IRI]:
    """Add to ``shown`` the neighbours of ``start`` (at most ``fan_out``), then, for each in turn, everything
    past it (``fan_out`` per node) if all of that still fits in ``max_nodes``: a cut leaves whole branches out,
    never their ends. Returns the nodes whose neighbours were taken, for the notes that count the rest."""
    reached, firsts, slots = [start], [], fan_out
    for child in sorted(step(start), key=key):
        if child in shown:
            slots -= 1
        elif slots > 0 and len(shown) < max_nodes:
            shown.add(child)
            firsts.append(child)
            slots -= 1
    for child in firsts:
        branch = _branch(child, step, key, shown, fan_out)
        if len(shown) + len(branch) <= max_nodes:
            shown.update(branch)
            reached += branch
        reached.append(child)
    return list(dict.fromkeys(reached))


def _branch(root: IRI, step: Callable[[IRI], Iterable[IRI]], key: Callable, shown: set, fan_out: int) -> list[IRI]:
    """Breadth-first past ``root``, at most ``fan_out`` neighbours per node: the nodes not yet in ``shown``."""
    found, queue = {}, deque([root])
    while queue:
        slots = fan_out
        for other in sorted(step(queue.popleft()), key=key):
            if other in shown or other in found:
                slots -= 1
            elif slots > 0:
                found[other] = None
                queue.append(other)
                slots -= 1
    return list(found)


def audit_diagrams(store: Store, audit: "Audit") -> dict[str, Diagram]:
    """The diagram of each claim an audit lists, exactly as ``evgraph diagram`` draws it, coloured by the rules'
    verdict of that claim."""
    graph = provenance_graph(store)
    verdicts = {IRI(f.subject): f.explanation.verdict for f in audit.findings if f.explanation and f.explanation.verdict}
    subjects = sorted({IRI(f.subject) for f in audit.findings}, key=str)
    return {str(s): diagram_of(graph, s, verdicts) for s in subjects if s in graph}


# -- text of a label -------------------------------------------------------------------------------


def label_lines(node: DiagramNode) -> tuple[list[str], str | None]:
    """A node's label wrapped to :data:`WRAP` characters, and its caption (kind, and verdict for a claim)."""
    lines = textwrap.wrap(" ".join(node.label.split()), WRAP, break_on_hyphens=False) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES - 1] + [textwrap.shorten(" ".join(lines[MAX_LINES - 1:]), WRAP, placeholder=" …")]
    if node.kind == "note":
        return lines, None
    return lines, node.kind + (f" · {node.verdict}" if node.verdict else "")


def _colours(node: DiagramNode) -> tuple[str, str]:
    if node.verdict:
        return VERDICT_COLOURS[node.verdict][:2]
    _, _, _, fill, line = KIND_STYLES[node.kind]
    return fill, line


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- Mermaid ---------------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: Mermaid's entity codes for what its parser or HTML would take."""
    text = text.replace("#", "#35;")
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


def _css_class(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name)


def to_mermaid(diagram: Diagram, legend: bool = True) -> str:
    """The diagram as a Mermaid flowchart (top to bottom; dashed arrows are candidate links)."""
    out = [f"%% {_one_line(diagram.title)}" + (f" <{diagram.subject.iri}>" if diagram.subject.iri else ""),
           "%% drawn by evgraph diagram: an arrow runs from a node to what it rests on",
           "flowchart TB"]
    classes: dict[str, list[str]] = {}
    for node in diagram.nodes:
        lines, caption = label_lines(node)
        text = "<br/>".join(_mermaid_text(line) for line in lines)
        if caption:
            text += f"<br/><i>{_mermaid_text(caption)}</i>"
        opening, closing = KIND_STYLES[node.kind][2]
        out.append(f'  {node.id}{opening}"{text}"{closing}')
        classes.setdefault(_css_class(node.verdict or node.kind), []).append(node.id)
    for edge in diagram.edges:
        arrow = {"confirmed": "-->", "candidate": "-.->|candidate|", "more": "-.-"}[edge.link]
        out.append(f"  {edge.source} {arrow} {edge.target}")
    if legend and (diagram.verdicts() or "candidate" in diagram.links()):
        out.append('  subgraph legend["Legend"]')
        for verdict in diagram.verdicts():
            meaning = _mermaid_text(f"{verdict}: {VERDICT_COLOURS[verdict][2]}")
            out.append(f'    legend_{_css_class(verdict)}["{meaning}"]')
            classes.setdefault(_css_class(verdict), []).append(f"legend_{_css_class(verdict)}")
        words = ["solid arrow: rests on, a link a source confirms"]
        if "candidate" in diagram.links():
            words.append("dashed arrow: candidate link curation proposed, not confirmed")
        out += [f'    legend_links["{"<br/>".join(words)}"]', "  end"]
        classes.setdefault("note", []).append("legend_links")
    for name, ids in sorted(classes.items()):
        style = next((VERDICT_COLOURS[v] for v in VERDICT_COLOURS if _css_class(v) == name), None)
        if style:
            out.append(f"  classDef {name} fill:{style[0]},stroke:{style[1]},stroke-width:2px,color:#1b1b1b")
        else:
            _, _, _, fill, line = KIND_STYLES[name]
            dash = ",stroke-dasharray:4 3" if name == "note" else ""
            out.append(f"  classDef {name} fill:{fill},stroke:{line},color:#1b1b1b{dash}")
        out.append(f"  class {','.join(ids)} {name}")
    out.append(f"  style {diagram.subject.id} stroke-width:4px")
    return "\n".join(out) + "\n"


# -- DOT -------------------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    """Text inside a Graphviz HTML-like label: XML-escaped."""
    return html.escape(text, quote=True)


def _dot_legend(diagram: Diagram) -> str:
    rows = []
    for verdict in diagram.verdicts():
        fill, line, meaning = VERDICT_COLOURS[verdict]
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{line}" BORDER="1">{verdict}</TD>'
                    f'<TD ALIGN="LEFT">{_dot_text(meaning)}</TD></TR>')
    rows.append('<TR><TD>───▶</TD><TD ALIGN="LEFT">rests on (a link a source confirms)</TD></TR>')
    if "candidate" in diagram.links():
        rows.append('<TR><TD>- - -▶</TD><TD ALIGN="LEFT">candidate link curation proposed, not confirmed</TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">{"".join(rows)}</TABLE>>'


def to_dot(diagram: Diagram, legend: bool = True) -> str:
    """The diagram as Graphviz DOT (HTML-like labels; the legend is the graph's label, at the bottom)."""
    title = _one_line(diagram.title) + (f" <{diagram.subject.iri}>" if diagram.subject.iri else "")
    graph = ['rankdir=TB', 'nodesep=0.25', 'ranksep=0.45', 'fontname="Helvetica"', 'fontsize=9']
    if legend:
        graph += ["labelloc=b", "labeljust=l", f"label={_dot_legend(diagram)}"]
    out = [f"// {title}", "// drawn by evgraph diagram: an arrow runs from a node to what it rests on",
           "digraph provenance {", f"  graph [{', '.join(graph)}];",
           '  node [fontname="Helvetica", fontsize=10, margin="0.12,0.06"];',
           '  edge [color="#555555", arrowsize=0.7, fontname="Helvetica", fontsize=8, fontcolor="#555555"];']
    for node in diagram.nodes:
        lines, caption = label_lines(node)
        text = "<BR/>".join(_dot_text(line) for line in lines)
        if caption:
            text += f'<BR/><FONT POINT-SIZE="8" COLOR="#555555">{_dot_text(caption)}</FONT>'
        shape, style, _, _, _ = KIND_STYLES[node.kind]
        fill, line = _colours(node)
        attributes = [f"shape={shape}"]
        if node.kind == "note":
            attributes.append('fontcolor="#555555"')
        else:
            width = 3 if node.id == diagram.subject.id else 1.6 if node.verdict else 1
            attributes += [f'style="{style}"', f'fillcolor="{fill}"', f'color="{line}"', f"penwidth={width}"]
        out.append(f"  {node.id} [{', '.join(attributes)}, label=<{text}>];")
    for edge in diagram.edges:
        attributes = {"confirmed": "", "candidate": ' [style=dashed, label="candidate"]',
                      "more": ' [style=dotted, arrowhead=none]'}[edge.link]
        out.append(f"  {edge.source} -> {edge.target}{attributes};")
    out.append("}")
    return "\n".join(out) + "\n"


# -- SVG and HTML ----------------------------------------------------------------------------------


def _graphviz(dot_text: str) -> str:
    """Graphviz's SVG for DOT text holding one or more graphs."""
    program = shutil.which("dot")
    if program is None:
        raise ConfigError(MISSING_DOT)
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Graphviz's dot did not finish within {DOT_TIMEOUT} s") from None
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz's dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8")


def to_svgs(diagrams: list[Diagram], legend: bool = True) -> list[str]:
    """Each diagram as SVG, from one run of Graphviz for them all."""
    if not diagrams:
        return []
    output = _graphviz("".join(to_dot(d, legend) for d in diagrams))
    svgs = [part for part in re.split(r"(?=<\?xml )", output) if part.strip()]
    if len(svgs) != len(diagrams):
        raise RuntimeError(f"Graphviz drew {len(svgs)} pictures for {len(diagrams)} diagrams")
    return svgs


def to_svg(diagram: Diagram, legend: bool = True) -> str:
    """The diagram as SVG, drawn by Graphviz's dot (which must be installed)."""
    return to_svgs([diagram], legend)[0]


def inline_svg(svg: str) -> str:
    """An SVG document as an element to put in an HTML page: no prolog, doctype, comments, ids or titles (the
    ids would repeat between pictures, and the titles are only node ids), its font left to :data:`FIGURE_CSS`."""
    svg = re.sub(r"<\?xml[^>]*>|<!DOCTYPE[^>]*>|<!--.*?-->|<title>[^<]*</title>", "", svg, flags=re.S)
    svg = re.sub(r' id="[^"]*"| font-family="Helvetica,sans-Serif"', "", svg)  # the font: FIGURE_CSS
    svg = re.sub(r"\n\s*\n+", "\n", svg).strip()
    return svg.replace("<svg ", "<svg class='diagram' ", 1)


def figures(diagrams: list[Diagram]) -> list[str]:
    """Each diagram as an HTML fragment: its inline SVG (no legend) when Graphviz is installed, else its
    Mermaid text in a <pre>."""
    if shutil.which("dot") is None:
        return [f"<pre class='mermaid-source'>{html.escape(to_mermaid(d, legend=False))}</pre>" for d in diagrams]
    return [inline_svg(svg) for svg in to_svgs(diagrams, legend=False)]


def figures_of(diagrams: Mapping[str, Diagram]) -> dict[str, str]:
    """Each subject's diagram as an HTML fragment (:func:`figures`), Graphviz run once for them all."""
    return dict(zip(diagrams, figures(list(diagrams.values()))))


def diagram_anchor(iri: str) -> str:
    """The id of a subject's diagram in a page: ``diagram-`` and its prefixed name, made safe for a URL."""
    return "diagram-" + re.sub(r"[^A-Za-z0-9_-]+", "-", short(iri)).strip("-")


def legend_html() -> str:
    """The colour of every verdict and the style of every arrow, as an HTML list (inline styles only)."""
    items = [f"<li><span class='swatch' style='background:{fill};border:2px solid {line}'></span>"
             f"<b>{html.escape(verdict)}</b>: {html.escape(meaning)}</li>"
             for verdict, (fill, line, meaning) in VERDICT_COLOURS.items()]
    items += ["<li><span class='arrow'>───▶</span> rests on: a link a source confirms</li>",
              "<li><span class='arrow'>- - -▶</span> <b>candidate</b>: a link curation proposed, not confirmed</li>",
              "<li><span class='arrow'>·······</span> more not drawn, counted in a note</li>"]
    return "<ul class='legend'>" + "".join(items) + "</ul>"


#: The CSS a page needs for :func:`legend_html` and for :func:`inline_svg` pictures.
FIGURE_CSS = (".legend{list-style:none;padding:0}.legend li{margin:.2rem 0}"
              ".swatch{display:inline-block;width:1.4rem;height:.9rem;vertical-align:middle;margin-right:.4rem}"
              ".arrow{display:inline-block;width:3.2rem;font-family:monospace;color:#555}"
              "svg.diagram{max-width:100%;height:auto}svg.diagram text{font-family:Helvetica,Arial,sans-serif}")
_CSS = ("body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:80rem;margin:2rem auto;"
        "padding:0 1rem;color:#1b1b1b;line-height:1.45}h1{font-size:1.5rem}h2{font-size:1.15rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;"
        "vertical-align:top}.small{font-size:.85rem;color:#555}" + FIGURE_CSS)


def _link(iri: str) -> str:
    return f"<a href='{html.escape(iri)}'>{html.escape(iri)}</a>"


def to_html(diagram: Diagram) -> str:
    """One self-contained page: title, the SVG, the legend and every node with its IRI (no scripts, nothing fetched)."""
    e = html.escape
    svg = inline_svg(to_svg(diagram, legend=False))
    rows = "".join(
        f"<tr><td>{e(n.id)}</td><td>{e(n.kind)}</td><td>{e(n.label)}</td><td>{e(n.verdict or '')}</td>"
        f"<td>{_link(n.iri) if n.iri else ''}</td></tr>" for n in diagram.nodes)
    omitted = (f"<p class='small'>{diagram.omitted} more nodes are not drawn; the notes count them.</p>"
               if diagram.omitted else "")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{e(diagram.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{e(diagram.title)}</h1><p class='small'>{e(diagram.subject.kind)} · {e(diagram.subject.iri or '')}"
            " · an arrow runs from a node to what it rests on</p>"
            f"<figure>{svg}</figure>{omitted}<h2>Legend</h2>{legend_html()}"
            "<h2>Nodes</h2><table><tr><th>id</th><th>kind</th><th>label</th><th>verdict</th><th>IRI</th></tr>"
            f"{rows}</table></body></html>\n")


#: Each output format and what draws it.
RENDERERS: dict[str, Callable[[Diagram], str]] = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg,
                                                  "html": to_html}
