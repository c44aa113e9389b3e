"""Safe parsing everywhere: every file or text evgraph parses goes through the input policy
(:mod:`evgraph.store.inputs`): no XML entity is expanded or fetched, no JSON-LD context or ``owl:imports``
is fetched, no link leads a folder's reading outside it, no file in a folder goes unread unremarked, and
sizes, triples, literals and nesting are bounded, each refusal one sentence naming the file and the limit.

"Nothing fetched" is proved with a listener on 127.0.0.1 that counts the connections made to it.
"""

from __future__ import annotations

import ast
import json
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import fixture_data_dir
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError, DataError
from evgraph.linked.batch import Batch, _jsonld_nquads
from evgraph.linked.export import context
from evgraph.linked.ingest import IngestError, ingest
from evgraph.paths import Layout
from evgraph.store import (
    inputs,
    load_store,
    parse_rdf,
    read_graphs,
    read_quads,
    select_rdf,
)
from evgraph.store.base import rdf_files
from evgraph.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "parsing"
INGEST_BASE = Path(__file__).parents[1] / "fixtures" / "ingest" / "base"
SRC = Path(__file__).parents[2] / "src" / "evgraph"
MARKER = (FIXTURES / "marker.txt").read_text(encoding="utf-8").strip()
BACKENDS = ("oxigraph", "rdflib")
DTD_REFUSAL = ("a DOCTYPE or entity declaration, which evgraph refuses in XML (entities can expand without bound or"
               " read other files).")
runner = CliRunner()


class Listener:
    """A TCP listener on a free port of 127.0.0.1 that accepts, records and closes every connection."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        self.connections: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except TimeoutError:
                continue
            self.connections.append(str(peer))
            connection.close()

    def close(self) -> list[str]:
        """Stop listening; every connection that arrived, including any still waiting to be accepted."""
        self._stop.set()
        self._thread.join()
        self.socket.setblocking(False)
        while True:
            try:
                connection, peer = self.socket.accept()
            except BlockingIOError:
                break
            self.connections.append(str(peer))
            connection.close()
        self.socket.close()
        return self.connections


@pytest.fixture
def listener():
    """A local listener that must see no connection by the end of the test."""
    server = Listener()
    yield server
    assert server.close() == [], "evgraph connected to the listener: something was fetched"


def copy_fixture(tmp_path: Path, *names: str) -> Path:
    """A fresh folder holding copies of the named files of tests/security/fixtures/parsing (with marker.txt)."""
    folder = tmp_path / "sent"
    folder.mkdir(exist_ok=True)
    for name in (*names, "marker.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def data_copy(tmp_path: Path) -> Path:
    """A copy of the ingest tests' base data folder, to ingest into."""
    shutil.copytree(INGEST_BASE, tmp_path / "data")
    return tmp_path / "data"


def refusal(call) -> DataError:
    with pytest.raises(DataError) as caught:
        call()
    return caught.value


# -- XML: no DOCTYPE, so no entity, internal or external ----------------------------------------


@pytest.mark.parametrize("suffix", [".rdf", ".owl", ".xml"])
def test_an_xxe_file_is_refused_before_parsing_and_its_marker_never_read(tmp_path, suffix):
    sent = copy_fixture(tmp_path, "xxe_reads_marker.rdf")
    path = sent / f"partner{suffix}"
    (sent / "xxe_reads_marker.rdf").rename(path)
    error = refusal(lambda: read_quads(path))
    assert error.message == f"{path}, line 2: {DTD_REFUSAL}"
    assert MARKER not in str(error)


