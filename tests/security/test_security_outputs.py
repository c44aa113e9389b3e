"""Outputs and exit codes under hostile data: files written with --out, the exit-code table, text printed to a
terminal, HTML and Markdown built from the data, and byte-identical output whatever the hash seed.

The fixture (fixtures/outputs/outputs_hostile_multi_valued.ttl) is tests/fixtures/good_evidence_chain.ttl plus
labels holding terminal escapes, HTML and Markdown; sources that are javascript:, data: and vbscript:
addresses; a node whose IRI is a javascript: address; and several values where one is usual. It does not
conform (the sources), which audit and why read all the same.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import fixture_data_dir
from typer.testing import CliRunner

from evgraph import output
from evgraph.cli import EXIT_CODES, app
from evgraph.errors import ConfigError
from evgraph.output import printable, write_atomically, write_bytes_atomically
from evgraph.render import markdown_text

runner = CliRunner()
HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "outputs" / "outputs_hostile_multi_valued.ttl"
SRC = HERE.parent.parent / "src" / "evgraph"
README = HERE.parent.parent / "README.md"
EX = "https://example.org/evgraph-test/"
REC = f"{EX}rec-1"
#: The label `why` and `audit` show for rec-1: the smallest of its two, the hostile one.
HOSTILE_LABEL = ("\x1b]0;pwned\x07Offer \x1b[2J\x9b31m<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
                 "`tick` | pipe *star* <!-- c --> &amp; \x85end")
#: What a terminal must never receive: C0 controls but tab and newline, DEL, C1 (ESC and BEL among them).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A data folder holding the hostile, multi-valued fixture."""
    folder = tmp_path_factory.mktemp("hostile") / "data"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / FIXTURE.name)
    return folder


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


