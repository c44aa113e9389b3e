"""How output leaves evgraph: files written so that a failure never leaves a half-written or clobbered file
behind, and text from the data made harmless to print or to put in a page.

Every file evgraph writes (``audit --out``, ``export --out``, ``diagram --out``, a release's files, an
ingested batch) goes through :func:`write_bytes_atomically`; every line of text the CLI prints goes through
:func:`printable`; HTML pages escape data with :func:`html_text` and link only what :func:`web_url` allows.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import html
import json
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

from evgraph.errors import ConfigError

#: Terminal escape sequences, 7-bit (``ESC``) and 8-bit (C1): CSI (``ESC [`` parameters, final byte); the
#: OSC, DCS, SOS, PM and APC strings, up to BEL, ST or the end of the line; and the other escapes (``ESC c``,
#: ``ESC ( B``…).
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?")
#: What is left to drop: C0 controls but tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Control characters a JSON encoder with ``ensure_ascii=False`` leaves raw: DEL and C1 (C0 it escapes itself).
_JSON_RAW_CONTROL = re.compile(r"[\x7f-\x9f]")


def printable(text: str) -> str:
    """Text with terminal escape sequences and control characters removed (tab and newline are kept), so data
    printed to a terminal cannot retitle it, clear it, recolour it, hide text or fake a link.

    >>> printable("Offer \\x1b]0;pwned\\x07mentoring\\x1b[2J\\x07 now")
    'Offer mentoring now'
    """
    if text.isprintable() or not _CONTROL.search(text):  # the usual case: nothing to do (every escape has one)
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def json_text(value: object) -> str:
    """``value`` as indented JSON and a newline: the exact data, every control character escaped (``\\u001b``),
    so it is safe to print and reads back the same."""
    return escape_c1(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def escape_c1(json_document: str) -> str:
    """JSON text with DEL and the C1 control characters, which JSON writers may leave raw, escaped (``\\u009b``);
    they can only occur inside strings, so the document reads back the same."""
    return _JSON_RAW_CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", json_document)


# -- HTML ----------------------------------------------------------------------------------------

#: A web address a page may link to: http or https, nothing Markdown or HTML would end it at.
_WEB_URL = re.compile(r"https?://[^\s<>\"'`\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)


def web_url(url: str) -> str | None:
    """``url`` when it is an http(s) address to link to; None for anything else (``javascript:``, ``data:``…)."""
    return url if _WEB_URL.fullmatch(url) else None


def html_text(value: object) -> str:
    """Data as HTML text: control characters dropped, ``<``, ``>``, ``&`` and quotes escaped."""
    return html.escape(printable(str(value)), quote=True)


def html_link(url: str) -> str:
    """An address as a link when it is an http(s) one, else as text (a ``javascript:`` source is never a link)."""
    text = html_text(url)
    return f"<a href='{text}' rel='noopener noreferrer'>{text}</a>" if web_url(url) else text


# -- files ----------------------------------------------------------------------------------------


def write_atomically(path: Path, text: str) -> None:
    """Write text (UTF-8) in place of ``path``, atomically: see :func:`write_bytes_atomically`."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, content: bytes) -> None:
    """Write bytes to a temporary file beside ``path``, flush them to disk, then rename it into place (and flush
    the folder).

    Only a regular file is ever replaced: a symbolic link (to anything), a device such as /dev/null, a
    directory or a pipe at ``path`` is refused and left as it is. An existing file keeps its mode (and, where
    the process may set them, its owner and group); a new one gets the mode ``open()`` would give it. Any
    failure (permission denied, a read-only folder, a full disk, Ctrl-C, SIGTERM or SIGHUP) leaves ``path``
    unchanged and no temporary file behind; a failed write is a :class:`WriteError` (a ``ConfigError``: exit 2)
    saying so in one line, a refused target a ``ConfigError``. Where Linux can link a nameless file
    (``O_TMPFILE``) into a folder, the temporary file has no name until it is complete, so even ``kill -9``
    leaves nothing behind; elsewhere it may leave a hidden ``.NAME.*.tmp``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    existing = _target(path)
    if not folder.is_dir():
        raise ConfigError(f"Cannot write {path}: the folder {folder} does not exist.")
    mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
    temporary: Path | None = None
    try:
        with _stopping_signals_raise():
            write = _write_anonymous if _anonymous_files(folder) else _write_named
            temporary = write(folder, path.name, content, mode, existing)
            os.replace(temporary, path)
            temporary = None
        _sync_folder(folder)
    except OSError as error:
        raise WriteError.of(path, error) from None
    except _Stopped as stopped:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
            temporary = None
        stopped.resume()
    finally:
        if temporary is not None:  # any other failure, KeyboardInterrupt included, before the rename
            temporary.unlink(missing_ok=True)


class WriteError(ConfigError, OSError):
    """A file could not be written, and was left as it was.

    Also an :class:`OSError` with the failure's ``errno`` and ``strerror``, so a caller that words its own
    message for a failed write (``export``, ``release``, ``ingest``) still catches it.
    """

    @classmethod
    def of(cls, path: Path, error: OSError) -> WriteError:
        """The error for ``path`` failing with ``error``, in one line: what, where, and that nothing changed."""
        failed = cls(f"Cannot write {path}: {_reason(error)}; it was left unchanged.")
        failed.errno, failed.strerror, failed.filename = error.errno, error.strerror, str(path)
        return failed


def _target(path: Path) -> os.stat_result | None:
    """The status of the file ``path`` names (None when there is none yet); refuse anything but a regular file."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"Cannot write {path}: {_reason(error)}.") from None
    if stat.S_ISLNK(found.st_mode):
        what = "a symbolic link"
    elif stat.S_ISDIR(found.st_mode):
        what = "a directory"
    elif stat.S_ISCHR(found.st_mode) or stat.S_ISBLK(found.st_mode):
        what = "a device"
    elif not stat.S_ISREG(found.st_mode):
        what = "not a regular file"
    else:
        return found
    raise ConfigError(f"Refusing to write {path}: it is {what}, and evgraph only replaces regular files.",
                      hint="Give the path of a new or existing regular file.")


