"""The dataset description of a release: DCAT 3 and VoID, written as Turtle from counts the queries give.

Every count comes from ``queries/internal/release-*.rq`` over the curated data graphs. The text is
written here, in a fixed order, so the same data and the same distributions give the same bytes.
Partitions and checksums are named nodes under the dataset's IRI, not blank nodes, so every
serialisation of the description is stable too. ``dcat:downloadURL`` is a relative IRI: it resolves
against wherever the description is read from, which is the release folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from evgraph.namespaces import ID_BASE
from evgraph.queries import run
from evgraph.store import Store, parse_rdf
from evgraph.terms import IRI, Literal

#: The dataset every release is a version of; a release is ``DATASET/<version>``.
DATASET = IRI("https://w3id.org/evgraph/dataset")
PUBLISHER = IRI(f"{ID_BASE}agent/evgraph-curation")
LICENSE = IRI("https://creativecommons.org/licenses/by/4.0/")
TITLE = "evgraph: evidence provenance for children's social care in England"
DESCRIPTION = (
    "Practice guides, reviews, recommendations, Guidebook ratings, studies, reports and the organisations "
    "behind them, as RDF: every curated fact sits in the named graph of the page that states it, with how "
    "it was obtained. The counts describe the curated data graphs; each distribution also carries the "
    "vocabulary and rating schemes and the graph the rules derived from the data.")
RIGHTS = (
    "The data is published under CC BY 4.0. The facts are read from public web pages, each cited with "
    "dct:source on the node it describes and in the record of the named graph that holds it; the pages "
    "themselves remain under their publishers' terms.")

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "spdx": "http://spdx.org/rdf/terms#",
    "void": "http://rdfs.org/ns/void#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
_FORMAT_NAMES = {"nquads": "N-Quads", "trig": "TriG", "turtle": "Turtle", "ntriples": "N-Triples",
                 "rdfxml": "RDF/XML", "jsonld": "JSON-LD"}
_TRIPLES_ONLY = ("Triples only: the names of the named graphs, which say which page states each fact, are "
                 "dropped; the TriG, N-Quads and JSON-LD distributions keep them.")
_LIST = ",\n        "
#: Base IRI the JSON-LD form is parsed and compacted against, so relative download URLs stay relative.
_RELATIVE = "https://release.evgraph.invalid/"


@dataclass(frozen=True)
class Distribution:
    """One file of a release: its format name, file name, media type, size in bytes and SHA-256 (hex)."""

    format: str
    file: str
    media_type: str
    byte_size: int
    sha256: str
    keeps_graphs: bool = True


@dataclass(frozen=True)
class Counts:
    """What the VoID part of a description counts, over the curated data graphs."""

    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    examples: tuple[str, ...]


def count(store: Store) -> Counts:
    """Count the curated data's triples, entities, classes and properties, and pick example resources."""
    totals = run(store, "internal/release-totals").rows[0]
    classes = {str(r["class"]): int(str(r["entities"])) for r in run(store, "internal/release-classes")}
    properties = {str(r["property"]): int(str(r["triples"])) for r in run(store, "internal/release-properties")}
    examples = tuple(str(r["example"]) for r in run(store, "internal/release-examples"))
    return Counts(int(str(totals["triples"])), int(str(totals["entities"])), classes, properties, examples)


def dataset_iri(version: str) -> IRI:
    """The IRI of one release of the dataset."""
    return IRI(f"{DATASET}/{version}")