def test_an_xxe_partner_file_is_refused_by_ingest_and_the_marker_is_in_no_output(tmp_path):
    sent = copy_fixture(tmp_path, "xxe_reads_marker.rdf")
    data = data_copy(tmp_path)
    result = runner.invoke(app, ["ingest", str(sent / "xxe_reads_marker.rdf"), "--partner", "foundations",
                                 "--data", str(data), "--dry-run"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == f"Error: {sent / 'xxe_reads_marker.rdf'}, line 2: {DTD_REFUSAL}"
    assert MARKER not in result.output


def test_an_xxe_with_an_absolute_path_and_a_remote_dtd_reads_and_fetches_nothing(tmp_path, listener):
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER)
    path = tmp_path / "partner.rdf"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY % remote SYSTEM "{listener.url}x.dtd">'
                    f' %remote; <!ENTITY secret SYSTEM "{secret.as_uri()}"> ]>\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                    ' xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://e.org/a">'
                    "<dct:title>&secret;</dct:title></rdf:Description></rdf:RDF>\n")
    for call in (lambda: read_quads(path), lambda: parse_rdf(path.read_bytes(), "rdfxml"),
                 lambda: select_rdf(path.read_bytes(), "rdfxml", "SELECT * WHERE { ?s ?p ?o }")):
        error = refusal(call)
        assert error.message.endswith(f"line 2: {DTD_REFUSAL}")
        assert MARKER not in str(error)


def test_billion_laughs_is_refused_at_once_with_its_exact_message(tmp_path):
    path = copy_fixture(tmp_path, "billion_laughs.rdf") / "billion_laughs.rdf"
    started = time.monotonic()
    error = refusal(lambda: read_quads(path))
    assert time.monotonic() - started < 2
    assert error.message == f"{path}, line 2: {DTD_REFUSAL}"
    assert error.hint == "Remove the <!DOCTYPE …> block and write every value out in full."


def test_billion_laughs_sent_to_ingest_is_refused_at_once(tmp_path):
    sent = copy_fixture(tmp_path, "billion_laughs.rdf")
    data = data_copy(tmp_path)
    started = time.monotonic()
    with pytest.raises(IngestError) as refused:
        ingest([sent / "billion_laughs.rdf"], "foundations", data=data, dry_run=True)
    assert time.monotonic() - started < 10  # loading the base data and shapes takes most of it
    assert refused.value.problems == [f"{sent / 'billion_laughs.rdf'}, line 2: {DTD_REFUSAL}"]


@pytest.mark.parametrize("doctype", ["<!doctype rdf:RDF>", "<!DOCTYPE rdf:RDF SYSTEM 'x.dtd'>", "<!ELEMENT a ANY>"])
def test_every_spelling_of_a_markup_declaration_is_refused(tmp_path, doctype):
    path = tmp_path / "partner.rdf"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    assert refusal(lambda: read_quads(path)).message == f"{path}, line 2: {DTD_REFUSAL}"


def test_xml_in_utf16_is_refused_so_no_declaration_hides_from_the_scan(tmp_path):
    path = tmp_path / "partner.rdf"
    path.write_bytes((FIXTURES / "xxe_reads_marker.rdf").read_text().encode("utf-16"))
    assert refusal(lambda: read_quads(path)).message == f"{path}: not UTF-8 text; evgraph reads XML in UTF-8 only."


def test_trix_with_a_doctype_is_refused_and_trix_is_otherwise_not_read(tmp_path):
    sent = copy_fixture(tmp_path, "doctype_in_trix.trix", "plain_trix.trix")
    error = refusal(lambda: read_quads(sent / "doctype_in_trix.trix"))
    assert error.message == f"{sent / 'doctype_in_trix.trix'}, line 2: {DTD_REFUSAL}"
    assert MARKER not in str(error)
    assert refusal(lambda: read_quads(sent / "plain_trix.trix")).message == (
        f"{sent / 'plain_trix.trix'}: evgraph does not read trix; expected Turtle, TriG, N-Quads, N-Triples, RDF/XML"
        " or JSON-LD.")


def test_a_comment_or_cdata_is_not_a_declaration(tmp_path):
    path = tmp_path / "partner.rdf"
    path.write_text('<?xml version="1.0"?>\n<!-- a comment -->\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                    '22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://e.org/a">'
                    '<dct:title><![CDATA[a > b]]></dct:title></rdf:Description></rdf:RDF>\n')
    assert [str(o) for _, _, o, _ in read_quads(path)] == ["a > b"]


# -- JSON-LD: contexts inline only ---------------------------------------------------------------


