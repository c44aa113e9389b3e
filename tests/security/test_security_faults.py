"""Faults: ingest, export and release killed at any moment, or on a full disk, leave data/ and earlier outputs
intact (old bytes, or complete new ones); two ingests on one data folder are serialised by its lock.

The kills are real: each command runs as ``evgraph …`` in its own process, timed once to completion, then
started again on a fresh copy and sent SIGKILL at staggered moments across that time (with a little seeded
jitter), so some land while Python imports, some while the graph loads or validates, and some while the files
are written. A full disk is a real one where this runs as root and may mount a small tmpfs; everywhere, it is
also injected in-process as ``OSError(ENOSPC)`` from ``fsync`` and from the final rename.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evgraph.cli import app
from evgraph.errors import ConfigError
from evgraph.linked.lock import Busy, folder_lock, holder
from evgraph.store.base import rdf_files

INGEST_CASES = Path(__file__).parents[1] / "fixtures" / "ingest"
BASE = INGEST_CASES / "base"
BATCH = sorted((INGEST_CASES / "good").glob("*.csv"))  # one batch: good.trig
OTHER_BATCH = [INGEST_CASES / "good_rdf" / "partner.ttl"]  # another: partner.trig
EVGRAPH = str(Path(sys.executable).parent / "evgraph")
EPOCH = "1767225600"  # 2026-01-01: the same data gives the same bytes, run after run
KILLS = 10
SEED = 20260101


@pytest.fixture
def env(monkeypatch) -> dict[str, str]:
    """The environment of an ``evgraph`` subprocess (and of in-process runs): a fixed SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("EVGRAPH_")}, "SOURCE_DATE_EPOCH": EPOCH}


def fresh_data(folder: Path) -> Path:
    """A copy of the small data folder partner batches are ingested into."""
    shutil.copytree(BASE, folder)
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every file (SHA-256) and folder under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


def files_only(found: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in found.items() if v != "folder"}


