"""Organisation lineage: what an organisation came from and became, what it stands behind, what it inherited.

Predecessors and successors come from W3C ORG change events (``org:ChangeEvent``, such as the
``ev:Merger`` of WWCSC and EIF into Foundations), read by ``internal/organisation-events`` into a
networkx DiGraph organisation → event → organisation: an organisation's predecessors are the
organisations among its ancestors, its successors those among its descendants. What an organisation
stands behind (``internal/organisation-outputs``) is what it published, created, stated, had
attributed to it, commissioned (directly or through a funding programme it runs), evaluated or rates
by; who evaluated, commissioned and published each piece comes from
``internal/organisation-output-agents``. What it inherited is what each predecessor stands behind.

Dates have mixed granularity: a day (``xsd:date``, or the day of an ``xsd:dateTime``), a month
(``xsd:gYearMonth``) or a year (``xsd:gYear``), each read as the period it names. ``as_of`` is a day, a
month or a year too, and means the world at the end of it (``2022-12`` is 31 December 2022).
Something dated is counted as of that date only when its whole period ends by then; it has not
happened yet when its period starts after; when its period contains the end of ``as_of`` (the
merger, ``2022-12``, against ``2022-12-15``: in the month of December 2022, day not recorded) the two
cannot be ordered, and it is not counted either, and the answer says so. A piece or event with no
date recorded is kept and marked undated: unknown stays unknown.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import networkx as nx

from evgraph.errors import ConfigError
from evgraph.lookup import resolve
from evgraph.queries import run
from evgraph.shortnames import short
from evgraph.store import Store
from evgraph.terms import IRI, sort_key

#: What ``evgraph org`` takes.
ORGANISATION = ("Organisation",)
#: How a date compares with ``as_of``.
HAPPENED, AFTER, UNORDERED = "happened", "after", "cannot be ordered"
#: Each relation by which an organisation stands behind a piece, in words.
RELATION_WORDS = {"dcterms:publisher": "published", "dcterms:creator": "created",
                  "prov:wasAttributedTo": "attributed to it", "ev:statedBy": "stated",
                  "ev:commissionedBy": "commissioned", "ev:fundedThrough": "funded through its programme",
                  "ev:evaluatedBy": "evaluated", "ev:ratedBy": "its rating scheme"}
#: The roles of internal/organisation-output-agents, in the order a piece lists them.
ROLES = ("evaluated", "commissioned", "published")

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TIME_OR_ZONE = re.compile(r"(T.*|Z|[+-]\d{2}:\d{2})$")


# -- dates of mixed granularity ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A day, month or year, as the first and last day it covers."""

    text: str
    start: date
    end: date

    @property
    def unit(self) -> str:
        """"day", "month" or "year"."""
        return {1: "year", 2: "month", 3: "day"}[self.text.count("-") + 1]