# -- writing files --------------------------------------------------------------------------------


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _targets(tmp_path: Path) -> dict[str, Path]:
    """Paths that are not regular files, each beside a file that must not change: a symlink to that file, a
    dangling symlink, a symlink to /dev/null, a FIFO, a directory, and (as root) a character device made here."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    found = {"symlink to a file": tmp_path / "link", "dangling symlink": tmp_path / "dangling",
             "symlink to /dev/null": tmp_path / "null-link", "fifo": tmp_path / "fifo", "directory": tmp_path / "dir"}
    found["symlink to a file"].symlink_to(victim)
    found["dangling symlink"].symlink_to(tmp_path / "absent")
    found["symlink to /dev/null"].symlink_to(os.devnull)
    os.mkfifo(found["fifo"])
    found["directory"].mkdir()
    if os.geteuid() == 0:  # a device of our own, so a regression can never replace the real /dev/null
        found["device"] = tmp_path / "null"
        os.mknod(found["device"], stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return found


def _state(path: Path) -> tuple:
    status = os.lstat(path)
    return (stat.S_IFMT(status.st_mode), status.st_ino, os.readlink(path) if path.is_symlink() else None)


def test_writing_refuses_anything_but_a_regular_file(tmp_path):
    targets = _targets(tmp_path)
    before = {name: _state(path) for name, path in targets.items()}
    for name, path in targets.items():
        with pytest.raises(ConfigError, match=rf"^Refusing to write {re.escape(str(path))}: it is "):
            write_atomically(path, "clobbered\n")
        assert _state(path) == before[name], name
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "precious\n"
    assert not [n for n in _siblings(tmp_path / "victim.txt") if n.endswith(".tmp")]


@pytest.mark.parametrize("command", [
    ["audit", "--format", "markdown"],
    ["export", "--format", "trig", "--scope", "curated"],
    ["diagram", REC, "--format", "mermaid"],
])
def test_out_of_every_command_refuses_a_symlink_or_a_device(command, hostile, tmp_path):
    targets = _targets(tmp_path)
    for name in ("symlink to a file", "symlink to /dev/null", *(["device"] if "device" in targets else [])):
        path = targets[name]
        before = _state(path)
        result = invoke(*command, "--data", hostile, "--out", path)
        assert result.exit_code == 2, (name, result.output)
        assert result.output.splitlines()[0] == (f"Error: Refusing to write {path}: it is "
                                                 f"{'a device' if name == 'device' else 'a symbolic link'}, "
                                                 "and evgraph only replaces regular files.")
        assert _state(path) == before
    assert (tmp_path / "victim.txt").read_text(encoding="utf-8") == "precious\n"


def test_out_to_a_directory_is_refused_before_anything_is_loaded(tmp_path):
    result = invoke("audit", "--out", tmp_path, "--data", tmp_path / "absent")
    assert result.exit_code == 2
    assert "is a directory." in " ".join(result.output.replace("│", " ").split())


def test_an_existing_files_mode_is_kept_and_a_new_one_gets_the_umasks(hostile, tmp_path):
    existing = tmp_path / "existing.md"
    existing.write_text("old\n", encoding="utf-8")
    existing.chmod(0o640)
    previous = os.umask(0o027)
    try:
        assert invoke("audit", "--format", "markdown", "--data", hostile, "--out", existing).exit_code == 0
        assert invoke("audit", "--format", "markdown", "--data", hostile, "--out", tmp_path / "new.md").exit_code == 0
        write_atomically(tmp_path / "shared.txt", "x")
        (tmp_path / "shared.txt").chmod(0o604)
        write_atomically(tmp_path / "shared.txt", "y")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert existing.read_text(encoding="utf-8").startswith("# evgraph audit\n")
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640  # 0666 & ~0027
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o604
    assert _siblings(existing) == ["existing.md", "new.md", "shared.txt"]


def test_the_file_is_flushed_before_the_rename_and_the_folder_after(monkeypatch, tmp_path):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(handle):
        calls.append("fsync folder" if stat.S_ISDIR(os.fstat(handle).st_mode) else "fsync file")
        real_fsync(handle)

    def replace(source, target):
        calls.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(tmp_path / "audit.md", "# evgraph audit\n")
    monkeypatch.undo()
    assert calls == ["fsync file", "rename", "fsync folder"]
    assert (tmp_path / "audit.md").read_text(encoding="utf-8") == "# evgraph audit\n"


def _fail(number: int):
    def failing(*args, **kwargs):
        raise OSError(number, os.strerror(number))
    return failing


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named temporary file"])
@pytest.mark.parametrize("call, number, reason", [
    ("write", errno.ENOSPC, "no space left on the device"),
    ("fsync", errno.EIO, "input/output error"),
    ("replace", errno.EACCES, "permission denied"),
    ("open", errno.EROFS, "the file system is read-only"),
    ("open", errno.EACCES, "permission denied"),
])
def test_a_failed_write_is_one_sentence_and_leaves_the_target_and_no_temporary_file(
        monkeypatch, tmp_path, call, number, reason, anonymous):
    target = tmp_path / "report.html"
    target.write_text("old\n", encoding="utf-8")
    _choose_temporary_file(monkeypatch, tmp_path, anonymous)
    monkeypatch.setattr(os, call, _fail(number))
    with pytest.raises(output.WriteError) as raised:
        write_bytes_atomically(target, b"new\n")
    monkeypatch.undo()
    assert raised.value.message == f"Cannot write {target}: {reason}; it was left unchanged."
    assert (raised.value.exit_code, raised.value.errno) == (2, number)
    assert isinstance(raised.value, OSError)  # export, release and ingest word their own message for it
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _siblings(target) == ["report.html"]


def _choose_temporary_file(monkeypatch, folder: Path, anonymous: bool) -> None:
    """Write through a nameless O_TMPFILE file (skip where the system cannot) or a named temporary file."""
    if anonymous and not output._anonymous_files(folder):
        pytest.skip("this system cannot link an O_TMPFILE file into a folder")
    monkeypatch.setattr(output, "_anonymous_files", lambda found: anonymous)


def test_a_full_disk_under_audit_out_exits_2_in_one_line(monkeypatch, hostile, tmp_path):
    target = tmp_path / "audit.md"
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(os, "write", _fail(errno.ENOSPC))  # (markdown: html would feed Graphviz with os.write)
    result = invoke("audit", "--format", "markdown", "--data", hostile, "--out", target)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.output == f"Error: Cannot write {target}: no space left on the device; it was left unchanged.\n"
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _siblings(target) == ["audit.md"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_folder_is_one_sentence(hostile, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "audit.md").write_text("old\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        result = invoke("audit", "--format", "markdown", "--data", hostile, "--out", folder / "audit.md")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert result.output == f"Error: Cannot write {folder / 'audit.md'}: permission denied; it was left unchanged.\n"
    assert (folder / "audit.md").read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named temporary file"])
def test_ctrl_c_while_writing_leaves_the_target_and_no_temporary_file(monkeypatch, tmp_path, anonymous):
    target = tmp_path / "export.trig"
    target.write_text("old\n", encoding="utf-8")
    _choose_temporary_file(monkeypatch, tmp_path, anonymous)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomically(target, b"new\n")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _siblings(target) == ["export.trig"]


_KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from evgraph import output

real = os.write
def stalled(handle, data):
    written = real(handle, bytes(data[:4]))
    print("writing", flush=True)
    time.sleep(60)
    return written

os.write = stalled
output.write_bytes_atomically(Path(sys.argv[1]), b"new content, never finished")
"""


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda n: n.name)
def test_a_writer_killed_mid_write_leaves_nothing_behind(tmp_path, number):
    """SIGTERM and SIGHUP remove the temporary file, then end the process as they would have; SIGKILL cannot be
    caught, so only a nameless O_TMPFILE file (Linux, outside some sandboxes) leaves nothing."""
    if number == signal.SIGKILL and not output._anonymous_files(tmp_path):
        pytest.skip("this system cannot link an O_TMPFILE file into a folder, so kill -9 may leave a .tmp file")
    target = tmp_path / "audit.json"
    target.write_text("old\n", encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
    finally:
        child.send_signal(number)
        returncode = child.wait(timeout=30)
    assert returncode == -number
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _siblings(target) == ["audit.json"]


#: Each place under src/evgraph that writes or renames a file without evgraph.output, and why that is right.
DIRECT_WRITES = {
    ("cli/__init__.py", "os.open(os.devnull, os.O_WRONLY)"): "points stdout at /dev/null after the reader left",
    ("linked/release.py", "os.rename(building, target)"): "renames the release folder whose files output.py wrote",
    ("linked/ingest.py", "shutil.copytree(layout.data, copy)"): "a scratch copy of the data, to validate the batch",
    ("linked/ingest.py", "(copy / relative).write_text(text"): "the batch into that scratch copy",
    ("linked/versions.py", '(folders[role] / "export.trig").write_bytes('): "a side of a diff, in a temporary folder",
    ("store/cache.py", "lock = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)"): "the store folder's empty lock file",
    ("store/cache.py", "lock = os.open(stale / _LOCK, os.O_RDWR)"): "locks a stale store folder before removing it",
    ("synth/__init__.py", "os.rename(building, out)"): "puts the synthetic folder, complete, in place",
    ("synth/__init__.py", "os.rename(out, old)"): "moves synth's own previous folder aside to replace it",
    ("synth/__init__.py", "os.rename(old, out)"): "puts that folder back when the replacement failed",
    ("synth/__init__.py", "(building / MARKER).write_text("): "the marker file, inside the folder being built",
    ("synth/trig.py", 'open(self.folder / name, "w"'): "a synthetic file, inside the folder being built",
}
WRITE_CALL = re.compile(r"\.write_text\(|\.write_bytes\(|\bopen\([^)]*['\"][wax]b?\+?['\"]|\.open\(['\"][wax]"
                        r"|os\.open\([^)]*O_(?:WRONLY|RDWR|CREAT)|shutil\.(?:copy\w*|move)\(|os\.(?:replace|rename)\("
                        r"|NamedTemporaryFile|mkstemp\(")


def test_every_file_is_written_through_output():
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative == "output.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITE_CALL.search(line):
                allowed = [key for key in DIRECT_WRITES if key[0] == relative and key[1] in line]
                found[allowed[0] if allowed else (relative, f"line {number}: {line.strip()}")] = True
    unexpected = sorted(key for key in found if key not in DIRECT_WRITES)
    assert not unexpected, ("Write files with evgraph.output.write_atomically / write_bytes_atomically, or add the"
                            f" place to DIRECT_WRITES with the reason: {unexpected}")
    assert sorted(found) == sorted(DIRECT_WRITES), "DIRECT_WRITES lists a place that no longer writes"


# -- exit codes -----------------------------------------------------------------------------------


def test_the_readme_exit_code_table_is_the_constant():
    text = README.read_text(encoding="utf-8")
    commands = text[text.index("\n## Commands\n"):text.index("\n## ", text.index("\n## Commands\n") + 1)]
    table = commands[commands.index("\n### Exit codes\n"):]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", table.split("<!-- end exit codes -->")[0], re.M)
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES
    assert [int(code) for code, _ in rows] == list(EXIT_CODES)


def _raise(error: BaseException):
    def raising(*args, **kwargs):
        raise error
    return raising


def _exit_0(hostile, tmp_path, monkeypatch):
    return invoke("validate", "--data", fixture_data_dir(tmp_path, "good_evidence_chain"))


def _exit_1_validate(hostile, tmp_path, monkeypatch):
    return invoke("validate", "--data", hostile)


def _exit_1_fail_on(hostile, tmp_path, monkeypatch):
    return invoke("audit", "--data", hostile, "--fail-on", "single-trial", "--out", tmp_path / "audit.txt")


def _exit_2_bad_input(hostile, tmp_path, monkeypatch):
    return invoke("why", "no such recommendation anywhere", "--data", hostile)


def _exit_2_refused_out(hostile, tmp_path, monkeypatch):
    (tmp_path / "link").symlink_to(os.devnull)
    return invoke("audit", "--data", hostile, "--out", tmp_path / "link")


def _exit_3(hostile, tmp_path, monkeypatch):
    monkeypatch.setattr("evgraph.audit.run_audit", _raise(ZeroDivisionError("injected bug")))
    return invoke("--no-cache", "audit", "--data", hostile)  # computed, not an answer an earlier test kept


def _exit_130(hostile, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", _raise(KeyboardInterrupt()))
    return invoke("audit", "--data", hostile, "--out", tmp_path / "audit.txt")


def _exit_141(hostile, tmp_path, monkeypatch):
    monkeypatch.setattr("evgraph.render.audit_lines", _raise(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    return invoke("--no-cache", "audit", "--data", hostile)


EXIT_CASES = {0: [_exit_0], 1: [_exit_1_validate, _exit_1_fail_on], 2: [_exit_2_bad_input, _exit_2_refused_out],
              3: [_exit_3], 130: [_exit_130], 141: [_exit_141]}


def test_every_documented_exit_code_is_tested():
    assert set(EXIT_CASES) == set(EXIT_CODES)


@pytest.mark.parametrize("case", [c for cases in EXIT_CASES.values() for c in cases], ids=lambda c: c.__name__[1:])
def test_each_exit_code_is_given_where_documented(case, hostile, tmp_path, monkeypatch):
    code = next(code for code, cases in EXIT_CASES.items() if case in cases)
    result = case(hostile, tmp_path, monkeypatch)
    assert result.exit_code == code, result.output
    assert not [p for p in tmp_path.rglob("*.tmp")]
    if code == 3:
        assert result.output == ("Internal error: ZeroDivisionError: injected bug. This is a bug in evgraph; run the"
                                 " command again with --debug for the traceback.\n")
        monkeypatch.setattr("evgraph.audit.run_audit", _raise(ZeroDivisionError("injected bug")))
        debugged = invoke("--debug", "--no-cache", "audit", "--data", hostile)
        assert isinstance(debugged.exception, ZeroDivisionError)
    if code == 2:
        assert result.output.startswith("Error: ")
    if code in (130, 141):
        assert not (tmp_path / "audit.txt").exists()


# -- text for a terminal --------------------------------------------------------------------------


def test_printable_drops_escape_sequences_and_control_characters():
    assert printable("a\x1b]0;pwned\x07b\x1b[2Jc\x1b[31;1md\x1b(Be\x1bcf\x9b31mg\x9d0;t\x9ch") == "abcdefgh"
    assert printable("\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07") == "link"
    assert printable("unterminated \x1b]0;title\nnext line") == "unterminated \nnext line"
    assert printable("tab\tnewline\ncarriage\rnull\x00bell\x07del\x7fnel\x85end") == "tab\tnewline\ncarriagenullbelldelnelend"
    assert printable("Café — 中文 ✓ ·") == "Café — 中文 ✓ ·"


def test_the_output_module_examples_hold():
    import doctest

    assert doctest.testmod(output).failed == 0


@pytest.mark.parametrize("command", [
    ["audit"], ["audit", "--format", "markdown"], ["why", REC], ["why", REC, "--format", "markdown"],
    ["trace", REC], ["validate"], ["impact", f"{EX}trial"], ["weak-points"], ["stats"],
    ["diagram", REC], ["diagram", REC, "--format", "dot"],
])
def test_text_output_carries_no_control_characters(command, hostile):
    result = invoke(*command, "--data", hostile)
    assert result.exit_code in (0, 1), result.output
    assert not CONTROL.findall(result.output), command


def test_the_hostile_label_is_printed_without_its_escapes(hostile):
    result = invoke("why", REC, "--data", hostile)
    assert result.output.splitlines()[0].startswith(
        "Recommendation  Offer <img src=x onerror=alert(1)> [click](javascript:alert(1)) `tick` | pipe *star* "
        "<!-- c --> &amp; end   (")
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_arguments_are_printed_without_control_characters(hostile):
    not_found = invoke("why", "\x1b]0;pwned\x07\x1b[2Jzzz", "--data", hostile)
    assert not_found.exit_code == 2
    assert not_found.output.splitlines()[0] == "Error: Nothing matches 'zzz'."
    usage = invoke("why", REC, "--format", "\x1b[2J\x07bad")
    assert usage.exit_code == 2
    assert not CONTROL.findall(usage.output)


def test_json_keeps_the_exact_data_with_its_control_characters_escaped(hostile):
    result = invoke("audit", "--format", "json", "--data", hostile)
    assert result.exit_code == 0
    assert not CONTROL.findall(result.output)
    assert "\\u001b]0;pwned\\u0007" in result.output and "\\u009b31m" in result.output
    labels = {f["label"] for f in json.loads(result.output)["findings"] if f["subject"] == REC}
    assert labels == {HOSTILE_LABEL}
    why = json.loads(invoke("why", REC, "--format", "json", "--data", hostile).output)
    assert why[0]["subject"]["label"] == HOSTILE_LABEL


# -- HTML and Markdown ----------------------------------------------------------------------------


class Page(HTMLParser):
    """Every element and attribute of an HTML page, and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_safe_html(text: str) -> Page:
    """No script, frame, image or event handler; every link or source an http(s) address or a place on the page."""
    page = Page(text)
    assert not CONTROL.findall(text)
    assert not [tag for tag, _ in page.tags if tag in ("script", "iframe", "img", "object", "embed", "frame")]
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    for tag, attrs in page.tags:
        for name in ("href", "src", "xlink:href", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(UNSAFE_SCHEMES), (tag, name, value)
            if value and tag != "link":
                assert value.startswith(("http://", "https://", "#", "/", "?")), (tag, name, value)
    return page


def test_audit_html_escapes_the_data_and_links_only_web_addresses(hostile):
    result = invoke("audit", "--format", "html", "--data", hostile)
    assert result.exit_code == 0
    page = assert_safe_html(result.output)
    text = "".join(page.text)
    assert "Offer <img src=x onerror=alert(1)> [click](javascript:alert(1))" in text
    assert "<b>Example trial</b> ](javascript:alert(2))" in text
    assert "javascript:alert(1)" in text and "vbscript:msgbox(1)" in text and "JavaScript:alert(4)" in text
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and not attrs["href"].startswith("#")]
    assert links and all(link.startswith("https://example.org/") for link in links)


def _markdown_html(text: str) -> str:
    """Markdown rendered as GitHub does, raw HTML allowed (by markdown-it, the renderer rich uses)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


@pytest.mark.parametrize("command", [["audit", "--format", "markdown"], ["why", REC, "--format", "markdown"]])
def test_markdown_renders_to_no_html_and_no_unsafe_link(command, hostile):
    result = invoke(*command, "--data", hostile)
    assert result.exit_code == 0
    rendered = _markdown_html(result.output)
    page = assert_safe_html(rendered)
    assert not [tag for tag, _ in page.tags if tag not in (
        "h1", "h2", "h3", "p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "code", "a")]
    text = "".join(page.text)
    assert "Offer <img src=x onerror=alert(1)> [click](javascript:alert(1)) `tick` | pipe *star* <!-- c -->" in text
    assert "<iframe src=javascript:alert(3)></iframe> Outcomes (2010)" in text
    studies = [table.split("</table>")[0] for table in rendered.split("<table>") if "<th>study</th>" in table]
    rows = [row for table in studies for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert studies and {len(re.findall(r"<t[dh][ >]", row)) for row in rows} == {7}  # "|" stays in its cell


def test_markdown_text_escapes_what_would_start_a_block():
    assert markdown_text("- not a list") == "\\- not a list"
    assert markdown_text("1. not a list") == "1\\. not a list"
    assert markdown_text("=== not an underline") == "\\=== not an underline"
    assert markdown_text("two\nlines\n# not a heading") == "two lines \\# not a heading"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
@pytest.mark.parametrize("fmt", ["html", "svg"])
def test_diagram_html_and_svg_escape_labels_and_link_only_web_addresses(fmt, hostile):
    result = invoke("diagram", REC, "--format", fmt, "--data", hostile)
    assert result.exit_code == 0, result.output
    page = assert_safe_html(result.output)
    assert "javascript: address" in "".join(page.text)
    if fmt == "html":
        assert "javascript:alert(5)" in "".join(page.text)


def test_mermaid_labels_cannot_spell_a_directive(hostile):
    result = invoke("diagram", REC, "--data", hostile)
    assert result.exit_code == 0
    assert "%%{" not in result.output and "#37;#37;{init" in result.output


def test_pages_escape_the_data_and_link_only_web_addresses(hostile):
    from starlette.testclient import TestClient

    from evgraph.serve.app import Service, Settings, create_app
    from evgraph.store import load_store

    accept = {"Accept": "text/html"}
    with TestClient(create_app(Service(Settings(data=hostile), load_store(data=hostile)))) as client:
        for iri in (REC, "javascript:alert(5)", f"{EX}trial"):
            response = client.get("/resource", params={"iri": iri}, headers=accept)
            assert response.status_code == 200, (iri, response.text)
            assert_safe_html(response.text)
        for url, params in (("/", {}), ("/search", {"q": "Offer"}), ("/query/fact-sources", {"node": REC})):
            response = client.get(url, params=params, headers=accept)
            assert response.status_code == 200, (url, response.text)
            assert_safe_html(response.text)
        text = "".join(Page(client.get("/resource", params={"iri": REC}, headers=accept).text).text)
    assert "Offer <img src=x onerror=alert(1)>" in text and "vbscript:msgbox(1)" in text


# -- determinism ----------------------------------------------------------------------------------


def _run(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "evgraph", *args], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout


@pytest.mark.parametrize("args", [
    ["audit", "--format", "json"],
    ["audit", "--format", "html"],
    ["why", REC],
    ["export", "--format", "trig"],
    ["export", "--format", "trig", "--backend", "rdflib"],
], ids=["audit-json", "audit-html", "why", "export-trig", "export-trig-rdflib"])
def test_outputs_are_byte_identical_whatever_the_hash_seed(args, hostile):
    with ThreadPoolExecutor(3) as pool:
        outputs = list(pool.map(lambda seed: _run([*args, "--data", str(hostile)], seed), ["0", "1", "2"]))
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]


def test_multi_valued_facts_are_all_kept_sorted_and_a_claim_is_one_finding(hostile):
    audit = json.loads(invoke("audit", "--format", "json", "--data", hostile).output)
    assert [f["verdict"] for f in audit["findings"] if f["subject"] == REC] == ["single-trial", "cannot-verify"]
    assert audit["summary"]["single-trial"] == 1 and audit["summary"]["single-candidate"] == 1
    [trace] = {json.dumps(f["trace"], sort_keys=True) for f in audit["findings"] if f["subject"] == REC}
    subject = json.loads(trace)["subject"]
    assert subject["about"] == ("<script>alert('x')</script> Example programme; Example programme; "
                                "Example programme, also called \x1b[31mred\x1b[0m")
    [study] = json.loads(trace)["studies"]
    assert study["country"] == ["United Kingdom", "United States"]
    assert study["design"] == ["quasi-experimental design", "randomised controlled trial"]
    assert sorted(json.loads(trace)["sources"]) == json.loads(trace)["sources"]


def test_eight_audits_at_once_give_the_same_bytes():
    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(lambda seed: _run(["audit"], seed), [str(n) for n in range(8)]))
    assert outputs[0].startswith(b"Verdicts ")
    assert all(found == outputs[0] for found in outputs)


@pytest.mark.parametrize("output_format", ["csv", "tsv", "xml", "json", "table"])
def test_query_results_carry_no_control_characters_in_any_format(output_format, hostile):
    query = f"SELECT ?label WHERE {{ <{REC}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    result = invoke("query", "-e", query, "--format", output_format, "--data", hostile)
    assert result.exit_code == 0, result.output
    assert not CONTROL.findall(result.output)
    if output_format == "json":
        labels = {b["label"]["value"] for b in json.loads(result.output)["results"]["bindings"]}
        assert HOSTILE_LABEL in labels  # the exact data, its control characters escaped


def test_a_temporary_file_a_killed_writer_left_is_removed_by_the_next_write(tmp_path):
    import subprocess
    import sys

    from evgraph.output import write_atomically

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    abandoned = tmp_path / f".audit.html.{finished.stdout.strip()}.0123abcd.tmp"
    running = tmp_path / f".audit.html.{os.getpid()}.4567cdef.tmp"
    abandoned.write_text("half", encoding="utf-8")
    running.write_text("being written", encoding="utf-8")
    write_atomically(tmp_path / "audit.html", "whole")
    assert (tmp_path / "audit.html").read_text(encoding="utf-8") == "whole"
    assert not abandoned.exists() and running.exists()
