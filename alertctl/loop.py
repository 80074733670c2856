"""One cycle (sample, evaluate, record, notify) and the loop that repeats it.

The cycle reads the clock here (through `alertctl.clock`) and hands `now` to the
engine, the store and notify, which never read it; operator commands in `cli/`
read it for their own actions (an ack's time, a report's window). Where the cycle writes (the file, or `watch`'s
in-memory copy) and the wall clock's steps are the `Writer`'s (`writer.py`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from alertctl import alert_context, clock, engine, reported
from alertctl.config.runtime import Config
from alertctl.metrics.collector import SYSTEM_FAMILIES, Collector, Reading, pinned_mounts
from alertctl.metrics.cpu import CpuTimes
from alertctl.model import Alert, Blind, Sample, SeriesKey, Status, Track, Transition, Unavailable, Warming
from alertctl.notify import Notifier
from alertctl.store import alerts, silences, state
from alertctl.writer import Writer

if TYPE_CHECKING:
    from alertctl.store.fallback import MemoryFallback  # `watch` only: a `check` never records in memory

Top = dict[str, list[dict[str, object]]]
"""The heaviest processes by "cpu" and "memory", gathered before the write lock is taken."""

_CPU_BASELINE = "cpu_times"
_WAKE = 0.5
"""The longest `watch` sleeps at once. CPython runs a signal's handler in the main thread, but
the kernel may hand SIGTERM to another thread (the delivery thread): the main thread, asleep
until its next cycle, only notices when it wakes. So SIGTERM takes effect within this."""


@dataclass(frozen=True)
class Cycle:
    at: float
    """When the reading was taken (read before sampling began)."""
    reading: Reading
    transitions: list[Transition]
    open_alerts: list[Alert]
    tracks: Mapping[SeriesKey, Track] = field(default_factory=dict)
    """Every series' breach runs after this cycle: the live view's pending rules."""
    lock_seconds: float = 0.0
    """How long this cycle held the database's write lock."""
    blind: dict[str, Blind] = field(default_factory=dict)
    """Rules without a sample in this cycle (state `nodata`), by name."""
    superseded: list[SeriesKey] = field(default_factory=list)
    """Series this reading was too old for: another process judged a later sample first."""
    derived: list[Sample] = field(default_factory=list)
    """Forecast rules' samples (seconds left), judged with the reading's."""
    warming: list[Warming] = field(default_factory=list)
    """Forecast rules' series whose history does not cover half the window yet: not judged, not blind."""


