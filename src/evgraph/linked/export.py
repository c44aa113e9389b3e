"""Export: the graph (or part of it) as RDF a partner can load, byte-identical for the same data.

Scopes name sets of named graphs: ``curated`` (the data graphs, with their provenance and source
records), ``derived`` (what the rules concluded), ``ontology`` (vocabulary and schemes) and ``all``
(the three together; the shapes are validation machinery and stay out). N-Quads, TriG and JSON-LD keep
graph names; Turtle, N-Triples and RDF/XML hold triples only, so an export in them says so.

JSON-LD is compacted with the context kept in ``ontology/context.jsonld`` by PyLD; no remote context
or document is ever fetched.

The derived graph names its rule evaluation by a digest of the data it read, not by a clock time, so
the same data always exports to the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evgraph.errors import ConfigError, NotFound, QueryError
from evgraph.linked.bundle import bundle_quads
from evgraph.lookup import resolve
from evgraph.paths import Layout
from evgraph.queries import expand_iri
from evgraph.rules import add_derivations
from evgraph.store import RDF_FORMATS, Store, dump_quads, serialize
from evgraph.terms import IRI, BlankNode

#: The graph roles each scope exports.
SCOPES = {"all": ("ontology", "data", "derived"), "curated": ("data",), "derived": ("derived",),
          "ontology": ("ontology",)}
#: Every export format: the RDF serialisations and JSON-LD. True where graph names are kept.
FORMATS = {**RDF_FORMATS, "jsonld": True}
#: File suffix and media type of each format.
MEDIA = {"nquads": (".nq", "application/n-quads"), "trig": (".trig", "application/trig"),
         "turtle": (".ttl", "text/turtle"), "ntriples": (".nt", "application/n-triples"),
         "rdfxml": (".rdf", "application/rdf+xml"), "jsonld": (".jsonld", "application/ld+json")}


@dataclass(frozen=True)
class Export:
    """Serialised RDF and what a reader should know about it."""

    content: bytes
    format: str
    scope: str
    graphs: int
    graph_names_dropped: bool


def context(layout: Layout | None = None) -> dict:
    """The JSON-LD context kept in ``ontology/context.jsonld`` (its ``@context`` object), read under the input
    policy (:mod:`evgraph.store.inputs`), so it may not itself name a remote context."""
    from evgraph.store.inputs import read_input

    path = (layout or Layout.default()).ontology / "context.jsonld"
    return json.loads(read_input(path, "jsonld").decode("utf-8"))["@context"]


def export(store: Store, fmt: str = "trig", scope: str = "all") -> Export:
    """Serialise the named graphs of a scope in one format, deterministically.

    A scope that is not one of :data:`SCOPES` names one node (an IRI, a prefixed name such as
    rec:kinship-care-navigators, or a label): the export is then its bundle (:mod:`evgraph.linked.bundle`).
    """
    if fmt not in FORMATS:
        raise ConfigError(f"Unknown export format '{fmt}'.", hint=f"Choose one of: {', '.join(FORMATS)}.")
    roles = SCOPES.get(scope, ("ontology", "data", "derived"))
    if "derived" in roles and store.writable:
        add_derivations(store)
    if scope in SCOPES:
        graphs = store.graphs_of(*roles)
        nquads = store.dump(graphs)
    else:
        nquads = bundle_quads(store, bundle_subject(store, scope))
        graphs = sorted({line.rsplit(b" ", 2)[-2] for line in nquads.splitlines()})
    if fmt == "jsonld":
        content = to_jsonld(nquads, context(store.layout))
    else:
        prefixes = {k: v for k, v in context(store.layout).items() if isinstance(v, str) and v.endswith(("/", "#"))}
        content = serialize(nquads, fmt, prefixes)
    return Export(content, fmt, scope, len(graphs), not FORMATS[fmt])


def bundle_subject(store: Store, text: str) -> IRI:
    """The node a bundle scope names: an IRI or prefixed name of any typed node, else what ``resolve`` finds."""
    try:
        iri = expand_iri(text)
    except QueryError:  # not an IRI: a slug or a label
        try:
            return resolve(store, text).iri
        except NotFound:
            raise NotFound(f"'{text}' is neither an export scope ({', '.join(SCOPES)}) nor a node in the graph.",
                           hint="Give a scope, or a node as an IRI, prefixed name (rec:…) or label.") from None
    if not store.ask("ASK { ?node a ?type }", {"node": iri}):
        raise NotFound(f"Nothing in the graph is {iri}.", hint=f"Give a node's IRI, or a scope: {', '.join(SCOPES)}.")
    return iri


def to_jsonld(nquads: bytes, ctx: dict) -> bytes:
    """N-Quads as compacted JSON-LD (named graphs kept), with every array sorted so output is stable."""
    from pyld import jsonld

    expanded = jsonld.from_rdf(_rdf_dataset(nquads), {"documentLoader": _refuse_remote})
    compacted = jsonld.compact(expanded, {"@context": ctx}, {"documentLoader": _refuse_remote})
    body = {key: value for key, value in _sorted(compacted).items() if key != "@context"}
    return (json.dumps({"@context": ctx, **body}, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _rdf_dataset(nquads: bytes) -> dict[str, list[dict]]:
    """A store's N-Quads as PyLD's RDF dataset (graph name, or @default, to triples), read by Oxigraph.

    PyLD's own N-Quads reader compares each triple with every other of its graph (a dump has no duplicates)
    and splits lines where N-Quads does not (U+2028 and the like, which a literal may hold).
    """
    dataset: dict[str, list[dict]] = {}
    for subject, predicate, value, graph in dump_quads(nquads):
        triple = {"subject": _pyld_term(subject), "predicate": _pyld_term(predicate), "object": _pyld_term(value)}
        dataset.setdefault("@default" if graph is None else str(graph), []).append(triple)
    return dataset


def _pyld_term(term) -> dict:
    if isinstance(term, IRI):
        return {"type": "IRI", "value": str(term)}
    if isinstance(term, BlankNode):
        return {"type": "blank node", "value": f"_:{term}"}
    literal = {"type": "literal", "value": term.lexical, "datatype": term.datatype}
    if term.language:
        literal["language"] = term.language
    return literal


def _sorted(value):
    """Sort every JSON-LD array (RDF values are unordered; evgraph writes no rdf:List) and every object's keys."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value, key=lambda k: (not k.startswith("@"), k))}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _refuse_remote(url: str, options=None):
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"Refusing to fetch {url}: evgraph never loads remote JSON-LD documents.",
                      "jsonld.LoadDocumentError", code="loading document failed")


def write(export_: Export, out: Path | None) -> None:
    """Write an export to ``out`` atomically (temporary file beside it, fsync, rename), or to stdout.

    Killed at any point, it leaves ``out`` as it was or complete (and at most a hidden ``.NAME.*.tmp`` beside
    it); a failed write, such as on a full disk, is a :class:`ConfigError` and leaves ``out`` as it was.
    """
    import sys

    from evgraph.output import write_bytes_atomically

    if out is None or str(out) == "-":
        sys.stdout.buffer.write(export_.content)
        sys.stdout.buffer.flush()
    else:
        write_bytes_atomically(Path(out), export_.content)