def remote_context_documents(url: str) -> dict[str, dict]:
    """JSON-LD documents that name a context to load: directly, in a list, by @import, scoped in a term."""
    body = {"@id": "https://partner.example.org/study/a", "http://purl.org/dc/terms/source": {
        "@id": "https://partner.example.org/a"}}
    return {"string": {"@context": f"{url}context.jsonld", **body},
            "list": {"@context": [{"dct": "http://purl.org/dc/terms/"}, f"{url}context.jsonld"], **body},
            "import": {"@context": {"@import": f"{url}context.jsonld"}, **body},
            "scoped": {"@context": {"p": {"@id": "https://e.org/p", "@context": f"{url}context.jsonld"}}, **body}}


@pytest.mark.parametrize("shape", ["string", "list", "import", "scoped"])
def test_a_remote_json_ld_context_is_refused_by_name_and_never_fetched(tmp_path, listener, shape):
    path = tmp_path / "partner.jsonld"
    path.write_text(json.dumps(remote_context_documents(listener.url)[shape]))
    expected = (f"{path}: the context {listener.url}context.jsonld is remote and evgraph never fetches remote"
                " documents; expected the context written inline.")
    assert refusal(lambda: read_quads(path)).message == expected
    assert refusal(lambda: _jsonld_nquads(path)).message == expected
    assert refusal(lambda: parse_rdf(path.read_bytes(), "jsonld")).message == expected.replace(
        str(path), "The jsonld text")


def test_ingest_refuses_a_remote_context_and_fetches_nothing(tmp_path, listener):
    path = tmp_path / "partner.jsonld"
    path.write_text(json.dumps(remote_context_documents(listener.url)["string"]))
    with pytest.raises(IngestError) as refused:
        ingest([path], "foundations", data=data_copy(tmp_path), dry_run=True)
    assert refused.value.problems == [f"{path}: the context {listener.url}context.jsonld is remote and evgraph never"
                                      " fetches remote documents; expected the context written inline."]


def test_pyld_fetches_nothing_even_when_the_policy_check_is_skipped(tmp_path, listener, monkeypatch):
    """The document loader that refuses every URL is the second wall, behind the policy."""
    monkeypatch.setattr(inputs, "check", lambda content, fmt, source: None)
    path = tmp_path / "partner.jsonld"
    path.write_text(json.dumps(remote_context_documents(listener.url)["string"]))
    assert refusal(lambda: _jsonld_nquads(path)).message == (
        f"{path}: the context {listener.url}context.jsonld is remote and evgraph never fetches remote documents;"
        " expected the context written inline.")


def test_every_pyld_call_passes_the_refusing_document_loader():
    calls = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "jsonld":
                calls.append((path.name, node.func.attr, "documentLoader" in ast.unparse(node)
                              or any(isinstance(a, ast.Name) and a.id == "options" for a in node.args)))
    assert calls and all(loader for _, _, loader in calls), calls


def test_the_bundled_context_file_is_read_under_the_policy(tmp_path, listener):
    ontology = tmp_path / "ontology"
    shutil.copytree(Layout.default().ontology, ontology)
    (ontology / "context.jsonld").write_text(json.dumps({"@context": [f"{listener.url}ctx.jsonld"]}))
    error = refusal(lambda: context(Layout.default().with_overrides(ontology=ontology)))
    assert error.message.startswith(f"{ontology / 'context.jsonld'}: the context {listener.url}ctx.jsonld is remote")


# -- a partner's CSV -------------------------------------------------------------------------------


def test_a_partner_csv_is_held_to_the_size_limit_and_an_overlong_cell_is_one_sentence(tmp_path, monkeypatch):
    store = load_store(data=data_copy(tmp_path))
    path = tmp_path / "studies.csv"
    path.write_text("slug,label,source\nlong," + "x" * 200_000 + ",https://partner.example.org/a\n")
    batch = Batch(store, "foundations")
    batch.read(path)
    assert batch.problems == [f"{path}: not a CSV file evgraph can read (field larger than field limit (131072))."]
    monkeypatch.setenv("EVGRAPH_MAX_FILE_BYTES", "1000")
    batch = Batch(store, "foundations")
    batch.read(path)
    assert batch.problems == [f"{path}: larger than 1,000 bytes, the most evgraph reads from one file"
                              " (set EVGRAPH_MAX_FILE_BYTES to change it)."]


