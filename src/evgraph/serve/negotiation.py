"""Content negotiation: which of the media types on offer a request's Accept header prefers (a node's path
offers HTML, Turtle, N-Triples or JSON-LD; ``/sparql`` offers the results formats)."""

from __future__ import annotations

#: What a node's path answers with, in the order preferred when a client takes several equally (``*/*``,
#: no Accept header: a linked-data client gets Turtle; a browser asks for text/html by name).
OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "text/html")
#: Media types a client may name for one of :data:`OFFERS` (JSON-LD is JSON, so a JSON client gets it).
ALIASES = {"application/xhtml+xml": "text/html", "application/json": "application/ld+json"}
#: The ``?format=`` names a link may use instead of an Accept header (for a person's browser).
FORMATS = {"html": "text/html", "turtle": "text/turtle", "ttl": "text/turtle", "ntriples": "application/n-triples",
           "nt": "application/n-triples", "jsonld": "application/ld+json"}


def _ranges(accept: str, aliases: dict[str, str]) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights (``q``, 1 when not given)."""
    found = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if "/" not in media:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.lower()
        found.append((aliases.get(media, media), weight))
    return found


def negotiate(accept: str | None, offers: tuple[str, ...] = OFFERS, aliases: dict[str, str] = ALIASES) -> str | None:
    """The one of ``offers`` (a node's, by default) an Accept header prefers; None when it accepts none of them.

    Each offer takes the weight of the most specific range that matches it (``text/html`` before
    ``text/*`` before ``*/*``); the highest weight wins, then the most specific match, then the order of
    ``offers``. No Accept header takes the first offer. ``aliases`` name other media types for an offer.

    >>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    'text/html'
    >>> negotiate("application/ld+json, text/turtle;q=0.5")
    'application/ld+json'
    >>> negotiate(None), negotiate("*/*"), negotiate("image/png")
    ('text/turtle', 'text/turtle', None)
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept, aliases)
    best, best_key = None, None
    for order, offer in enumerate(offers):
        family = offer.split("/")[0] + "/*"
        matches = [(3 if media == offer else 2 if media == family else 1, weight)
                   for media, weight in ranges if media in (offer, family, "*/*")]
        if not matches:
            continue
        specificity, weight = max(matches)
        key = (weight, specificity, -order)
        if weight > 0 and (best_key is None or key > best_key):
            best, best_key = offer, key
    return best
