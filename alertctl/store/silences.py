"""Silences and single-alert suppressions: the rows, and writing what `silencing` decides.

A silence's state (pending, active, expired, lifted) is computed from time by
`Silence.state`, never stored; lifting sets `lifted_at` and keeps the row.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from alertctl.durations import iso
from alertctl.model import Silence, make_labels
from alertctl.store import events
from alertctl.store.codec import labels_json

if TYPE_CHECKING:
    from alertctl.silencing import Held, Lifted

_OPEN = (
    "SELECT id, rule, labels, status, suppressed_until, silence_id FROM alerts "
    "WHERE status IN ('firing', 'acknowledged', 'suppressed')"
)


def create(
    conn: sqlite3.Connection,
    rule: str,
    labels: tuple[tuple[str, str], ...],
    starts_at: float,
    ends_at: float,
    reason: str,
    created_by: str,
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
        row["id"],
        row["rule"],
        make_labels(json.loads(row["labels"])),
        row["starts_at"],
        row["ends_at"],
        row["reason"],
        row["created_by"],
        row["lifted_at"],
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
    """One cycle's suppression bookkeeping, decided by `silencing.plan` and written here.

    Returns the alerts lifted and left unmuted, so the cycle can announce those a silence held back.
    """
    active = not_over(conn, now)
    held = _held(conn, now, everything=bool(active))
    if not held:
        return []  # the usual cycle: nothing silenced, nothing to lift
    from alertctl import silencing

    decided = silencing.plan(held, active, now)
    for item in decided.lift:
        conn.execute(
            "UPDATE alerts SET status = CASE WHEN acked_at IS NULL THEN 'firing' ELSE 'acknowledged' END, "
            "suppressed_until = NULL WHERE id = ?",
            (item.alert_id,),
        )
        events.add(conn, item.alert_id, now, "unsuppressed", item.why)
    for mute in decided.mute:
        conn.execute(
            "UPDATE alerts SET status = 'suppressed', suppressed_until = ?, suppress_reason = ?, silence_id = ? "
            "WHERE id = ?",
            (mute.silence.ends_at, mute.silence.reason, mute.silence.id, mute.alert_id),
        )
        events.add(conn, mute.alert_id, now, "silenced", mute.why)
    return decided.announce


def _held(conn: sqlite3.Connection, now: float, everything: bool) -> list[Held]:
    """The open alerts; with no active silence only those whose suppression has ended can change."""
    query = _OPEN if everything else _OPEN + " AND status = 'suppressed' AND suppressed_until <= ?"
    rows = conn.execute(query, () if everything else (now,)).fetchall()
    if not rows:
        return []
    from alertctl.silencing import Held

    return [
        Held(
            row["id"],
            row["rule"],
            json.loads(row["labels"]),
            row["suppressed_until"] if row["status"] == "suppressed" else None,
            row["silence_id"],
        )
        for row in rows
    ]
