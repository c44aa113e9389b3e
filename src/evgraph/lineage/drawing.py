"""Drawing a :class:`~evgraph.lineage.diagram.Diagram`: Mermaid, Graphviz DOT, SVG (Graphviz's ``dot`` run on
the DOT) or one self-contained HTML page; each format escapes labels its own way."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import textwrap
from typing import Callable, Mapping

from evgraph.errors import ConfigError
from evgraph.lineage.diagram import VERDICT_COLOURS, Diagram, DiagramNode
from evgraph.output import html_link, html_text, printable
from evgraph.shortnames import short

#: Labels are wrapped to this many characters, and cut (with …) after this many lines.
WRAP, MAX_LINES = 28, 4
#: Seconds Graphviz may take.
DOT_TIMEOUT = 60
MISSING_DOT = ("Graphviz's dot program was not found: install Graphviz (Debian package `graphviz`) "
               "or use --format mermaid or --format dot.")

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

# -- text of a label -------------------------------------------------------------------------------


def label_lines(node: DiagramNode) -> tuple[list[str], str | None]:
    """A node's label wrapped to :data:`WRAP` characters, and its caption (kind, and verdict for a claim)."""
    lines = textwrap.wrap(" ".join(printable(node.label).split()), WRAP, break_on_hyphens=False) or [""]
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
    return " ".join(printable(text).split())


def _comment(text: str) -> str:
    """Text for a Mermaid ``%%`` comment line: one line, and no ``%%`` (Mermaid reads ``%%{…}%%`` anywhere as
    a directive)."""
    return re.sub(r"%(?=%)", "% ", _one_line(text))


# -- Mermaid ---------------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: Mermaid's entity codes for what its parser or HTML would take (and
    ``%``, so no ``%%{…}%%`` directive can be spelt)."""
    text = printable(text).replace("#", "#35;")
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;"), ("%", "#37;")):
        text = text.replace(char, code)
    return text


def _css_class(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name)


def to_mermaid(diagram: Diagram, legend: bool = True) -> str:
    """The diagram as a Mermaid flowchart (top to bottom; dashed arrows are candidate links)."""
    out = [f"%% {_comment(diagram.title)}" + (f" <{_comment(diagram.subject.iri)}>" if diagram.subject.iri else ""),
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
    """Text inside a Graphviz HTML-like label: XML-escaped, without the control characters XML cannot hold."""
    return html_text(text)


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
    title = _one_line(diagram.title) + (f" <{_one_line(diagram.subject.iri)}>" if diagram.subject.iri else "")
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
    """A node's IRI, a link when it is an http(s) address (an IRI such as ``javascript:…`` is shown as text)."""
    return html_link(iri)


def to_html(diagram: Diagram) -> str:
    """One self-contained page: title, the SVG, the legend and every node with its IRI (no scripts, nothing fetched;
    labels escaped, only http(s) IRIs linked)."""
    e = html_text
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
