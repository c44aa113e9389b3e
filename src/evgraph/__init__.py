"""evgraph: a knowledge graph of evidence provenance for children's social care in England."""

#: The version, read from here by the build (pyproject.toml) so that finding it imports nothing.
__version__ = "0.1.0"

from evgraph.errors import ConfigError, DataError, EvgraphError, NotFound, QueryError  # noqa: E402
from evgraph.store import Store, load_store  # noqa: E402
from evgraph.validation import Report, Violation, validate  # noqa: E402

__all__ = [
    "ConfigError",
    "DataError",
    "EvgraphError",
    "NotFound",
    "QueryError",
    "Report",
    "Store",
    "Violation",
    "load_store",
    "validate",
]
