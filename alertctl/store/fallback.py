"""Keeping `watch` recording while its database file cannot be written.

A full disk or a file system remounted read-only is exactly when a server needs
watching. When a write fails for such a reason, `watch` copies the database
into memory (reading still works), goes on recording and notifying there, and
tries the file again every cycle; once a write goes through, the copy is written
back whole and the file is used again. Only `watch` does this: a cron `check`
that cannot write answers UNKNOWN instead, so that Nagios or cron's mail says so.

Metric history stays on disk (it would cost as much memory as the file): the copy
leaves it out, and the samples taken meanwhile wait in a bounded buffer, written to
the history when the copy is written back; the oldest are dropped beyond it.
"""

from __future__ import annotations

import os
import sqlite3
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from alertctl import reported
from alertctl.errors import StoreError
from alertctl.model import Sample
from alertctl.store import history
from alertctl.store.copy import copy_without_history, write_back
from alertctl.store.db import cannot_write, open_copy, open_database, transaction

__all__ = ["MemoryFallback", "cannot_write", "open_or_keep_in_memory"]

SAMPLE_BUFFER_CYCLES = 360
"""Cycles of samples kept for the history while the file refuses writes: an hour at 10s."""


def open_or_keep_in_memory(path: Path) -> MemoryFallback:
    """`watch`'s way in: the file when it takes writes, else a copy of it (or a new database) in
    memory until it does. A foreign or corrupt file is still refused, never replaced."""
    try:
        return MemoryFallback(open_database(path), path)
    except StoreError as error:
        if not error.refuses_writes:
            raise
        fallback = MemoryFallback(None, path)
        fallback.start_in_memory(error)
        return fallback


