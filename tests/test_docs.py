"""The README cannot drift from the code: its commands are the ones CI runs and its answers are real."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

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


def _lineage_examples() -> list[tuple[str, str]]:
    section = README.split("## Lineage and what-if", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n\$ evgraph ([^\n]+)\n(.*?)```", section, re.S)


@pytest.mark.parametrize("command, shown", _lineage_examples(), ids=lambda value: value.split("\n")[0][:40])
def test_readme_lineage_answers_match_the_real_output(command, shown):
    result = CliRunner().invoke(app, shlex.split(command))
    assert result.exit_code == 0, result.output
    real = result.output.splitlines()
    for line in shown.splitlines():
        if "…" not in line:
            assert line in real, f"README line no longer printed by `evgraph {command}`: {line}"


def test_readme_diagram_is_the_one_the_command_draws():
    shown = re.search(r"```mermaid\n(.*?)```", README, re.S).group(1)
    result = CliRunner().invoke(app, ["diagram", "rec:mb-mental-health-skills-and-mentoring", "--format", "mermaid"])
    assert result.output == shown
