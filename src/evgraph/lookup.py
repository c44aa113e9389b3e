"""Find the node a person means: an IRI, a prefixed name, a slug, or a fragment of a label."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from evgraph.errors import EvgraphError, NotFound
from evgraph.queries import PREFIXES, run
from evgraph.store import Store
from evgraph.terms import IRI, sort_key


class AmbiguousMatch(EvgraphError):
    """Several things match; name one of them."""


@dataclass(frozen=True)
class Match:
    """A candidate node with its label, class and every name it may be looked up by."""

    iri: IRI
    label: str
    kind: str
    names: tuple[str, ...] = ()


#: What ``why`` and ``trace`` explain, by class local name.
EXPLAINABLE = ("Recommendation", "Rating", "Intervention")
#: How a message names each kind.
NOUNS = {"Recommendation": "recommendation", "Rating": "rating", "Intervention": "intervention", "Study": "study",
         "Report": "report", "EvidenceReview": "evidence review", "Guidance": "guide", "PracticeGuide": "guide",
         "Guidebook": "guide", "Organisation": "organisation"}


def _nouns(kinds: tuple[str, ...]) -> str:
    nouns = list(dict.fromkeys(NOUNS[k] for k in kinds))
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]


def nameable(store: Store, kinds: tuple[str, ...] = EXPLAINABLE, node: IRI | None = None) -> list[Match]:
    """Every node of the given kinds (internal/nameable.rq), or only ``node`` if it is one, by kind then label; a
    node of several kinds is listed once, as the first of them in ``kinds``."""
    grouped: dict[IRI, list[dict]] = {}
    for row in run(store, "internal/nameable", {"node": node} if node is not None else {}):
        if isinstance(row["node"], IRI) and str(row["kind"]).rsplit("#", 1)[-1] in kinds:
            grouped.setdefault(row["node"], []).append(row)
    matches = []
    for node, rows in grouped.items():
        kind = min((str(r["kind"]).rsplit("#", 1)[-1] for r in rows), key=kinds.index)
        labels = sorted({r["label"] for r in rows if r["label"] is not None}, key=sort_key)
        names = tuple(sorted({str(r["name"]) for r in rows if r["name"] is not None}))
        matches.append(Match(node, str(labels[0]) if labels else str(node), kind, names))
    return sorted(matches, key=lambda m: (m.kind, m.label.lower(), str(m.iri)))


def explainable(store: Store) -> list[Match]:
    """Every recommendation, rating and intervention, by kind then label."""
    return nameable(store, EXPLAINABLE)


def resolve(store: Store, text: str, kinds: tuple[str, ...] = EXPLAINABLE) -> Match:
    """The one node of the given kinds (by default a recommendation, rating or intervention) ``text`` names.

    Tried in order: a full IRI (or <IRI>), a prefixed name (rec:…, rating:…), the last segment of an
    IRI (slug), then a case-insensitive fragment of a label. Several matches raise AmbiguousMatch
    listing them; none raises NotFound with the nearest labels.
    """
    text = text.strip()
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    prefix, sep, local = iri.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iri = PREFIXES[prefix] + local
    if sep and not any(ch.isspace() or ch in '<>"{}|\\^`' for ch in iri):  # an IRI: look up that node alone
        named = nameable(store, kinds, IRI(iri))
        if named:
            return named[0]
    if "://" in iri:
        raise NotFound(f"No {_nouns(kinds)} has the IRI {iri}.")
    candidates = nameable(store, kinds)
    wanted = text.lower()
    for matches in (
        [m for m in candidates if str(m.iri).rsplit("/", 1)[-1].lower() == wanted],
        [m for m in candidates if any(name.lower() == wanted for name in m.names)],
        [m for m in candidates if any(wanted in name.lower() for name in m.names)],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = "\n".join(f"  {m.kind:<15} {m.label}  <{m.iri}>" for m in matches[:25])
            more = f"\n  … and {len(matches) - 25} more" if len(matches) > 25 else ""
            raise AmbiguousMatch(f"'{text}' matches {len(matches)} things; name one of them:", hint=listed + more)
    labels = sorted({name for m in candidates for name in (m.label, *m.names)})
    nearest = difflib.get_close_matches(text, labels, n=5, cutoff=0.4)
    if nearest:
        hint = "Nearest names: " + "; ".join(nearest)
    elif kinds == EXPLAINABLE:
        hint = "Try `evgraph query recommendations-by-strength` to list recommendations."
    else:
        hint = f"Name the {_nouns(kinds)} by its IRI, its prefixed name (such as study:fhf-pilot) or part of its label."
    raise NotFound(f"Nothing matches '{text}'.", hint=hint)
