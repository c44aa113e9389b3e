"""`evgraph diagram` and evgraph.lineage.diagram: exact Mermaid and DOT, SVG through Graphviz, a self-contained
page, the cap on large trees, and the audit report's diagrams."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import fixture_data_dir
from typer.testing import CliRunner

from evgraph.audit import run_audit
from evgraph.cli import app
from evgraph.lineage.diagram import MAX_NODES, audit_diagrams, build_diagram
from evgraph.lineage.drawing import to_dot, to_html, to_mermaid, to_svg
from evgraph.render import audit_html
from evgraph.validation import validate

EX = "https://example.org/evgraph-test/"
REC = f"{EX}rec"
LABEL = "M&B: offer \"mentoring\" <and> 'befriending' to children & carers"
MB = "rec:mb-mental-health-skills-and-mentoring"
runner = CliRunner()

CHAIN_MERMAID = """\
%% Provenance of M&B: offer "mentoring" <and> 'befriending' to children & carers <https://example.org/evgraph-test/rec>
%% drawn by evgraph diagram: an arrow runs from a node to what it rests on
flowchart TB
  n1[["Example guide<br/><i>guide</i>"]]
  n2("M#amp;B: offer #quot;mentoring#quot; #lt;and#gt;<br/>'befriending' to children #amp;<br/>carers<br/><i>recommendation · cannot-verify</i>")
  n3[/"Example review<br/><i>review</i>"/]
  n4["Candidate trial (Ohio)<br/><i>study</i>"]
  n5["Confirmed trial (Leeds)<br/><i>study</i>"]
  n6>"Leeds trial report (2019)<br/><i>report</i>"]
  n7>"Ohio trial report (2021)<br/><i>report</i>"]
  n1 --> n2
  n1 --> n3
  n2 --> n3
  n2 -.->|candidate| n4
  n2 --> n5
  n4 --> n7
  n5 --> n6
  subgraph legend["Legend"]
    legend_cannot_verify["cannot-verify: facts needed to check the published level are missing"]
    legend_links["solid arrow: rests on, a link a source confirms<br/>dashed arrow: candidate link curation proposed, not confirmed"]
  end
  classDef cannot_verify fill:#dde4eb,stroke:#4a5a6a,stroke-width:2px,color:#1b1b1b
  class n2,legend_cannot_verify cannot_verify
  classDef guide fill:#ffffff,stroke:#424242,color:#1b1b1b
  class n1 guide
  classDef note fill:#ffffff,stroke:#9e9e9e,color:#1b1b1b,stroke-dasharray:4 3
  class legend_links note
  classDef report fill:#ffffff,stroke:#757575,color:#1b1b1b
  class n6,n7 report
  classDef review fill:#ffffff,stroke:#424242,color:#1b1b1b
  class n3 review
  classDef study fill:#f5f5f5,stroke:#424242,color:#1b1b1b
  class n4,n5 study
  style n2 stroke-width:4px
