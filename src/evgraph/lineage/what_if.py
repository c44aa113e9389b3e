"""What-if: the rules' verdicts under named assumptions, each a documented piece of data, never a fact.

An assumption is a SPARQL CONSTRUCT query in ``assumptions/`` (its header says what it assumes and
why), or a partner's RDF file (or .rq query) given by path. Its triples are added, in a named graph of
their own, to a scratch copy of the store; the rules then run on the copy. Nothing is written to the
store or its derived graph.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from evgraph.errors import NotFound
from evgraph.namespaces import GRAPH_BASE
from evgraph.paths import Layout
from evgraph.queries import Query, parse_query
from evgraph.rules import (
    Derivation,
    Verdict,
    derive,
    derive_all,
    evidence_from,
    read_rows,
)
from evgraph.rules.records import Evidence
from evgraph.store import Store, Triple, read_quads, scratch_copy
from evgraph.terms import IRI

#: The RDF files a partner's assumption may be given as.
RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq")


@dataclass(frozen=True)
class Assumption:
    """A named what-if: a CONSTRUCT query, or a file of triples."""

    name: str
    summary: str
    description: str
    path: Path
    query: Query | None = None

    @property
    def graph(self) -> IRI:
        """The named graph its triples go into, in the scratch copy."""
        return IRI(f"{GRAPH_BASE}assumption/{self.name}")

    def triples(self, store: Store) -> list[Triple]:
        """The triples it adds to ``store``'s graph."""
        if self.query is not None:
            return store.construct(self.query.text)
        return [(s, p, o) for s, p, o, _ in read_quads(self.path)]

    def to_json(self) -> dict:
        """The assumption as a JSON-ready dict."""
        return {"name": self.name, "summary": self.summary, "description": self.description}


def bundled(layout: Layout | None = None) -> list[Assumption]:
    """The assumptions kept in the repository (``assumptions/*.rq``), by name."""
    folder = (layout or Layout.default()).assumptions
    return [_from_query(path) for path in sorted(folder.glob("*.rq"))]


def _from_query(path: Path) -> Assumption:
    query = parse_query(path.read_text(encoding="utf-8"), path.stem, path)
    return Assumption(path.stem, query.summary, query.description, path, query)


def find(name_or_path: str, layout: Layout | None = None) -> Assumption:
    """A bundled assumption by name, or a partner's file by path (a .rq CONSTRUCT query or RDF triples)."""
    known = {a.name: a for a in bundled(layout)}
    if name_or_path in known:
        return known[name_or_path]
    path = Path(name_or_path)
    if path.is_file() and path.suffix == ".rq":
        return _from_query(path)
    if path.is_file() and path.suffix in RDF_SUFFIXES:
        return Assumption(path.stem, f"the triples of {path.name}", f"Every triple of {path}, added as given.", path)
    raise NotFound(f"No assumption is called '{name_or_path}', and it is not a .rq, .ttl, .trig, .nt or .nq file.",
                   hint="Assumptions: " + ", ".join(sorted(known)) + ".")


@dataclass(frozen=True)
class CriterionChange:
    """A criterion whose status differs under the assumptions, and the assumptions that change it alone."""

    level: str
    criterion: str
    without: str
    with_: str
    by: tuple[str, ...]
    #: True when no assumption changes it alone, only those named, together.
    jointly: bool = False

    def to_json(self) -> dict:
        """The change as a JSON-ready dict."""
        return {"level": self.level, "criterion": self.criterion, "without": self.without, "with": self.with_,
                "assumptions": list(self.by), "jointly": self.jointly}


@dataclass(frozen=True)
class WhatIf:
    """One claim's derived level and verdict without and with the assumptions, and each criterion they change."""

    subject: IRI
    used: tuple[Assumption, ...]
    derived_without: str | None
    derived_with: str | None
    verdict_without: str
    verdict_with: str
    criteria: tuple[CriterionChange, ...]

    @property
    def changed(self) -> bool:
        """True when the assumptions change the verdict or the derived level."""
        return (self.verdict_without, self.derived_without) != (self.verdict_with, self.derived_with)

    def to_json(self) -> dict:
        """The what-if as a JSON-ready dict."""
        return {"subject": str(self.subject), "assumptions": [a.to_json() for a in self.used],
                "derived_without": self.derived_without, "derived_with": self.derived_with,
                "verdict_without": self.verdict_without, "verdict_with": self.verdict_with,
                "criteria": [c.to_json() for c in self.criteria]}


