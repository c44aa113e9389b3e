"""The generator's state and the provenance every fact gets: documents, named graphs and their records.

A :class:`World` holds the one random source, the unit of triples being generated (written out, then
forgotten, by :meth:`World.flush`) and short windows of recent organisations, studies and reviews for
new nodes to link to. Every fact goes into the named graph of the document(s) it is said to be read
from, as docs/provenance.md describes; the first use of a graph records it (``ev:AssertionGraph`` in
``graph/provenance``) and minting a document records it (``ev:Source`` in ``graph/sources``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from evgraph.linked.batch import source_slug
from evgraph.synth import shape
from evgraph.synth.trig import (
    SYNTH_SOURCE,
    Pairs,
    TrigParts,
    english,
    graph_iri,
    iri,
    plain,
    typed,
)

K = TypeVar("K")

#: The date every synthetic fact was "recorded": fixed, so that the output never depends on the clock.
CREATED = typed("2026-01-01", "date")
CURATOR = "agent:synth-curation"
CURATION_GRAPH = graph_iri("curation")
PROVENANCE_GRAPH = graph_iri("provenance")
SOURCES_GRAPH = graph_iri("sources")
JOINT_NOTE = english("Facts about one node read from several documents; which document states which was not recorded.")

#: The type segment of a joint graph's name, by the prefix of the node it describes.
_TYPES = {"intervention": "intervention", "study": "study", "report": "report", "finding": "finding",
          "review": "review", "rec": "recommendation", "orgn": "organisation", "guidance": "guidance",
          "event": "event", "rating": "rating", "pub": "publication", "statement": "statement"}
THEMES = ("parenting support", "home visiting", "mentoring", "kinship support", "family therapy", "foster care",
          "social and emotional learning", "early language", "family group decision-making", "youth offending",
          "school attendance", "domestic abuse recovery", "care leavers", "substance misuse", "reunification")
OUTCOMES = ("behaviour problems", "parenting stress", "school attendance", "placement stability",
            "re-referral to children's social care", "carer wellbeing", "entries to care", "reading age",
            "offending", "emotional wellbeing", "exclusions from school", "family functioning")


@dataclass(frozen=True)
class StudyRef:
    """A study already written, for reviews, recommendations and candidate links to name."""

    node: str
    intervention: str
    label: str
    document: str


@dataclass(frozen=True)
class ReviewRef:
    """An evidence review already written, with the studies it includes."""

    node: str
    label: str
    document: str
    included: tuple[StudyRef, ...]


class World:
    """One synthetic graph being generated: the random source, the current unit, and what new nodes link to."""

    def __init__(self, rng: random.Random, parts: TrigParts):
        self.rng = rng
        self.parts = parts
        self.classes: dict[str, int] = {}
        self._serial: dict[str, int] = {}
        self._unit: dict[tuple[str, str], dict[str, Pairs]] = {}
        self._graphs: dict[str, str] = {}  # graph made in this unit, by what made it
        self._documents: set[str] = set()  # documents minted in this unit (only looked up, never listed)
        self.organisations: deque[str] = deque(maxlen=300)
        self.studies: deque[StudyRef] = deque(maxlen=240)
        self.reviews: deque[ReviewRef] = deque(maxlen=20)
        self.raters: dict[str, tuple[str, ...]] = {}  # rating scheme -> organisations it is used by
        self.guidebook = ""
        self.department = ""

    # -- chance ---------------------------------------------------------------------------------

    def chance(self, share: float) -> bool:
        """True with probability ``share``."""
        return self.rng.random() < share

    def pick(self, weights: Mapping[K, float]) -> K:
        """One key of ``weights``, drawn in proportion to its weight."""
        return self.rng.choices(tuple(weights), weights=tuple(weights.values()))[0]

    def picks(self, weights: Mapping[K, float], count: int) -> list[K]:
        """``count`` different keys of ``weights``, each drawn in proportion to its weight."""
        chosen: list[K] = []
        left = dict(weights)
        while left and len(chosen) < count:
            key = self.pick(left)
            chosen.append(key)
            del left[key]
        return chosen

    def organisation(self) -> str:
        """A recent organisation, to publish, fund, evaluate or state something."""
        return self.rng.choice(self.organisations)

    def serial(self, kind: str) -> int:
        """The next number of a kind of node (1, 2 …)."""
        self._serial[kind] = self._serial.get(kind, 0) + 1
        return self._serial[kind]

    def day(self, first: int = 2008, last: int = 2025) -> str:
        """A day between two years, as ``YYYY-MM-DD``."""
        return f"{self.rng.randint(first, last)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def date(self, first: int = 2008, last: int = 2025) -> str:
        """A day between two years, as an ``xsd:date`` literal."""
        return typed(self.day(first, last), "date")

    # -- triples ----------------------------------------------------------------------------------

    def add(self, kind: str, graph: str, subject: str, pairs: Pairs) -> None:
        """Add facts about ``subject`` to ``graph``, to be written to a file of ``kind``."""
        self._unit.setdefault((kind, graph), {}).setdefault(subject, []).extend(pairs)

    def node(self, kind: str, graph: str, subject: str, cls: str, label: str, pairs: Pairs) -> None:
        """Type and label a node in ``graph``, with more facts; counted as an instance of ``cls``."""
        self.classes[cls] = self.classes.get(cls, 0) + 1
        self.add(kind, graph, subject, [("a", cls), ("rdfs:label", english(label))] + pairs)

    def flush(self) -> None:
        """Write the unit generated so far and forget it."""
        for (kind, graph), subjects in self._unit.items():
            self.parts.write(kind, graph, subjects)
        self._unit = {}
        self._graphs = {}
        self._documents = set()

    # -- documents and the graphs of their facts -------------------------------------------------

    def document(self, path: str, source_type: str, publisher: str | None = None, title: str | None = None) -> str:
        """Mint a source document (its URL, as Turtle) with its ``ev:Source`` record; the same path gives the same
        document again within a unit."""
        url = iri(SYNTH_SOURCE + path)
        if url in self._documents:
            return url
        self._documents.add(url)
        pairs: Pairs = [("a", "ev:Source"), ("ev:sourceType", f"sourcetype:{source_type}")]
        if publisher and self.chance(shape.SOURCE["publisher"]):
            pairs.append(("dct:publisher", publisher))
        if title and self.chance(shape.SOURCE["title"]):
            pairs.append(("dct:title", english(title)))
        pairs.append(("dct:source", url))
        self.classes["ev:Source"] = self.classes.get("ev:Source", 0) + 1
        self.add("sources", SOURCES_GRAPH, url, pairs)
        return url

    def _graph(self, key: str, local: str, method: str, relations: Pairs, note: str | None = None) -> str:
        graph = self._graphs.get(key)
        if graph is None:
            graph = self._graphs[key] = graph_iri(local)
            pairs: Pairs = [("a", "ev:AssertionGraph"), ("ev:method", f"method:{method}")] + relations
            if note:
                pairs.append(("skos:note", note))
            pairs += [("prov:wasAttributedTo", CURATOR), ("dct:created", CREATED)]
            self.classes["ev:AssertionGraph"] = self.classes.get("ev:AssertionGraph", 0) + 1
            self.add("provenance", PROVENANCE_GRAPH, graph, pairs)
        return graph

    def read(self, document: str) -> str:
        """The graph of facts read from one document: ``graph/source/<slug>``."""
        return self._graph(document, f"source/{_slug(document)}", "read", [("prov:wasDerivedFrom", document)])

    def quoted(self, document: str) -> str:
        """The graph of one document's own words: ``graph/source/<slug>/quoted``."""
        return self._graph(document + "/quoted", f"source/{_slug(document)}/quoted", "quoted",
                           [("prov:wasQuotedFrom", document)])

    def inferred(self, document: str) -> str:
        """The graph of values inferred from one document's layout: ``graph/inferred/<slug>``."""
        return self._graph(document + "/inferred", f"inferred/{_slug(document)}", "inferred-from-page-structure",
                           [("prov:wasDerivedFrom", document)])

    def second_hand(self, document: str, primary: str) -> str:
        """The graph of facts a secondary page reports from ``primary``, a node (as a prefixed name)."""
        local = primary.split(":", 1)[1]
        return self._graph(f"{document}/second-hand/{local}", f"source/{_slug(document)}/second-hand/{local}",
                           "second-hand", [("prov:wasDerivedFrom", document), ("prov:hadPrimarySource", primary)])

    def joint(self, node_type: str, slug: str, documents: list[str], quoted: bool = False) -> str:
        """The graph of one node's facts read from several documents: ``graph/joint/<type>/<slug>[/quoted]``."""
        local = f"joint/{node_type}/{slug}" + ("/quoted" if quoted else "")
        relation = "prov:wasQuotedFrom" if quoted else "prov:wasDerivedFrom"
        return self._graph(local, local, "quoted" if quoted else "read", [(relation, d) for d in documents],
                           None if quoted else JOINT_NOTE)

    def facts(self, node: str, documents: list[str]) -> str:
        """The graph of a node's facts: one document's graph, or the node's joint graph when there are several."""
        if len(documents) == 1:
            return self.read(documents[0])
        node_type, slug = _TYPES[node.split(":", 1)[0]], node.split(":", 1)[1]
        return self.joint(node_type, slug, documents)

    def words(self, node: str, documents: list[str]) -> str:
        """The graph of the documents' own words about a node (see :meth:`facts`)."""
        if len(documents) == 1:
            return self.quoted(documents[0])
        node_type, slug = _TYPES[node.split(":", 1)[0]], node.split(":", 1)[1]
        return self.joint(node_type, slug, documents, quoted=True)

    def curation(self, subject: str, cls: str, label: str, sources: list[str], pairs: Pairs) -> None:
        """A curators' claim (candidate link, concern, discrepancy) in ``graph/curation``, attributed and dated."""
        self.node("curation", CURATION_GRAPH, subject, cls, label,
                  [("dct:created", CREATED), ("ev:method", "method:curator-judgement")] + pairs
                  + [("prov:wasAttributedTo", CURATOR)] + [("dct:source", s) for s in sources])

    def statement(self, kind: str, about: list[str], topic: str, value: str, document: str,
                  speaker: str | None = None, extra: Pairs | None = None) -> None:
        """A dated-or-not published claim about some nodes, read from one document."""
        number = self.serial("statement")
        pairs: Pairs = [("ev:concerns", node) for node in about] + [("ev:topic", plain(topic)),
                                                                     ("rdf:value", plain(value))]
        if speaker and self.chance(shape.STATEMENT["statedBy"]):
            pairs.append(("ev:statedBy", speaker))
        if self.chance(shape.STATEMENT["date"]):
            pairs.append(("dct:date", self.date(2012)))
        self.node(kind, self.read(document), f"statement:s{number:07d}", "ev:Statement",
                  f"Synthetic statement {number}: {topic}", pairs + (extra or []) + [("dct:source", document)])


def _slug(document: str) -> str:
    return source_slug(document[1:-1])


