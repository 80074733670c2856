"""Moving the record of what is still open along with a step of the wall clock.

Every duration the engine and the notifier measure starts from a stored time:
a rule's pending breach, an open alert's start (escalation), its last notice
(renotify), a retry's due time. Shifting those by the step keeps each duration
what it really was, so a clock set an hour forward fires nothing early and one
set an hour back yields no negative durations. Closed alerts and silences keep
the times they were given: those are history and absolute deadlines.
"""

from __future__ import annotations

import sqlite3

from alertctl.model import Blind, Severity
from alertctl.store import state

_OPEN = "(SELECT id FROM alerts WHERE status != 'resolved')"


def shift_open_record(conn: sqlite3.Connection, step: float) -> None:
    since = ", ".join(f"{s.label}_since = {s.label}_since + :s" for s in Severity)
    conn.execute(f"UPDATE tracks SET {since}, last_at = last_at + :s", {"s": step})
    conn.execute(
        "UPDATE alerts SET started_at = started_at + :s, last_seen_at = last_seen_at + :s, "
        "acked_at = acked_at + :s WHERE status != 'resolved'",
        {"s": step},
    )
    conn.execute(f"UPDATE alert_events SET at = at + :s WHERE alert_id IN {_OPEN}", {"s": step})
    conn.execute(f"UPDATE deliveries SET at = at + :s WHERE alert_id IN {_OPEN}", {"s": step})
    conn.execute(f"UPDATE muted SET at = at + :s WHERE alert_id IN {_OPEN}", {"s": step})
    conn.execute(
        f"UPDATE outbox SET created_at = created_at + :s, next_attempt_at = next_attempt_at + :s "
        f"WHERE alert_id IN {_OPEN} OR (delivered_at IS NULL AND given_up_at IS NULL)",
        {"s": step},
    )
    spells = state.load_blind(conn)  # rules without data: since when, as `for` is for a breach
    if spells:
        state.save_blind(conn, {rule: Blind(b.since + step, b.last_at + step, b.reason) for rule, b in spells.items()})
