"""Read what the rules need from a store: a fixed set of queries, whatever the size of the answer."""

from __future__ import annotations

from dataclasses import dataclass

from evgraph.queries import get_query, run
from evgraph.rules.criteria import CRITERION_PROPERTIES
from evgraph.rules.records import (
    Evidence,
    claims_from,
    concepts_from,
    levels_from,
    studies_from,
)
from evgraph.store import Store, Table
from evgraph.terms import IRI

#: level-criteria.rq's columns, one per criterion property (named by the property's local name).
LEVEL_COLUMNS = {str(p).rsplit("#", 1)[-1]: p for p in CRITERION_PROPERTIES}

#: The queries whose rows become rules records; those taking a subject answer for one claim or all.
RULE_QUERIES = ("internal/claims", "internal/claim-evidence", "internal/study-facts", "internal/study-appraisals",
                "internal/study-findings")


@dataclass
class EvidenceRows:
    """The rows of the rules' queries, kept so an explanation can reuse them rather than ask twice."""

    tables: dict[str, Table]
    concepts: Table
    levels: Table

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def read_rows(store: Store, subject: IRI | None = None, extra: tuple[str, ...] = ()) -> EvidenceRows:
    """Run the rules' queries (and ``extra`` subject queries) for one subject, or for the whole graph."""
    params = {"subject": subject} if subject is not None else {}
    tables = {name: run(store, name, params) for name in RULE_QUERIES + extra}
    # The same for every claim: a persistent store keeps these two answers rather than read its whole ontology.
    concepts, levels = (store.select_kept(get_query(name, store.layout.queries).text)
                        for name in ("internal/concepts", "level-criteria"))
    return EvidenceRows(tables, concepts, levels)


def evidence_from(rows: EvidenceRows) -> Evidence:
    """The rules' records from the rows."""
    return Evidence(
        claims=claims_from(rows["internal/claims"], rows["internal/claim-evidence"]),
        studies=studies_from(rows["internal/study-facts"], rows["internal/study-appraisals"],
                             rows["internal/study-findings"]),
        levels=levels_from(rows.levels, LEVEL_COLUMNS),
        concepts=concepts_from(rows.concepts),
    )


def read_evidence(store: Store, subject: IRI | None = None) -> Evidence:
    """Everything the rules need to check one subject, or every claim in the store."""
    return evidence_from(read_rows(store, subject))