# -- owl:imports is never followed ---------------------------------------------------------------


def test_owl_imports_in_ontology_shapes_and_data_fetch_nothing(tmp_path, listener):
    ontology, shapes = tmp_path / "ontology", tmp_path / "shapes"
    shutil.copytree(Layout.default().ontology, ontology)
    shutil.copytree(Layout.default().shapes, shapes)
    imports = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
               f"<https://w3id.org/evgraph/ontology/imports> a owl:Ontology ; owl:imports <{listener.url}{{}}.ttl> .\n")
    (ontology / "imports.ttl").write_text(imports.format("ontology"))
    (shapes / "imports.ttl").write_text(imports.format("shapes"))
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    for backend in BACKENDS:
        validate(load_store(data=data, shapes=shapes, ontology=ontology, backend=backend), with_rules=False)
    owl = tmp_path / "imports.owl"
    owl.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                   ' xmlns:owl="http://www.w3.org/2002/07/owl#"><owl:Ontology rdf:about="https://e.org/o">'
                   f'<owl:imports rdf:resource="{listener.url}o.owl"/></owl:Ontology></rdf:RDF>\n')
    assert len(read_quads(owl)) == 2


# -- links in a folder ---------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside every folder given to evgraph, holding the marker (as Turtle-looking text)."""
    path = tmp_path / "elsewhere" / "secret.ttl"
    path.parent.mkdir()
    path.write_text(f"root:x:0:0:{MARKER}:/root:/bin/bash\n")
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_file_link_leading_outside_the_data_folder_is_refused_without_quoting_it(tmp_path, outside, backend):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    (data / "passwd.ttl").symlink_to(outside)
    error = refusal(lambda: load_store(data=data, backend=backend))
    assert error.message == (f"{data / 'passwd.ttl'}: a symbolic link leading outside the data folder {data};"
                             " evgraph reads only files inside the folders it is given.")
    assert MARKER not in str(error) and str(outside) not in str(error)


