"""What changed between two versions of the graph, in the domain's words: levels, nodes, links, verdicts, sources.

A version is a data folder, an export file (TriG or N-Quads) or a git revision of a data folder
(:func:`evgraph.linked.versions.open_side`). Each is
read through the ``queries/internal/diff-*.rq`` files and the rules, and the two readings are compared here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from evgraph.linked.versions import open_side
from evgraph.queries import run
from evgraph.rules import derive_all, read_evidence
from evgraph.shortnames import short
from evgraph.store import Store
from evgraph.terms import IRI, BlankNode, Term

NOT_RECORDED = "not recorded"


# -- the diff, as values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A node as a diff names it: IRI, kind (rating, recommendation, study, report, finding) and label."""

    iri: str
    kind: str
    label: str

    def to_json(self) -> dict:
        """The node as a JSON-ready dict."""
        return {"iri": self.iri, "kind": self.kind, "label": self.label}


@dataclass(frozen=True)
class LevelChange:
    """A recommendation or rating whose published level differs: the levels' labels and IRIs on each side."""

    node: Node
    old: str
    new: str
    old_levels: tuple[str, ...]
    new_levels: tuple[str, ...]

    def to_json(self) -> dict:
        """The change as a JSON-ready dict."""
        return {**self.node.to_json(), "from": self.old, "to": self.new, "from_levels": list(self.old_levels),
                "to_levels": list(self.new_levels)}


@dataclass(frozen=True)
class VerdictChange:
    """A recommendation or rating whose rule verdict differs."""

    node: Node
    old: str
    new: str

    def to_json(self) -> dict:
        """The change as a JSON-ready dict."""
        return {**self.node.to_json(), "from": self.old, "to": self.new}


@dataclass(frozen=True)
class Link:
    """An evidence link: confirmed (``ev:supportedBy`` …) or a curation candidate (its ``candidate`` node)."""

    subject: str
    subject_label: str
    relation: str
    object: str
    object_label: str
    candidate: str | None = None

    def to_json(self) -> dict:
        """The link as a JSON-ready dict (with ``candidate`` for a candidate link)."""
        shown = {"subject": self.subject, "subject_label": self.subject_label, "relation": self.relation,
                 "object": self.object, "object_label": self.object_label}
        return shown if self.candidate is None else {"candidate": self.candidate, **shown}


@dataclass(frozen=True)
class SourceChange:
    """A node on both sides whose documents (``dct:source``) differ."""

    iri: str
    label: str
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def to_json(self) -> dict:
        """The change as a JSON-ready dict."""
        return {"iri": self.iri, "label": self.label, "added": list(self.added), "removed": list(self.removed)}


@dataclass(frozen=True)
class Counts:
    """Distinct data triples on each side (graph names ignored), those added and removed, and those moved.

    A triple is moved when both sides hold it but in different named graphs.
    """

    old: int
    new: int
    added: int
    removed: int
    moved: int

    def to_json(self) -> dict:
        """The counts as a JSON-ready dict."""
        return {"old_triples": self.old, "new_triples": self.new, "added": self.added, "removed": self.removed,
                "moved": self.moved}


@dataclass(frozen=True)
class Diff:
    """What changed from one version of the graph to another, each list sorted by label then IRI."""

    old: str
    new: str
    ratings_changed: tuple[LevelChange, ...]
    recommendations_changed: tuple[LevelChange, ...]
    claims_added: tuple[Node, ...]
    claims_removed: tuple[Node, ...]
    nodes_added: tuple[Node, ...]
    nodes_removed: tuple[Node, ...]
    links_added: tuple[Link, ...]
    links_removed: tuple[Link, ...]
    candidates_added: tuple[Link, ...]
    candidates_removed: tuple[Link, ...]
    verdicts_changed: tuple[VerdictChange, ...]
    sources_changed: tuple[SourceChange, ...]
    counts: Counts

    def to_json(self) -> dict:
        """The diff as a JSON-ready dict: each list in order, then the counts."""
        def listed(items: Iterable) -> list[dict]:
            return [item.to_json() for item in items]

        return {
            "old": self.old, "new": self.new,
            "ratings_changed": listed(self.ratings_changed),
            "recommendations_changed": listed(self.recommendations_changed),
            "claims_added": listed(self.claims_added), "claims_removed": listed(self.claims_removed),
            "nodes_added": listed(self.nodes_added), "nodes_removed": listed(self.nodes_removed),
            "links_added": listed(self.links_added), "links_removed": listed(self.links_removed),
            "candidates_added": listed(self.candidates_added), "candidates_removed": listed(self.candidates_removed),
            "verdicts_changed": listed(self.verdicts_changed),
            "sources_changed": {"nodes": len(self.sources_changed), "changes": listed(self.sources_changed)},
            "counts": self.counts.to_json(),
        }


