"""RDF namespaces used across evgraph, defined once."""

from __future__ import annotations

from evgraph.terms import IRI


class Namespace(str):
    """An IRI prefix; ``NS.term`` and ``NS["term"]`` give the IRI of a term in it."""

    __slots__ = ()

    def __getattr__(self, name: str) -> IRI:
        if name.startswith("__"):
            raise AttributeError(name)
        return IRI(self + name)

    def __getitem__(self, name) -> IRI:  # type: ignore[override]
        return IRI(self + name)


EV = Namespace("https://w3id.org/evgraph/ontology#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
#: The SKOS concepts the rules write: verdicts and criterion statuses (ontology/schemes/vocabularies.ttl).
VERDICT = Namespace("https://w3id.org/evgraph/scheme/verdict/")
CRITERION_STATUS = Namespace("https://w3id.org/evgraph/scheme/criterion-status/")

#: Base of every curated instance IRI.
ID_BASE = "https://w3id.org/evgraph/id/"
#: Base of the named graphs (docs/provenance.md).
GRAPH_BASE = "https://w3id.org/evgraph/graph/"

#: Prefixes for writing IRIs short (tables, messages), most specific first where they nest.
PREFIXES = {
    "ev": str(EV), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS),
    "sh": str(SH), "prov": str(PROV), "dcterms": str(DCTERMS), "org": str(ORG), "bibo": str(BIBO),
    "fabio": str(FABIO), "verdict": str(VERDICT), "criterionstatus": str(CRITERION_STATUS),
}

__all__ = ["BIBO", "CRITERION_STATUS", "DCTERMS", "EV", "FABIO", "GRAPH_BASE", "ID_BASE", "ORG", "OWL", "PREFIXES", "PROV", "RDF",
           "RDFS", "SH", "SKOS", "VERDICT", "XSD", "Namespace"]
