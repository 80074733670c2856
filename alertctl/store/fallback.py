"""Keeping `watch` recording while its database file cannot be written.

A full disk or a file system remounted read-only is exactly when a server needs
watching. When a write fails for such a reason, `watch` copies the database
into memory (reading still works), goes on recording and notifying there, and
tries the file again every cycle; once a write goes through, the copy is written
back whole and the file is used again. Only `watch` does this: a cron `check`
that cannot write answers UNKNOWN instead, so that Nagios or cron's mail says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from alertctl.store.db import transaction

_CANNOT_WRITE = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN")
"""Error families that mean "this file cannot take writes now", as opposed to a bug or a lock."""


def cannot_write(error: BaseException) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return isinstance(error, sqlite3.Error) and name.startswith(_CANNOT_WRITE)


class MemoryFallback:
    """The connection a `watch` writes through: the file's, or while it refuses writes, a copy's."""

    def __init__(self, disk: sqlite3.Connection, where: str, say: Callable[[str], None]) -> None:
        self.disk = disk
        self.where = where
        self.say = say
        self.memory: sqlite3.Connection | None = None
        self.cycles_kept = 0
        self._disk_version = 0

    @property
    def engaged(self) -> bool:
        return self.memory is not None

    @property
    def conn(self) -> sqlite3.Connection:
        return self.memory or self.disk

    def engage(self, error: BaseException) -> sqlite3.Connection:
        """Copy the file into memory and carry on there; said once per outage."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.row_factory = sqlite3.Row
        self.disk.backup(memory)
        self._disk_version = _data_version(self.disk)
        self.memory = memory
        self.cycles_kept = 0
        self.say(
            f"database {self.where} cannot be written ({error}): keeping alerts in memory, still "
            "notifying, and writing them to the file as soon as it accepts writes again"
        )
        return memory

    def try_catch_up(self) -> bool:
        """Write the copy back if the file takes it; True once the file is in use again."""
        if self.memory is None:
            return True
        try:
            if _data_version(self.disk) != self._disk_version:
                _take_operator_changes(self.disk, self.memory)
            self.memory.backup(self.disk)
        except sqlite3.Error as error:
            if cannot_write(error):
                return False
            raise
        self.say(f"database {self.where} accepts writes again: {self.cycles_kept} cycles kept in memory written")
        self.memory.close()
        self.memory = None
        return True


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection commits to the file (an operator's ack during the outage)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


_OPERATOR_FIELDS = (
    "status", "acked_at", "acked_by", "ack_note", "suppressed_until", "suppress_reason",
    "resolution", "resolved_at", "resolve_note",
)


def _take_operator_changes(disk: sqlite3.Connection, memory: sqlite3.Connection) -> None:
    """Someone wrote to the file while the copy was in use (an operator's small write can fit
    where a cycle's did not): keep their acks, suppressions, manual resolves and silences."""
    columns = ", ".join(_OPERATOR_FIELDS)
    operator_alerts = disk.execute(
        f"SELECT id, {columns} FROM alerts WHERE acked_at IS NOT NULL OR suppressed_until IS NOT NULL "
        "OR resolution = 'manual'"
    ).fetchall()
    assignments = ", ".join(f"{field} = ?" for field in _OPERATOR_FIELDS)
    with transaction(memory):
        for row in operator_alerts:
            memory.execute(
                f"UPDATE alerts SET {assignments} WHERE id = ? AND status != 'resolved' "
                "AND (acked_at IS NOT ? OR suppressed_until IS NOT ? OR resolution IS NOT ?)",
                (*(row[field] for field in _OPERATOR_FIELDS), row["id"],
                 row["acked_at"], row["suppressed_until"], row["resolution"]),
            )
        for silence in disk.execute("SELECT * FROM silences").fetchall():
            names = silence.keys()
            memory.execute(
                f"INSERT INTO silences ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                "ON CONFLICT(id) DO UPDATE SET lifted_at = excluded.lifted_at",
                tuple(silence),
            )
