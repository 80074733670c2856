"""Notices waiting to go out, every delivery attempt, and notices deliberately not sent.

A notice is written here in the same transaction as the alert change that
caused it, so a crash between deciding and sending never loses one: whoever
runs next (a `watch` cycle, a `check`) finds it due and sends it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from alertctl.model import NoticeLog, Severity, Status

_ANNOUNCING = ("opened", "raised", "renotify", "escalated")
_DUE = (
    "o.delivered_at IS NULL AND o.given_up_at IS NULL AND o.next_attempt_at <= ? "
    "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.alert_id = o.alert_id AND e.channel = o.channel "
    "AND e.id < o.id AND e.delivered_at IS NULL AND e.given_up_at IS NULL)"
)
"""Pending and due, and not overtaking an earlier notice of the same alert to the same channel
(a recovery never arrives before the opening notice that is still being retried)."""


@dataclass(frozen=True)
class NewNotice:
    alert_id: int | None
    channel: str
    kind: str
    reason: str
    title: str
    body: str
    notify_type: str
    severity: Severity
    """The alert's severity when the notice was decided (a reopen is compared with it)."""


@dataclass(frozen=True)
class Pending:
    """One outbox row that is due: what to send, and where it stands."""

    id: int
    alert_id: int | None
    channel: str
    kind: str
    title: str
    body: str
    notify_type: str
    created_at: float
    attempts: int
    notice_id: str
    """Random, written with the row: the same on every retry, by any process, after a clock step."""


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    error: str | None
    next_attempt_at: float | None
    """None when no more attempts will be made (delivered, or given up)."""


def open_statuses(conn: sqlite3.Connection) -> dict[int, Status]:
    """Open alerts' statuses before a cycle changes them (a recovery of a suppressed alert stays quiet)."""
    return {row[0]: Status(row[1]) for row in conn.execute("SELECT id, status FROM alerts WHERE status != 'resolved'")}


def enqueue(conn: sqlite3.Connection, notices: Iterable[NewNotice], now: float) -> None:
    conn.executemany(
        "INSERT INTO outbox (alert_id, channel, kind, reason, title, body, notify_type, severity, created_at, "
        "next_attempt_at, notice_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, lower(hex(randomblob(8))))",
        [
            (n.alert_id, n.channel, n.kind, n.reason, n.title, n.body, n.notify_type, n.severity.label, now, now)
            for n in notices
        ],
    )


def record_muted(conn: sqlite3.Connection, alert_id: int, kind: str, reason: str, now: float, detail: str = "") -> None:
    conn.execute(
        "INSERT INTO muted (alert_id, kind, reason, at, detail) VALUES (?, ?, ?, ?, ?)",
        (alert_id, kind, reason, now, detail or None),
    )


def notice_logs(conn: sqlite3.Connection, alert_ids: Sequence[int]) -> dict[int, NoticeLog]:
    """Per alert: when it was last announced (any channel), to which channels and at what severity
    last, whether escalated. One row per alert, channel and kind: its latest notice (SQLite takes
    the bare columns from the row holding the MAX)."""
    if not alert_ids:
        return {}
    marks = ",".join("?" * len(alert_ids))
    rows = conn.execute(
        f"SELECT alert_id, channel, kind, MAX(id) AS latest, created_at, severity FROM outbox "
        f"WHERE alert_id IN ({marks}) GROUP BY alert_id, channel, kind ORDER BY latest",
        list(alert_ids),
    )
    found: dict[int, _Told] = {}
    for row in rows:
        told = found.setdefault(row["alert_id"], _Told())
        told.escalated = told.escalated or row["kind"] == "escalated"
        if row["kind"] in _ANNOUNCING:
            told.at = max(row["created_at"], told.at or 0.0)
            told.severity[row["channel"]] = Severity.parse(row["severity"]) if row["severity"] else None
    return {alert_id: told.log() for alert_id, told in found.items()}


@dataclass
class _Told:
    """A NoticeLog being gathered, row by row."""

    at: float | None = None
    escalated: bool = False
    severity: dict[str, Severity | None] = field(default_factory=dict)

    def log(self) -> NoticeLog:
        known = {channel: severity for channel, severity in self.severity.items() if severity is not None}
        return NoticeLog(self.at, self.escalated, frozenset(self.severity), known)


def due(conn: sqlite3.Connection, now: float, skip_channels: Iterable[str] = (), limit: int = 500) -> list[Pending]:
    """Rows due at `now`, oldest due first, leaving out channels that are busy sending."""
    skip = list(skip_channels)
    rows = conn.execute(
        "SELECT id, alert_id, channel, kind, title, body, notify_type, created_at, attempts, notice_id FROM outbox o "
        f"WHERE {_DUE} AND o.channel NOT IN ({','.join('?' * len(skip))}) ORDER BY next_attempt_at, id LIMIT ?",
        (now, *skip, limit),
    ).fetchall()
    return [Pending(**dict(row)) for row in rows]


def claim(conn: sqlite3.Connection, ids: Iterable[int], until: float, owner: str) -> None:
    """Hide these rows from other processes until `until` while `owner` sends them.

    `owner` names the claiming process, so that a later one can take back the claims of a
    process that died mid-send instead of waiting out the lease. The caller must hold a
    write transaction (the one it read the rows in) for the claim to be exclusive.
    """
    conn.executemany(
        "UPDATE outbox SET next_attempt_at = ?, claimed_by = ? WHERE id = ?", [(until, owner, i) for i in ids]
    )


