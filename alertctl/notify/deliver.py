"""Delivering what the outbox holds: channels side by side, retries with backoff, digests, caps.

Retry schedule (the contract): first retry 5 s after a failure, doubling, at
most 5 minutes apart, until delivered or 24 h after the notice was queued;
then it is marked given up. Storm control: more than `digest_after` notices
due for one channel, or more than the channel's remaining `max_per_minute`
budget, go out as one digest; a channel over its budget waits, and whatever
waited is folded into the next digest. Nothing is ever dropped.

Each channel sends on a thread of its own, one send at a time: a channel that
hangs holds up its own notices and nobody else's. All SQL stays on the caller's
thread and connection; a channel's thread only sends and hands the outcome back.

What happened is logged: each notice sent, a channel that starts failing and one that
recovers at INFO (`watch`'s event log on stdout), a `${VARIABLE}` a channel's URL needs
and cannot have as a warning (unless a `failed` callback hears of every failed attempt).
"""

from __future__ import annotations

import math
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alertctl import notice_text, reported
from alertctl.config.runtime import Channel, Config
from alertctl.durations import iso
from alertctl.errors import ConfigError
from alertctl.notify import claims, ids
from alertctl.notify.send import Sent, send
from alertctl.store import outbox
from alertctl.store.db import transaction

FIRST_RETRY = 5.0
MAX_RETRY_GAP = 300.0
GIVE_UP_AFTER = 86400.0
LEASE = 60.0
"""How long a claimed notice is hidden from other processes while it is being sent: one send
(at most SEND_TIMEOUT) with room to spare. The claims of a process that died mid-send are
taken back by the next sender (see `claims`)."""
SEND_TIMEOUT = 8.0
GRACE = 1.0
"""Seconds past a run's budget to wait for sends in flight; each is bounded by its own timeout,
so this only matters when a plugin ignores it."""

