"""A node's provenance diagram for its page: the picture ``evgraph diagram`` draws, each box a link to its page.

With Graphviz installed the picture is inline SVG; without it, the diagram's Mermaid text in a ``<pre>``
(as :func:`evgraph.lineage.drawing.figures` does), so a page never needs a script to show it.
"""

from __future__ import annotations

import html
import re
import shutil
from typing import Callable

from evgraph.errors import EvgraphError
from evgraph.lineage import drawing
from evgraph.lineage.diagram import SUBJECT_KINDS, Diagram, build_diagram
from evgraph.output import html_text
from evgraph.store import Store
from evgraph.terms import IRI

_NODE = re.compile(r'(<g id="[^"]*" class="node">\s*<title>(n\d+)</title>)(.*?)(</g>)', re.S)
_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"')
#: A picture is shrunk to fit the page, but never below this share of its size: a wide one scrolls instead,
#: so its labels stay readable.
MIN_SCALE = 0.72


def has_diagram(classes: set[str]) -> bool:
    """True when ``evgraph diagram`` draws nodes of these ontology classes."""
    return bool(classes & set(SUBJECT_KINDS))


def linked_svg(diagram: Diagram, href: Callable[[str], str]) -> str:
    """The diagram as an inline SVG element whose boxes link to ``href(iri)`` (notes, which have no IRI, do not)."""
    pages = {node.id: node for node in diagram.nodes if node.iri}

    def link(found: re.Match) -> str:
        node = pages.get(found.group(2))
        if node is None:
            return found.group(0)
        label = html_text(f"{node.kind}: {node.label}")
        return (f'{found.group(1)}<a href="{html.escape(href(node.iri), quote=True)}" aria-label="{label}">'
                f"{found.group(3)}</a>{found.group(4)}")

    svg = drawing.inline_svg(_NODE.sub(link, drawing.to_svg(diagram, legend=False)))
    width = _WIDTH.search(svg)
    if width:  # points to CSS pixels: 4/3
        svg = svg.replace("<svg ", f"<svg style='min-width:{round(float(width.group(1)) * 4 / 3 * MIN_SCALE)}px' ", 1)
    return svg


def figure(store: Store, iri: IRI, href: Callable[[str], str]) -> str | None:
    """The node's diagram as an HTML fragment (SVG, or Mermaid text without Graphviz); None when it has none."""
    try:
        diagram = build_diagram(store, str(iri))
    except EvgraphError:  # not a kind the diagram draws
        return None
    if shutil.which("dot") is None:
        return drawing.figures([diagram])[0]
    try:
        return linked_svg(diagram, href)
    except RuntimeError:  # Graphviz failed on this one: the text still says it all
        return f"<pre class='mermaid-source'>{html.escape(drawing.to_mermaid(diagram, legend=False))}</pre>"
