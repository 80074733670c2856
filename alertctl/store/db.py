"""Opening the database: private file, WAL, busy timeout, migrations.

Several processes share one file (a `watch`, cron `check`s, an operator's
`ack`): WAL lets readers go on while one writes, and every write happens in a
`BEGIN IMMEDIATE` transaction that waits its turn instead of failing.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alertctl import reported
from alertctl.errors import StoreError
from alertctl.private import make_folders
from alertctl.store.migrations import LEDGER, MIGRATIONS, Migration, apply, name_of

BUSY_TIMEOUT_MS = 60_000
_CANNOT_WRITE = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN")
"""Error families that mean "this file cannot take writes now", as opposed to a bug or a lock."""
_UNWRITABLE_FOLDER = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT)
_NUMBERED = re.compile(r"m(\d+)_")


def open_database(path: Path | str) -> sqlite3.Connection:
    """A ready connection to `path`, created 0600 (with its missing folders, 0700) on first use."""
    where = str(path)
    if where != ":memory:":
        _create_private(Path(path))
    try:
        conn = sqlite3.connect(where, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        _retry_busy(lambda: conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"))
        _refuse_foreign(conn, where)  # before WAL: switching it rewrites the file's header
        _retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn, where)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{where}: cannot use the database: {error}", cannot_write(error)) from None
    return conn


def cannot_write(error: BaseException) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return isinstance(error, sqlite3.Error) and name.startswith(_CANNOT_WRITE)


def open_copy(path: Path) -> sqlite3.Connection:
    """An in-memory copy of a file that cannot be opened for writing (a read-only file system),
    its metric history left on disk.

    Read-only first, which reads the write-ahead log too. Where SQLite cannot create the log's
    shared-memory file beside it, `immutable` reads the main file alone: commits still in the
    log (one left by a crash) are then missing, which is said.
    """
    memory = sqlite3.connect(":memory:", isolation_level=None)
    memory.row_factory = sqlite3.Row
    try:
        try:
            _copy(path, "mode=ro", memory)
        except sqlite3.OperationalError:
            _copy(path, "mode=ro&immutable=1", memory)
            if _size(Path(f"{path}-wal")):
                reported.logger(__name__).warning(
                    f"{path}: read without its write-ahead log ({path}-wal), which SQLite cannot open here: "
                    "the last changes before the file system turned read-only may be missing"
                )
        _refuse_foreign(memory, str(path))
        _migrate(memory, str(path))
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot use the database: {error}") from None
    return memory


def _copy(path: Path, query: str, memory: sqlite3.Connection) -> None:
    from alertctl.store.copy import copy_without_history

    source = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
    try:
        copy_without_history(source, memory)
    finally:
        source.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _create_private(path: Path) -> None:
    """Create the file 0600 if it is missing, where a symlink points too (SQLite would create
    a dangling link's target with the umask's mode); never open an existing one outside SQLite.

    Closing any descriptor of a file drops every POSIX lock this process holds on it, so
    an open-and-close here while another connection of this process (the delivery thread's
    sibling) is using the database would silently drop that connection's locks: another
    process could then take the file for unused and reset its write-ahead log under it.
    """
    target = Path(os.path.realpath(path))  # through a symlink, even one whose target is missing yet
    try:
        make_folders(target.parent)
        if not target.exists():
            _create_new(target)
    except OSError as error:
        raise StoreError(
            f"{path}: cannot create the database: {error.strerror}", error.errno in _UNWRITABLE_FOLDER
        ) from None


def _create_new(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # a concurrent first run created it a moment ago


def _retry_busy(action) -> None:  # type: ignore[no-untyped-def]
    """Switching to WAL can report 'locked' without waiting on the busy handler; wait here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _refuse_foreign(conn: sqlite3.Connection, where: str) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and LEDGER not in tables:
        raise StoreError(f"{where}: not an alertctl database (it has other tables); refusing to touch it")


def _migrate(conn: sqlite3.Connection, where: str) -> None:
    """Apply the migrations the file lacks, in order, each in its own transaction (another
    process opening the file meanwhile waits, then finds them done)."""
    applied = _applied(conn)
    _refuse_newer(applied, where)
    for step in MIGRATIONS:
        if name_of(step) not in applied:
            with transaction(conn):
                _apply_once(conn, where, step)


def _apply_once(conn: sqlite3.Connection, where: str, step: Migration) -> None:
    """Under the write lock, what another process may have done since the file was first read is checked again."""
    _refuse_foreign(conn, where)
    done = _applied(conn)
    _refuse_newer(done, where)
    if name_of(step) not in done:
        apply(conn, step)


def _refuse_newer(applied: set[str], where: str) -> None:
    """A file a newer alertctl migrated holds tables and meanings this one does not know:
    writing to it could break it for that version, so it is left alone (an older one migrates)."""
    unknown = applied - {name_of(step) for step in MIGRATIONS}
    if unknown:
        theirs, ours = _version(unknown), _version(name_of(step) for step in MIGRATIONS)
        raise StoreError(
            f"{where}: schema version {theirs} is newer than this alertctl's ({ours}); "
            "refusing to use it: upgrade alertctl, or point --db at another file"
        )


def _version(names: Iterable[str]) -> int:
    """`m007_topic` -> 7: migrations are numbered in the order they were added."""
    return max((int(match.group(1)) for name in names if (match := _NUMBERED.match(name))), default=0)


def _applied(conn: sqlite3.Connection) -> set[str]:
    try:
        return {row[0] for row in conn.execute(f"SELECT name FROM {LEDGER}")}
    except sqlite3.OperationalError:
        return set()


@contextmanager
def transaction(conn: sqlite3.Connection, commit: bool = True) -> Iterator[sqlite3.Connection]:
    """One write transaction that takes the write lock up front, so it never fails half-way.

    `commit=False` rolls everything back at the end: how `check --dry-run` writes nothing.
    """
    _retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT" if commit else "ROLLBACK")