Sender = Callable[..., Sent]


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: 5, 10, 20, ... 300."""
    return min(FIRST_RETRY * 2.0 ** max(attempts - 1, 0), MAX_RETRY_GAP)


@dataclass(frozen=True)
class Tally:
    delivered: int = 0
    failed: int = 0
    deferred: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.delivered + other.delivered, self.failed + other.failed, self.deferred + other.deferred)


@dataclass(frozen=True)
class Batch:
    """One send to one channel: a single notice, or a digest covering several."""

    channel: Channel
    title: str
    body: str
    notify_type: str
    rows: tuple[outbox.Pending, ...]


class Deliverer:
    """Sends due outbox rows over one connection; `config()` is read each time (SIGHUP reloads)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        config: Callable[[], Config],
        host: Callable[[], str],
        sender: Sender = send,
        on_sent: Callable[[], None] = lambda: None,
        failed: Callable[[str], None] | None = None,
    ) -> None:
        self.conn = conn
        self.config = config
        self.host = host
        self.sender = sender
        self.failed = failed
        """Told of every failed attempt (`check` says each on stderr: cron mails nobody otherwise)."""
        self.on_sent = on_sent
        """Called from a channel's thread when its send is over (a `watch` wakes its delivery thread)."""
        self._in_flight: dict[str, Batch] = {}
        self._sent_at: dict[str, float] = {}
        """When each send in flight started (monotonic): `pump` gives up on one a plugin hangs."""
        self._outcomes: queue.SimpleQueue[tuple[Batch, Sent]] = queue.SimpleQueue()

    def deliver_due(self, now: float, budget: float = 30.0) -> Tally:
        """Send everything due at `now`, channels side by side, for about `budget` seconds at most.

        A channel's next notice goes out as soon as its previous send is settled (so one held
        back behind an earlier notice of the same alert follows it at once). A send still
        unanswered `GRACE` seconds past the budget is recorded as failed, to be retried.
        """
        deadline = time.monotonic() + budget
        claims.release_orphans(self.conn, now)
        tally = self._dispatch(now, deadline)
        while self._in_flight:
            try:
                batch, sent = self._outcomes.get(timeout=max(deadline + GRACE - time.monotonic(), 0.0))
            except queue.Empty:
                return tally + self._abandon(now, budget)
            tally += self._settle(batch, sent, now) + self._dispatch(now, deadline)
        return tally

    def pump(self, now: float) -> Tally:
        """Without waiting: record the sends that are over, and start what is due on idle channels.

        For a `watch`'s delivery thread, woken by every cycle and by every finished send.
        """
        tally = Tally()
        while True:
            try:
                batch, sent = self._outcomes.get_nowait()
            except queue.Empty:
                break
            tally += self._settle(batch, sent, now)
        tally += self._abandon(now, SEND_TIMEOUT + GRACE, stale_only=True)
        claims.release_orphans(self.conn, now)
        return tally + self._dispatch(now, math.inf)

    def _dispatch(self, now: float, deadline: float) -> Tally:
        """Claim one send's worth of due notices for every idle channel, and start each send."""
        if time.monotonic() >= deadline or not outbox.any_due(self.conn, now):
            return Tally()
        with transaction(self.conn):
            due = outbox.due(self.conn, now, skip_channels=self._in_flight)
            tally, batches = self._plan(due, now)
            outbox.claim(self.conn, [r.id for b in batches for r in b.rows], now + LEASE, claims.this_process())
        for batch in batches:
            self._start(batch, min(SEND_TIMEOUT, max(deadline - time.monotonic(), 0.5)))
        return tally

    def _plan(self, due: Sequence[outbox.Pending], now: float) -> tuple[Tally, list[Batch]]:
        tally, batches = Tally(), []
        for name, rows in _by_channel(due).items():
            outcome = self._next_batch(name, rows, now)
            if isinstance(outcome, Batch):
                batches.append(outcome)
            else:
                tally += outcome
        return tally, batches

    def _next_batch(self, name: str, rows: list[outbox.Pending], now: float) -> Batch | Tally:
        """The channel's next send, or why there is none (gone from the config, over its cap)."""
        notify = self.config().notify
        channel = notify.channel(name)
        if channel is None:
            gone, since = Sent(False, f"channel {name} is no longer configured"), outbox.failing_since(self.conn, name)
            for row in rows:
                outbox.record_attempt(self.conn, row, _outcome(row, gone, now, give_up=True), now)
            self._tell(name, rows, gone, False, since, now)
            return Tally(failed=len(rows))
        recent = outbox.sends_since(self.conn, name, now - 60.0)
        allowance = notify.max_per_minute - len(recent)
        if allowance <= 0:
            outbox.reschedule(self.conn, [r.id for r in rows], recent[0] + 60.0)
            return Tally(deferred=len(rows))
        if len(rows) > notify.digest_after or len(rows) > allowance:
            shown = notice_text.digest([(r.title, r.body, r.notify_type) for r in rows], self.host())
            return Batch(channel, shown.title, shown.body, shown.notify_type, tuple(rows))
        first = rows[0]
        return Batch(channel, first.title, first.body, first.notify_type, (first,))

    def _start(self, batch: Batch, timeout: float) -> None:
        self._in_flight[batch.channel.name] = batch
        self._sent_at[batch.channel.name] = time.monotonic()
        threading.Thread(
            target=self._send, args=(batch, timeout), daemon=True, name=f"alertctl-send-{batch.channel.name}"
        ).start()

    def _send(self, batch: Batch, timeout: float) -> None:
        """On the channel's thread: send, and always hand an outcome back."""
        sent = Sent(False, "the send did not complete")
        try:
            sent = self.sender(
                batch.channel,
                batch.title,
                ids.stamped(batch.body, batch.rows),
                batch.notify_type,
                timeout,
                notice_id=ids.of_batch(batch.rows),
            )
        except ConfigError as error:
            if self.failed is None:  # else said with the attempt
                reported.logger(__name__).warning(str(error))
            sent = Sent(False, str(error))
        finally:
            self._outcomes.put((batch, sent))
            self.on_sent()

    def _settle(self, batch: Batch, sent: Sent, now: float) -> Tally:
        """Record a send's outcome (also one that arrives after it was given up on: it is the truth)."""
        name = batch.channel.name
        if self._in_flight.get(name) is batch:
            del self._in_flight[name]
        since = outbox.failing_since(self.conn, name)
        outcomes = [(row, _outcome(row, sent, now, give_up=False)) for row in batch.rows]
        with transaction(self.conn):
            for row, outcome in outcomes:
                outbox.record_attempt(self.conn, row, outcome, now)
        retrying = any(outcome.next_attempt_at is not None for _, outcome in outcomes)
        self._tell(name, batch.rows, sent, retrying, since, now)
        covered = len(batch.rows)
        return Tally(delivered=covered * sent.ok, failed=covered * (not sent.ok))

    def _tell(
        self,
        name: str,
        rows: Sequence[outbox.Pending],
        sent: Sent,
        retrying: bool,
        failing_since: float | None,
        now: float,
    ) -> None:
        """Say how the attempt went. Every failure goes to `failed`; the log gets every delivery,
        but a failing channel only once per streak (retries of a long outage would bury everything
        else) and once more when it recovers."""
        line = _outcome_line(name, rows, sent, retrying)
        if not sent.ok:
            if self.failed is not None:
                self.failed(line)
            if failing_since is None:
                reported.logger(__name__).info(
                    "%s %s (channel %s failing; further failures are not logged until it recovers)",
                    iso(now),
                    line,
                    name,
                )
            return
        if failing_since is not None:
            reported.logger(__name__).info(
                "%s channel %s recovered (failing since %s)", iso(now), name, iso(failing_since)
            )
        reported.logger(__name__).info("%s %s", iso(now), line)

    def _abandon(self, now: float, budget: float, stale_only: bool = False) -> Tally:
        """Sends still in flight when the run must end (or, `stale_only`, that have outlasted
        `budget`, their plugin ignoring its timeout): failed attempts, retried with backoff, so the
        channel is free again and its lease never lapses under a send still running."""
        tally = Tally()
        for name, batch in list(self._in_flight.items()):
            if not stale_only or time.monotonic() - self._sent_at[name] > budget:
                tally += self._settle(batch, Sent(False, f"no answer within {budget:g}s"), now)
        return tally


def _outcome(row: outbox.Pending, sent: Sent, now: float, give_up: bool) -> outbox.AttemptResult:
    if sent.ok:
        return outbox.AttemptResult(True, None, None)
    retry_at = now + retry_delay(row.attempts + 1)
    if give_up or retry_at - row.created_at > GIVE_UP_AFTER:
        return outbox.AttemptResult(False, sent.error, None)
    return outbox.AttemptResult(False, sent.error, retry_at)


def _outcome_line(channel: str, rows: Sequence[outbox.Pending], sent: Sent, retrying: bool) -> str:
    what = ", ".join(f"{r.kind} #{r.alert_id}" for r in rows[:5]) + (f" +{len(rows) - 5}" if len(rows) > 5 else "")
    if sent.ok:
        return f"notice to {channel} delivered: {what}"
    return f"notice to {channel} failed ({'will retry' if retrying else 'given up'}): {what} - {sent.error}"


def _by_channel(rows: Sequence[outbox.Pending]) -> dict[str, list[outbox.Pending]]:
    grouped: dict[str, list[outbox.Pending]] = {}
    for row in rows:
        grouped.setdefault(row.channel, []).append(row)
    return grouped