# -- reading one side ------------------------------------------------------------------------------

_LinkKey = tuple[str, str, str, str | None]  # subject, relation, object, candidate node
_TripleKey = tuple[str, str, str]


@dataclass(frozen=True)
class _Snapshot:
    """What a diff compares, read from one store."""

    labels: dict[str, str]
    claims: dict[str, tuple[str, tuple[str, ...]]]  # recommendation or rating -> kind, its levels
    nodes: dict[str, str]  # study, report or finding -> kind
    links: frozenset[_LinkKey]  # confirmed links
    candidates: frozenset[_LinkKey]
    sources: dict[str, frozenset[str]]
    verdicts: dict[str, str]
    triples: dict[_TripleKey, frozenset[str]]  # triple -> the data graphs that hold it

    def label(self, iri: str) -> str:
        """The node's label, else its IRI written short."""
        return self.labels.get(iri) or short(IRI(iri))

    def node(self, iri: str, kind: str) -> Node:
        """The node with its label on this side."""
        return Node(iri, kind, self.label(iri))

    def levels_text(self, claim: str) -> str:
        """The labels of a claim's published levels, or 'not recorded'."""
        return " / ".join(sorted(self.label(level) for level in self.claims[claim][1])) or NOT_RECORDED

    def link(self, key: _LinkKey) -> Link:
        """A link with the labels of its ends on this side."""
        subject, relation, target, candidate = key
        return Link(subject, self.label(subject), relation, target, self.label(target), candidate)


def _kind(term: Term | None) -> str:
    """'study' for ev:Study: the class's local name in lower case."""
    return str(term).rsplit("#", 1)[-1].lower()


def _n3(term: Term) -> str:
    # Blank node labels differ from one load to the next, so every blank node is written alike (curated
    # data has none; a partner's file may) — such triples are then compared by their other terms.
    return "_:b" if isinstance(term, BlankNode) else term.n3()


def _read(store: Store) -> _Snapshot:
    """Read one side through the diff queries, and run the rules on it."""
    labels: dict[str, tuple[int, str]] = {}
    for row in run(store, "internal/diff-labels"):
        ranked = (int(str(row["rank"])), str(row["label"]))
        labels[str(row["node"])] = min(labels.get(str(row["node"]), ranked), ranked)
    claims: dict[str, tuple[str, set[str]]] = {}
    for row in run(store, "internal/diff-claims"):
        kind, levels = claims.setdefault(str(row["subject"]), (_kind(row["kind"]), set()))
        if row["level"] is not None:
            levels.add(str(row["level"]))
    links: dict[str, set[_LinkKey]] = {"confirmed": set(), "candidate": set()}
    for row in run(store, "internal/diff-links"):
        candidate = str(row["candidate"]) if row["candidate"] is not None else None
        links[str(row["link"])].add((str(row["subject"]), short(row["relation"]), str(row["object"]), candidate))
    sources: dict[str, set[str]] = defaultdict(set)
    for row in run(store, "internal/diff-sources"):
        sources[str(row["node"])].add(str(row["source"]))
    data_graphs = set(store.graphs_of("data"))
    triples: dict[_TripleKey, set[str]] = defaultdict(set)
    for row in run(store, "internal/diff-triples"):
        if row["graph"] in data_graphs:
            triples[(_n3(row["subject"]), _n3(row["predicate"]), _n3(row["object"]))].add(str(row["graph"]))
    return _Snapshot(
        labels={node: label for node, (_, label) in labels.items()},
        claims={claim: (kind, tuple(sorted(levels))) for claim, (kind, levels) in claims.items()},
        nodes={str(r["node"]): _kind(r["kind"]) for r in run(store, "internal/diff-nodes")},
        links=frozenset(links["confirmed"]),
        candidates=frozenset(links["candidate"]),
        sources={node: frozenset(urls) for node, urls in sources.items()},
        verdicts={str(d.subject): d.verdict.value for d in derive_all(read_evidence(store))},
        triples={triple: frozenset(graphs) for triple, graphs in triples.items()},
    )


# -- comparing -----------------------------------------------------------------------------------


