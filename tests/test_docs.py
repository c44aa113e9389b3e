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


def test_the_performance_table_quotes_the_committed_benchmark_results():
    """Every time in the README's table of 1M-triple figures is one the results file it names gives at 1M."""
    import json

    section = README.split("## Performance\n", 1)[1].split("\n## ", 1)[0]
    results = re.search(r"`(benchmarks/results/scale-[0-9-]+)\.md`", section).group(1)
    report = json.loads((ROOT / f"{results}.json").read_text(encoding="utf-8"))
    largest = max(report["runs"], key=lambda run: run["scale"])
    measured = [row["evgraph_s"] for row in largest["rows"]]
    measured += [row["baseline_s"] for row in largest["rows"] if isinstance(row["baseline_s"], float)]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| "))
    quoted = re.findall(r"(\d+(?:\.\d+)?) (ms|s)\b", table)
    assert len(quoted) >= 15

    def shown(value: float, figure: str, unit: str) -> bool:
        return f"{value * (1000 if unit == 'ms' else 1):.{len(figure.partition('.')[2])}f}" == figure

    for figure, unit in quoted:
        if (figure, unit) == ("30", "s"):  # "> 30 s": the cap the baselines were stopped at
            assert "--cap 30" in report["command"]
        else:
            assert any(shown(value, figure, unit) for value in measured), f"{figure} {unit} is not in {results}.json"
