"""Shared fixtures: stores built from the bundled data or from one small fixture file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from rdflib import Graph

from evgraph.paths import Layout
from evgraph.store import Store, load_store
from evgraph.validation import Report, validate

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    """Persistent stores the commands keep (evgraph.store.cache) go to a folder of the test run's own."""
    os.environ["XDG_CACHE_HOME"] = config._evgraph_cache = tempfile.mkdtemp(prefix="evgraph-test-cache-")


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_evgraph_cache", ""), ignore_errors=True)


def fixture_data_dir(tmp_path: Path, *names: str) -> Path:
    """A fresh data folder holding copies of the named fixture files (``name`` is ``name.ttl``; a TriG file
    is named with its suffix, ``name.trig``)."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in names:
        file = name if name.endswith(".trig") else f"{name}.ttl"
        shutil.copy(FIXTURES / file, folder / file)
    return folder


@pytest.fixture
def fixture_store(tmp_path):
    """Load a store from named fixture files (with the bundled ontology and shapes)."""

    def build(*names: str) -> Store:
        return load_store(data=fixture_data_dir(tmp_path, *names))

    return build


@pytest.fixture(scope="session")
def bundled_store() -> Store:
    """The bundled ontology, shapes and data; loaded once, because it is large."""
    return load_store()


@pytest.fixture(scope="session")
def bundled_report(bundled_store) -> Report:
    """The SHACL report of the bundled data; computed once, because it is slow."""
    return validate(bundled_store)


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """Every file under ontology/ (classes, properties and rating schemes), parsed once."""
    graph = Graph()
    for path in sorted(Layout.default().ontology.rglob("*.ttl")):
        graph.parse(path)
    return graph


# -- a real SPARQL server (tests/server.py), one per session ------------------------------------


@pytest.fixture(scope="session")
def oxigraph_server():
    """A running ``oxigraph serve --union-default-graph`` on a free loopback port, stopped at the end."""
    from server import OxigraphServer

    with OxigraphServer() as server:
        yield server


@pytest.fixture(scope="session")
def pushed_bundled(oxigraph_server):
    """The bundled graph and its derived graph pushed to the session's server; a read-only store over it."""
    from evgraph.publish import push_graph
    from evgraph.store import connect

    push_graph(load_store(), oxigraph_server.query_url, oxigraph_server.store_url)
    yield connect(oxigraph_server.query_url)
