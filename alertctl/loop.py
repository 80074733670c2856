"""One cycle (sample, evaluate, record, notify) and the loop that repeats it.

The only place that reads the clock (through `alertctl.clock`): the engine and
the store are handed `now`.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alertctl import clock, context, engine
from alertctl.config.runtime import Config
from alertctl.metrics.collector import Collector, Reading
from alertctl.metrics.cpu import CpuTimes
from alertctl.model import Alert, Change, Status, Transition
from alertctl.notify import Notifier
from alertctl.store import alerts, history, silences, state, timeshift
from alertctl.store.db import transaction
from alertctl.store.fallback import MemoryFallback, cannot_write

_CPU_BASELINE = "cpu_times"
_LAST_READING = "clock"


@dataclass(frozen=True)
class Cycle:
    at: float
    reading: Reading
    transitions: list[Transition]
    open_alerts: list[Alert]


class Runner:
    """Holds what lives across cycles of one process: config, connection, collector."""

    def __init__(
        self,
        config: Config,
        conn: sqlite3.Connection,
        notifiers: Sequence[Notifier] = (),
        warn: Callable[[str], None] = lambda message: None,
        dry_run: bool = False,
        read_clock: Callable[[], clock.Instant] = clock.read,
        fallback: MemoryFallback | None = None,
    ) -> None:
        self._conn = conn
        self.notifiers = notifiers
        self.warn = warn
        self.dry_run = dry_run
        self.read_clock = read_clock
        self.fallback = fallback
        baseline = CpuTimes.from_dict(state.get_value(conn, _CPU_BASELINE))
        self.collector = Collector(config.checks, baseline, warn)
        self.config = config
        self.configure(config)

    @property
    def conn(self) -> sqlite3.Connection:
        """The file's connection, or while it refuses writes (`watch` only), the in-memory copy's."""
        return self.fallback.conn if self.fallback is not None else self._conn

    def configure(self, config: Config) -> None:
        """Apply a (re)loaded config; open alerts and tracks of unchanged rules carry on."""
        if config.checks != self.config.checks:
            self.collector = Collector(config.checks, self.collector.cpu_baseline, self.warn)
        self.config = config
        self.rules = {rule.name: rule for rule in config.rules}
        self.policy = engine.Policy(config.agent.hostname, config.agent.expire_after)

    def run_once(self, now: float | None = None) -> Cycle:
        """One cycle at `now`, or at the clock's time (then also noticing a step of the wall clock)."""
        instant = self.read_clock() if now is None else None
        at = instant.wall if instant is not None else now
        assert at is not None
        reading = self.collector.collect()
        cycle = self._record(reading, at, instant)
        if not self.dry_run:
            notifiers = self.notifiers if not self.fallback or not self.fallback.engaged else self._from_memory()
            for notifier in notifiers:
                notifier.notify(cycle.transitions, at)
        return cycle

    def _record(self, reading: Reading, now: float, instant: clock.Instant | None) -> Cycle:
        """In one transaction, on the file; in memory while the file refuses writes (`watch` only)."""
        if self.fallback is None:
            return self._record_on(self.conn, reading, now, instant)
        if self.fallback.try_catch_up():
            try:
                return self._record_on(self.conn, reading, now, instant)
            except sqlite3.Error as error:
                if not cannot_write(error):
                    raise
                self.fallback.engage(error)
        self.fallback.cycles_kept += 1
        return self._record_on(self.fallback.conn, reading, now, instant)

    def _record_on(
        self, conn: sqlite3.Connection, reading: Reading, now: float, instant: clock.Instant | None
    ) -> Cycle:
        with transaction(conn, commit=not self.dry_run):
            if instant is not None:
                self._follow_clock_steps(conn, instant)
            return self._evaluate_and_record(conn, reading, now)

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
            self.warn(f"the wall clock was set {step:+.0f}s; open alerts and pending timers keep their durations")
        state.set_value(conn, _LAST_READING, instant.to_dict())

    def _from_memory(self) -> list[Notifier]:
        """While the file refuses writes, notices go out and Alertmanager is kept in sync from the
        copy, within the cycle (a `watch`'s background sender pauses meanwhile: it works on the
        file). A full disk is when Alertmanager must not see this host's alerts time out."""
        from alertctl.notify.worker import SyncDelivery

        assert self.fallback is not None and self.fallback.memory is not None
        memory = self.fallback.memory
        senders: list[Notifier] = [
            SyncDelivery(memory, lambda: self.config, lambda: self.policy.host, self.warn, budget=5.0)
        ]
        if self.config.notify.alertmanagers:
            from alertctl.notify.alertmanager import AlertmanagerSync

            senders.append(AlertmanagerSync(memory, lambda: self.config, warn=self.warn))
        return [*self.notifiers, *senders]

    def _evaluate_and_record(self, conn: sqlite3.Connection, reading: Reading, now: float) -> Cycle:
        alerts.prune(conn, now - self.config.agent.retention)
        recent = alerts.recently_recovered(conn, now - self.config.notify.dedup_window)
        telling = bool(self.config.notify.channels)
        status_before = _open_statuses(conn) if telling else {}
        outcome = engine.evaluate(
            self.config.rules, reading.samples, state.load_tracks(conn), alerts.open_alerts(conn),
            recent, now, self.policy,
        )
        top = functools.cache(_top_processes)  # one scan per kind per cycle, however many alerts open
        contexts = {
            t.key: context.gather(self.rules[t.key.rule], t, reading.samples, reading.details, top)
            for t in outcome.transitions
            if t.change in (Change.OPENED, Change.RAISED)  # at open, and again when it peaks at critical
        }
        recorded = alerts.record(
            conn, outcome.transitions, self.rules, self.policy.host, contexts, self.config.notify.ack_survives_rise
        )
        state.save_tracks(conn, outcome.tracks)
        if self.collector.cpu_baseline is not None:
            state.set_value(conn, _CPU_BASELINE, self.collector.cpu_baseline.to_dict())
        lifted = silences.apply(conn, now)  # after recording: a new alert under a silence opens suppressed
        current = alerts.current(conn)
        if telling:  # in this transaction: the change and its notices are saved together or not at all
            from alertctl.notify.queue import queue_notices

            unsilenced = {item.alert_id: item.silence_id for item in lifted if item.silence_id is not None}
            queue_notices(conn, self.config, self.rules, recorded, current, status_before, now, unsilenced)
        self._keep_samples(conn, reading, now)
        return Cycle(now, reading, recorded, current)

    def _keep_samples(self, conn: sqlite3.Connection, reading: Reading, now: float) -> None:
        """The cycle's samples into the history, in the cycle's transaction; while the file refuses
        writes, into the fallback's bounded buffer (the in-memory copy has no history)."""
        settings = self.config.history
        if not settings.enabled or self.dry_run:
            return
        if self.fallback is not None and self.fallback.engaged:
            self.fallback.keep_samples(now, reading.samples, settings)
        else:
            history.record(conn, reading.samples, now, settings)