def _derivations(store: Store, subject: IRI | None) -> tuple[Evidence, dict[IRI, Derivation]]:
    evidence = evidence_from(read_rows(store, subject))
    if subject is None:  # what the audit checks: every recommendation, and every rating with a level
        return evidence, {d.subject: d for d in derive_all(evidence)}
    claim = evidence.claims.get(subject)
    return evidence, {subject: derive(evidence, claim)} if claim else {}


def _statuses(derivation: Derivation) -> dict[tuple[str, str], str]:
    return {(c.level, c.criterion): c.status.value for c in derivation.criteria}


def _level(evidence: Evidence, derivation: Derivation) -> str | None:
    return evidence.label(derivation.derived) if derivation.derived else None


def what_if(store: Store, assumptions: list[Assumption], subject: IRI | None = None) -> dict[IRI, WhatIf]:
    """Each claim (one, or all) derived without and with the assumptions.

    A criterion that changes is credited to each assumption that changes it when applied alone; when none
    does, to the assumptions it changes only together (each one it cannot do without).
    """
    def assuming(chosen: list[Assumption]) -> Store:
        return scratch_copy(store, {a.graph: a.triples(store) for a in chosen})

    evidence, without = _derivations(store, subject)
    assumed_evidence, with_all = _derivations(assuming(assumptions), subject)
    alone = {a.name: _derivations(assuming([a]), subject)[1] for a in assumptions} if len(assumptions) > 1 \
        else {assumptions[0].name: with_all}
    left_out: dict[str, dict[IRI, Derivation]] = {}

    def all_but(name: str) -> dict[IRI, Derivation]:
        if name not in left_out:
            left_out[name] = _derivations(assuming([a for a in assumptions if a.name != name]), subject)[1]
        return left_out[name]

    answers = {}
    for iri, before in without.items():
        after = with_all[iri]
        old, new = _statuses(before), _statuses(after)
        changes = []
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                by = tuple(name for name, derived in alone.items() if _statuses(derived[iri]).get(key) != old.get(key))
                if not by:  # only several together change it: name those it cannot do without
                    by = tuple(name for name in alone if _statuses(all_but(name)[iri]).get(key) == old.get(key))
                    by, jointly = by or tuple(alone), True
                else:
                    jointly = False
                changes.append(CriterionChange(key[0], key[1], old.get(key, "not checked"), new.get(key, "not checked"),
                                               by, jointly))
        answers[iri] = WhatIf(iri, tuple(assumptions), _level(evidence, before),
                              _level(assumed_evidence, after), before.verdict.value, after.verdict.value,
                              tuple(changes))
    return answers


def assume(store: Store, explanations: list, assumptions: list[Assumption]) -> list:
    """Explanations with each claim's verdict under the assumptions added (``Explanation.assumed``)."""
    answers = what_if(store, assumptions)
    return [replace(e, assumed=answers[IRI(e.subject["iri"])].to_json()) if IRI(e.subject["iri"]) in answers else e
            for e in explanations]


@dataclass
class AssumedAudit:
    """The audit's verdict counts without and with assumptions, and each claim whose result they change."""

    used: tuple[Assumption, ...]
    summary_without: dict[str, int]
    summary_with: dict[str, int]
    changed: list[tuple[str, WhatIf]]

    def to_json(self) -> dict:
        """The what-if audit as a JSON-ready dict."""
        return {"assumptions": [a.to_json() for a in self.used], "summary_without": self.summary_without,
                "summary_with": self.summary_with,
                "changed": [{"label": label, **w.to_json()} for label, w in self.changed]}


def assumed_audit(store: Store, assumptions: list[Assumption], labels: dict[IRI, str]) -> AssumedAudit:
    """Every claim's verdict without and with the assumptions; ``labels`` names the claims."""
    answers = what_if(store, assumptions)
    verdicts = [v.value for v in Verdict]
    without = {v: sum(w.verdict_without == v for w in answers.values()) for v in verdicts}
    with_ = {v: sum(w.verdict_with == v for w in answers.values()) for v in verdicts}
    changed = sorted(((labels.get(iri, str(iri)), w) for iri, w in answers.items() if w.changed),
                     key=lambda item: (item[0].lower(), str(item[1].subject)))
    return AssumedAudit(tuple(assumptions), without, with_, changed)
