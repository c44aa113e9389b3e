"""Where the bundled ontology, shapes, data, queries and assumptions live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder holding ontology/, shapes/, data/ and queries/.

    A wheel install carries them in ``evgraph/bundled``; a source checkout (or editable install)
    has them at the repository root.
    """
    bundled = _PACKAGE / "bundled"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parents[1]


@dataclass(frozen=True)
class Layout:
    """The folders a store is built from, and the queries and what-if assumptions asked of it."""

    ontology: Path
    shapes: Path
    data: Path
    queries: Path
    assumptions: Path

    @classmethod
    def default(cls) -> "Layout":
        """The bundled layout."""
        root = project_root()
        return cls(root / "ontology", root / "shapes", root / "data", root / "queries", root / "assumptions")

    def with_overrides(self, *, data: Path | None = None, shapes: Path | None = None,
                       ontology: Path | None = None) -> "Layout":
        """This layout with some folders replaced."""
        return Layout(
            ontology=ontology or self.ontology,
            shapes=shapes or self.shapes,
            data=data or self.data,
            queries=self.queries,
            assumptions=self.assumptions,
        )
