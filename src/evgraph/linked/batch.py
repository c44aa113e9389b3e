"""A batch: a partner's rows (CSV templates) or RDF mapped to quads in partner graphs, with every problem.

Used by :mod:`evgraph.linked.ingest`, which validates the batch with the graph and writes it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from evgraph.errors import DataError
from evgraph.linked.templates import (
    AGENT,
    KINDS,
    RECOMMENDATION,
    SCHEME_NAMESPACE,
    Column,
    Kind,
)
from evgraph.namespaces import (
    DCTERMS,
    EV,
    GRAPH_BASE,
    ID_BASE,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
)
from evgraph.store import Store, read_quads
from evgraph.store.inputs import read_input
from evgraph.terms import IRI, BlankNode, Literal, Term

PARTNER_STATEMENT = IRI("https://w3id.org/evgraph/scheme/method/partner-statement")
PROVENANCE_GRAPH = IRI(f"{GRAPH_BASE}provenance")
AGENT_BASE = f"{ID_BASE}agent/"
SOURCE_TYPE_BASE = "https://w3id.org/evgraph/scheme/source-type/"
OTHER_SOURCE = IRI(f"{SOURCE_TYPE_BASE}other")
#: The RDF files a partner may send, by suffix (JSON-LD is expanded with pyld, never fetching remote contexts).
RDF_SUFFIXES = (".ttl", ".trig", ".nq", ".nt", ".rdf", ".jsonld")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_YEAR = re.compile(r"^\d{4}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")

Quad = tuple[Term, Term, Term, IRI]


@dataclass(frozen=True)
class Origin:
    """Where a fact came from in the partner's files: a file and its CSV line (or None for RDF)."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}, row {self.line}" if self.line else self.file


def source_slug(url: str) -> str:
    """The slug of a document URL (docs/provenance.md): host and path, lower-cased, other characters '-'."""
    rest = url.split("://", 1)[-1]
    rest, _, query = rest.partition("?")
    rest = rest.split("#", 1)[0]
    if rest.startswith("www."):
        rest = rest[4:]
    slug = re.sub(r"[^a-z0-9.]+", "-", rest.lower()).strip("-")
    if query:
        slug += "-q" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return slug


def partner_graph(partner: str, url: str, stated_by: str | None = None) -> IRI:
    """The named graph of a partner's facts read from one document (and stated there by ``stated_by``)."""
    graph = f"{GRAPH_BASE}partner/{partner}/{source_slug(url)}"
    return IRI(f"{graph}/stated-by/{agent_slug(stated_by)}" if stated_by else graph)


def sources_graph(partner: str) -> IRI:
    """The named graph of the ev:Source records a partner's batches write."""
    return IRI(f"{GRAPH_BASE}partner/{partner}/sources")


def agent_slug(iri: str) -> str:
    """The slug of an agent or organisation: the last part of an evgraph IRI, else the URL's slug."""
    if iri.startswith(ID_BASE) and _SLUG.match(iri.rsplit("/", 1)[-1]):
        return iri.rsplit("/", 1)[-1]
    return source_slug(iri)