def run_to_end(args: list[str], env: dict[str, str]) -> float:
    """Run ``evgraph ARGS`` to completion; its duration in seconds (it must succeed)."""
    started = time.monotonic()
    done = subprocess.run([EVGRAPH, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def kill_after(args: list[str], env: dict[str, str], delay: float) -> int | None:
    """Start ``evgraph ARGS``, SIGKILL it after ``delay`` seconds; its exit code if it finished first, else None."""
    process = subprocess.Popen([EVGRAPH, *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        process.wait(delay)
        return process.returncode
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def moments(duration: float) -> list[float]:
    """KILLS moments spread evenly over ``duration`` (the last at its end), each moved by up to ±5 %."""
    rng = random.Random(SEED)
    return [duration * (i / KILLS) * (1 + rng.uniform(-0.05, 0.05)) for i in range(1, KILLS + 1)]


# -- kill -9 at staggered moments ----------------------------------------------------------------------------


def test_ingest_killed_at_any_moment_leaves_the_data_as_it_was_or_with_the_whole_batch(tmp_path, env):
    reference = fresh_data(tmp_path / "reference")
    args = ["ingest", *map(str, BATCH), "--partner", "foundations"]
    duration = run_to_end([*args, "--data", str(reference)], env)
    batch = "partners/foundations/good.trig"
    whole = hashlib.sha256((reference / batch).read_bytes()).hexdigest()
    before = files_only(snapshot(BASE))
    outcomes = []
    for number, delay in enumerate(moments(duration)):
        data = fresh_data(tmp_path / f"data-{number}")
        code = kill_after([*args, "--data", str(data)], env, delay)
        after = files_only(snapshot(data))
        stray = {k for k in after if k not in before and k != batch}
        where = f"kill {number} at {delay:.2f} s of {duration:.2f} s (seed {SEED})"
        assert {k: v for k, v in after.items() if k not in stray} in (before, {**before, batch: whole}), where
        # Only the atomic writer's hidden temporary file may be left, and the loader does not read it.
        assert all(Path(k).name.startswith(".good.trig.") and k.endswith(".tmp") for k in stray), (where, stray)
        assert {str(p.relative_to(data)) for p in rdf_files(data, "data")} <= {*before, batch}, where
        outcomes.append("killed" if code is None else f"exit {code}")
        if code is None and batch not in after:
            # The kernel dropped the killed process's lock: the same ingest now runs, and tidies up after it.
            run_to_end([*args, "--data", str(data)], env)
            assert files_only(snapshot(data)) == {**before, batch: whole}, where
    assert outcomes.count("killed") >= 3, outcomes  # the kills did land while it ran


def test_export_killed_at_any_moment_leaves_the_old_file_or_the_whole_new_one(tmp_path, env):
    out = tmp_path / "out"
    out.mkdir()
    reference = tmp_path / "reference.trig"
    duration = run_to_end(["export", "--data", str(BASE), "--out", str(reference)], env)
    old = b"# an earlier export: these bytes stay until the new ones are complete\n"
    outcomes = []
    for number, delay in enumerate(moments(duration)):
        target = out / f"evgraph-{number}.trig"
        target.write_bytes(old)
        code = kill_after(["export", "--data", str(BASE), "--out", str(target)], env, delay)
        where = f"kill {number} at {delay:.2f} s of {duration:.2f} s (seed {SEED})"
        assert target.read_bytes() in (old, reference.read_bytes()), where
        strays = [p.name for p in out.iterdir() if p.name.startswith(f".{target.name}.")]
        assert all(name.endswith(".tmp") for name in strays), (where, strays)
        outcomes.append("killed" if code is None else f"exit {code}")
    assert outcomes.count("killed") >= 3, outcomes
    assert all(p.name.startswith("evgraph-") or p.name.endswith(".tmp") for p in out.iterdir())


def test_release_killed_at_any_moment_leaves_earlier_releases_and_the_new_one_whole_or_absent(tmp_path, env):
    reference = tmp_path / "reference"
    duration = run_to_end(["release", "--data", str(BASE), "--out", str(reference), "--version", "1.0"], env)
    whole = snapshot(reference / "1.0")
    outcomes = []
    for number, delay in enumerate(moments(duration)):
        out = tmp_path / f"releases-{number}"
        shutil.copytree(reference / "1.0", out / "0.9")  # an earlier release, which must stay as it is
        code = kill_after(["release", "--data", str(BASE), "--out", str(out), "--version", "1.0"], env, delay)
        where = f"kill {number} at {delay:.2f} s of {duration:.2f} s (seed {SEED})"
        assert snapshot(out / "0.9") == whole, where
        if (out / "1.0").exists():
            assert snapshot(out / "1.0") == whole, where
        strays = [p.name for p in out.iterdir() if p.name not in ("0.9", "1.0")]
        assert all(name.startswith(".1.0.") and name.endswith(".partial") for name in strays), (where, strays)
        outcomes.append("killed" if code is None else f"exit {code}")
    assert outcomes.count("killed") >= 3, outcomes

    # The next release into the folder removes the partial folders killed ones left (and a made-up one).
    out = next((o for o in sorted(tmp_path.glob("releases-*")) if any(o.glob(".*.partial"))), tmp_path / "releases-0")
    (out / ".1.0.abandoned.partial").mkdir()
    (out / ".1.0.abandoned.partial" / "evgraph.trig").write_bytes(b"half")
    kept = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    run_to_end(["release", "--data", str(BASE), "--out", str(out), "--version", "1.1"], env)
    assert {p.name for p in out.iterdir()} == kept | {"1.1"}


# -- a full disk ---------------------------------------------------------------------------------------------


def no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_ingest_on_a_full_disk_changes_nothing_and_says_why(tmp_path, env, monkeypatch, failing):
    data = fresh_data(tmp_path / "data")
    before = snapshot(data)
    monkeypatch.setattr(os, failing, no_space)
    result = CliRunner().invoke(app, ["ingest", *map(str, BATCH), "--partner", "foundations", "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert "no space left on" in result.output.lower() and "nothing was changed" in result.output
    assert snapshot(data) == before  # not even the partner folder it made for the batch


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_export_on_a_full_disk_leaves_the_old_file_and_says_why(tmp_path, env, monkeypatch, failing):
    out = tmp_path / "out"
    out.mkdir()
    (out / "evgraph.trig").write_bytes(b"old")
    monkeypatch.setattr(os, failing, no_space)
    result = CliRunner().invoke(app, ["export", "--data", str(BASE), "--out", str(out / "evgraph.trig")])
    assert result.exit_code == 2, result.output
    assert "no space left on" in result.output.lower() and "unchanged" in result.output
    assert snapshot(out) == {"evgraph.trig": hashlib.sha256(b"old").hexdigest()}


@pytest.mark.parametrize("failing", ["fsync", "replace", "rename"])
def test_release_on_a_full_disk_leaves_nothing_and_says_why(tmp_path, env, monkeypatch, failing):
    out = tmp_path / "releases"
    (out / "0.9").mkdir(parents=True)
    (out / "0.9" / "SHA256SUMS").write_bytes(b"old")
    before = snapshot(out)
    monkeypatch.setattr(os, failing, no_space)
    result = CliRunner().invoke(app, ["release", "--data", str(BASE), "--out", str(out), "--version", "1.0"])
    assert result.exit_code == 2, result.output
    assert "Could not write the release" in result.output and "no space left on" in result.output.lower()
    assert "Free some space" in result.output
    assert snapshot(out) == before


@pytest.fixture
def full_disk(tmp_path):
    """A 1 MiB tmpfs mounted at tmp_path/disk, unmounted at the end; skipped where mounting is not permitted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("A real full disk needs root to mount a small tmpfs; the in-process ENOSPC tests cover this.")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"Mounting a tmpfs is not permitted here ({mounted.stderr.strip()}); the in-process ENOSPC"
                    " tests cover this.")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def fill(disk: Path) -> None:
    """Write a file until the disk is full."""
    descriptor = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    assert os.statvfs(disk).f_bavail == 0


def test_a_real_full_disk_leaves_data_exports_and_releases_intact(full_disk, tmp_path, env):
    data = fresh_data(full_disk / "data")
    (full_disk / "out").mkdir()
    (full_disk / "out" / "evgraph.trig").write_bytes(b"old")
    (full_disk / "releases" / "0.9").mkdir(parents=True)
    (full_disk / "releases" / "0.9" / "SHA256SUMS").write_bytes(b"old")
    fill(full_disk)
    before = snapshot(full_disk)
    runner = CliRunner()

    ingested = runner.invoke(app, ["ingest", *map(str, BATCH), "--partner", "foundations", "--data", str(data)])
    exported = runner.invoke(app, ["export", "--data", str(data), "--out", str(full_disk / "out" / "evgraph.trig")])
    released = runner.invoke(app, ["release", "--data", str(data), "--out", str(full_disk / "releases"),
                                   "--version", "1.0"])

    for result in (ingested, exported, released):
        assert result.exit_code == 2, result.output
        assert "no space left on" in result.output.lower(), result.output
        assert "Internal error" not in result.output
    assert snapshot(full_disk) == before


# -- two ingests at once ---------------------------------------------------------------------------------------


def test_a_second_ingest_is_refused_while_the_first_holds_the_lock(tmp_path, env):
    data = fresh_data(tmp_path / "data")
    first = subprocess.Popen([EVGRAPH, "ingest", *map(str, BATCH), "--partner", "foundations", "--data", str(data)],
                             env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while holder(data) != first.pid:
            assert first.poll() is None and time.monotonic() < deadline, "the first ingest never took the lock"
            time.sleep(0.02)
        first.send_signal(signal.SIGSTOP)  # hold it there, lock taken, however slow the second is to start
        try:
            second = subprocess.run([EVGRAPH, "ingest", *map(str, OTHER_BATCH), "--partner", "foundations",
                                     "--data", str(data)], env=env, capture_output=True, text=True, timeout=120)
        finally:
            first.send_signal(signal.SIGCONT)
        assert second.returncode == 2
        assert second.stderr.strip() == (f"Error: Another evgraph ingest is writing to {data} (pid {first.pid});"
                                         " try again when it has finished.")
        assert not (data / "partners" / "foundations" / "partner.trig").exists()
        assert first.wait(120) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)
    assert (data / "partners" / "foundations" / "good.trig").is_file()
    again = subprocess.run([EVGRAPH, "ingest", *map(str, OTHER_BATCH), "--partner", "foundations", "--data",
                            str(data)], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert holder(data) is None


def test_the_lock_names_its_holder_and_a_dry_run_does_not_wait_for_it(tmp_path, env):
    data = fresh_data(tmp_path / "data")
    runner = CliRunner()
    with folder_lock(data, "ingest"):
        assert holder(data) == os.getpid()
        refused = runner.invoke(app, ["ingest", *map(str, BATCH), "--partner", "foundations", "--data", str(data)])
        dry = runner.invoke(app, ["ingest", *map(str, BATCH), "--partner", "foundations", "--data", str(data),
                                  "--dry-run"])
    assert refused.exit_code == 2
    assert f"Another evgraph ingest is writing to {data} (pid {os.getpid()})" in refused.output
    assert dry.exit_code == 0, dry.output
    assert sorted(p.name for p in data.iterdir()) == ["base.ttl"]  # the lock adds no file to the folder
    assert holder(data) is None


def test_a_release_into_a_folder_another_release_is_writing_to_is_refused(tmp_path, env):
    from evgraph.linked.release import release
    from evgraph.store import load_store

    out = tmp_path / "releases"
    out.mkdir()
    with folder_lock(out, "release"), pytest.raises(Busy) as refused:
        release(load_store(data=BASE), out, "1.0")
    assert isinstance(refused.value, ConfigError) and refused.value.exit_code == 2
    assert str(refused.value) == (f"Another evgraph release is writing to {out} (pid {os.getpid()}); try again"
                                  " when it has finished.")
    assert list(out.iterdir()) == []
