"""The catalogue of auditor questions in queries/*.rq: header parsing, safe binding, execution.

Each file opens with grlc-style decorators that document it::

    #+ summary: Trace a recommendation to the trials behind it
    #+ description: One line (or several) saying what the query answers.
    #+ params:
    #+   - recommendation (iri): The recommendation to trace. Example: rec:kinship-navigator-programmes

Parameters are SPARQL variables of the same name, bound as RDF terms (never spliced into text), so
a value cannot change the query. A parameter declared ``(iri, optional)`` may be left unbound: the
query then answers for every value (the library's internal queries use this to answer for one node
or for the whole graph with the same file).
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from evgraph.errors import ConfigError, EvgraphError, NotFound, QueryError
from evgraph.namespaces import EV, ID_BASE
from evgraph.paths import Layout
from evgraph.store import Store, Table, check_query, check_sparql
from evgraph.store.query_policy import check_text
from evgraph.terms import IRI, Literal, Term

PARAM_TYPES = ("iri", "string", "integer", "boolean")
#: Internal queries (the reads behind why, trace, audit and lookup) live in this sub-folder of queries/.
INTERNAL = "internal"

_DECORATOR = re.compile(r"^#\+\s?(.*)$")
_KEY = re.compile(r"^(summary|description|params|endpoint|method|tags):\s*(.*)$")
_PARAM = re.compile(r"^-\s*(\w+)\s*\((\w+)(,\s*optional)?\):\s*(.*?)\s*(?:Example:\s*(\S.*?))?\s*$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$")

#: Prefixes a parameter value may use instead of a full IRI.
PREFIXES = {
    "ev": str(EV),
    **{kind: f"{ID_BASE}{kind}/" for kind in (
        "agent", "intervention", "study", "report", "review", "guidance", "rating", "appraisal",
        "finding", "candidate", "statement", "discrepancy", "concern", "event", "publication")},
    "orgn": f"{ID_BASE}organisation/",
    "rec": f"{ID_BASE}recommendation/",
    "pub": f"{ID_BASE}publication/",
}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a query."""

    name: str
    type: str
    description: str
    example: str | None
    optional: bool = False

    def to_json(self) -> dict:
        """The parameter as a JSON-ready dict."""
        return {"name": self.name, "type": self.type, "description": self.description, "example": self.example,
                "optional": self.optional}


@dataclass(frozen=True)
class Query:
    """A catalogue query: its documentation and its SPARQL text."""

    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        """The query's documentation as a JSON-ready dict."""
        return {"name": self.name, "title": self.summary, "description": self.description,
                "params": [p.to_json() for p in self.params]}

    def signature(self) -> str:
        """The parameters in words, for error messages."""
        if not self.params:
            return f"'{self.name}' takes no parameters."
        listed = ", ".join(f"{p.name} ({p.type}{', optional' if p.optional else ''})" for p in self.params)
        return f"'{self.name}' takes: {listed}."

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the query form, read after the prologue."""
        body = re.sub(r"#[^\n]*", " ", self.text)
        body = re.sub(r"(?is)\b(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", " ", body)
        found = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body)
        return found.group(1).upper() if found else "SELECT"


def parse_query(text: str, name: str, path: Path | None = None, require_header: bool = True) -> Query:
    """Read a query's decorator header; raise QueryError when it is malformed or the SPARQL is not valid.

    A text is read and checked once per process: asked again (each listing of the catalogue, each what-if),
    the same :class:`Query` is returned without parsing the SPARQL a second time.
    """
    return _parsed(text, name, path, require_header)


@lru_cache(maxsize=256)
def _parsed(text: str, name: str, path: Path | None, require_header: bool) -> Query:
    summary, description, params = "", [], []
    section = None
    for line in text.splitlines():
        decorated = _DECORATOR.match(line)
        if not decorated:
            if line.strip() and not line.startswith("#"):
                break
            continue
        content = decorated.group(1).strip()
        key = _KEY.match(content)
        if key:
            section = key.group(1)
            if section == "summary":
                summary = key.group(2).strip()
            elif section == "description" and key.group(2).strip():
                description.append(key.group(2).strip())
            continue
        if section == "params" and content:
            declared = _PARAM.match(content)
            if not declared or declared.group(2) not in PARAM_TYPES:
                raise QueryError(f"Query '{name}': cannot read the parameter line '{content}'.",
                                 hint="Write it as: #+   - name (iri|string|integer|boolean[, optional]): what it is."
                                      " Example: value")
            params.append(Param(declared.group(1), declared.group(2), declared.group(4), declared.group(5),
                                bool(declared.group(3))))
        elif section == "description" and content:
            description.append(content)
    if require_header and not summary:
        raise QueryError(f"Query '{name}' has no '#+ summary:' line.")
    check_text(text)  # before the parser, which runs the text on an empty store
    complaint = check_sparql(text)
    if complaint:
        raise QueryError(f"Query '{name}' is not valid SPARQL: {complaint}")
    return Query(name, summary, " ".join(description), tuple(params), text, path)


def catalogue(folder: Path | None = None) -> list[Query]:
    """Every query in the catalogue folder, by name (internal queries are not listed)."""
    folder = folder or Layout.default().queries
    return [parse_query(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob("*.rq"))]


def internal_queries(folder: Path | None = None) -> list[Query]:
    """The library's own reads, kept beside the catalogue in queries/internal/."""
    folder = (folder or Layout.default().queries) / INTERNAL
    return [parse_query(p.read_text(encoding="utf-8"), f"{INTERNAL}/{p.stem}", p) for p in sorted(folder.glob("*.rq"))]


