"""The rules: pure functions over records read by queries; one registry of criteria; verdicts as enums."""

from evgraph.rules.criteria import (
           CRITERIA,
           CRITERION_PROPERTIES,
           Criterion,
           Status,
           has_rule,
)
from evgraph.rules.derived import (
           DERIVED_TERMS,
           add_derivations,
           derivation_iri,
           derived_triples,
           needs_derivations,
)
from evgraph.rules.engine import (
           CriterionResult,
           Derivation,
           LevelResult,
           Verdict,
           check_level,
           derive,
           derive_all,
)
from evgraph.rules.reading import EvidenceRows, evidence_from, read_evidence, read_rows

__all__ = ["CRITERIA", "CRITERION_PROPERTIES", "Criterion", "CriterionResult", "DERIVED_TERMS", "Derivation",
           "EvidenceRows", "LevelResult", "Status", "Verdict", "add_derivations", "check_level", "derivation_iri",
           "derive", "derive_all", "derived_triples", "evidence_from", "has_rule", "needs_derivations",
           "read_evidence", "read_rows"]