def _by_label(items: Iterable) -> tuple:
    """Nodes, or changes of nodes, sorted by label then IRI."""
    def order(item) -> tuple[str, str]:
        node = getattr(item, "node", item)
        return node.label.casefold(), node.iri

    return tuple(sorted(items, key=order))


def _links(keys: Iterable[_LinkKey], side: _Snapshot) -> tuple[Link, ...]:
    found = [side.link(key) for key in keys]
    return tuple(sorted(found, key=lambda link: (link.subject_label.casefold(), link.subject, link.relation,
                                                 link.object_label.casefold(), link.object, link.candidate or "")))


def diff_graphs(old: Store, new: Store, old_label: str = "old", new_label: str = "new") -> Diff:
    """Compare two versions of the graph: published levels, nodes, evidence links, verdicts, sources, triples.

    Levels, verdicts and sources are compared for the nodes both sides hold; a node only one side holds
    is listed as added or removed instead.
    """
    a, b = _read(old), _read(new)
    both_claims = a.claims.keys() & b.claims.keys()
    level_changes = [LevelChange(b.node(c, b.claims[c][0]), a.levels_text(c), b.levels_text(c), a.claims[c][1],
                                 b.claims[c][1])
                     for c in both_claims if a.claims[c][1] != b.claims[c][1]]
    verdicts = [VerdictChange(b.node(c, b.claims[c][0]), a.verdicts[c], b.verdicts[c])
                for c in both_claims if c in a.verdicts and c in b.verdicts and a.verdicts[c] != b.verdicts[c]]
    sources = [SourceChange(n, b.label(n), tuple(sorted(b.sources[n] - a.sources[n])),
                            tuple(sorted(a.sources[n] - b.sources[n])))
               for n in a.sources.keys() & b.sources.keys() if a.sources[n] != b.sources[n]]
    same = a.triples.keys() & b.triples.keys()
    return Diff(
        old=old_label, new=new_label,
        ratings_changed=_by_label(c for c in level_changes if c.node.kind == "rating"),
        recommendations_changed=_by_label(c for c in level_changes if c.node.kind == "recommendation"),
        claims_added=_by_label(b.node(c, b.claims[c][0]) for c in b.claims.keys() - a.claims.keys()),
        claims_removed=_by_label(a.node(c, a.claims[c][0]) for c in a.claims.keys() - b.claims.keys()),
        nodes_added=_by_label(b.node(n, b.nodes[n]) for n in b.nodes.keys() - a.nodes.keys()),
        nodes_removed=_by_label(a.node(n, a.nodes[n]) for n in a.nodes.keys() - b.nodes.keys()),
        links_added=_links(b.links - a.links, b),
        links_removed=_links(a.links - b.links, a),
        candidates_added=_links(b.candidates - a.candidates, b),
        candidates_removed=_links(a.candidates - b.candidates, a),
        verdicts_changed=_by_label(verdicts),
        sources_changed=_by_label(sources),
        counts=Counts(len(a.triples), len(b.triples), len(b.triples.keys() - same), len(a.triples.keys() - same),
                      sum(1 for t in same if a.triples[t] != b.triples[t])),
    )


def compare(old: str, new: str, repo: Path | None = None, backend: str = "oxigraph") -> Diff:
    """The diff between two versions, each a data folder, an export file or a git revision of ``repo`` (see
    :func:`open_side`)."""
    with open_side(old, repo, backend) as before, open_side(new, repo, backend) as after:
        return diff_graphs(before.store, after.store, before.label, after.label)


# -- rendering ---------------------------------------------------------------------------------------

_WIDTH = 18
_KINDS = {"claims": (("rating", "Ratings"), ("recommendation", "Recommendations")),
          "nodes": (("study", "Studies"), ("report", "Reports"), ("finding", "Findings"))}


def _line(mark: str, node: Node, change: str = "") -> str:
    """``mark label: change   iri`` — the IRI written short, left out when it is the label."""
    iri = short(IRI(node.iri))
    return f"{mark} {node.label}{': ' + change if change else ''}" + (f"   {iri}" if iri != node.label else "")


def _link_line(mark: str, link: Link) -> str:
    return f"{mark} {link.subject_label}  {'candidate' if link.candidate else link.relation}  {link.object_label}"


def _block(heading: str, items: list[str]) -> list[str]:
    """Aligned lines under one heading, or 'no change'."""
    return [f"{heading if i == 0 else '':<{_WIDTH}}{item}" for i, item in enumerate(items or ["no change"])]


