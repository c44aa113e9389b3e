"""Find the node a person means: an IRI, a prefixed name, a slug, or a fragment of a label."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from rdflib import Graph, URIRef

from evgraph.errors import EvgraphError, NotFound
from evgraph.namespaces import EV, RDF, RDFS, SKOS
from evgraph.queries import PREFIXES

#: Classes `why` and `trace` can explain.
EXPLAINABLE = (EV.Recommendation, EV.Rating, EV.Intervention)


class AmbiguousMatch(EvgraphError):
    """Several things match; name one of them."""


@dataclass(frozen=True)
class Match:
    """A candidate node with its label and class."""

    iri: URIRef
    label: str
    kind: str


def _candidates(graph: Graph, classes: tuple[URIRef, ...]) -> list[Match]:
    found = []
    for cls in classes:
        for node in graph.subjects(RDF.type, cls):
            if isinstance(node, URIRef):
                label = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel) or node
                found.append(Match(node, str(label), cls.split("#")[-1]))
    return sorted(set(found), key=lambda m: (m.kind, m.label.lower(), str(m.iri)))


def _labels(graph: Graph, node: URIRef) -> list[str]:
    return [str(v) for prop in (RDFS.label, SKOS.altLabel, SKOS.prefLabel) for v in graph.objects(node, prop)]


def resolve(graph: Graph, text: str, classes: tuple[URIRef, ...] = EXPLAINABLE) -> Match:
    """The one node of the given classes that ``text`` names.

    Tried in order: a full IRI (or <IRI>), a prefixed name (rec:…, rating:…), the last segment of an
    IRI (slug), then a case-insensitive fragment of a label. Several matches raise AmbiguousMatch
    listing them; none raises NotFound with the nearest labels.
    """
    text = text.strip()
    candidates = _candidates(graph, classes)
    by_iri = {m.iri: m for m in candidates}
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    prefix, sep, local = iri.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iri = PREFIXES[prefix] + local
    if not any(ch.isspace() for ch in iri) and URIRef(iri) in by_iri:
        return by_iri[URIRef(iri)]
    if "://" in iri:
        raise NotFound(f"No recommendation, rating or intervention has the IRI {iri}.")
    wanted = text.lower()
    for matches in (
        [m for m in candidates if str(m.iri).rsplit("/", 1)[-1].lower() == wanted],
        [m for m in candidates if any(label.lower() == wanted for label in _labels(graph, m.iri))],
        [m for m in candidates if any(wanted in label.lower() for label in _labels(graph, m.iri))],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = "\n".join(f"  {m.kind:<15} {m.label}  <{m.iri}>" for m in matches[:25])
            more = f"\n  … and {len(matches) - 25} more" if len(matches) > 25 else ""
            raise AmbiguousMatch(f"'{text}' matches {len(matches)} things; name one of them:",
                                 hint=listed + more)
    labels = sorted({m.label for m in candidates})
    nearest = difflib.get_close_matches(text, labels, n=5, cutoff=0.4)
    hint = ("Nearest labels: " + "; ".join(nearest)) if nearest else "Try `evgraph query recommendations-by-strength` to list recommendations."
    raise NotFound(f"Nothing matches '{text}'.", hint=hint)