"""

CHAIN_DOT = """\
// Provenance of M&B: offer "mentoring" <and> 'befriending' to children & carers <https://example.org/evgraph-test/rec>
// drawn by evgraph diagram: an arrow runs from a node to what it rests on
digraph provenance {
  graph [rankdir=TB, nodesep=0.25, ranksep=0.45, fontname="Helvetica", fontsize=9, labelloc=b, labeljust=l, \
label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">\
<TR><TD BGCOLOR="#dde4eb" COLOR="#4a5a6a" BORDER="1">cannot-verify</TD>\
<TD ALIGN="LEFT">facts needed to check the published level are missing</TD></TR>\
<TR><TD>───▶</TD><TD ALIGN="LEFT">rests on (a link a source confirms)</TD></TR>\
<TR><TD>- - -▶</TD><TD ALIGN="LEFT">candidate link curation proposed, not confirmed</TD></TR></TABLE>>];
  node [fontname="Helvetica", fontsize=10, margin="0.12,0.06"];
  edge [color="#555555", arrowsize=0.7, fontname="Helvetica", fontsize=8, fontcolor="#555555"];
  n1 [shape=folder, style="filled", fillcolor="#ffffff", color="#424242", penwidth=1, \
label=<Example guide<BR/><FONT POINT-SIZE="8" COLOR="#555555">guide</FONT>>];
  n2 [shape=box, style="rounded,filled", fillcolor="#dde4eb", color="#4a5a6a", penwidth=3, \
label=<M&amp;B: offer &quot;mentoring&quot; &lt;and&gt;<BR/>&#x27;befriending&#x27; to children &amp;<BR/>carers<BR/><FONT POINT-SIZE="8" COLOR="#555555">recommendation · cannot-verify</FONT>>];
  n3 [shape=tab, style="filled", fillcolor="#ffffff", color="#424242", penwidth=1, label=<Example review<BR/><FONT POINT-SIZE="8" COLOR="#555555">review</FONT>>];
  n4 [shape=box, style="filled", fillcolor="#f5f5f5", color="#424242", penwidth=1, \
label=<Candidate trial (Ohio)<BR/><FONT POINT-SIZE="8" COLOR="#555555">study</FONT>>];
  n5 [shape=box, style="filled", fillcolor="#f5f5f5", color="#424242", penwidth=1, \
label=<Confirmed trial (Leeds)<BR/><FONT POINT-SIZE="8" COLOR="#555555">study</FONT>>];
  n6 [shape=note, style="filled", fillcolor="#ffffff", color="#757575", penwidth=1, \
label=<Leeds trial report (2019)<BR/><FONT POINT-SIZE="8" COLOR="#555555">report</FONT>>];
  n7 [shape=note, style="filled", fillcolor="#ffffff", color="#757575", penwidth=1, \
label=<Ohio trial report (2021)<BR/><FONT POINT-SIZE="8" COLOR="#555555">report</FONT>>];
  n1 -> n2;
  n1 -> n3;
  n2 -> n3;
  n2 -> n4 [style=dashed, label="candidate"];
  n2 -> n5;
  n4 -> n7;
  n5 -> n6;
}
"""


@pytest.fixture(scope="module")
def chain_folder(tmp_path_factory):
    """A data folder holding tests/fixtures/diagram_chain.ttl."""
    return fixture_data_dir(tmp_path_factory.mktemp("chain"), "diagram_chain")


@pytest.fixture(scope="module")
def chain(chain_folder):
    """The diagram of the fixture's recommendation."""
    from evgraph.store import load_store

    return build_diagram(load_store(data=chain_folder), REC)


def _mermaid_structure(text: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Node ids declared and edges (source, arrow, target), read with the few patterns evgraph writes."""
    declared, edges = [], []
    for line in text.splitlines():
        node = re.fullmatch(r'\s+(\w+)(\[\[|\(\[|\[/|\{\{|\(|>|\[)"[^"]*"(\]\]|\]\)|/\]|\}\}|\)|\])', line)
        edge = re.fullmatch(r"\s+(\w+) (-->|-\.->\|candidate\||-\.-) (\w+)", line)
        if node:
            declared.append(node.group(1))
        elif edge:
            edges.append(edge.groups())
    return declared, edges


# -- the fixture ---------------------------------------------------------------------------------------


def test_the_fixture_conforms(fixture_store):
    assert validate(fixture_store("diagram_chain")).conforms


def test_mermaid_is_exact(chain):
    assert to_mermaid(chain) == CHAIN_MERMAID


def test_dot_is_exact(chain):
    assert to_dot(chain) == CHAIN_DOT


def test_dot_parses_through_graphviz(chain):
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(chain).encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"<?xml")


def test_mermaid_declares_every_node_once_and_dashes_candidates(chain):
    declared, edges = _mermaid_structure(to_mermaid(chain))
    assert len(declared) == len(set(declared)) == len(chain.nodes) + 2  # two legend entries
    assert all(source in declared and target in declared for source, _, target in edges)
    assert len(edges) == len(chain.edges)
    assert [(s, t) for s, arrow, t in edges if arrow.startswith("-.->")] == [("n2", "n4")]
    assert [n.label for n in chain.nodes if n.id == "n4"] == ["Candidate trial (Ohio)"]


def test_svg_holds_the_labels_escaped(chain):
    svg = to_svg(chain)
    assert "M&amp;B: offer &quot;mentoring&quot; &lt;and&gt;" in svg
    assert "&#39;befriending&#39; to children &amp;" in svg
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "M&B: offer \"mentoring\" <and>" in texts and "'befriending' to children &" in texts
    assert {"Example guide", "Example review", "Confirmed trial (Leeds)", "Candidate trial (Ohio)",
            "Leeds trial report (2019)", "Ohio trial report (2021)", "candidate"} <= set(texts)


def test_html_is_one_self_contained_page(chain):
    page = to_html(chain)
    assert page.startswith("<!doctype html>") and page.endswith("</html>\n")
    assert "<script" not in page and "<link" not in page and "@import" not in page and "src=" not in page
    assert f"<title>Provenance of {LABEL.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}" \
        .replace('"', "&quot;").replace("'", "&#x27;") in page
    links = re.findall(r"href='([^']*)'", page)
    assert links == [n.iri for n in chain.nodes] and all(iri.startswith(EX) for iri in links)
    assert "<svg class='diagram'" in page and "<h2>Legend</h2>" in page
    assert "#dde4eb" in page and "cannot-verify</b>: facts needed to check the published level are missing" in page


def test_a_study_shows_what_rests_on_it_and_its_reports(chain_folder):
    from evgraph.store import load_store

    diagram = build_diagram(load_store(data=chain_folder), "Confirmed trial")
    assert [(n.kind, n.label) for n in diagram.nodes] == [
        ("guide", "Example guide"), ("recommendation", LABEL), ("study", "Confirmed trial (Leeds)"),
        ("report", "Leeds trial report (2019)")]
    assert [(e.source, e.target, e.link) for e in diagram.edges] == [
        ("n1", "n2", "confirmed"), ("n2", "n3", "confirmed"), ("n3", "n4", "confirmed")]
    assert diagram.subject.id == "n3"


# -- the command ---------------------------------------------------------------------------------------


def test_command_writes_the_file_atomically(chain_folder, tmp_path):
    out = tmp_path / "chain.dot"
    result = runner.invoke(app, ["diagram", REC, "--format", "dot", "--out", str(out), "--data", str(chain_folder)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out} (7 nodes).\n"
    assert out.read_text(encoding="utf-8") == CHAIN_DOT
    assert [p.name for p in tmp_path.iterdir()] == ["chain.dot"]


@pytest.mark.parametrize("output_format", ["svg", "html"])
def test_without_graphviz_svg_is_a_one_sentence_error(chain_folder, tmp_path, monkeypatch, output_format):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["diagram", REC, "--format", output_format, "--data", str(chain_folder)])
    assert result.exit_code == 2
    assert result.output == ("Error: Graphviz's dot program was not found: install Graphviz (Debian package "
                             "`graphviz`) or use --format mermaid or --format dot.\n")
    mermaid = runner.invoke(app, ["diagram", REC, "--data", str(chain_folder)])
    assert mermaid.exit_code == 0 and mermaid.output == CHAIN_MERMAID


def test_an_unknown_thing_is_not_found(chain_folder):
    result = runner.invoke(app, ["diagram", "no such thing", "--data", str(chain_folder)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: Nothing matches 'no such thing'."


def _run(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "evgraph", "diagram", *args], env=env, capture_output=True,
                          check=True).stdout


def test_output_is_byte_identical_across_runs_and_hash_seeds(chain_folder):
    first, second = (_run([REC, "--format", "html", "--data", str(chain_folder)], seed) for seed in ("1", "2"))
    assert first == second and b"<svg class='diagram'" in first
    first, second = (_run(["orgn:eif", "--format", "svg"], seed) for seed in ("3", "4"))
    assert first == second and b"and 36 more" in first


# -- the bundled data ----------------------------------------------------------------------------------


def test_a_practice_guide_recommendation_renders_to_svg(bundled_store):
    diagram = build_diagram(bundled_store, MB)
    svg = to_svg(diagram)
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    for line in ("M&B: skills groups plus", "one-to-one mentoring for", "mental health (ages 9-11)",
                 "recommendation · cannot-verify", "Mentoring and Befriending", "Fostering Healthy Futures",
                 "multi-county efficacy RCT", "Taussig, Culhane & Hettleman"):
        assert line in texts
    assert "M&amp;B: skills groups plus" in svg
    assert svg.count('stroke-dasharray="5,2"') == 2  # the two candidate studies
    assert [n.label for n in diagram.nodes if n.kind == "study"] == [
        "Fostering Healthy Futures multi-county efficacy RCT (Colorado, 426 children)",
        "Fostering Healthy Futures pilot RCT (Colorado, children aged 9-11 in foster care)"]
    assert len([n for n in diagram.nodes if n.kind == "report"]) == 6
    declared, edges = _mermaid_structure(to_mermaid(diagram))
    assert len(declared) == len(set(declared)) and all(s in declared and t in declared for s, _, t in edges)
    assert len([e for e in edges if e[1].startswith("-.->")]) == 2


def test_a_large_organisation_is_cut_and_says_so(bundled_store):
    diagram = build_diagram(bundled_store, "orgn:eif")
    notes = [n.label for n in diagram.nodes if n.kind == "note"]
    assert notes == ["… and 36 more: 34 ratings, 1 review, 1 report", "… and 34 more: 34 ratings"]
    drawn = [n for n in diagram.nodes if n.kind != "note"]
    assert len(drawn) <= MAX_NODES and diagram.omitted == 36
    assert diagram.subject.label == "Early Intervention Foundation (EIF)"
    assert [n.kind for n in drawn].count("rating") == 8  # 7 under EIF, 1 more under its guidebook


def test_the_audit_report_links_each_finding_to_its_diagram(bundled_store):
    audit = run_audit(bundled_store)
    page = audit_html(audit, audit_diagrams(bundled_store, audit))
    targets = re.findall(r"<a href='#(diagram-[^']+)'>diagram</a>", page)
    anchors = re.findall(r"<details id='(diagram-[^']+)'><summary>Diagram</summary><svg class='diagram'", page)
    assert len(targets) == len(audit.findings)
    assert sorted(set(targets)) == sorted(anchors) and len(anchors) == len({f.subject for f in audit.findings})
    assert "diagram-rec-mb-mental-health-skills-and-mentoring" in anchors
    assert "<script" not in page and "src=" not in page
    assert len(page.encode()) < 800_000  # about 600 kB on the bundled data, the diagrams a third of it


def test_the_audit_report_without_graphviz_shows_mermaid(chain_folder, tmp_path, monkeypatch):
    from evgraph.store import load_store

    store = load_store(data=chain_folder)
    audit = run_audit(store)
    monkeypatch.setenv("PATH", str(tmp_path))
    page = audit_html(audit, audit_diagrams(store, audit))
    assert "<svg" not in page
    assert ("<details id='diagram-https-example-org-evgraph-test-rec'><summary>Diagram</summary>"
            "<pre class='mermaid-source'>%% Provenance of M&amp;B") in page