_LOADED: dict[tuple[Path, str], Query] = {}


def get_query(name_or_file: str, folder: Path | None = None) -> Query:
    """A catalogue (or internal/…) query by name, or any .rq file by path; parsed once per process."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query(path.read_text(encoding="utf-8"), path.stem, path, require_header=False)
    folder = folder or Layout.default().queries
    key = (folder, name_or_file)
    if key not in _LOADED:
        candidate = folder / f"{name_or_file}.rq"
        if not _NAME.match(name_or_file) or not candidate.is_file():
            names = ", ".join(p.stem for p in sorted(folder.glob("*.rq")))  # the names only: nothing is parsed
            raise NotFound(f"No query named '{name_or_file}'.",
                           hint=f"Known queries: {names}. Or give the path of a .rq file.")
        _LOADED[key] = parse_query(candidate.read_text(encoding="utf-8"), name_or_file, candidate)
    return _LOADED[key]


def adhoc_query(text: str) -> Query:
    """A query typed on the command line: no header needed, no parameters."""
    return parse_query(text, "(command line)", None, require_header=False)


def expand_iri(value: str) -> IRI:
    """A full IRI from an IRI, <IRI> or prefix:name; refuses anything that is not an IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise QueryError(f"'{value}' is not an IRI.",
                         hint="Give a full IRI (https://…) or a prefixed name such as rec:kinship-navigator-programmes.")
    return IRI(value)


def _term(param: Param, value: str | Term) -> Term:
    if isinstance(value, Literal):
        if param.type == "iri":
            raise QueryError(f"Parameter '{param.name}' must be an IRI, not the literal '{value}'.")
        return value
    if param.type == "iri":
        return expand_iri(str(value))
    if param.type == "integer":
        try:
            return Literal.of(int(str(value)))
        except ValueError:
            raise QueryError(f"Parameter '{param.name}' must be a whole number, not '{value}'.") from None
    if param.type == "boolean":
        if str(value).lower() not in {"true", "false"}:
            raise QueryError(f"Parameter '{param.name}' must be true or false, not '{value}'.")
        return Literal.of(str(value).lower() == "true")
    return Literal(str(value))


def parse_params(items: list[str]) -> dict[str, str]:
    """``key=value`` strings (as typed on a command line) as a dict; anything else raises QueryError."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"Parameter '{item}' is not key=value.")
        values[key.strip()] = value
    return values


def bind(query: Query, values: Mapping[str, str | Term]) -> dict[str, Term]:
    """RDF terms for the given parameter values; unknown or missing names raise QueryError."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(f"Unknown parameter {', '.join(repr(u) for u in unknown)} for query '{query.name}'.",
                         hint=query.signature())
    missing = [p.name for p in query.params if p.name not in values and not p.optional]
    if missing:
        raise QueryError(f"Missing parameter {', '.join(repr(m) for m in missing)} for query '{query.name}'.",
                         hint=query.signature())
    return {name: _term(declared[name], value) for name, value in values.items()}