def test_the_cli_refuses_a_link_out_of_the_data_folder_in_one_line(tmp_path, outside):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    (data / "passwd.ttl").symlink_to(outside)
    result = runner.invoke(app, ["validate", "--data", str(data)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: {data / 'passwd.ttl'}: a symbolic link leading outside the data folder {data}; evgraph reads only"
        " files inside the folders it is given.", "Copy the file into the folder rather than linking to it."]


@pytest.mark.parametrize("role", ["shapes", "ontology"])
def test_a_folder_link_leading_outside_shapes_or_ontology_is_refused(tmp_path, outside, role):
    folder = tmp_path / role
    shutil.copytree(getattr(Layout.default(), role), folder)
    (folder / "more").symlink_to(outside.parent, target_is_directory=True)
    error = refusal(lambda: load_store(**{role: folder}))
    assert error.message == (f"{folder / 'more'}: a symbolic link leading outside the {role} folder {folder};"
                             " evgraph reads only files inside the folders it is given.")
    assert MARKER not in str(error)


def test_a_link_inside_the_folder_is_followed_and_its_file_read_once(tmp_path):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    (data / "sub").mkdir()
    (data / "good_evidence_chain.ttl").rename(data / "sub" / "chain.ttl")
    (data / "alias.ttl").symlink_to(data / "sub" / "chain.ttl")
    (data / "also").symlink_to(data / "sub", target_is_directory=True)
    assert rdf_files(data, "data") == [data / "alias.ttl"]
    assert load_store(data=data).triple_count("data") == 107


def test_a_link_to_a_folder_that_holds_it_is_refused(tmp_path):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    (data / "loop").symlink_to(data, target_is_directory=True)
    assert refusal(lambda: rdf_files(data, "data")).message == (
        f"{data / 'loop'}: a symbolic link to a folder that holds it, so it would be read without end.")


# -- files a folder holds but evgraph does not read ----------------------------------------------


def test_files_the_loader_does_not_read_are_listed_not_skipped(tmp_path):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    for name in ("a.rdf", "b.nt", "c.jsonld", "d.owl", "e.n3", "notes.txt", "sub/f.nq"):
        (data / name).parent.mkdir(exist_ok=True)
        (data / name).write_text("anything")
    error = refusal(lambda: load_store(data=data))
    assert error.message == (f"The data folder {data} holds 7 file(s) evgraph does not read: a.rdf, b.nt, c.jsonld,"
                             " d.owl, e.n3, notes.txt, sub/f.nq.")
    assert error.hint.startswith("A folder is read for Turtle (.ttl) and TriG (.trig) only")


def test_hidden_files_and_markdown_are_ignored_by_name(tmp_path):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    (data / "README.md").write_text("# notes")
    (data / ".DS_Store").write_bytes(b"\x00\x01")
    (data / ".git").mkdir()
    (data / ".git" / "HEAD.rdf").write_text("anything")
    assert rdf_files(data, "data") == [data / "good_evidence_chain.ttl"]


def test_the_bundled_folders_hold_nothing_unread():
    layout = Layout.default()
    for role in ("ontology", "shapes", "data"):
        assert rdf_files(getattr(layout, role), role)  # ontology/context.jsonld and data/README.md are ignored


# -- sizes, triples, literals, nesting ------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_refused_from_its_size_before_reading(tmp_path):
    path = tmp_path / "huge.nt"
    with path.open("wb") as stream:  # sparse: 300 MB on paper, nothing on disk
        stream.truncate(300_000_000)
    started = time.monotonic()
    error = refusal(lambda: read_quads(path))
    assert time.monotonic() - started < 1
    assert error.message == (f"{path}: larger than 200,000,000 bytes, the most evgraph reads from one file"
                             " (set EVGRAPH_MAX_FILE_BYTES to change it).")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_byte_and_triple_limits_are_set_by_environment_variables(tmp_path, monkeypatch, backend):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    path = data / "good_evidence_chain.ttl"
    monkeypatch.setenv("EVGRAPH_MAX_FILE_BYTES", "1000")
    assert refusal(lambda: load_store(data=data, roles=("data",), backend=backend)).message == (
        f"{path}: larger than 1,000 bytes, the most evgraph reads from one file (set EVGRAPH_MAX_FILE_BYTES to"
        " change it).")
    monkeypatch.delenv("EVGRAPH_MAX_FILE_BYTES")
    monkeypatch.setenv("EVGRAPH_MAX_TRIPLES", "100")
    assert refusal(lambda: load_store(data=data, roles=("data",), backend=backend)).message == (
        f"{path}: more than 100 triples, the most evgraph reads from one file (set EVGRAPH_MAX_TRIPLES to change it).")


def test_every_limit_is_documented_with_its_default():
    for limit in inputs.LIMITS:
        assert f"``{limit.env}`` ({limit.default:,})" in inputs.__doc__, limit.env


def test_a_limit_that_is_not_a_whole_number_is_a_config_error(monkeypatch):
    monkeypatch.setenv("EVGRAPH_MAX_DEPTH", "deep")
    with pytest.raises(ConfigError) as caught:
        inputs.MAX_DEPTH.value()
    assert caught.value.message == ("EVGRAPH_MAX_DEPTH must be a whole number above zero (levels of nesting in a"
                                    " JSON-LD or RDF/XML document), not 'deep'.")


def peak_rss_growth(code: str) -> tuple[float, int, str]:
    """Run ``code`` (which defines ``call``) in a fresh Python after importing evgraph: seconds taken, peak RSS
    growth in kB and the message of the DataError ``call`` must raise."""
    script = textwrap.dedent("""
        import resource, sys, time
        from pathlib import Path
        from evgraph.errors import DataError
        from evgraph.store import load_store, parse_rdf, read_quads
        from evgraph.linked.batch import Batch, _jsonld_nquads
        {code}
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        try:
            call()
        except DataError as error:
            print(error.message, file=sys.stderr)
            print(time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """).format(code=textwrap.dedent(code))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout, done.stderr
    seconds, growth = done.stdout.split()
    return float(seconds), int(growth), done.stderr.strip()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_huge_literal_is_refused_fast_in_bounded_memory(tmp_path, backend):
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    path = data / "huge_literal.ttl"
    path.write_text('<https://e.org/a> <https://e.org/p> "' + "x" * 5_000_000 + '" .\n')
    seconds, growth, message = peak_rss_growth(
        f"call = lambda: load_store(data=Path({str(data)!r}), backend={backend!r})")
    assert seconds < 5
    assert growth < 150_000  # kB: a few copies of the 5 MB literal at most
    assert message == (f"{path}: a literal of 5,000,000 characters, longer than the 1,048,576 evgraph reads"
                       " (set EVGRAPH_MAX_LITERAL_CHARS to change it).")
    assert refusal(lambda: read_quads(path)).message == message


@pytest.mark.parametrize("kind", ["jsonld", "rdfxml"])
def test_deep_nesting_is_refused_fast_in_bounded_memory(tmp_path, kind):
    depth = 200_000
    if kind == "jsonld":
        path = tmp_path / "deep.jsonld"
        path.write_text('{"@context": {"p": "https://e.org/p"}, "@id": "https://e.org/a", ' + '"p": {' * depth
                        + '"p": 1' + "}" * depth + "}")
        call = f"call = lambda: _jsonld_nquads(Path({str(path)!r}))"
    else:
        path = tmp_path / "deep.rdf"
        path.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                        ' xmlns:ex="https://e.org/"><rdf:Description rdf:about="https://e.org/a">'
                        + '<ex:p rdf:parseType="Resource">' * depth + "</ex:p>" * depth
                        + "</rdf:Description></rdf:RDF>\n")
        call = f"call = lambda: read_quads(Path({str(path)!r}))"
    seconds, growth, message = peak_rss_growth(call)
    assert seconds < 3
    assert growth < 100_000  # kB
    where = f"{path}" if kind == "jsonld" else f"{path}, line 2"
    assert message == f"{where}: nested deeper than 100 levels, the most evgraph reads (set EVGRAPH_MAX_DEPTH to change it)."
    assert refusal(lambda: read_quads(path)).message == message


