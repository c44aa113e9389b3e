"""RDF namespaces used across evgraph, defined once."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

EV = Namespace("https://w3id.org/evgraph/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")

#: Base of every curated instance IRI.
ID_BASE = "https://w3id.org/evgraph/id/"
#: Base of the named graphs: one per loaded file, named after its path.
GRAPH_BASE = "https://w3id.org/evgraph/graph/"

__all__ = ["BIBO", "DCTERMS", "EV", "FABIO", "GRAPH_BASE", "ID_BASE", "ORG", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD"]
