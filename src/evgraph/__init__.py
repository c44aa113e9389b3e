"""evgraph: a knowledge graph of evidence provenance for children's social care in England."""

from importlib.metadata import PackageNotFoundError, version

from evgraph.errors import ConfigError, DataError, EvgraphError, NotFound, QueryError
from evgraph.store import Store, load_store
from evgraph.validation import Report, Violation, validate

try:
    __version__ = version("evgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

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