def test_nesting_up_to_the_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("EVGRAPH_MAX_DEPTH", "3")
    path = tmp_path / "nested.jsonld"
    path.write_text(json.dumps({"@id": "https://e.org/a", "https://e.org/p": [{"@id": "https://e.org/b"}]}))
    assert len(read_quads(path)) == 1  # object, array, object: three levels
    path.write_text(json.dumps({"@id": "https://e.org/a", "https://e.org/p": [{"https://e.org/q": [{"@id": "x"}]}]}))
    assert "nested deeper than 3 levels" in refusal(lambda: read_quads(path)).message


# -- every reader goes through the policy --------------------------------------------------------


class Checked(Exception):
    """Raised by the monkeypatched policy check, to prove a reader called it."""


def entry_points(tmp_path: Path) -> dict:
    """Every way the store package (and ingest) parses RDF from a file or text, as a call to make."""
    data = fixture_data_dir(tmp_path, "good_evidence_chain")
    files = {}
    for suffix, text in {".ttl": "<https://e.org/a> <https://e.org/p> 1 .\n",
                         ".nt": "<https://e.org/a> <https://e.org/p> <https://e.org/b> .\n",
                         ".trig": "<https://e.org/g> { <https://e.org/a> <https://e.org/p> 1 . }\n",
                         ".nq": "<https://e.org/a> <https://e.org/p> <https://e.org/b> <https://e.org/g> .\n",
                         ".rdf": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                                 '<rdf:Description rdf:about="https://e.org/a"><rdf:value>1</rdf:value>'
                                 '</rdf:Description></rdf:RDF>\n',
                         ".jsonld": '{"@id": "https://e.org/a", "https://e.org/p": 1}\n'}.items():
        files[suffix] = tmp_path / f"input{suffix}"
        files[suffix].write_text(text)
    return {
        "load_store oxigraph": lambda: load_store(data=data),
        "load_store rdflib": lambda: load_store(data=data, backend="rdflib"),
        **{f"read_quads {suffix}": (lambda p=p: read_quads(p)) for suffix, p in files.items()},
        "read_quads with expanded JSON-LD": lambda: read_quads(files[".jsonld"], b""),
        "read_graphs": lambda: read_graphs(files[".trig"]),
        "parse_rdf": lambda: parse_rdf(b"<https://e.org/a> <https://e.org/p> 1 .", "turtle"),
        "select_rdf": lambda: select_rdf(b"<https://e.org/a> <https://e.org/p> 1 .", "turtle", "SELECT * {?s ?p ?o}"),
        "ingest JSON-LD": lambda: _jsonld_nquads(files[".jsonld"]),
        "export context": lambda: context(),
    }


