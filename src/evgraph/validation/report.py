"""The validation report: :class:`Violation` and :class:`Report` values, and how either engine's results become them.

Both engines describe a result the same way, as pySHACL's report graph read back: the focus node, value and
message variables as rdflib writes the terms (:func:`term_text`), the path in SPARQL syntax shortened by
:data:`evgraph.namespaces.PREFIXES` (:func:`path_text`), the first message in code point order, the severity's
local name, the shape's IRI (None for a blank node) and where the focus node is defined.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from evgraph.namespaces import PREFIXES, SH
from evgraph.store import Store
from evgraph.terms import IRI, RDF_LANG_STRING, XSD_STRING, Literal, Term

_SEVERITY = {str(SH.Violation): "Violation", str(SH.Warning): "Warning", str(SH.Info): "Info"}
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))  # most specific first


@dataclass(frozen=True)
class Violation:
    """One SHACL result, located in the data file that defines its focus node."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None
    file: str | None
    line: int | None

    def to_json(self) -> dict:
        """The result as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """The outcome of validating a store: conforms when there is no result of severity Violation."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def by_focus(self) -> dict[str, list[Violation]]:
        """Results grouped by focus node, in file order."""
        grouped: dict[str, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.focus, []).append(violation)
        return grouped

    def count(self, severity: str) -> int:
        """How many results have this severity."""
        return sum(1 for v in self.violations if v.severity == severity)

    def to_json(self) -> dict:
        """The report as a JSON-ready dict."""
        return {"conforms": self.conforms, "violations": [v.to_json() for v in self.violations]}


def report_of(violations: Iterable[Violation]) -> Report:
    """The results in report order: by file and line of the focus node, then focus, message and the rest."""
    ordered = sorted(violations, key=lambda v: (v.file or "~", v.line or 0, v.focus, v.message, v.path or "",
                                                v.value or "", v.severity, v.shape or ""))
    return Report(conforms=not any(v.severity == "Violation" for v in ordered), violations=ordered)


class Locator:
    """Where focus nodes are defined, as :meth:`Store.locate` says, for many nodes at once.

    ``Store.locate`` looks a node up in every source file; for many results over many files this index of every
    file's subjects, built once from the same per-file line index, gives the same answers.
    """

    #: Below this many look-ups times files, the store's own lookup is quicker than building the index.
    THRESHOLD = 200_000

    def __init__(self, store: Store, nodes: Iterable[Term]):
        self.store = store
        wanted = {n for n in nodes if isinstance(n, IRI)}
        files = store.source_files()
        self.index: dict[str, tuple] | None = None
        if len(wanted) * len(files) > self.THRESHOLD:
            self.index = self._build(files)

    def _build(self, files) -> dict[str, tuple] | None:
        lines = getattr(self.store, "_subject_lines", None)
        index: dict[str, tuple] = {}
        for order, path in enumerate(files):
            found = lines(path) if lines else None
            if not all(hasattr(found, a) for a in ("first_line", "typed_line", "prefixes")):
                return None  # the store indexes its files differently: ask it node by node
            best: dict[str, tuple] = {}
            for token, line in found.first_line.items():  # type: ignore[union-attr]
                iri = _expand(token, found.prefixes)  # type: ignore[union-attr]
                if iri is None:
                    continue
                typed = found.typed_line.get(token)  # type: ignore[union-attr]
                key = (False, typed) if typed is not None else (True, line)
                if iri not in best or key < best[iri]:
                    best[iri] = key
            for iri, (untyped, line) in best.items():
                candidate = (untyped, order, path, line)
                if iri not in index or candidate < index[iri]:
                    index[iri] = candidate
        return index

    def locate(self, node: Term):
        if self.index is None:
            return self.store.locate(node)
        from evgraph.store.base import Location

        found = self.index.get(str(node)) if isinstance(node, IRI) else None
        return Location(found[2], found[3]) if found else None


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, colon, local = token.partition(":")
    return prefixes[prefix] + local if colon and prefix in prefixes else None


def violation(store: Store, focus: Term, path: str | None, value: Term | None, messages: Iterable[str],
              severity: str, shape: Term | None, locator: Locator | None = None) -> Violation:
    """A compiled result as a :class:`Violation`, its terms written as pySHACL's report graph holds them."""
    location = (locator or store).locate(focus) if isinstance(focus, IRI) else None
    return Violation(focus=term_text(focus), path=path, value=None if value is None else term_text(value),
                     message=min(messages, default=""), severity=severity_name(severity),
                     shape=str(shape) if isinstance(shape, IRI) else None,
                     file=str(location.path) if location else None, line=location.line if location else None)


def severity_name(severity: str) -> str:
    """Violation, Warning or Info; another severity IRI as it is."""
    return _SEVERITY.get(str(severity), str(severity))


def term_text(term: Term) -> str:
    """A term as ``str()`` of rdflib's term gives it: rdflib rewrites a typed literal's lexical form to the
    canonical form of its value (``"1"^^xsd:boolean`` is ``true``), as it parses the data pySHACL reads."""
    if isinstance(term, Literal) and term.datatype not in (XSD_STRING, RDF_LANG_STRING) and not term.language:
        from evgraph.validation.reference import rdflib_term

        return str(rdflib_term(term))
    return str(term)


def short(iri: str) -> str:
    """An IRI as prefix:local when a prefix of :data:`PREFIXES` covers it, else ``<iri>``."""
    for prefix, namespace in _NAMESPACES:
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and not any(c in local for c in "/#?"):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def path_text(path) -> str | None:
    """A SHACL path (see :data:`evgraph.validation.shapes_model.Path`) in SPARQL syntax: IRIs, inverse and
    sequence paths; None for other paths, as the report graph's reader writes them."""
    if path is None:
        return None
    if isinstance(path, IRI):
        return short(str(path))
    if isinstance(path, tuple) and path[0] == "inverse":
        return "^" + (path_text(path[1]) or "?")
    if isinstance(path, tuple) and path[0] == "sequence":
        return "/".join(path_text(step) or "?" for step in path[1])
    return None