class Runner:
    """Runs cycles: holds what lives across them in one process (config, collector, notifiers)
    and the `Writer` they record through."""

    def __init__(
        self,
        config: Config,
        conn: sqlite3.Connection,
        notifiers: Sequence[Notifier] = (),
        dry_run: bool = False,
        read_clock: Callable[[], clock.Instant] = clock.read,
        fallback: MemoryFallback | None = None,
        families: Collection[str] = SYSTEM_FAMILIES,
    ) -> None:
        self.writer = Writer(conn, fallback, dry_run)
        self.notifiers = notifiers
        self.dry_run = dry_run
        self.read_clock = read_clock
        self._scope = reported.scope()
        """What this runner has said once (a template that cannot be rendered) is its own."""
        baseline = CpuTimes.from_dict(state.get_value(conn, _CPU_BASELINE))
        self.families = families
        self.collector = Collector(config.checks, baseline, families, pinned_mounts(config.rules))
        self.config = config
        self.configure(config)

    @property
    def conn(self) -> sqlite3.Connection:
        """The file's connection, or while it refuses writes (`watch` only), the in-memory copy's."""
        return self.writer.conn

    def configure(self, config: Config, families: Collection[str] | None = None) -> None:
        """Apply a (re)loaded config; open alerts and tracks of unchanged rules carry on."""
        mounts = pinned_mounts(config.rules)
        resampled = families is not None and families != self.families
        if resampled or config.checks != self.config.checks or mounts != pinned_mounts(self.config.rules):
            self.families = families if families is not None else self.families
            fresh = Collector(config.checks, None, self.families, mounts)
            fresh.carry_on(self.collector)
            self.collector = fresh
        self.config = config
        self.rules = {rule.name: rule for rule in config.rules}
        self.policy = engine.Judging(config.agent.hostname, config.agent.expire_after)

    def run_once(self, now: float | None = None) -> Cycle:
        """One cycle at `now`, or at the clock's time (then also noticing a step of the wall clock).

        The time is read before sampling: it is when the values were taken, and it is what
        orders them against another process's under the write lock. A slow command check can
        print its value and commit seconds later, after a `check` that started later has
        judged a newer value; the engine leaves such a series alone. Notices go out at the
        time they are sent, read again after the commit.
        """
        started = time.monotonic()
        instant = self.read_clock() if now is None else None
        at = instant.wall if instant is not None else now
        assert at is not None
        reading = self.collector.collect()
        top = self.collector.top_processes(alert_context.top_wanted(self.rules, self._preview(reading, at)), reading)
        cycle = self._record(reading, at, instant, top)
        if not self.dry_run:
            notifiers = self._from_memory() if self.writer.in_memory else self.notifiers
            sent_at = now if now is not None else self.read_clock().wall
            for notifier in notifiers:
                notifier.notify(cycle.transitions, sent_at)
        self.collector.cycle_seconds = time.monotonic() - started
        return cycle

    def _preview(self, reading: Reading, now: float) -> list[Transition]:
        """What this cycle will change, judged on the record as it is before the write lock.

        Only to know beforehand what is slow to gather (top processes); the cycle judges
        again under the lock. Another process recording meanwhile costs at most a
        context without top processes, or a scan nobody needed. A quiet cycle (no cpu, load,
        memory or swap rule in breach) reads nothing for it.
        """
        if not alert_context.breach_with_top(self.config.rules, reading.samples):
            return []
        recent = alerts.recently_recovered(self.conn, now - self.config.notify.dedup_window)
        return engine.evaluate(
            self.config.rules,
            reading.samples,
            state.load_tracks(self.conn),
            alerts.open_alerts(self.conn),
            recent,
            now,
            self.policy,
        ).transitions

    def _record(self, reading: Reading, now: float, instant: clock.Instant | None, top: Top) -> Cycle:
        """Through the writer: one transaction, on the file or (`watch` only) the in-memory copy."""
        cycle, held = self.writer.write(lambda conn: self._evaluate_and_record(conn, reading, now, top), instant)
        return replace(cycle, lock_seconds=held)

    def _from_memory(self) -> list[Notifier]:
        """While the file refuses writes, notices go out and Alertmanager is kept in sync from the
        copy, within the cycle (a `watch`'s background sender pauses meanwhile: it works on the
        file). A full disk is when Alertmanager must not see this host's alerts time out."""
        from alertctl.notify.worker import sending_from

        return [*self.notifiers, *sending_from(self.writer.conn, lambda: self.config, budget=5.0)]

    def _evaluate_and_record(self, conn: sqlite3.Connection, reading: Reading, now: float, top: Top) -> Cycle:
        alerts.prune(conn, now - self.config.agent.retention)
        recent = alerts.recently_recovered(conn, now - self.config.notify.dedup_window)
        telling = bool(self.config.notify.channels)
        status_before = _open_statuses(conn) if telling else {}
        derived, unseen, warming = self._forecasts(conn, reading, now)
        outcome = engine.evaluate(
            self.config.rules,
            [*reading.samples, *derived],
            state.load_tracks(conn),
            alerts.open_alerts(conn),
            recent,
            now,
            self.policy,
            [*reading.unavailable, *unseen],
            state.load_blind(conn),
            warming,
        )
        contexts = {
            t.key: alert_context.gather(
                self.rules[t.key.rule], t, reading.samples, reading.details, lambda by: top.get(by, [])
            )
            for t in outcome.transitions
            if t.change in alert_context.GATHERED_AT
        }
        recorded = alerts.record(
            conn, outcome.transitions, self.rules, self.policy.host, contexts, self.config.notify.ack_survives_rise
        )
        state.save_tracks(conn, outcome.tracks)
        state.save_blind(conn, outcome.blind)
        if self.collector.cpu_baseline is not None:
            state.set_value(conn, _CPU_BASELINE, self.collector.cpu_baseline.to_dict())
        lifted = silences.apply(conn, now)  # after recording: a new alert under a silence opens suppressed
        current = alerts.current(conn)
        if telling:  # in this transaction: the change and its notices are saved together or not at all
            from alertctl.notify.queue import queue_notices

            unsilenced = {item.alert_id: item.silence_id for item in lifted if item.silence_id is not None}
            problems = queue_notices(conn, self.config, self.rules, recorded, current, status_before, now, unsilenced)
            for problem in problems:
                self._warn_once(problem)
        self.writer.keep_samples(conn, reading.samples, now, self.config.history)
        return Cycle(
            now,
            reading,
            recorded,
            current,
            tracks=outcome.tracks,
            blind=outcome.blind,
            superseded=outcome.superseded,
            derived=derived,
            warming=warming,
        )

    def _warn_once(self, message: str) -> None:
        """A template that cannot be rendered fails every notice alike: said once per runner."""
        reported.logger(__name__).warning(message, extra={"once": (self._scope, message)})

    def _forecasts(
        self, conn: sqlite3.Connection, reading: Reading, now: float
    ) -> tuple[list[Sample], list[Unavailable], list[Warming]]:
        """Forecast rules' time-left samples, from the stored history (`trends`, loaded only for them)."""
        if not any(rule.forecast is not None for rule in self.config.rules):
            return [], [], []
        from alertctl import trends

        derived = trends.derive(self.writer.history_of(conn), self.config.rules, reading.samples, now)
        return derived.samples, derived.unavailable, derived.warming


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
        while (left := next_start - time.monotonic()) > 0 and not stop.wait(min(left, _WAKE)):
            pass
    return done


def _open_statuses(conn: sqlite3.Connection) -> dict[int, Status]:
    """Imported here: the outbox's module is only needed when channels are configured."""
    from alertctl.store.outbox import open_statuses

    return open_statuses(conn)
