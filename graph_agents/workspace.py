"""The workspace on disk: thread ids as file names, one process per thread, and checks that the
workspace, the output directory and the SQLite files in them are usable before any work starts."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import Iterator

from .errors import InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: threads are not locked
    fcntl = None  # type: ignore[assignment]

# Thread ids name files (runs/<id>.json, results/<id>/, locks/<id>.lock), result collections
# and catalog keys as they are: only characters every one of those keeps, so two ids never map
# to one name ("x:1", "x_1" and "x@1" would all become "x_1" if ':' and '@' were allowed).
_THREAD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
BUSY_TIMEOUT_S = 2.0  # how long a start waits for a SQLite file another process holds locked
_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_thread_id(thread_id: str) -> str:
    if not isinstance(thread_id, str) or not _THREAD_ID.match(thread_id):
        raise InputError(
            f"invalid thread id {thread_id!r}: use letters, digits, '_' and '-' "
            "(at most 128, starting with a letter or digit)"
        )
    return thread_id


def check_same_case(directory: Path, name: str, what: str) -> None:
    """Refuse ``name`` when ``directory`` holds one that differs only in case: on a
    case-insensitive file system (macOS, Windows) the two would be one file."""
    if not directory.is_dir():
        return
    for entry in os.listdir(directory):
        if entry != name and entry.casefold() == name.casefold():
            raise InputError(f"{what} differs only in case from the existing {entry!r} in {directory}")


class ThreadBusy(InputError):
    """Another process (or another run in this one) has the thread."""


@contextlib.contextmanager
def thread_lock(workspace: Path, thread_id: str) -> Iterator[None]:
    """Hold ``<workspace>/locks/<thread id>.lock`` (an flock) while a run works on the thread; a
    second run on it is refused at once, naming the holder."""
    if fcntl is None:
        yield
        return
    path = workspace / "locks" / f"{thread_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise ThreadBusy(
            f"thread {thread_id} is being run by another process (pid {holder}) in {workspace}: "
            "wait for it to finish, or use another --thread-id"
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _probe_directory(path: Path, what: str) -> None:
    """Create ``path`` if needed and write a file in it: permissions as the OS sees them (root
    writes into a mode-555 directory; a read-only mount refuses everyone)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-"):
            pass
    except FileExistsError:
        raise InputError(f"{what} {path} exists and is not a directory") from None
    except OSError as exc:
        raise InputError(f"{what} {path} is not writable ({exc.strerror or exc})") from None


def check_workspace(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise InputError(f"workspace {path} (--workspace or GRAPH_AGENTS_HOME) is not a directory")
    _probe_directory(path, "workspace")


def check_output(path: Path) -> None:
    """``--output`` can take run.json and reports/, checked before any analysis runs."""
    resolved = path.expanduser().resolve()
    if resolved == Path(resolved.anchor):
        raise InputError(f"output {path} is the file system root: give a directory for run.json and reports/")
    if resolved.exists() and not resolved.is_dir():
        raise InputError(f"output {path} exists and is not a directory")
    for name in ("run.json", "reports", "trace"):
        inner = resolved / name
        if name == "run.json" and inner.is_dir() or name != "run.json" and inner.exists() and not inner.is_dir():
            raise InputError(f"output {path}: {inner} is in the way (wrong kind of file)")
    _probe_directory(resolved, "output")


def check_database(path: Path, what: str) -> None:
    """A SQLite file that is corrupt, truncated or locked fails now, naming the file, instead of
    midway through a run (or after SQLite's default busy wait)."""
    if not path.exists():
        return
    hint = "move it away to start afresh"
    if not path.is_file():
        raise InputError(f"{what} {path} is not a file")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{what} {path} cannot be read ({exc.strerror or exc})") from None
    if not header:
        return  # an empty file is a new database to SQLite
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise InputError(f"{what} {path} is not a SQLite database: {hint}")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", header[28:32])[0]
    if pages and page_size * pages > size:
        raise InputError(f"{what} {path} is truncated ({size} of {page_size * pages} bytes): {hint}")
    conn = None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("BEGIN IMMEDIATE")  # a writer's lock: what a run needs
        conn.rollback()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise InputError(f"{what} {path} is locked by another process (waited {BUSY_TIMEOUT_S:.0f} s)") from None
        raise InputError(f"{what} {path} cannot be used ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{what} {path} is corrupt ({exc}): {hint}") from None
    finally:
        if conn is not None:
            conn.close()
