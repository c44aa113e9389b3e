"""Progress bars: on a terminal only, never in JSON output or when piped, and only for work past a second."""

from __future__ import annotations

import io
import sys

from evgraph.cli import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_piped_or_for_json(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert not progress.shown()
    with progress.progress_bar("Loading", "bytes") as update:
        assert update is None
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert progress.shown() and not progress.shown(json_output=True)
    with progress.progress_bar("Loading", "bytes", json_output=True) as update:
        assert update is None


def test_a_bar_with_counts_appears_once_the_work_takes_a_second(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", terminal)
    clock = iter([0.0, 0.5, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    with progress.progress_bar("Writing", "triples") as update:
        update(10, 100)
        assert terminal.getvalue() == ""  # half a second in: nothing drawn
        update(50, 100)
        update(100, 100)
    drawn = terminal.getvalue()
    assert "Writing" in drawn and "100/100" in drawn and "triples" in drawn