class MemoryFallback:
    """The connection a `watch` writes through: the file's, or while it refuses writes, a copy's."""

    def __init__(
        self,
        disk: sqlite3.Connection | None,
        path: Path,
        sample_buffer: int = SAMPLE_BUFFER_CYCLES,
    ) -> None:
        self.disk = disk
        self.path = path
        self.where = str(path)
        self.memory: sqlite3.Connection | None = None
        self.cycles_kept = 0
        self._disk_version: int | None = None
        """`data_version` when the file was last compared; None when there was no open file to ask."""
        self._operator_baseline: OperatorState = {}
        """Operator fields as the file held them when last compared: only what differs since is theirs."""
        self._started_empty = False
        self.samples: deque[tuple[float, Sequence[Sample], history.Retention]] = deque(maxlen=sample_buffer)
        """Recent cycles' samples (with the retention then in force), for the history once the file
        takes writes again."""
        self.samples_dropped = 0

    def keep_samples(self, at: float, samples: Sequence[Sample], keep: history.Retention) -> None:
        """One cycle's samples, while recording in memory; the oldest cycle goes when the buffer is full."""
        if len(self.samples) == self.samples.maxlen:
            self.samples_dropped += 1
        self.samples.append((at, samples, keep))

    @property
    def engaged(self) -> bool:
        return self.memory is not None

    @property
    def conn(self) -> sqlite3.Connection:
        found = self.memory or self.disk
        assert found is not None
        return found

    def start_in_memory(self, error: StoreError) -> None:
        """The file could not even be opened for writing: begin from a copy, or from nothing."""
        self._started_empty = not self.path.exists()
        self.memory = open_database(":memory:") if self._started_empty else open_copy(self.path)
        self._operator_baseline = _operator_state(self.memory)
        reported.logger(__name__).warning(
            f"{error}: keeping alerts in memory, still notifying, and writing them to the file as soon "
            "as it accepts writes"
        )

    def engage(self, error: BaseException) -> None:
        """Copy the file into memory and carry on there; said once per outage."""
        assert self.disk is not None
        memory = sqlite3.connect(":memory:", isolation_level=None)
        memory.row_factory = sqlite3.Row
        copy_without_history(self.disk, memory)
        self._disk_version = _data_version(self.disk)
        self._operator_baseline = _operator_state(self.disk)
        self.memory = memory
        self.cycles_kept = 0
        reported.logger(__name__).warning(
            f"database {self.where} cannot be written ({error}): keeping alerts in memory, still "
            "notifying, and writing them to the file as soon as it accepts writes again"
        )

    def try_catch_up(self) -> bool:
        """Write the copy back if the file takes it; True once the file is in use again."""
        if self.memory is None:
            return True
        try:
            disk = self.disk or open_database(self.path)
            self.disk = disk
            if self._started_empty and disk.execute("SELECT 1 FROM alerts LIMIT 1").fetchone():
                with transaction(disk):
                    self._write_samples(disk)  # history only adds: the samples can still go in
                reported.logger(__name__).warning(
                    f"database {self.where} was created by another process meanwhile: using it; "
                    f"the {self.cycles_kept} cycles kept in memory are not written over it"
                )
            else:
                self._take_operator_changes(disk)
                if not _room_for(self.memory, self.path):
                    return False
                with transaction(disk):
                    write_back(self.memory, disk)
                    self._write_samples(disk)
                disk.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy went through the log: give it back
                reported.logger(__name__).warning(
                    f"database {self.where} accepts writes again: "
                    f"{self.cycles_kept} cycles kept in memory written{self._samples_said()}"
                )
        except StoreError as error:
            if error.refuses_writes:
                return False
            raise
        except sqlite3.Error as error:
            if cannot_write(error):
                _shrink_log(self.disk)
                return False
            raise
        self.memory.close()
        self.memory = None
        self._started_empty = False
        self.samples.clear()
        self.samples_dropped = 0
        return True

    def _write_samples(self, disk: sqlite3.Connection) -> None:
        for at, samples, keep in self.samples:
            history.record(disk, samples, at, keep)

    def _samples_said(self) -> str:
        if not self.samples_dropped:
            return ""
        return (
            f"; the metric history misses the {self.samples_dropped} oldest cycles' samples "
            f"(only the last {self.samples.maxlen} are kept in memory)"
        )

    def _take_operator_changes(self, disk: sqlite3.Connection) -> None:
        """Carry over what operators wrote to the file since it was last compared (an ack's small
        write can fit where a cycle's did not); each change once, so a later comparison never
        re-imposes what the cycles in memory have since moved on from."""
        version = _data_version(disk)
        if version == self._disk_version:
            return
        assert self.memory is not None
        now_on_disk = _operator_state(disk)
        changed = {
            alert_id: row for alert_id, row in now_on_disk.items() if self._operator_baseline.get(alert_id) != row
        }
        _apply(self.memory, disk, changed)
        self._operator_baseline, self._disk_version = now_on_disk, version

    def stop(self) -> None:
        """`watch` is ending: one last try to write the copy back, and say what is lost if it cannot."""
        if self.memory is not None and not self.try_catch_up():
            reported.logger(__name__).warning(
                f"database {self.where} still cannot be written: the {self.cycles_kept} cycles kept in "
                "memory are lost (the alerts still open will be found again by the next run)"
            )


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection commits to the file (an operator's ack during the outage)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


_OPERATOR_FIELDS = (
    "status",
    "acked_at",
    "acked_by",
    "ack_note",
    "suppressed_until",
    "suppress_reason",
    "resolution",
    "resolved_at",
    "resolve_note",
)


OperatorState = dict[int, tuple[object, ...]]
"""Per alert id: its rule and series (what it is) and its operator fields (what was done to it)."""


def _operator_state(conn: sqlite3.Connection) -> OperatorState:
    columns = ", ".join(("rule", "series", *_OPERATOR_FIELDS))
    return {row[0]: tuple(row[1:]) for row in conn.execute(f"SELECT id, {columns} FROM alerts")}


def _apply(memory: sqlite3.Connection, disk: sqlite3.Connection, changed: OperatorState) -> None:
    """Acks, suppressions and manual resolves onto the same alert (same id, rule and series) while
    it is open in memory; and every silence, created or lifted."""
    assignments = ", ".join(f"{field} = ?" for field in _OPERATOR_FIELDS)
    with transaction(memory):
        for alert_id, (rule, series, *fields) in changed.items():
            memory.execute(
                f"UPDATE alerts SET {assignments} WHERE id = ? AND rule = ? AND series = ? AND status != 'resolved'",
                (*fields, alert_id, rule, series),
            )
        for silence in disk.execute("SELECT * FROM silences").fetchall():
            names = silence.keys()
            memory.execute(
                f"INSERT INTO silences ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                "ON CONFLICT(id) DO UPDATE SET lifted_at = excluded.lifted_at",
                tuple(silence),
            )


def _room_for(memory: sqlite3.Connection, path: Path) -> bool:
    """Whether the file system has room for the whole copy (in the log, then whatever the file
    grows by): a write-back that fails halfway would first take every byte an administrator just
    freed and keep the disk full."""
    pages, page_size = (memory.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    size = pages * page_size
    try:
        found = os.statvfs(path.parent)
        growth = max(size - path.stat().st_size, 0)
    except OSError:
        return True  # cannot tell: let SQLite try
    return bool(found.f_bavail * found.f_frsize >= size + growth)


def _shrink_log(disk: sqlite3.Connection | None) -> None:
    """After a failed write-back, hand the space its log took back to the file system."""
    if disk is None:
        return
    try:
        disk.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # the next attempt tries again
