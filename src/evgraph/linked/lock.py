"""Folder locks: one evgraph writer at a time on a data folder (ingest) or a releases folder (release).

The lock is ``flock(2)`` on the folder itself, opened read-only, rather than on a lock file: nothing is
added to the folder, so there is nothing for the loader to read, for git to commit or to clean up after a
crash, and the kernel drops the lock when its process ends, even by ``kill -9``. The second writer is
refused at once (exit 2) with the holder's process id, which Linux lists in ``/proc/locks``. Where the
platform has no ``fcntl`` (Windows) writers are not serialised.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from evgraph.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class Busy(ConfigError):
    """Another evgraph command is writing to this folder."""


@contextlib.contextmanager
def folder_lock(folder: Path, command: str) -> Iterator[None]:
    """Hold the exclusive lock on ``folder`` while the block runs; :class:`Busy` if another process holds it.

    :param command: the command taking the lock (``ingest``, ``release``), named in the refusal.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))  # not inherited (O_CLOEXEC)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = holder(folder)
            raise Busy(f"Another evgraph {command} is writing to {folder}{f' (pid {pid})' if pid else ''};"
                       " try again when it has finished.") from None
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


def holder(folder: Path) -> int | None:
    """The id of the process holding a ``flock`` on ``folder``, from ``/proc/locks``; None if none or unknown."""
    try:
        status = os.stat(folder)
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # A line reads "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2205281 0 EOF": device (hex major:minor) and inode.
    wanted = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}:{status.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":  # "->" marks a process waiting for it
            continue
        if fields[5] == wanted and fields[4].isdigit() and int(fields[4]) > 0:
            return int(fields[4])
    return None
