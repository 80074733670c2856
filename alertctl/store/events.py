"""An alert's timeline: one row per thing that happened to it (opened, raised, acked, suppressed, ...).

Written by the store wherever an alert changes; read by `show`. Notices live in the
outbox and `muted`; `show` merges the two by time.
"""

from __future__ import annotations

import sqlite3


def add(conn: sqlite3.Connection, alert_id: int, at: float, kind: str, detail: str = "") -> None:
    conn.execute(
        "INSERT INTO alert_events (alert_id, at, kind, detail) VALUES (?, ?, ?, ?)", (alert_id, at, kind, detail)
    )


def of(conn: sqlite3.Connection, alert_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT at, kind, detail FROM alert_events WHERE alert_id = ? ORDER BY at, id", (alert_id,)
    ).fetchall()


def forget_before(conn: sqlite3.Connection, gone: str, before: float) -> None:
    conn.execute(f"DELETE FROM alert_events WHERE alert_id IN {gone}", (before,))