def claim_owners(conn: sqlite3.Connection) -> set[str]:
    """Processes holding claims on undelivered notices (an index probe; usually none)."""
    rows = conn.execute("SELECT DISTINCT claimed_by FROM outbox WHERE claimed_by IS NOT NULL")
    return {row[0] for row in rows}


def release_claims(conn: sqlite3.Connection, owners: Iterable[str], now: float) -> None:
    """Make the notices claimed by these (dead) processes due again at once."""
    conn.executemany(
        "UPDATE outbox SET next_attempt_at = ?, claimed_by = NULL WHERE claimed_by = ?",
        [(now, owner) for owner in owners],
    )


def any_due(conn: sqlite3.Connection, now: float) -> bool:
    """The cheap, indexed question a quiet run asks before anything else."""
    row = conn.execute(f"SELECT 1 FROM outbox o WHERE {_DUE} LIMIT 1", (now,)).fetchone()
    return row is not None


def reschedule(conn: sqlite3.Connection, ids: Iterable[int], at: float) -> None:
    conn.executemany("UPDATE outbox SET next_attempt_at = ?, claimed_by = NULL WHERE id = ?", [(at, i) for i in ids])


def sends_since(conn: sqlite3.Connection, channel: str, since: float) -> list[float]:
    """When notices went to this channel (one entry per notice, digested ones too), oldest first."""
    rows = conn.execute("SELECT at FROM deliveries WHERE channel = ? AND at >= ? ORDER BY at", (channel, since))
    return [row[0] for row in rows]


@dataclass(frozen=True)
class FailingChannel:
    """A channel whose last delivery attempt failed: since when, how many notices wait, the last error."""

    channel: str
    since: float
    """The first failed attempt after its last success (or ever)."""
    waiting: int
    """Notices still to be delivered to it (retried until given up)."""
    error: str | None
    """Redacted when recorded: the sender scrubs every secret of the URL."""


def failing_since(conn: sqlite3.Connection, channel: str) -> float | None:
    """When the channel's current run of failed attempts began; None when its last attempt worked (or none was made)."""
    row = conn.execute(
        "SELECT MIN(at) FROM deliveries WHERE channel = :c AND ok = 0 AND id > "
        "COALESCE((SELECT MAX(id) FROM deliveries WHERE channel = :c AND ok = 1), 0)",
        {"c": channel},
    ).fetchone()
    since: float | None = row[0]
    return since


def failing_channels(conn: sqlite3.Connection) -> list[FailingChannel]:
    """Channels whose last delivery attempt failed, longest failing first (the live view lists them).

    A channel removed from the config stays here until it is pruned with its alerts' notices."""
    found = []
    for (channel,) in conn.execute("SELECT DISTINCT channel FROM deliveries").fetchall():
        last = conn.execute(
            "SELECT ok, error FROM deliveries WHERE channel = ? ORDER BY id DESC LIMIT 1", (channel,)
        ).fetchone()
        if last["ok"]:
            continue
        since = failing_since(conn, channel)
        assert since is not None  # its last attempt failed
        waiting = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE channel = ? AND delivered_at IS NULL AND given_up_at IS NULL",
            (channel,),
        ).fetchone()[0]
        found.append(FailingChannel(channel, since, waiting, last["error"]))
    return sorted(found, key=lambda failing: failing.since)


def record_attempt(conn: sqlite3.Connection, notice: Pending, outcome: AttemptResult, at: float) -> None:
    conn.execute(
        "INSERT INTO deliveries (outbox_id, alert_id, channel, kind, at, ok, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (notice.id, notice.alert_id, notice.channel, notice.kind, at, int(outcome.ok), outcome.error),
    )
    if outcome.ok:
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, delivered_at = ?, claimed_by = NULL WHERE id = ?",
            (at, notice.id),
        )
        if notice.alert_id is not None:
            conn.execute("UPDATE alerts SET notifications = notifications + 1 WHERE id = ?", (notice.alert_id,))
    elif outcome.next_attempt_at is None:
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, given_up_at = ?, claimed_by = NULL WHERE id = ?",
            (outcome.error, at, notice.id),
        )
    else:
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = NULL "
            "WHERE id = ?",
            (outcome.error, outcome.next_attempt_at, notice.id),
        )


def deliveries(conn: sqlite3.Connection, alert_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT d.at, d.channel, d.kind, d.ok, d.error, o.reason FROM deliveries d "
        "LEFT JOIN outbox o ON o.id = d.outbox_id WHERE d.alert_id = ? ORDER BY d.at, d.id",
        (alert_id,),
    ).fetchall()


def notices(conn: sqlite3.Connection, alert_id: int) -> list[sqlite3.Row]:
    """Every decision about an alert, sent or not, oldest first: (at, kind, channel, reason, state, ...)."""
    return conn.execute(
        "SELECT created_at AS at, kind, channel, reason, attempts, last_error, "
        "CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN given_up_at IS NOT NULL THEN 'given up' "
        "ELSE 'pending' END AS state, NULL AS detail, notice_id FROM outbox WHERE alert_id = :id "
        "UNION ALL SELECT at, kind, NULL, reason, 0, NULL, 'not sent', detail, NULL FROM muted WHERE alert_id = :id "
        "ORDER BY at",
        {"id": alert_id},
    ).fetchall()


def forget_alerts(conn: sqlite3.Connection, gone: str, before: float) -> None:
    """Drop the notices of the alerts that `prune` is about to delete (`gone`: their ids, a query on `before`)."""
    for table in ("deliveries", "outbox", "muted"):
        conn.execute(f"DELETE FROM {table} WHERE alert_id IN {gone}", (before,))
