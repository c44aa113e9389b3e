"""Progress bars for long work, on a terminal only: never in JSON output, never when stdout or stderr is piped.

Library functions take a ``progress(done, total)`` callback; :func:`progress_bar` gives one. The bar
appears only once the work has taken :data:`DELAY_S` seconds, so quick commands print nothing extra.
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Callable, Iterator

#: Work that finishes sooner shows no bar.
DELAY_S = 1.0

Progress = Callable[[int, int], None]


def shown(json_output: bool = False) -> bool:
    """Whether a bar may be drawn: both stdout and stderr are terminals and the output is not JSON."""
    return not json_output and sys.stdout.isatty() and sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(description: str, unit: str, json_output: bool = False) -> Iterator[Progress | None]:
    """A ``progress(done, total)`` callback drawing a rich bar with counts of ``unit`` (``bytes`` shown as MB) on
    stderr; None when no bar may be shown."""
    if not shown(json_output):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar

    counts = [DownloadColumn()] if unit == "bytes" else [MofNCompleteColumn(), TextColumn(unit)]

    started = time.monotonic()
    bar: Bar | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if time.monotonic() - started < DELAY_S:
                return
            bar = Bar(TextColumn(description), BarColumn(), *counts, TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()
