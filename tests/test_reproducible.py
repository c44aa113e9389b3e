"""Same input, byte-identical output, whatever the hash seed: multi-valued facts are sorted, never picked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import fixture_data_dir


def _run(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "evgraph", *args], env=env, capture_output=True, check=True)
    return done.stdout


@pytest.mark.parametrize("args", [["why", "Example programme", "--format", "json"], ["audit", "--format", "json"]],
                         ids=["why", "audit"])
def test_json_is_byte_identical_across_hash_seeds(tmp_path, args):
    folder = fixture_data_dir(tmp_path, "catalogue")
    first, second = (_run([*args, "--data", str(folder)], seed) for seed in ("1", "2"))
    assert first == second
    assert first.startswith(b"[" if args[0] == "why" else b"{")