# -- the temporary file ---------------------------------------------------------------------------

#: Whether a nameless file can be made and linked into a folder, by device (probed once per process).
_ANONYMOUS: dict[int, bool] = {}
#: Errors that say the system or file system cannot do it (as opposed to "not here, not now": EACCES, EROFS).
_CANNOT = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.EXDEV, errno.EPERM, errno.ENOENT, errno.ENOSYS}


def _anonymous_files(folder: Path) -> bool:
    """True when ``O_TMPFILE`` files can be made in ``folder`` and linked in through ``/proc/self/fd`` (Linux;
    not in every sandbox). Probed with an empty file, once per device."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return False
    if device not in _ANONYMOUS:
        try:
            handle = os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                probe = folder / _temporary_name("probe")
                os.link(f"/proc/self/fd/{handle}", probe)
                os.unlink(probe)
            finally:
                os.close(handle)
        except OSError as error:
            if error.errno not in _CANNOT:
                return False  # this folder refuses for now (read-only, permission): the write will say so
            _ANONYMOUS[device] = False
        else:
            _ANONYMOUS[device] = True
    return _ANONYMOUS[device]


def _write_anonymous(folder: Path, name: str, content: bytes, mode: int, existing: os.stat_result | None) -> Path:
    """Write ``content`` to a nameless file in ``folder`` (``O_TMPFILE``), then give it a temporary name beside
    the target: until that moment, a crash or a kill leaves nothing behind."""
    handle = os.open(folder, os.O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        _fill(handle, content, mode, existing)
        for _ in range(100):
            temporary = folder / _temporary_name(name)
            try:
                os.link(f"/proc/self/fd/{handle}", temporary)
                return temporary
            except FileExistsError:
                continue
        raise FileExistsError(errno.EEXIST, "no free temporary name")
    finally:
        os.close(handle)


def _write_named(folder: Path, name: str, content: bytes, mode: int, existing: os.stat_result | None) -> Path:
    """Write ``content`` to a new temporary file beside the target (where there are no nameless files)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    _remove_abandoned(folder, name)
    for _ in range(100):
        temporary = folder / _temporary_name(name)
        try:
            handle = os.open(temporary, flags, 0o600)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name")
    try:
        try:
            _fill(handle, content, mode, existing)
        finally:
            os.close(handle)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _fill(handle: int, content: bytes, mode: int, existing: os.stat_result | None) -> None:
    """Write every byte, set the mode (and the owner an existing file had, when allowed), and fsync."""
    view = memoryview(content)
    while view:
        written = os.write(handle, view)
        view = view[written:]
    if existing is not None and hasattr(os, "fchown"):
        try:
            os.fchown(handle, existing.st_uid, existing.st_gid)
        except OSError:  # only root may give a file away; the mode is kept all the same
            pass
    if hasattr(os, "fchmod"):  # after fchown, which clears setuid and setgid bits
        os.fchmod(handle, mode)
    os.fsync(handle)


def _temporary_name(name: str) -> str:
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _remove_abandoned(folder: Path, name: str) -> None:
    """Remove the temporary files a writer of ``name`` that no longer runs (killed with SIGKILL, say) left behind;
    a running writer's file is left alone."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp")
    for candidate in folder.glob(f".{glob.escape(name)}.*.tmp"):
        found = pattern.fullmatch(candidate.name)
        if found and not running(int(found.group(1))):
            candidate.unlink(missing_ok=True)


def running(pid: int) -> bool:
    """Whether a process with this id is running (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class _Stopped(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written."""

    def __init__(self, number: int):
        super().__init__(number)
        self.number = number

    def resume(self) -> None:
        """End the process as the signal would have, now that the temporary file is gone."""
        signal.signal(self.number, signal.SIG_DFL)
        os.kill(os.getpid(), self.number)
        raise SystemExit(128 + self.number)  # only if the signal did not end the process


@contextlib.contextmanager
def _stopping_signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP (where they would end the process outright) raise
    :class:`_Stopped`, so the temporary file is removed first. Only the main thread can take signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def stop(number, frame):
        raise _Stopped(number)

    for number in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk (POSIX): fsync the folder. Some file systems cannot; the file is in place."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "no space left on the device"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror.lower() if error.strerror else str(error)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
