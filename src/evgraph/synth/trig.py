"""TriG written as a synthetic graph is generated: terms as Turtle text, files rolled over in numbered parts.

Nothing here sorts or hashes: the files are written in the order the generator produces the triples,
which depends only on its seed, so the same scale and seed give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from evgraph.namespaces import GRAPH_BASE

#: Base of every synthetic node and of every synthetic document.
SYNTH_ID = "https://example.org/evgraph-synth/id/"
SYNTH_SOURCE = "https://example.org/evgraph-synth/source/"

#: The prefixes every file declares: the data's own (data/README.md), its id prefixes bound to SYNTH_ID.
PREFIXES = {
    "ev": "https://w3id.org/evgraph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "bibo": "http://purl.org/ontology/bibo/",
    "agent": f"{SYNTH_ID}agent/",
    "orgn": f"{SYNTH_ID}organisation/",
    "event": f"{SYNTH_ID}event/",
    "intervention": f"{SYNTH_ID}intervention/",
    "study": f"{SYNTH_ID}study/",
    "report": f"{SYNTH_ID}report/",
    "pub": f"{SYNTH_ID}publication/",
    "review": f"{SYNTH_ID}review/",
    "guidance": f"{SYNTH_ID}guidance/",
    "rec": f"{SYNTH_ID}recommendation/",
    "rating": f"{SYNTH_ID}rating/",
    "appraisal": f"{SYNTH_ID}appraisal/",
    "finding": f"{SYNTH_ID}finding/",
    "candidate": f"{SYNTH_ID}candidate/",
    "statement": f"{SYNTH_ID}statement/",
    "discrepancy": f"{SYNTH_ID}discrepancy/",
    "concern": f"{SYNTH_ID}concern/",
    "strength": "https://w3id.org/evgraph/scheme/practice-guide-strength/",
    "level": "https://w3id.org/evgraph/scheme/guidebook-level/",
    "legacy": "https://w3id.org/evgraph/scheme/guidebook-legacy-level/",
    "cost": "https://w3id.org/evgraph/scheme/guidebook-cost/",
    "basis": "https://w3id.org/evgraph/scheme/rating-basis/",
    "design": "https://w3id.org/evgraph/scheme/design/",
    "rob": "https://w3id.org/evgraph/scheme/risk-of-bias/",
    "country": "https://w3id.org/evgraph/scheme/country/",
    "outcome": "https://w3id.org/evgraph/scheme/outcome/",
    "kind": "https://w3id.org/evgraph/scheme/intervention-kind/",
    "need": "https://w3id.org/evgraph/scheme/level-of-need/",
    "reviewtype": "https://w3id.org/evgraph/scheme/review-type/",
    "direction": "https://w3id.org/evgraph/scheme/effect-direction/",
    "ive": "https://w3id.org/evgraph/scheme/title-iv-e/",
    "cebc": "https://w3id.org/evgraph/scheme/cebc/",
    "blueprints": "https://w3id.org/evgraph/scheme/blueprints/",
    "crimesolutions": "https://w3id.org/evgraph/scheme/crimesolutions/",
    "method": "https://w3id.org/evgraph/scheme/method/",
    "sourcetype": "https://w3id.org/evgraph/scheme/source-type/",
}
_WIDTH = max(len(name) for name in PREFIXES) + 2
_PREFIX_LINES = "".join(f"@prefix {name + ':':{_WIDTH}} <{iri}> .\n" for name, iri in PREFIXES.items())

#: Pairs of (predicate, object) of one subject, in Turtle text.
Pairs = list[tuple[str, str]]


def iri(text: str) -> str:
    """An IRI as Turtle: ``<…>``."""
    return f"<{text}>"


def graph_iri(local: str) -> str:
    """A named graph under evgraph's graph base (docs/provenance.md), as Turtle."""
    return f"<{GRAPH_BASE}{local}>"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def plain(text: str) -> str:
    """A string literal."""
    return _quoted(text)


def english(text: str) -> str:
    """A literal in English (``@en``), as labels and titles are."""
    return _quoted(text) + "@en"


def typed(lexical: str, datatype: str) -> str:
    """A literal of an XSD datatype (``date``, ``gYear`` …)."""
    return f'"{lexical}"^^xsd:{datatype}'


def decimal(value: float) -> str:
    """An ``xsd:decimal`` written as Turtle's bare decimal, one place after the point."""
    return f"{value:.1f}"


class TrigParts:
    """TriG files of several kinds, each rolled over into a new numbered part once it holds ``part_size`` triples.

    A part is ``<kind>-<number>.trig``; every part starts with a comment saying what it is and the
    prefixes, so each file reads alone. A named graph may be written in several parts: RDF merges them.
    """

    def __init__(self, folder: Path, part_size: int, heading: str):
        self.folder = folder
        self.part_size = part_size
        self.heading = heading
        self.names: list[str] = []
        self.triples = 0
        self._open: dict[str, IO[str]] = {}  # the part of each kind being written
        self._parts: dict[str, int] = {}  # how many parts of each kind there are
        self._held: dict[str, int] = {}  # triples in the part of each kind being written

    def write(self, kind: str, graph: str, subjects: dict[str, Pairs]) -> None:
        """Write one named graph's subjects (each with its pairs) as a ``GRAPH`` block of a part of ``kind``."""
        lines = [f"GRAPH {graph} {{\n"]
        count = 0
        for number, (subject, pairs) in enumerate(subjects.items()):
            if number:
                lines.append("\n")
            last = len(pairs) - 1
            for index, (predicate, value) in enumerate(pairs):
                end = " .\n" if index == last else " ;\n"
                lines.append(f"    {subject} {predicate} {value}{end}" if index == 0 else f"        {predicate} {value}{end}")
            count += len(pairs)
        lines.append("}\n\n")
        self._part(kind).write("".join(lines))
        self._held[kind] += count
        self.triples += count

    def _part(self, kind: str) -> IO[str]:
        """The part of ``kind`` to write to: the current one, or a new one once it is full."""
        handle = self._open.get(kind)
        if handle is not None and self._held[kind] < self.part_size:
            return handle
        if handle is not None:
            handle.close()
        part = self._parts[kind] = self._parts.get(kind, 0) + 1
        name = f"{kind}-{part:03d}.trig"
        handle = self._open[kind] = open(self.folder / name, "w", encoding="utf-8", newline="\n")
        handle.write(f"# {self.heading}\n# Part {part} of the {kind} files.\n\n{_PREFIX_LINES}\n")
        self.names.append(name)
        self._held[kind] = 0
        return handle

    def close(self) -> None:
        """Close every open part."""
        for handle in self._open.values():
            handle.close()
        self._open.clear()
