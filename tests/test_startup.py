"""Start-up: a command imports only what it uses, and `python -m evgraph` is the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FIXTURES

#: Heavy engines and web stacks `why` must not load: validation, lineage, serving, JSON-LD and rdflib; and pydantic,
#: which typer 0.29 imports to parse options (pyproject.toml keeps it below).
NOT_FOR_WHY = ("pyshacl", "networkx", "starlette", "uvicorn", "jinja2", "pyld", "rdflib", "httpx", "pydantic")


def imported_modules(*args: str, env: dict[str, str] | None = None) -> tuple[set[str], subprocess.CompletedProcess]:
    """The top-level modules a run of ``python -X importtime -m evgraph ARGS`` imported, and the run."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "evgraph", *args], capture_output=True,
                         text=True, env={**os.environ, **(env or {})}, check=False)
    modules = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return modules, run


def test_why_imports_no_validator_graph_library_or_web_stack(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "good_evidence_chain.ttl").write_bytes((FIXTURES / "good_evidence_chain.ttl").read_bytes())
    modules, run = imported_modules("why", "https://example.org/evgraph-test/rating", "--data", str(data))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Guidebook rating of the example programme" in run.stdout
    assert "pyoxigraph" in modules and "evgraph" in modules  # the measurement sees what was imported
    assert sorted(set(NOT_FOR_WHY) & modules) == []
    assert "rich" not in modules  # plain text needs no console library; only --help and tables load it


def test_help_imports_none_of_them_either():
    modules, run = imported_modules("--help")
    assert run.returncode == 0 and "Usage" in run.stdout
    assert sorted(set(NOT_FOR_WHY) & modules) == []


def test_the_version_the_package_declares_is_the_one_evgraph_knows():
    from importlib.metadata import version

    import evgraph

    assert version("evgraph") == evgraph.__version__ and evgraph.__version__.count(".") == 2
