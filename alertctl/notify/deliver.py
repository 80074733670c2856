"""Delivering what the outbox holds: retries with backoff, digests, per-channel caps.

Retry schedule (the contract): first retry 5 s after a failure, doubling, at
most 5 minutes apart, until delivered or 24 h after the notice was queued;
then it is marked given up. Storm control: more than `digest_after` notices
due for one channel, or more than the channel's remaining `max_per_minute`
budget, go out as one digest; a channel over its budget waits, and whatever
waited is folded into the next digest. Nothing is ever dropped.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alertctl.config.runtime import Config
from alertctl.durations import iso
from alertctl.errors import ConfigError
from alertctl.notify import claims, ids, render
from alertctl.notify.send import Sent, send
from alertctl.store import outbox
from alertctl.store.db import transaction

FIRST_RETRY = 5.0
MAX_RETRY_GAP = 300.0
GIVE_UP_AFTER = 86400.0
LEASE = 60.0
"""How long a claimed notice is hidden from other processes while it is being sent (a pass
spends at most its budget plus one send). The claims of a process that died mid-send are
taken back by the next sender (see `claims`)."""
SEND_TIMEOUT = 8.0

Sender = Callable[..., Sent]


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: 5, 10, 20, ... 300."""
    return min(FIRST_RETRY * 2.0 ** max(attempts - 1, 0), MAX_RETRY_GAP)


@dataclass(frozen=True)
class Report:
    delivered: int = 0
    failed: int = 0
    deferred: int = 0


class Deliverer:
    """Sends due outbox rows over one connection; `config()` is read each time (SIGHUP reloads)."""

    def __init__(
        self, conn: sqlite3.Connection, config: Callable[[], Config], host: Callable[[], str],
        sender: Sender = send, warn: Callable[[str], None] = lambda message: None,
        log: Callable[[str], None] = lambda line: None, failed: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.conn = conn
        self.config = config
        self.host = host
        self.sender = sender
        self.warn = warn
        self.log = log
        """`watch`'s log: each delivery, and a failing channel once when it starts failing and once when it recovers."""
        self.failed = failed
        """Told of every failed attempt (`check` says each on stderr: cron mails nobody otherwise)."""

    def deliver_due(self, now: float, budget: float = 30.0) -> Report:
        """Send everything due at `now`, spending at most about `budget` seconds of wall time.

        Passes repeat while they deliver something: a notice held back behind an earlier one
        for the same alert and channel goes out as soon as that one has.
        """
        deadline = time.monotonic() + budget
        totals = Report()
        claims.release_orphans(self.conn, now)
        while time.monotonic() < deadline and outbox.any_due(self.conn, now):
            done = self._pass(now, deadline)
            totals = Report(totals.delivered + done.delivered, totals.failed + done.failed,
                            totals.deferred + done.deferred)
            if not done.delivered:
                break
        return totals

    def _pass(self, now: float, deadline: float) -> Report:
        with transaction(self.conn):
            due = outbox.claim_due(self.conn, now, LEASE, claims.this_process())
        totals = Report()
        for channel, rows in _by_channel(due).items():
            if time.monotonic() >= deadline:
                with transaction(self.conn):
                    outbox.reschedule(self.conn, [r.id for r in rows], now)
                continue
            done = self._channel(channel, rows, now, deadline)
            totals = Report(totals.delivered + done.delivered, totals.failed + done.failed,
                            totals.deferred + done.deferred)
        return totals

    def _channel(self, name: str, rows: list[outbox.Pending], now: float, deadline: float) -> Report:
        notify = self.config().notify
        channel = notify.channel(name)
        if channel is None:
            gone, since = Sent(False, f"channel {name} is no longer configured"), outbox.failing_since(self.conn, name)
            self._record(rows, gone, now, give_up=True)
            self._tell(name, rows, gone, False, since, now)
            return Report(failed=len(rows))
        recent = outbox.sends_since(self.conn, name, now - 60.0)
        allowance = notify.max_per_minute - len(recent)
        if allowance <= 0:
            with transaction(self.conn):
                outbox.reschedule(self.conn, [r.id for r in rows], recent[0] + 60.0)
            return Report(deferred=len(rows))
        if len(rows) > notify.digest_after or len(rows) > allowance:
            shown = render.digest([(r.title, r.body, r.notify_type) for r in rows], self.host())
            batches = [(shown.title, shown.body, shown.notify_type, rows)]
        else:
            batches = [(r.title, r.body, r.notify_type, [r]) for r in rows]
        report = Report()
        failing_since = outbox.failing_since(self.conn, name)
        for index, (title, body, kind, covered) in enumerate(batches):
            if time.monotonic() >= deadline:
                rest = [r.id for batch in batches[index:] for r in batch[3]]
                with transaction(self.conn):
                    outbox.reschedule(self.conn, rest, now)
                return Report(report.delivered, report.failed, report.deferred + len(rest))
            sent = self._send(channel, title, body, kind, deadline, covered)
            retrying = self._record(covered, sent, now)
            failing_since = self._tell(name, covered, sent, retrying, failing_since, now)
            report = Report(report.delivered + len(covered) * sent.ok,
                            report.failed + len(covered) * (not sent.ok), report.deferred)
        return report

    def _send(  # type: ignore[no-untyped-def]
        self, channel, title: str, body: str, kind: str, deadline: float, rows: Sequence[outbox.Pending]
    ) -> Sent:
        timeout = min(SEND_TIMEOUT, max(deadline - time.monotonic(), 0.5))
        try:
            return self.sender(channel, title, ids.stamped(body, rows), kind, timeout, notice_id=ids.of_batch(rows))
        except ConfigError as error:
            self.warn(str(error))
            return Sent(False, str(error))

    def _record(self, rows: Sequence[outbox.Pending], sent: Sent, now: float, give_up: bool = False) -> bool:
        """Record the attempt for every notice it covered; True when one of them will be tried again."""
        outcomes = [(row, _outcome(row, sent, now, give_up)) for row in rows]
        with transaction(self.conn):
            for row, outcome in outcomes:
                outbox.record_attempt(self.conn, row, outcome, now)
        return any(outcome.next_attempt_at is not None for _, outcome in outcomes)

    def _tell(
        self, name: str, rows: Sequence[outbox.Pending], sent: Sent, retrying: bool, failing_since: float | None,
        now: float,
    ) -> float | None:
        """Say how the attempt went; returns since when the channel has been failing (None: it works).

        Every failure goes to `failed`; the log gets every delivery, but a failing channel only
        once per streak (retries of a long outage would bury everything else) and once more
        when it recovers."""
        line = _outcome_line(name, rows, sent, retrying)
        if not sent.ok:
            self.failed(line)
            if failing_since is None:
                self.log(f"{iso(now)} {line} (channel {name} failing; further failures are not logged until "
                         "it recovers)")
            return failing_since if failing_since is not None else now
        if failing_since is not None:
            self.log(f"{iso(now)} channel {name} recovered (failing since {iso(failing_since)})")
        self.log(f"{iso(now)} {line}")
        return None


def _outcome(row: outbox.Pending, sent: Sent, now: float, give_up: bool) -> outbox.Outcome:
    if sent.ok:
        return outbox.Outcome(True, None, None)
    retry_at = now + retry_delay(row.attempts + 1)
    if give_up or retry_at - row.created_at > GIVE_UP_AFTER:
        return outbox.Outcome(False, sent.error, None)
    return outbox.Outcome(False, sent.error, retry_at)


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