def test_every_parsing_entry_point_calls_the_policy_check(tmp_path, monkeypatch):
    calls = entry_points(tmp_path)

    def refuse(content, fmt, source):
        raise Checked(source)

    monkeypatch.setattr(inputs, "check", refuse)
    assert _bypassing(calls) == []


def test_every_parsing_entry_point_counts_what_it_parses(tmp_path, monkeypatch):
    calls = {name: call for name, call in entry_points(tmp_path).items()
             if name not in ("ingest JSON-LD", "export context", "read_quads with expanded JSON-LD")}

    def refuse(self, *counted):
        raise Checked(self.source)

    monkeypatch.setattr(inputs.Tally, "add", refuse)
    monkeypatch.setattr(inputs.Tally, "add_counted", refuse)
    assert _bypassing(calls) == []


def _bypassing(calls: dict) -> list[str]:
    """The entry points that ran without reaching the (patched) policy, which raises Checked."""
    bypassed = []
    for name, call in calls.items():
        try:
            call()
        except Checked:
            continue
        bypassed.append(name)
    return bypassed


#: Functions of the store and validation packages that call a parser on text evgraph did not take from a
#: file or a caller, so the input policy does not apply: each with why.
ENGINE_INTERNAL = {
    ("oxigraph_store.py", "OxigraphStore.load_nquads"): "N-Quads another store dumped (scratch_copy)",
    ("oxigraph_store.py", "convert"): "the store's own sorted dump, re-serialised",
    ("oxigraph_store.py", "OxigraphStore.replace_graph"): "triples evgraph holds as terms, written as N-Triples",
    ("oxigraph_store.py", "read_dump"): "the store's own dump, as terms for the JSON-LD writer",
    ("sparql_store.py", "push"): "the store's own dump, split per graph",
    ("sparql_store.py", "SparqlStore.construct"): "a SPARQL server's answer, not a file",
    ("results.py", "reformat_graph"): "a SPARQL server's answer, not a file",
    ("reference.py", "graph_of"): "the store's own dump, as pySHACL's rdflib graphs",
}


def test_every_parser_call_in_the_store_package_goes_through_the_policy():
    """A new reader must call evgraph.store.inputs (read_input, check, Tally via _tallied) or be listed above."""
    found = {}
    for path in sorted((SRC / "store").glob("*.py")) + sorted((SRC / "validation").glob("*.py")):
        def visit(node, stack, path=path):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                    visit(child, [*stack, child])
                    continue
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and \
                        child.func.attr in ("parse", "load") and stack:
                    function = next(f for f in reversed(stack) if isinstance(f, ast.FunctionDef))
                    text = ast.unparse(function)
                    key = (path.name, ".".join(f.name for f in stack[:stack.index(function) + 1]))
                    found[key] = "inputs." in text or "_tallied(" in text
                visit(child, stack)

        visit(ast.parse(path.read_text(encoding="utf-8")), [])
    unchecked = sorted(key for key, checked in found.items() if not checked and key not in ENGINE_INTERNAL)
    assert found and unchecked == [], (
        f"{unchecked}: parse RDF without the input policy; call evgraph.store.inputs (read_input, check, Tally),"
        " or, for text evgraph itself wrote, list the function in ENGINE_INTERNAL with why")
