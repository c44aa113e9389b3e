"""What a linked-data page shows of one node: its facts, the links to and from it, its RDF description and
its provenance picture.

Read from the store with two small queries (the node's own triples, and the triples that point at it, each
with the labels a reader needs); the RDF description is the ``evgraph export --scope THING`` bundle
(:mod:`evgraph.linked.bundle`), serialised the way ``export`` does it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from evgraph.errors import ConfigError
from evgraph.linked.bundle import bundle_quads
from evgraph.linked.export import context, to_jsonld
from evgraph.namespaces import EV, RDF
from evgraph.store import Store, serialize
from evgraph.terms import IRI, BlankNode, Literal, Term, sort_key

#: The RDF forms of a node's description: name, media type (the N-Triples / Turtle / JSON-LD of ``export``).
RDF_MEDIA = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json"}
#: At most this many links to a node are listed on its page (a scheme concept may be the value of hundreds).
MAX_INCOMING = 500

_LABELS = """
  OPTIONAL {{ {var} <http://www.w3.org/2000/01/rdf-schema#label> ?l1 }}
  OPTIONAL {{ {var} <http://www.w3.org/2004/02/skos/core#prefLabel> ?l2 }}
  OPTIONAL {{ {var} <http://purl.org/dc/terms/title> ?l3 }}
  BIND(COALESCE(?l1, ?l2, ?l3) AS {out})"""
#: The node's own triples, each value with its label and each property with its label.
OUTGOING = ("SELECT DISTINCT ?property ?propertyLabel ?value ?valueLabel WHERE {\n  ?node ?property ?value ."
            + _LABELS.format(var="?value", out="?valueLabel")
            + "\n  OPTIONAL { ?property <http://www.w3.org/2000/01/rdf-schema#label> ?propertyLabel }\n}")
#: The triples whose object is the node, each subject with its label and each property with its label.
INCOMING = ("SELECT DISTINCT ?subject ?subjectLabel ?property ?propertyLabel WHERE {\n  ?subject ?property ?node ."
            + _LABELS.format(var="?subject", out="?subjectLabel")
            + "\n  OPTIONAL { ?property <http://www.w3.org/2000/01/rdf-schema#label> ?propertyLabel }\n}")
#: The node's own triples and those pointing at it: its description where a bundle has nothing (a node that
#: is only ever a value, an ontology term) or cannot be read (a store over a remote endpoint).
NEIGHBOURHOOD = "CONSTRUCT { ?node ?p ?o . ?s ?q ?node } WHERE { { ?node ?p ?o } UNION { ?s ?q ?node } }"
_LABEL_PROPERTIES = (IRI("http://www.w3.org/2000/01/rdf-schema#label"),
                     IRI("http://www.w3.org/2004/02/skos/core#prefLabel"), IRI("http://purl.org/dc/terms/title"))


@dataclass(frozen=True)
class Value:
    """One value of a fact, or one node linking here: the term and, for a node, its label."""

    term: Term
    label: str | None = None


@dataclass(frozen=True)
class Fact:
    """One property of a node with all its values (or, for links in, all the nodes that use it)."""

    property: IRI
    label: str | None
    values: list[Value]


@dataclass
class Node:
    """What a page shows of a node: label, classes, facts, and the links that point at it."""

    iri: IRI
    label: str
    types: list[Value]
    facts: list[Fact]
    incoming: list[Fact]
    incoming_total: int = 0
    #: Local names of its classes in the evgraph ontology (``Recommendation``, ``Study``…).
    classes: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        """The node's kind in words: its classes' labels, else "node"."""
        return ", ".join(v.label or str(v.term).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for v in self.types) or "node"

    @property
    def incoming_shown(self) -> int:
        """How many links in the page lists (at most :data:`MAX_INCOMING` of :attr:`incoming_total`)."""
        return sum(len(f.values) for f in self.incoming)

    @property
    def is_claim(self) -> bool:
        """True for a recommendation or rating: the page then explains it."""
        return bool(self.classes & {"Recommendation", "Rating"})


def best_label(labels) -> str | None:
    """One label from several: English, then untagged, then any, the first in a stable order."""
    found = [label for label in labels if isinstance(label, Literal)]
    if not found:
        return None
    rank = {"en": 0, None: 1}
    return str(min(found, key=lambda lit: (rank.get((lit.language or "").split("-")[0] or None, 2), sort_key(lit))))


def _grouped(rows: list[dict], key: str, value: Callable[[dict], Value], value_label: str) -> list[Fact]:
    by_property: dict[IRI, dict] = {}
    for row in rows:
        entry = by_property.setdefault(row["property"], {"labels": set(), "values": {}})
        if row.get("propertyLabel") is not None:
            entry["labels"].add(row["propertyLabel"])
        entry["values"].setdefault(row[key], set())
        if row.get(value_label) is not None:
            entry["values"][row[key]].add(row[value_label])
    facts = []
    for prop, entry in by_property.items():
        values = [value({key: term, value_label: best_label(labels)}) for term, labels in entry["values"].items()]
        values.sort(key=lambda v: ((v.label or "").lower(), sort_key(v.term)))
        facts.append(Fact(prop, best_label(entry["labels"]), values))
    return sorted(facts, key=lambda f: (f.property != RDF.type, (f.label or str(f.property)).lower(), str(f.property)))


def describe(store: Store, iri: IRI) -> Node | None:
    """The node as a page shows it, or None when nothing in the graph names it (as subject or as value)."""
    outgoing = store.select(OUTGOING, {"node": iri}).rows
    incoming = store.select(INCOMING, {"node": iri}).rows
    if not outgoing and not incoming:
        return None
    facts = _grouped(outgoing, "value", lambda r: Value(r["value"], r["valueLabel"]), "valueLabel")
    links_in = _grouped(incoming, "subject", lambda r: Value(r["subject"], r["subjectLabel"]), "subjectLabel")
    total = sum(len(f.values) for f in links_in)
    kept, budget = [], MAX_INCOMING
    for fact in links_in:
        if budget > 0:
            kept.append(Fact(fact.property, fact.label, fact.values[:budget]))
            budget -= len(fact.values)
    types = next((f.values for f in facts if f.property == RDF.type), [])
    own_labels = [r["value"] for r in outgoing if r["property"] in _LABEL_PROPERTIES]
    label = best_label(own_labels) or _last_segment(iri)
    classes = {str(v.term)[len(EV):] for v in types if str(v.term).startswith(EV)}
    return Node(iri, label, types, facts, kept, total, classes)


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


# -- the RDF description ----------------------------------------------------------------------------


def _nquads(triples: list[tuple[Term, Term, Term]]) -> bytes:
    lines = {f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples
             if not isinstance(s, BlankNode) and not isinstance(o, BlankNode)}
    return "".join(sorted(lines)).encode("utf-8")


def description_quads(store: Store, iri: IRI) -> bytes:
    """Sorted N-Quads describing the node: its ``export --scope`` bundle, else its own and incoming triples."""
    try:
        quads = bundle_quads(store, iri)
    except ConfigError:  # a store over a SPARQL endpoint cannot dump graphs
        quads = b""
    return quads or _nquads(store.construct(NEIGHBOURHOOD, {"node": iri}))


def rdf_description(store: Store, iri: IRI, name: str) -> bytes:
    """The node's description (:func:`description_quads`) as Turtle, N-Triples or JSON-LD, as ``export`` writes
    them (JSON-LD compacted with the project's own context, nothing fetched)."""
    quads = description_quads(store, iri)
    ctx = context(store.layout)
    if name == "jsonld":
        return to_jsonld(quads, ctx)
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    return serialize(quads, name, prefixes)