def _top_processes(by: str) -> list[dict[str, object]]:
    from alertctl.metrics.processes import top_processes

    return top_processes(by)  # type: ignore[arg-type,return-value]


def run_forever(
    runner: Runner,
    interval: Callable[[], float],
    on_cycle: Callable[[Cycle], None],
    stop: threading.Event,
    before_cycle: Callable[[], None] = lambda: None,
    cycles: int | None = None,
    on_error: Callable[[Exception], None] | None = None,
) -> int:
    """Cycle every `interval()` seconds until `stop` is set or `cycles` ran; returns cycles run.

    Sleeps against the monotonic clock, so a wall-clock jump neither skips nor doubles a cycle,
    and a cycle in progress always finishes before a stop takes effect. With `on_error`, a
    failed cycle (a full disk, a locked-out database) is reported and the loop goes on.
    """
    done = 0
    next_start = time.monotonic()
    while not stop.is_set() and (cycles is None or done < cycles):
        before_cycle()
        try:
            on_cycle(runner.run_once())
        except Exception as error:
            if on_error is None:
                raise
            on_error(error)
        done += 1
        next_start = max(next_start + interval(), time.monotonic())
        if cycles is not None and done >= cycles:
            break
        stop.wait(next_start - time.monotonic())
    return done


def _open_statuses(conn: sqlite3.Connection) -> dict[int, Status]:
    """Imported here: the outbox's module is only needed when channels are configured."""
    from alertctl.store.outbox import open_statuses

    return open_statuses(conn)
