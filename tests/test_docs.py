"""The README cannot drift from the code: its commands are the ones CI runs and its answers are real."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from evgraph.cli import app, commands_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    block = re.search(r"## Quick start\n\n```sh\n(.*?)```", README, re.S).group(1)
    return block.strip().splitlines()


def test_quick_start_is_two_commands_and_ci_runs_the_test_one():
    install, test = _quick_start()
    assert "pip install -e '.[test]'" in install and "evgraph validate" in install
    assert test == ".venv/bin/pytest -q"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install --quiet -e '.[test]'" in ci
    assert ci.strip().splitlines()[-1] == test


def test_readme_why_answer_matches_the_real_output():
    shown = re.search(r"\$ evgraph why (\S+)\n(.*?)```", README, re.S)
    result = CliRunner().invoke(app, ["why", shown.group(1)])
    assert result.exit_code == 0
    real = result.output.splitlines()
    for line in shown.group(2).splitlines():
        if "…" not in line:
            assert line in real, f"README line no longer printed by `evgraph why`: {line}"


def test_the_readme_command_table_is_the_one_the_cli_generates():
    shown = re.search(r"<!-- commands:[^\n]*-->\n(.*?)<!-- end commands -->", README, re.S).group(1)
    assert shown == commands_markdown(), (
        "Regenerate the README's command table: python -c 'from evgraph.cli import commands_markdown;"
        " print(commands_markdown(), end=\"\")'")
    for command in app.registered_commands:
        assert f"`evgraph {command.name}" in shown