def _short(iri: str) -> str:
    for prefix, namespace in sorted(_WRITE_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and _LOCAL.match(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


class Batch:
    """The rows (or RDF) of one ingest, mapped to quads in partner graphs, with every problem found."""

    def __init__(self, store: Store, partner: str):
        self.store, self.partner = store, partner
        self.agent = IRI(f"{AGENT_BASE}{partner}")
        self.problems: list[str] = []
        self.rows: dict[str, list[tuple[str, int, dict[str, str]]]] = {k.name: [] for k in KINDS}
        self.quads: list[Quad] = []
        self.origins: dict[str, Origin] = {}
        self.nodes: dict[str, list[tuple[str, bool]]] = {}
        self.links: list[tuple[str, str, str]] = []
        self.minted: dict[str, dict[IRI, Origin]] = {}  # class -> IRI -> row that mints it
        self.sources: set[str] = set()
        self.graph_agents: dict[IRI, tuple[str, IRI | None]] = {}  # graph -> (document, who stated it besides)
        self.source_types: dict[str, tuple[IRI, Origin]] = {}  # document -> (ev:sourceType, row giving it)
        self.stated_sources: set[str] = set()  # documents the batch's own RDF gives an ev:Source record
        self.existing = self._existing()
        self.concepts = self._concepts()

    # -- reading --------------------------------------------------------------------------------

    def read(self, path: Path) -> None:
        if path.suffix in RDF_SUFFIXES:
            self._read_rdf(path)
        elif path.suffix == ".csv":
            self._read_csv(path)
        else:
            self.problems.append(f"{path}: not a partner file; expected a .csv from templates/ or RDF: "
                                 f"{', '.join(RDF_SUFFIXES)}.")

    def _read_csv(self, path: Path) -> None:
        kind = next((k for k in KINDS if path.stem == k.name or path.stem.endswith(("-" + k.name, "_" + k.name))),
                    None)
        if kind is None:
            self.problems.append(f"{path}: the file name names no template; expected one of "
                                 f"{', '.join(k.name + '.csv' for k in KINDS)} (or a name ending in one).")
            return
        try:
            text = read_input(path, "csv").decode("utf-8-sig")  # the input policy's size limit
        except UnicodeDecodeError as error:
            self.problems.append(f"{path}: not UTF-8 text ({error.reason}).")
            return
        except DataError as error:
            self.problems.append(error.message)
            return
        try:
            self._read_rows(path, kind, csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:  # such as a cell longer than csv.field_size_limit()
            self.problems.append(f"{path}: not a CSV file evgraph can read ({error}).")

    def _read_rows(self, path: Path, kind: Kind, reader) -> None:
        header = [h.strip() for h in next(reader, [])]
        bad = False
        for name in header:
            if kind.column(name) is None:
                self.problems.append(f"{path}, line 1, column '{name}': not a column of the {kind.name} template;"
                                     f" expected one of {', '.join(c.name for c in kind.columns)}.")
                bad = True
        for column in kind.columns:
            if column.required and column.name not in header:
                self.problems.append(f"{path}, line 1: the required column '{column.name}' is missing from the"
                                     f" {kind.name} header.")
                bad = True
        if bad:
            return
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                self.problems.append(f"{path}, row {reader.line_num}: {len(cells)} cells; expected"
                                     f" {len(header)}, one per header column.")
                continue
            self.rows[kind.name].append((str(path), reader.line_num, dict(zip(header, (c.strip() for c in cells)))))

    def _read_rdf(self, path: Path) -> None:
        try:
            quads = read_quads(path, _jsonld_nquads(path)) if path.suffix == ".jsonld" else read_quads(path)
        except DataError as error:
            self.problems.append(error.message)
            return
        sources: dict[Term, list[str]] = {}
        for s, p, o, _ in quads:
            if p == DCTERMS.source and isinstance(o, IRI):
                sources.setdefault(s, []).append(str(o))
            if p == RDF.type and o == EV.Source and isinstance(s, IRI):
                self.stated_sources.add(str(s))
        for s, p, o, _ in quads:
            urls = sorted(set(sources.get(s, ())))
            if not urls:
                self.problems.append(f"{path}: {_short(str(s))} has no dct:source; expected the http(s) URL of the"
                                     " document that states its facts.")
                sources[s] = ["-"]  # one sentence per node
                continue
            if urls == ["-"]:
                continue
            for url in urls:
                self._add(s, p, o, url)
            if isinstance(s, IRI):
                self.origins.setdefault(str(s), Origin(str(path), None))
                if p == RDF.type:
                    self.nodes.setdefault("rdf", []).append((str(s), str(s) not in self.existing))

    # -- the graph as it is -----------------------------------------------------------------------

    def _existing(self) -> dict[str, set[str]]:
        table = self.store.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?s ?class WHERE {"
            " ?s a ?type . ?type rdfs:subClassOf* ?class . FILTER(isIRI(?s)) }")
        found: dict[str, set[str]] = {}
        for row in table:
            found.setdefault(str(row["s"]), set()).add(str(row["class"]))
        return found

    def _concepts(self) -> dict[str, dict[str, IRI]]:
        """Per scheme local name: every accepted spelling (notation, IRI local name) to its concept."""
        table = self.store.select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?scheme ?c ?notation WHERE {"
            " ?c skos:inScheme ?scheme . OPTIONAL { ?c skos:notation ?notation } }")
        schemes: dict[str, dict[str, IRI]] = {}
        for row in table:
            name = str(row["scheme"])[len(SCHEME_NAMESPACE):] if str(row["scheme"]).startswith(SCHEME_NAMESPACE) else None
            if name is None:
                continue
            spellings = schemes.setdefault(name, {})
            concept = IRI(str(row["c"]))
            spellings[re.split(r"[/#]", concept)[-1].lower()] = concept
            if row.get("notation") is not None:
                spellings[str(row["notation"]).lower()] = concept
        return schemes

    # -- mapping ----------------------------------------------------------------------------------

    def map_rows(self) -> None:
        for kind in KINDS:  # mint every node first, so rows may point at nodes of later files
            if kind.cls:
                for file, line, row in self.rows[kind.name]:
                    self._mint(kind, Origin(file, line), row.get("slug", ""))
        for kind in KINDS:
            for file, line, row in self.rows[kind.name]:
                self._map(kind, Origin(file, line), row)

    def _node_iri(self, kind: Kind, value: str) -> IRI | None:
        if value.startswith(("http://", "https://")):
            return IRI(value)
        if not _SLUG.match(value):
            return None
        minted = IRI(f"{ID_BASE}{kind.id_type}/{value}")
        if minted in self.existing:
            return minted
        same = [iri for iri, classes in self.existing.items() if kind.cls in classes and iri.rsplit("/", 1)[-1] == value]
        return IRI(same[0]) if len(same) == 1 else minted

    def _mint(self, kind: Kind, origin: Origin, value: str) -> None:
        iri = self._node_iri(kind, value)
        if iri is None:
            self.problems.append(f"{origin}, column 'slug': '{value}' is not a slug; expected {_TYPES_TEXT['slug']}.")
            return
        minted = self.minted.setdefault(kind.cls, {})
        if iri in minted:
            self.problems.append(f"{origin}, column 'slug': '{value}' mints {_short(iri)}, already minted by"
                                 f" {minted[iri]}; expected each {kind.id_type} once per batch.")
            return
        minted[iri] = origin

    def _map(self, kind: Kind, origin: Origin, row: dict[str, str]) -> None:
        problems = len(self.problems)
        url = row.get("source", "")
        if not url:
            self.problems.append(f"{origin}, column 'source': empty; expected the http(s) URL of the document that"
                                 " states this row's facts.")
        elif not re.match(r"^https?://\S+$", url):
            self.problems.append(f"{origin}, column 'source': '{url}' is not a URL; expected the http(s) URL of the"
                                 " document that states this row's facts.")
        values: dict[str, Term] = {}
        for column in kind.columns:
            if column.name in ("slug", "source"):
                continue
            raw = row.get(column.name, "")
            if not raw:
                if column.required:
                    self.problems.append(f"{origin}, column '{column.name}': empty; expected {_expected(column)}.")
                continue
            term = self._value(kind, column, raw, origin)
            if term is not None:
                values[column.name] = term
        if len(self.problems) > problems:
            return
        if "source_type" in values:
            given = self.source_types.setdefault(url, (values["source_type"], origin))
            if given[0] != values["source_type"]:
                self.problems.append(f"{origin}, column 'source_type': '{row['source_type']}' differs from"
                                     f" {_short(given[0])} given for {url} at {given[1]}; expected one type per"
                                     " source.")
                return
        if kind.cls is None:
            self._link(origin, values["claim"], values["study"], url, values.get("stated_by"))
            return
        subject = self._node_iri(kind, row["slug"])
        new = str(subject) not in self.existing
        if new and "label" not in values:
            self.problems.append(f"{origin}, column 'label': empty; expected a human-readable name for the new"
                                 f" {kind.id_type} {_short(subject)}.")
            return
        self.origins[str(subject)] = origin
        self.nodes.setdefault(kind.name, []).append((str(subject), new))
        self._add(subject, RDF.type, IRI(kind.cls), url)
        self._add(subject, DCTERMS.source, IRI(url), url)
        if kind.name == "appraisals" and "appraised_by" not in values:
            values["appraised_by"] = self.agent
        for column in kind.columns:
            if column.name in values and column.property:
                self._add(subject, IRI(column.property), values[column.name], url)

    def _link(self, origin: Origin, claim: Term, study: Term, url: str, stated_by: Term | None = None) -> None:
        classes = self.existing.get(str(claim), set()) | {c for c, m in self.minted.items() if claim in m}
        prop = EV.supportedBy if RECOMMENDATION in classes else EV.basedOn
        by = stated_by if isinstance(stated_by, IRI) and stated_by != self.agent else None
        self._add(claim, prop, study, url, by)
        self._add(claim, DCTERMS.source, IRI(url), url, by)
        self.origins.setdefault(str(claim), origin)
        self.links.append((str(claim), _short(prop), str(study)))

    def _value(self, kind: Kind, column: Column, raw: str, origin: Origin) -> Term | None:
        def wrong(expected: str) -> None:
            self.problems.append(f"{origin}, column '{column.name}': '{raw}' is not {expected}.")

        if column.type == "text":
            return Literal(raw, language="en") if column.property == str(RDFS.label) else Literal(raw)
        if column.type == "integer":
            if not raw.isdigit():
                return wrong("a whole number, zero or more (write digits, e.g. 40)")
            return Literal(str(int(raw)), f"{XSD}integer")
        if column.type == "number":
            try:
                if float(raw) < 0:
                    raise ValueError
            except ValueError:
                return wrong("a number, zero or more (e.g. 12 or 6.5)")
            return Literal(raw, f"{XSD}decimal" if "." in raw else f"{XSD}integer")
        if column.type == "boolean":
            if raw.lower() not in ("true", "false"):
                return wrong("true or false")
            return Literal(raw.lower(), f"{XSD}boolean")
        if column.type == "year":
            if not _YEAR.match(raw):
                return wrong("a four-digit year such as 2023")
            return Literal(raw, f"{XSD}gYear")
        if column.type == "doi":
            if not _DOI.match(raw):
                return wrong("a DOI such as 10.1000/xyz (without https://doi.org/)")
            return Literal(raw)
        if column.type == "scheme":
            scheme = column.target[0]
            concept = self.concepts.get(scheme, {}).get(raw.lower())
            if concept is None:
                allowed = sorted(set(self.concepts.get(scheme, {}).values()))
                return wrong(f"a concept of ev:{scheme}; expected one of "
                             + ", ".join(re.split(r"[/#]", c)[-1] for c in allowed))
            return concept
        if column.type == "ref":
            return self._ref(column, raw, origin)
        raise AssertionError(column.type)

    def _ref(self, column: Column, raw: str, origin: Origin) -> IRI | None:
        wanted = set(column.target)
        names = " or ".join(_class_name(c) for c in column.target)
        if raw.startswith(("http://", "https://")):
            candidates = [IRI(raw)]
        elif _SLUG.match(raw):
            candidates = [iri for cls in column.target for iri in self.minted.get(cls, {})
                          if iri.rsplit("/", 1)[-1] == raw]
            candidates += [IRI(iri) for iri, classes in self.existing.items()
                           if classes & wanted and iri.rsplit("/", 1)[-1] == raw]
            if raw == self.partner and AGENT in wanted:
                candidates.append(self.agent)
        else:
            self.problems.append(f"{origin}, column '{column.name}': '{raw}' is neither a slug nor an IRI; expected"
                                 f" the slug or IRI of {names}.")
            return None
        found = sorted({c for c in candidates if c == self.agent or self.existing.get(str(c), set()) & wanted
                        or any(c in self.minted.get(cls, {}) for cls in wanted)})
        if not found:
            self.problems.append(f"{origin}, column '{column.name}': '{raw}' is not the slug or IRI of {names} in this"
                                 f" batch or the graph; expected the slug or IRI of {names}.")
            return None
        if len(found) > 1:
            self.problems.append(f"{origin}, column '{column.name}': '{raw}' names {len(found)} nodes"
                                 f" ({', '.join(_short(f) for f in found)}); expected one: give its IRI.")
            return None
        return found[0]

    def _add(self, s: Term, p: Term, o: Term, url: str, stated_by: IRI | None = None) -> None:
        self.sources.add(url)
        graph = partner_graph(self.partner, url, stated_by)
        self.graph_agents[graph] = (url, stated_by)
        self.quads.append((s, p, o, graph))

    # -- writing ----------------------------------------------------------------------------------

    def trig(self, today: date) -> str:
        """The batch as TriG: one graph per cited document, the partner's agent and the graphs' records."""
        created = Literal(today.isoformat(), f"{XSD}date")
        agent_graph = min(self.graph_agents) if self.graph_agents else None
        quads = set(self.quads)
        if agent_graph and self.agent not in self.existing:
            quads |= {(self.agent, RDF.type, PROV.Agent, agent_graph),
                      (self.agent, RDFS.label, Literal(self.partner, language="en"), agent_graph)}
        for graph, (url, stated_by) in sorted(self.graph_agents.items()):
            quads |= {(graph, RDF.type, EV.AssertionGraph, PROVENANCE_GRAPH),
                      (graph, EV.method, PARTNER_STATEMENT, PROVENANCE_GRAPH),
                      (graph, PROV.wasDerivedFrom, IRI(url), PROVENANCE_GRAPH),
                      (graph, PROV.wasAttributedTo, self.agent, PROVENANCE_GRAPH),
                      (graph, DCTERMS.created, created, PROVENANCE_GRAPH)}
            if stated_by is not None:
                quads.add((graph, PROV.wasAttributedTo, stated_by, PROVENANCE_GRAPH))
        # A source record for every cited document the graph (and the batch's own RDF) does not describe yet.
        records = sources_graph(self.partner)
        unrecorded = [url for url in sorted(self.sources)
                      if str(EV.Source) not in self.existing.get(url, set()) and url not in self.stated_sources]
        for url in unrecorded:
            kind = self.source_types.get(url, (OTHER_SOURCE, None))[0]
            quads |= {(IRI(url), RDF.type, EV.Source, records), (IRI(url), EV.sourceType, kind, records),
                      (IRI(url), DCTERMS.source, IRI(url), records)}
        if unrecorded:
            quads |= {(records, RDF.type, EV.AssertionGraph, PROVENANCE_GRAPH),
                      (records, EV.method, PARTNER_STATEMENT, PROVENANCE_GRAPH),
                      (records, PROV.wasAttributedTo, self.agent, PROVENANCE_GRAPH),
                      (records, DCTERMS.created, created, PROVENANCE_GRAPH)}
        self.quads = sorted(quads, key=lambda q: (str(q[3]), *(_term_text(t) for t in (q[0], q[1], q[2]))))
        lines = [f"@prefix {p}: <{n}> ." for p, n in sorted(_WRITE_PREFIXES.items())]
        lines += ["", f"# Sent by the partner '{self.partner}' (evgraph ingest); each graph holds the facts one document"
                      " states.", ""]
        graph, subject = None, None
        for s, p, o, g in self.quads:
            if g != graph:
                if graph is not None:
                    lines[-1] += " ."
                    lines.append("}")
                lines.append(f"GRAPH {_term_text(g)} {{")
                graph, subject = g, None
            if s != subject:
                if subject is not None:
                    lines[-1] += " ."
                lines.append(f"  {_term_text(s)} {_term_text(p)} {_term_text(o)}")
                subject = s
            else:
                lines[-1] += " ;"
                lines.append(f"      {_term_text(p)} {_term_text(o)}")
        if graph is not None:
            lines[-1] += " ."
            lines.append("}")
        return "\n".join(lines) + "\n"


_WRITE_PREFIXES = {
    "ev": str(EV), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "dct": str(DCTERMS), "prov": str(PROV),
    "skos": str(SKOS), "bibo": PREFIXES["bibo"], "agent": AGENT_BASE, "method": "https://w3id.org/evgraph/scheme/method/",
    "design": "https://w3id.org/evgraph/scheme/design/", "country": "https://w3id.org/evgraph/scheme/country/",
    "rob": "https://w3id.org/evgraph/scheme/risk-of-bias/", "level": "https://w3id.org/evgraph/scheme/guidebook-level/",
    "strength": "https://w3id.org/evgraph/scheme/practice-guide-strength/",
    "basis": "https://w3id.org/evgraph/scheme/rating-basis/", "kind": "https://w3id.org/evgraph/scheme/intervention-kind/",
    "direction": "https://w3id.org/evgraph/scheme/effect-direction/", "sourcetype": SOURCE_TYPE_BASE,
    **{name: f"{ID_BASE}{name}/" for name in ("study", "intervention", "report", "finding", "appraisal", "rating",
                                              "recommendation", "review", "guidance", "organisation")},
}
_WRITE_PREFIXES["orgn"] = _WRITE_PREFIXES.pop("organisation")
_LOCAL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
_TYPES_TEXT = {"slug": "lower-case letters, digits and hyphens (or the IRI of an existing node)"}


def _jsonld_nquads(path: Path) -> bytes:
    """A JSON-LD file expanded to N-Quads with pyld, read under the input policy (:mod:`evgraph.store.inputs`:
    its size, nesting and syntax checked, a remote context refused by name); nothing is ever fetched."""
    from pyld import jsonld
    from pyld.jsonld import JsonLdError

    from evgraph.linked.export import _refuse_remote

    document = json.loads(read_input(path, "jsonld").decode("utf-8"))
    try:
        expanded = jsonld.expand(document, {"documentLoader": _refuse_remote})
        text = jsonld.to_rdf(expanded, {"format": "application/n-quads", "documentLoader": _refuse_remote})
    except JsonLdError as error:
        url = (error.details or {}).get("url") if isinstance(error.details, dict) else None
        if url:
            raise DataError(f"{path}: the context {url} is remote and evgraph never fetches remote documents;"
                            " expected the context written inline.") from None
        reason = str(error.code or error.type or "not valid JSON-LD")
        raise DataError(f"{path}: not JSON-LD evgraph can read ({reason}).") from None
    return text.encode("utf-8")


def _term_text(term: Term) -> str:
    if isinstance(term, IRI):
        short = _short(str(term))
        return "a" if term == RDF.type else short
    if isinstance(term, BlankNode):
        return term.n3()
    if term.datatype == f"{XSD}integer" and term.lexical.isdigit():
        return term.lexical
    if term.datatype == f"{XSD}boolean":
        return term.lexical
    text = term.n3()
    if not term.language and term.datatype.startswith(str(XSD)) and term.datatype != f"{XSD}string":
        return text[: -len(term.datatype) - 4] + "^^xsd:" + term.datatype[len(XSD):]
    return text


def _class_name(cls: str) -> str:
    local = re.split(r"[/#]", cls)[-1]
    return "an " + local if local[0] in "AEIOU" else "a " + local


def _expected(column: Column) -> str:
    if column.type == "ref":
        return "the slug or IRI of " + " or ".join(_class_name(c) for c in column.target)
    if column.type == "scheme":
        return f"a concept of ev:{column.target[0]}"
    return column.description[0].lower() + column.description[1:].rstrip(".")