def describe(counts: Counts, version: str, issued: date, distributions: list[Distribution],
             endpoint: str | None = None, previous: str | None = None) -> str:
    """The DCAT 3 and VoID description of a release, as Turtle text."""
    dataset = dataset_iri(version)
    lines = [f"@prefix {name}: <{iri}> ." for name, iri in PREFIXES.items()] + [""]
    props = [
        ("a", "dcat:Dataset, void:Dataset"),
        ("dct:title", _text(TITLE)),
        ("dct:description", _text(DESCRIPTION)),
        ("dct:publisher", PUBLISHER.n3()),
        ("dct:license", LICENSE.n3()),
        ("skos:note", _text(RIGHTS)),
        ("dct:issued", f'"{issued.isoformat()}"^^xsd:date'),
        ("owl:versionInfo", Literal(version).n3()),
        ("dcat:version", Literal(version).n3()),
        ("dcat:isVersionOf", DATASET.n3()),
    ]
    if previous:
        props.append(("dcat:previousVersion", dataset_iri(previous).n3()))
    props += [
        ("void:uriSpace", Literal(ID_BASE).n3()),
        ("void:triples", str(counts.triples)),
        ("void:entities", str(counts.entities)),
        ("void:classes", str(len(counts.classes))),
        ("void:properties", str(len(counts.properties))),
    ]
    if counts.examples:
        props.append(("void:exampleResource", _LIST.join(IRI(e).n3() for e in counts.examples)))
    if endpoint:
        props.append(("void:sparqlEndpoint", IRI(endpoint).n3()))
    nodes = []
    if distributions:
        props.append(("dcat:distribution", _LIST.join(_distribution(dataset, d).n3() for d in distributions)))
    if counts.classes:
        props.append(("void:classPartition", _LIST.join(
            IRI(f"{dataset}/class/{i}").n3() for i in range(1, len(counts.classes) + 1))))
    if counts.properties:
        props.append(("void:propertyPartition", _LIST.join(
            IRI(f"{dataset}/property/{i}").n3() for i in range(1, len(counts.properties) + 1))))
    nodes.append((dataset, props))
    for d in distributions:
        node = _distribution(dataset, d)
        checksum = IRI(f"{node}/checksum")
        nodes.append((node, [
            ("a", "dcat:Distribution"),
            ("dct:title", _text(f"evgraph {version} as {_FORMAT_NAMES.get(d.format, d.format)}")),
            *([] if d.keeps_graphs else [("dct:description", _text(_TRIPLES_ONLY))]),
            ("dcat:mediaType", IRI(_MEDIA_TYPES + d.media_type).n3()),
            ("dcat:downloadURL", f"<{d.file}>"),
            ("dcat:byteSize", f'"{d.byte_size}"^^xsd:nonNegativeInteger'),
            ("dct:license", LICENSE.n3()),
            ("spdx:checksum", checksum.n3()),
        ]))
        nodes.append((checksum, [
            ("a", "spdx:Checksum"),
            ("spdx:algorithm", "spdx:checksumAlgorithm_sha256"),
            ("spdx:checksumValue", f'"{d.sha256}"^^xsd:hexBinary'),
        ]))
    for i, (cls, entities) in enumerate(sorted(counts.classes.items()), start=1):
        nodes.append((IRI(f"{dataset}/class/{i}"), [("void:class", IRI(cls).n3()), ("void:entities", str(entities))]))
    for i, (prop, triples) in enumerate(sorted(counts.properties.items()), start=1):
        nodes.append((IRI(f"{dataset}/property/{i}"), [("void:property", IRI(prop).n3()),
                                                       ("void:triples", str(triples))]))
    for subject, pairs in nodes:
        lines.append(subject.n3())
        lines += [f"    {p} {o} ;" for p, o in pairs[:-1]] + [f"    {pairs[-1][0]} {pairs[-1][1]} .", ""]
    return "\n".join(lines)


def _distribution(dataset: IRI, d: Distribution) -> IRI:
    return IRI(f"{dataset}/distribution/{d.format}")


def _text(value: str) -> str:
    return Literal(value, language="en").n3()


def to_jsonld(turtle: str, ctx: dict) -> bytes:
    """The description as compacted JSON-LD, its download URLs still relative to the release folder."""
    from evgraph.linked.export import to_jsonld as compact

    nquads = parse_rdf(turtle.encode("utf-8"), "turtle", _RELATIVE)
    terms = {**{k: v for k, v in PREFIXES.items() if k not in ctx}, **ctx, "@base": _RELATIVE}
    document = json.loads(compact(nquads, terms))
    del document["@context"]["@base"]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