def period(text: str | None) -> Period | None:
    """The period a date names (YYYY, YYYY-MM or YYYY-MM-DD, time and zone ignored); None if unreadable."""
    if text is None:
        return None
    text = _TIME_OR_ZONE.sub("", text.strip())
    found = _PARTIAL.match(text)
    if not found:
        return None
    year, month, day = (int(part) if part else None for part in found.groups())
    try:
        if day is not None:
            return Period(text, date(year, month, day), date(year, month, day))
        if month is not None:
            return Period(text, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        return Period(text, date(year, 1, 1), date(year, 12, 31))
    except ValueError:
        return None


def parse_as_of(text: str) -> Period:
    """``--as-of`` as a period; anything but a real YYYY-MM-DD, YYYY-MM or YYYY raises ConfigError."""
    found = period(text) if _PARTIAL.match(text.strip()) else None
    if found is None:
        raise ConfigError(f"The as-of date '{text}' is not a date: give a day (YYYY-MM-DD), a month (YYYY-MM)"
                          " or a year (YYYY).")
    return found


def when(text: str | None, as_of: Period | None) -> str:
    """HAPPENED (by the end of ``as_of``, or undated, or no ``as_of``), AFTER it, or UNORDERED against it."""
    if as_of is None or text is None:
        return HAPPENED
    dated = period(text)
    if dated is None:
        return UNORDERED
    if dated.end <= as_of.end:
        return HAPPENED
    return AFTER if dated.start > as_of.end else UNORDERED


def _shown(text: str) -> str:
    """A recorded date as shown: its date part (times in the data are midnight)."""
    dated = period(text)
    return dated.text if dated else text


def date_key(text: str | None) -> tuple:
    """Chronological order for mixed granularity: by first day, then last day; unreadable, then undated, last."""
    dated = period(text)
    if dated is not None:
        return (0, dated.start.isoformat(), dated.end.isoformat())
    return (1, text, "") if text is not None else (2, "", "")


def _earliest(values: set) -> str | None:
    return min((_shown(str(v)) for v in values), key=date_key) if values else None


def _label(values: set, iri: IRI) -> str:
    return str(min(values, key=sort_key)) if values else short(iri)


# -- the answer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """Who evaluated, commissioned or published a piece; ``through`` the funding programmes (iri, label) it
    commissioned the piece through, when that is how it is recorded."""

    iri: IRI
    label: str
    through: tuple[tuple[IRI, str], ...] = ()

    def to_json(self) -> dict:
        """The agent as a JSON-ready dict."""
        return {"iri": str(self.iri), "label": self.label,
                "through": [{"iri": str(iri), "label": label} for iri, label in self.through]}


@dataclass(frozen=True)
class Piece:
    """Something an organisation stands behind, how (``relation``: the properties, written short), its
    date when recorded (None: undated), and who evaluated, commissioned and published it."""

    iri: IRI
    label: str
    kind: str
    relation: tuple[str, ...]
    date: str | None
    evaluated_by: tuple[Agent, ...]
    commissioned_by: tuple[Agent, ...]
    published_by: tuple[Agent, ...]

    def to_json(self) -> dict:
        """The piece as a JSON-ready dict."""
        return {"iri": str(self.iri), "label": self.label, "kind": self.kind, "relation": list(self.relation),
                "date": self.date, **{f"{role}_by": [a.to_json() for a in getattr(self, f"{role}_by")]
                                      for role in ROLES}}


@dataclass(frozen=True)
class Relative:
    """A predecessor or successor, and the change event (with its date) that links it to the organisation:
    for a predecessor the event it changed in, for a successor the event it resulted from."""

    iri: IRI
    label: str
    event: IRI
    date: str | None

    def to_json(self) -> dict:
        """The relative as a JSON-ready dict."""
        return {"iri": str(self.iri), "label": self.label, "event": str(self.event), "date": self.date}


@dataclass(frozen=True)
class EventView:
    """A change event the organisation took part in (``role`` "original" or "resulting"), and whether it had
    happened as of the date asked (``status``: happened, after, cannot be ordered)."""

    iri: IRI
    label: str
    date: str | None
    role: str
    status: str

    def to_json(self) -> dict:
        """The event as a JSON-ready dict."""
        return {"event": str(self.iri), "label": self.label, "date": self.date, "role": self.role,
                "status": self.status}


@dataclass(frozen=True)
class Inheritance:
    """What one predecessor stands behind, passed over at ``event`` (the event the predecessor changed in)."""

    source: IRI
    source_label: str
    event: IRI
    date: str | None
    items: tuple[Piece, ...]

    def to_json(self) -> dict:
        """The inheritance as a JSON-ready dict."""
        return {"from": str(self.source), "event": str(self.event), "date": self.date,
                "items": [p.to_json() for p in self.items]}


@dataclass(frozen=True)
class Lineage:
    """An organisation's lineage as of a date (None: everything recorded). ``left_out`` counts the pieces
    the date left out: dated after it, and dated in a period containing it (cannot be ordered)."""

    organisation: IRI
    label: str
    as_of: str | None
    events: tuple[EventView, ...]
    predecessors: tuple[Relative, ...]
    successors: tuple[Relative, ...]
    stands_behind: tuple[Piece, ...]
    inherited: tuple[Inheritance, ...]
    left_out: dict[str, int]

    @property
    def not_yet_formed(self) -> bool:
        """True when the organisation resulted from change events and none had happened as of the date."""
        resulting = [e for e in self.events if e.role == "resulting"]
        return bool(resulting) and all(e.status != HAPPENED for e in resulting)

    def to_json(self) -> dict:
        """The lineage as a JSON-ready dict (every list in a fixed order)."""
        return {"organisation": str(self.organisation), "label": self.label, "as_of": self.as_of,
                "predecessors": [r.to_json() for r in self.predecessors],
                "successors": [r.to_json() for r in self.successors],
                "stands_behind": [p.to_json() for p in self.stands_behind],
                "inherited": [i.to_json() for i in self.inherited],
                "events": [e.to_json() for e in self.events], "left_out": dict(self.left_out)}


# -- reading the graph ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeEvent:
    """One change event as recorded: its completion date (prov:endedAtTime, else dct:date) and organisations."""

    iri: IRI
    label: str
    date: str | None
    originals: frozenset[IRI]
    resulting: frozenset[IRI]


def change_events(store: Store) -> tuple[dict[IRI, ChangeEvent], dict[IRI, str]]:
    """Every change event (internal/organisation-events), and the label of each organisation they involve."""
    grouped: dict[IRI, dict[str, set]] = {}
    names: dict[IRI, set] = {}
    for row in run(store, "internal/organisation-events"):
        if not isinstance(row["event"], IRI) or not isinstance(row["organisation"], IRI):
            continue
        facts = grouped.setdefault(row["event"], {k: set() for k in ("label", "date", "ended", "original",
                                                                      "resulting")})
        for column, key in (("eventLabel", "label"), ("date", "date"), ("ended", "ended")):
            if row[column] is not None:
                facts[key].add(row[column])
        facts[str(row["role"])].add(row["organisation"])
        names.setdefault(row["organisation"], set())
        if row["organisationLabel"] is not None:
            names[row["organisation"]].add(row["organisationLabel"])
    events = {iri: ChangeEvent(iri, _label(f["label"], iri), _earliest(f["ended"]) or _earliest(f["date"]),
                               frozenset(f["original"]), frozenset(f["resulting"]))
              for iri, f in grouped.items()}
    return events, {iri: _label(labels, iri) for iri, labels in names.items()}


def change_graph(events: dict[IRI, ChangeEvent], as_of: Period | None = None) -> nx.DiGraph:
    """The events that had happened as of the date, as edges organisation → event → organisation."""
    graph = nx.DiGraph()
    for event in events.values():
        if when(event.date, as_of) != HAPPENED:
            continue
        graph.add_node(event.iri, kind="event")
        for original in event.originals:
            graph.add_node(original, kind="organisation")
            graph.add_edge(original, event.iri)
        for resulting in event.resulting:
            graph.add_node(resulting, kind="organisation")
            graph.add_edge(event.iri, resulting)
    return graph


def relatives(graph: nx.DiGraph, events: dict[IRI, ChangeEvent], names: dict[IRI, str], organisation: IRI,
              upstream: bool) -> tuple[Relative, ...]:
    """Predecessors (``upstream``) or successors, transitively, each with the event on its way that it took
    part in; in date order, then by label."""
    if organisation not in graph:
        return ()
    reach = nx.ancestors(graph, organisation) if upstream else nx.descendants(graph, organisation)
    found = set()
    for node in reach:
        if graph.nodes[node]["kind"] != "organisation" or node == organisation:
            continue
        for event in (graph.successors(node) if upstream else graph.predecessors(node)):
            if event in reach:
                found.add(Relative(node, names.get(node, short(node)), event, events[event].date))
    return tuple(sorted(found, key=lambda r: (date_key(r.date), r.label.lower(), str(r.iri), str(r.event))))


def _kind(row: dict) -> str:
    if row["typeLabel"] is not None:
        return str(row["typeLabel"])
    local = str(row["type"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


def pieces(store: Store, organisation: IRI, as_of: Period | None = None) -> tuple[tuple[Piece, ...], dict[str, int]]:
    """What ``organisation`` stands behind as of the date, in date order (undated last), and how many pieces
    the date left out (``after``, ``cannot_be_ordered``)."""
    facts: dict[IRI, dict[str, set]] = {}
    for row in run(store, "internal/organisation-outputs", {"organisation": organisation}):
        if not isinstance(row["item"], IRI):
            continue
        item = facts.setdefault(row["item"], {k: set() for k in ("relation", "kind", "label", "issued", "date",
                                                                   "year")})
        item["relation"].add(short(row["relation"]))
        item["kind"].add(_kind(row))
        for column in ("label", "issued", "date", "year"):
            if row[column] is not None:
                item[column].add(row[column])
    agents: dict[tuple[IRI, str, IRI], dict] = {}
    for row in run(store, "internal/organisation-output-agents", {"organisation": organisation}):
        if not isinstance(row["agent"], IRI):
            continue
        agent = agents.setdefault((row["item"], str(row["role"]), row["agent"]), {"label": set(), "through": set()})
        if row["agentLabel"] is not None:
            agent["label"].add(row["agentLabel"])
        if row["programme"] is not None:
            agent["through"].add((row["programme"], str(row["programmeLabel"] or short(row["programme"]))))
    by_role: dict[tuple[IRI, str], list[Agent]] = {}
    for (item, role, iri), agent in agents.items():
        by_role.setdefault((item, role), []).append(Agent(iri, _label(agent["label"], iri),
                                                          tuple(sorted(agent["through"]))))
    kept, left_out = [], {"after": 0, "cannot_be_ordered": 0}
    for iri, item in facts.items():
        dated = _earliest(item["issued"]) or _earliest(item["date"]) or _earliest(item["year"])
        status = when(dated, as_of)
        if status != HAPPENED:
            left_out["after" if status == AFTER else "cannot_be_ordered"] += 1
            continue
        chosen = {role: tuple(sorted(by_role.get((iri, role), []), key=lambda a: (a.label.lower(), str(a.iri))))
                  for role in ROLES}
        kept.append(Piece(iri, _label(item["label"], iri), " / ".join(sorted(item["kind"])),
                          tuple(sorted(item["relation"])), dated, chosen["evaluated"], chosen["commissioned"],
                          chosen["published"]))
    return tuple(sorted(kept, key=lambda p: (date_key(p.date), p.label.lower(), str(p.iri)))), left_out


def organisation_lineage(store: Store, thing: str, as_of: str | None = None) -> Lineage:
    """The lineage of the organisation ``thing`` names (an IRI, orgn:…, slug, or part of a label or
    alternative name, resolved like ``why``'s THING), as of ``as_of`` (YYYY-MM-DD, YYYY-MM or YYYY) if given."""
    cutoff = parse_as_of(as_of) if as_of is not None else None
    match = resolve(store, thing, ORGANISATION)
    events, names = change_events(store)
    names[match.iri] = match.label
    graph = change_graph(events, cutoff)
    predecessors = relatives(graph, events, names, match.iri, upstream=True)
    successors = relatives(graph, events, names, match.iri, upstream=False)
    own = [EventView(e.iri, e.label, e.date, role, when(e.date, cutoff))
           for e in events.values() for role, members in (("original", e.originals), ("resulting", e.resulting))
           if match.iri in members]
    outputs = {org: pieces(store, org, cutoff) for org in sorted({match.iri, *(r.iri for r in predecessors)})}
    inherited = tuple(Inheritance(r.iri, r.label, r.event, r.date, outputs[r.iri][0]) for r in predecessors)
    left_out = {key: sum(counts[key] for _, counts in outputs.values()) for key in ("after", "cannot_be_ordered")}
    return Lineage(match.iri, match.label, cutoff.text if cutoff else None,
                   tuple(sorted(own, key=lambda e: (date_key(e.date), e.role, str(e.iri)))),
                   predecessors, successors, outputs[match.iri][0], inherited, left_out)
