"""Silences and single-alert suppressions: the rows, and applying them to open alerts.

A silence's state (pending, active, expired, lifted) is computed from time by
`Silence.state`, never stored; lifting sets `lifted_at` and keeps the row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from alertctl.durations import iso
from alertctl.model import Silence, make_labels
from alertctl.store import events
from alertctl.store.codec import labels_json

_OPEN_UNMUTED = "SELECT id, rule, labels, silence_id FROM alerts WHERE status IN ('firing', 'acknowledged')"


@dataclass(frozen=True)
class Lifted:
    """An alert a cycle put back to firing (or acknowledged) because its suppression ended."""

    alert_id: int
    silence_id: int | None


def create(
    conn: sqlite3.Connection, rule: str, labels: tuple[tuple[str, str], ...], starts_at: float, ends_at: float,
    reason: str, created_by: str,
) -> Silence:
    cursor = conn.execute(
        "INSERT INTO silences (rule, labels, starts_at, ends_at, reason, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        (rule, labels_json(labels), starts_at, ends_at, reason, created_by),
    )
    found = get(conn, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def get(conn: sqlite3.Connection, silence_id: int) -> Silence | None:
    row = conn.execute("SELECT * FROM silences WHERE id = ?", (silence_id,)).fetchone()
    return None if row is None else _silence(row)


def every(conn: sqlite3.Connection) -> list[Silence]:
    return [_silence(row) for row in conn.execute("SELECT * FROM silences ORDER BY id")]


def not_over(conn: sqlite3.Connection, now: float) -> list[Silence]:
    """Silences that may still be active at `now` (the index narrows; `state` decides)."""
    rows = conn.execute("SELECT * FROM silences WHERE ends_at > ? AND lifted_at IS NULL ORDER BY id", (now,))
    return [s for s in map(_silence, rows) if s.active(now)]


def _silence(row: sqlite3.Row) -> Silence:
    return Silence(
        row["id"], row["rule"], make_labels(json.loads(row["labels"])), row["starts_at"], row["ends_at"],
        row["reason"], row["created_by"], row["lifted_at"],
    )


def open_matches(conn: sqlite3.Connection, silence: Silence) -> int:
    """How many open alerts (muted already or not) the silence covers now: 0 is worth a second look."""
    rows = conn.execute("SELECT labels FROM alerts WHERE status != 'resolved' AND rule = ?", (silence.rule,))
    return sum(silence.matches(silence.rule, json.loads(row["labels"])) for row in rows)


def lift(conn: sqlite3.Connection, silence_id: int, now: float) -> None:
    """End it now; alerts under it become due to be lifted (and announced) by the next cycle."""
    conn.execute("UPDATE silences SET lifted_at = ? WHERE id = ? AND lifted_at IS NULL", (now, silence_id))
    conn.execute(
        "UPDATE alerts SET suppressed_until = MIN(suppressed_until, ?) WHERE silence_id = ? AND status = 'suppressed'",
        (now, silence_id),
    )


def suppress_alert(conn: sqlite3.Connection, alert_id: int, until: float, reason: str | None, now: float) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'suppressed', suppressed_until = ?, suppress_reason = ?, silence_id = NULL "
        "WHERE id = ? AND status != 'resolved'",
        (until, reason, alert_id),
    )
    events.add(conn, alert_id, now, "suppressed", f"until {iso(until)}" + (f": {reason}" if reason else ""))


def unsuppress_alert(conn: sqlite3.Connection, alert_id: int, now: float) -> bool:
    """Back to firing (acknowledged if it was); False when it was not suppressed."""
    cursor = conn.execute(
        "UPDATE alerts SET status = CASE WHEN acked_at IS NULL THEN 'firing' ELSE 'acknowledged' END, "
        "suppressed_until = NULL WHERE id = ? AND status = 'suppressed'",
        (alert_id,),
    )
    if cursor.rowcount:
        events.add(conn, alert_id, now, "unsuppressed", "lifted by hand")
    return bool(cursor.rowcount)


def apply(conn: sqlite3.Connection, now: float) -> list[Lifted]:
    """One cycle's suppression bookkeeping: lift what has ended, then mute what an active silence covers.

    Returns the alerts lifted and left unmuted, so the cycle can announce those a silence held back.
    """
    lifted = _lift_ended(conn, now)
    active = not_over(conn, now)
    muted: set[int] = set()
    for row in conn.execute(_OPEN_UNMUTED).fetchall() if active else ():
        labels = json.loads(row["labels"])
        # not again by the silence someone lifted it from by hand (`unsuppress ID`)
        silence = next((s for s in active if s.matches(row["rule"], labels) and s.id != row["silence_id"]), None)
        if silence is not None:
            _mute(conn, row["id"], silence, now)
            muted.add(row["id"])
    return [item for item in lifted if item.alert_id not in muted]


def _lift_ended(conn: sqlite3.Connection, now: float) -> list[Lifted]:
    rows = conn.execute(
        "SELECT id, silence_id FROM alerts WHERE status = 'suppressed' AND suppressed_until <= ?", (now,)
    ).fetchall()
    for row in rows:
        conn.execute(
            "UPDATE alerts SET status = CASE WHEN acked_at IS NULL THEN 'firing' ELSE 'acknowledged' END, "
            "suppressed_until = NULL WHERE id = ?",
            (row["id"],),
        )
        why = f"silence #{row['silence_id']} ended" if row["silence_id"] else "suppression ended"
        events.add(conn, row["id"], now, "unsuppressed", why)
    return [Lifted(row["id"], row["silence_id"]) for row in rows]


def _mute(conn: sqlite3.Connection, alert_id: int, silence: Silence, now: float) -> None:
    conn.execute(
        "UPDATE alerts SET status = 'suppressed', suppressed_until = ?, suppress_reason = ?, silence_id = ? "
        "WHERE id = ?",
        (silence.ends_at, silence.reason, silence.id, alert_id),
    )
    events.add(conn, alert_id, now, "silenced", f"silence #{silence.id} until {iso(silence.ends_at)}: {silence.reason}")
