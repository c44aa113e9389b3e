"""Reading an export file graph by graph: the quads of a TriG or N-Quads file, grouped by graph name."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from evgraph.errors import DataError
from evgraph.terms import IRI


def graph_nquads(path: Path) -> dict[IRI | None, bytes]:
    """The quads of one TriG (.trig) or N-Quads (.nq) file as sorted N-Quads per graph name (None: default graph)."""
    kind, rdf_format = ("N-Quads", ox.RdfFormat.N_QUADS) if path.suffix == ".nq" else ("TriG", ox.RdfFormat.TRIG)
    try:
        parsed = list(ox.parse(path=str(path), format=rdf_format))
    except SyntaxError as error:
        raise DataError(f"{path}, line {error.lineno}: {kind} syntax error: {error.msg}.") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason}).") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: could not be read as {kind}: {error}") from None
    lines: dict[IRI | None, set[str]] = {}
    for quad in parsed:
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else IRI(quad.graph_name.value)
        lines.setdefault(graph, set()).add(str(quad) + " .\n")
    return {graph: "".join(sorted(found)).encode("utf-8") for graph, found in lines.items()}