def diff_lines(d: Diff) -> list[str]:
    """The diff as aligned text lines, in the shape `evgraph why` prints: ``+`` added, ``-`` removed, ``~`` changed."""
    lines = _block("Old", [d.old]) + _block("New", [d.new])
    lines += _block("Evidence levels", [_line("~", c.node, f"{c.old} → {c.new}") for c in d.ratings_changed])
    lines += _block("Strengths", [_line("~", c.node, f"{c.old} → {c.new}") for c in d.recommendations_changed])
    for group, added, removed in (("claims", d.claims_added, d.claims_removed),
                                  ("nodes", d.nodes_added, d.nodes_removed)):
        for kind, heading in _KINDS[group]:
            lines += _block(heading, [_line(mark, n) for mark, nodes in (("+", added), ("-", removed))
                                      for n in nodes if n.kind == kind])
    for heading, added, removed in (("Evidence links", d.links_added, d.links_removed),
                                    ("Candidate links", d.candidates_added, d.candidates_removed)):
        lines += _block(heading, [_link_line(mark, link) for mark, links in (("+", added), ("-", removed))
                                  for link in links])
    lines += _block("Verdicts", [_line("~", c.node, f"{c.old} → {c.new}") for c in d.verdicts_changed])
    changed = len(d.sources_changed)
    sources = [f"{changed} node{'s' if changed != 1 else ''} with changed sources"] if changed else []
    for change in d.sources_changed:
        sources.append(_line("~", Node(change.iri, "", change.label)))
        sources += [f"    + {url}" for url in change.added] + [f"    - {url}" for url in change.removed]
    lines += _block("Sources", sources)
    c = d.counts
    lines += _block("Triples", [f"{c.old} → {c.new}: {c.added} added, {c.removed} removed,"
                                f" {c.moved} moved between named graphs"])
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_node(iri: str, label: str) -> str:
    return f"{_cell(label)} <{iri}>"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    if not rows:
        return ["No change."]
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(row) + " |" for row in rows])


def diff_markdown(d: Diff, title: str = "evgraph diff", level: int = 1) -> str:
    """The diff as Markdown: a heading per part, a table for each.

    ``title`` heads the whole at heading ``level`` (1: ``#``), each part one level below, so the diff can
    sit inside another document (a release's CHANGES.md).
    """
    def node(n: Node) -> str:
        return _md_node(n.iri, n.label)

    out = [f"{'#' * level} {title}", "", f"- **Old:** {_cell(d.old)}", f"- **New:** {_cell(d.new)}", "",
           "## Published levels", ""]
    out += _table(("kind", "node", "from", "to"), [(c.node.kind, node(c.node), _cell(c.old), _cell(c.new))
                                                   for c in d.ratings_changed + d.recommendations_changed])
    for heading, added, removed in (("Ratings and recommendations", d.claims_added, d.claims_removed),
                                    ("Studies, reports and findings", d.nodes_added, d.nodes_removed)):
        out += ["", f"## {heading} added or removed", ""]
        out += _table(("change", "kind", "node"), [(change, n.kind, node(n)) for change, nodes in
                                                   (("added", added), ("removed", removed)) for n in nodes])
    out += ["", "## Evidence links added or removed", ""]
    out += _table(("change", "subject", "relation", "object"), [
        (change, _md_node(link.subject, link.subject_label), "candidate" if link.candidate else link.relation,
         _md_node(link.object, link.object_label))
        for change, links in (("added", d.links_added), ("removed", d.links_removed),
                              ("candidate added", d.candidates_added), ("candidate removed", d.candidates_removed))
        for link in links])
    out += ["", "## Verdicts", ""]
    out += _table(("node", "from", "to"), [(node(c.node), c.old, c.new) for c in d.verdicts_changed])
    out += ["", "## Sources", ""]
    if d.sources_changed:
        out += [f"{len(d.sources_changed)} node(s) with changed sources.", ""]
    out += _table(("node", "added", "removed"), [
        (_md_node(s.iri, s.label), " ".join(f"<{u}>" for u in s.added) or "—",
         " ".join(f"<{u}>" for u in s.removed) or "—") for s in d.sources_changed])
    c = d.counts
    out += ["", "## Triples", ""]
    out += _table(("old", "new", "added", "removed", "moved between named graphs"),
                  [(str(c.old), str(c.new), str(c.added), str(c.removed), str(c.moved))])
    deeper = "#" * (level - 1)
    return "\n".join(out[:1] + [deeper + line if line.startswith("## ") else line for line in out[1:]]) + "\n"
