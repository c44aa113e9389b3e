"""The ontology documents itself, and every ev: term anyone uses is declared."""

from __future__ import annotations

import re

from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from evgraph.paths import Layout

EV = Namespace("https://w3id.org/evgraph/ontology#")
SRC = Layout.default().queries.parent / "src" / "evgraph"

TERM = re.compile(r"\bev:([A-Za-z][A-Za-z0-9]*)\b")



def test_every_class_and_property_has_label_and_comment(ontology):
    undocumented = []
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if not str(term).startswith(str(EV)):
                continue
            if ontology.value(term, RDFS.label) is None or ontology.value(term, RDFS.comment) is None:
                undocumented.append(str(term))
    assert undocumented == []


def test_every_ev_term_used_anywhere_is_declared(ontology):
    layout = Layout.default()
    # Classes and properties, plus the concept schemes (typed skos:ConceptScheme) under ev:.
    declared = {str(s)[len(str(EV)):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(EV))}
    used: dict[str, str] = {}
    for folder in (layout.ontology, layout.shapes, layout.data, layout.queries):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".ttl", ".rq"}:
                for name in TERM.findall(path.read_text(encoding="utf-8")):
                    used.setdefault(name, str(path))
    undeclared = {name: where for name, where in used.items() if name not in declared}
    assert undeclared == {}, "Declare these in ontology/evgraph.ttl (first seen in the file shown)"


def test_every_ev_term_the_code_names_is_declared(ontology):
    declared = {str(s)[len(str(EV)):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(EV))}
    used = {name for path in sorted(SRC.rglob("*.py"))
            for name in re.findall(r"\bEV\.([A-Za-z][A-Za-z0-9]*)\b", path.read_text(encoding="utf-8"))}
    assert used and sorted(used - declared) == []


def test_shapes_pass_shacl_shacl():
    layout = Layout.default()
    shapes = Graph()
    for path in sorted(layout.shapes.rglob("*.ttl")):
        shapes.parse(path)
    conforms, _, text = shacl_validate(Graph(), shacl_graph=shapes, meta_shacl=True, advanced=True)
    assert conforms, text
