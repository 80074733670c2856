"""Where a cycle writes: the file's connection, or while the file refuses writes, an in-memory copy.

The cycle (`loop.Runner`) hands its work to `Writer.write`, which runs it in one
transaction on the connection in use, switching to `watch`'s in-memory copy when the
file cannot be written and back when it can (`store/fallback.py`), and which, first
under the same lock, follows a step of the wall clock seen since the last cycle.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from alertctl import clock, reported
from alertctl.config.runtime import History
from alertctl.model import Sample
from alertctl.store import state, timeshift
from alertctl.store.db import cannot_write, transaction

if TYPE_CHECKING:
    from alertctl.store.fallback import MemoryFallback  # `watch` only: a `check` never records in memory

T = TypeVar("T")

_LAST_READING = "clock"


class Writer:
    """Holds the connection a process writes through, the fallback behind it, and whether to commit."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        fallback: MemoryFallback | None = None,
        dry_run: bool = False,
    ) -> None:
        self._conn = conn
        self.fallback = fallback
        self.dry_run = dry_run
        """Roll every transaction back: how `check --dry-run` writes nothing."""

    @property
    def conn(self) -> sqlite3.Connection:
        """The file's connection, or while it refuses writes (`watch` only), the in-memory copy's."""
        return self.fallback.conn if self.fallback is not None else self._conn

    @property
    def in_memory(self) -> bool:
        """Whether the cycle writes to the in-memory copy because the file refuses writes."""
        return self.fallback is not None and self.fallback.engaged

    def write(self, record: Callable[[sqlite3.Connection], T], instant: clock.Instant | None) -> tuple[T, float]:
        """`record` in one transaction, on the file; in memory while the file refuses writes (`watch`
        only). Returns what it returned and how long the write lock was held."""
        if self.fallback is None:
            return self._write_on(self.conn, record, instant)
        if self.fallback.try_catch_up():
            try:
                return self._write_on(self.conn, record, instant)
            except sqlite3.Error as error:
                if not cannot_write(error):
                    raise
                self.fallback.engage(error)
        self.fallback.cycles_kept += 1
        return self._write_on(self.fallback.conn, record, instant)

    def _write_on(
        self, conn: sqlite3.Connection, record: Callable[[sqlite3.Connection], T], instant: clock.Instant | None
    ) -> tuple[T, float]:
        with transaction(conn, commit=not self.dry_run):
            started = time.perf_counter()  # the lock is held from here to the commit
            if instant is not None:
                self._follow_clock_steps(conn, instant)
            result = record(conn)
        return result, time.perf_counter() - started

    def _follow_clock_steps(self, conn: sqlite3.Connection, instant: clock.Instant) -> None:
        """Shift the open record by a step seen since the stored reading, and store this one.

        The clock is read before the write lock is taken, so another process may have stored
        (and followed) a later reading meanwhile: comparing with it, or overwriting it, would
        have the next cycle see the same step again and shift twice.
        """
        stored = clock.Instant.from_dict(state.get_value(conn, _LAST_READING))
        if stored is not None and stored.newer_than(instant):
            return
        step = clock.step_between(stored, instant)
        if step:
            timeshift.shift_open_record(conn, step)
            reported.logger(__name__).warning(
                "the wall clock was set %+.0fs; open alerts and pending timers keep their durations", step
            )
        state.set_value(conn, _LAST_READING, instant.to_dict())

    def history_of(self, conn: sqlite3.Connection) -> sqlite3.Connection | None:
        """Where forecast rules read the history: none in the in-memory fallback's copy."""
        return None if self.in_memory else conn

    def keep_samples(self, conn: sqlite3.Connection, samples: Sequence[Sample], now: float, settings: History) -> None:
        """The cycle's samples into the history, in the cycle's transaction; while the file refuses
        writes, into the fallback's bounded buffer (the in-memory copy has no history)."""
        if not settings.enabled or self.dry_run:
            return
        if self.fallback is not None and self.fallback.engaged:
            self.fallback.keep_samples(now, samples, settings)
        else:
            from alertctl.store import history  # imported only to write: not by `check --dry-run`

            history.record(conn, samples, now, settings)