def run(store: Store, query: Query | str, values: Mapping[str, str | Term] | None = None) -> Table:
    """Run a SELECT query (or one given by name) with its parameters bound as RDF terms."""
    if isinstance(query, str):
        query = get_query(query, store.layout.queries)
    return store.select(query.text, bind(query, values or {}))


# -- answering within limits (evgraph query) -------------------------------------------------------------------

#: How long ``evgraph query`` lets a query run, in seconds, and how many rows it may answer (0: no limit).
TIMEOUT_S = 60.0
MAX_ROWS = 100_000


def answer(store: Store, query: Query, bound: Mapping[str, Term], fmt: str | None = None, *,
           timeout: float = TIMEOUT_S, max_rows: int = MAX_ROWS) -> Table | bytes:
    """The answer to a SELECT query, its parameters bound: a :class:`Table`, or with ``fmt`` (json, xml, csv or
    tsv) the W3C results document, written the same whichever backend answers.

    The query policy is checked first (:func:`evgraph.store.check_query`). The query runs in a child process,
    forked once the store is loaded, which is killed past ``timeout`` seconds (pyoxigraph cannot cancel a query);
    an answer of more than ``max_rows`` rows is refused, never cut short. Either limit is off at 0; with no time
    limit the query runs in this process. Raises :class:`QueryError` for each refusal.
    """
    from evgraph.store import read_results
    from evgraph.store.results import select_answer
    from evgraph.store.sparql_text import with_values

    if check_query(query.text, store) != "SELECT":
        raise QueryError("Expected a SELECT query.")
    text, cap = with_values(query.text, dict(bound)), max_rows or sys.maxsize
    body = _within(timeout, lambda: select_answer(store, text, fmt or "json", cap))
    return body if fmt else read_results(body)


def _within(seconds: float, work: Callable[[], bytes]) -> bytes:
    """``work()``, in a forked child process killed once ``seconds`` have passed (in this process when 0)."""
    if not seconds:
        return work()
    if "fork" not in multiprocessing.get_all_start_methods():
        raise ConfigError("A time limit needs a system that can fork a process (Linux, macOS).",
                          hint="Run the query with --timeout 0, for no limit.")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    sys.stdout.flush()  # the child would write out what is buffered a second time
    sys.stderr.flush()
    child = context.Process(target=_answer_in_child, args=(work, sender), name="evgraph-query", daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise QueryError(f"The query took longer than {seconds:g} s and was stopped.")
        kind, *said = receiver.recv()
    except EOFError:
        raise QueryError("The query stopped without an answer (the process running it ended; it may have run out"
                         " of memory).", hint="Add a LIMIT, or narrow the query.") from None
    finally:
        child.kill()  # answered, failed or past the deadline, its work is over (a process that ended is left be)
        child.join()
        receiver.close()
    if kind == "error":
        error_class, message, hint = said
        error = error_class.__new__(error_class)
        EvgraphError.__init__(error, message, hint)
        raise error
    if kind == "bug":
        raise RuntimeError(said[0])
    return said[0]


def _answer_in_child(work: Callable[[], bytes], sender) -> None:
    """The child's life: do the work and send what came of it (a refusal is sent as its class and words)."""
    try:
        reply: tuple = ("ok", work())
    except EvgraphError as error:
        reply = ("error", type(error), error.message, error.hint)
    except Exception as error:  # noqa: BLE001 — a bug, reported by the parent
        reply = ("bug", f"{type(error).__name__}: {error}")
    try:
        sender.send(reply)
    except (AttributeError, TypeError, ValueError):  # an error class that cannot be sent by name
        sender.send(("error", QueryError, reply[2], reply[3]) if reply[0] == "error" else ("bug", str(reply)))
    sender.close()
