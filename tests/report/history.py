"""A known alert history, written as the store writes it, with every figure the report must give."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alertctl.store.db import open_database

BASE = datetime(2026, 11, 10, tzinfo=UTC).timestamp()
"""The window: BASE to BASE + 7 days (2026-11-10T00:00Z to 2026-11-17T00:00Z)."""
DAY, HOUR, MINUTE = 86400, 3600, 60
SINCE, UNTIL = "2026-11-10T00:00:00+00:00", "2026-11-17T00:00:00+00:00"

# (id, rule, peak_severity, status, started, acked after, resolved after, reopened)
ALERTS = [
    (1, "disk-root", "critical", "resolved", BASE + DAY + 14 * HOUR, None, 60, 1),
    (2, "disk-root", "warning", "resolved", BASE + 2 * DAY + 14 * HOUR + 30 * MINUTE, None, 90, 1),
    (3, "disk-root", "warning", "resolved", BASE + 3 * DAY + 14 * HOUR + 10 * MINUTE, 300, 600, 0),
    (4, "cpu-high", "critical", "acknowledged", BASE + DAY + 3 * HOUR, 120, None, 0),
    (5, "cpu-high", "warning", "firing", BASE + 5 * DAY + 20 * HOUR, None, None, 0),
    (6, "q", "critical", "resolved", BASE - HOUR, 10, 20, 5),  # before the window
    (7, "q", "critical", "resolved", BASE + 7 * DAY + 1, 10, 20, 5),  # after it
]
# (alert id, channel, at, ok, the notice was given up at this attempt)
DELIVERIES = [
    (1, "ops", BASE + DAY + 14 * HOUR, 1, False),
    (1, "ops", BASE + DAY + 14 * HOUR + 5, 0, False),
    (4, "pager", BASE + 2 * DAY, 0, False),
    (4, "pager", BASE + 3 * DAY, 0, True),
    (6, "pager", BASE - 10, 1, False),  # before the window
    (6, "pager", BASE - 5, 0, True),  # before the window
]

COMMON = {
    "since": None,  # filled per time zone
    "total": 5,
    "by_severity": {"info": 0, "warning": 3, "error": 0, "critical": 2},
    "by_rule": {"disk-root": 3, "cpu-high": 2},
    "by_status": {"firing": 1, "acknowledged": 1, "suppressed": 0, "resolved": 3},
    "most_common_rule": "disk-root",
    "mtta_seconds": 210.0,
    "mttr_seconds": 250.0,
    "median_tta_seconds": 210.0,
    "median_ttr_seconds": 90.0,
    "flapping": [{"rule": "disk-root", "reopened": 2}],
    "notifications": {
        "sent": 1,
        "failed": 3,
        "given_up": 1,
        "by_channel": {
            "ops": {"sent": 1, "failed": 1, "given_up": 0},
            "pager": {"sent": 0, "failed": 2, "given_up": 1},
        },
    },
    "noisiest": [
        {
            "rule": "disk-root",
            "alerts": 3,
            "per_day": 0.43,
            "never_acknowledged_share": 0.667,
            "median_duration_seconds": 90.0,
            "resolved_within_2m": 2,
            "reopened": 2,
        },
        {
            "rule": "cpu-high",
            "alerts": 2,
            "per_day": 0.29,
            "never_acknowledged_share": 0.5,
            "median_duration_seconds": None,
            "resolved_within_2m": 0,
            "reopened": 0,
        },
    ],
}


def hours(**counts: int) -> list[int]:
    """24 counts from h9=3, h22=1, ..."""
    return [counts.get(f"h{h}", 0) for h in range(24)]


def week(**counts: int) -> dict[str, int]:
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return {d: counts.get(d[:3], 0) for d in days}


def daily(first: int, counts: list[int]) -> list[dict[str, object]]:
    return [{"date": f"2026-11-{first + i:02d}", "alerts": n} for i, n in enumerate(counts)]


# Per time zone: the window's ends as printed, hours, weekdays and dates, all local.
BY_ZONE = {
    "UTC": {
        "since": "2026-11-10T00:00:00+00:00",
        "until": "2026-11-17T00:00:00+00:00",
        "hourly": hours(h14=3, h3=1, h20=1),
        "peak_hour": 14,
        "by_weekday": week(wed=2, thu=1, fri=1, sun=1),
        "daily": daily(10, [0, 2, 1, 1, 0, 1, 0, 0]),
    },
    "America/New_York": {  # UTC-5 in November
        "since": "2026-11-09T19:00:00-05:00",
        "until": "2026-11-16T19:00:00-05:00",
        "hourly": hours(h9=3, h22=1, h15=1),
        "peak_hour": 9,
        "by_weekday": week(tue=1, wed=1, thu=1, fri=1, sun=1),
        "daily": daily(9, [0, 1, 1, 1, 1, 0, 1, 0]),
    },
    "Asia/Kolkata": {  # UTC+5:30
        "since": "2026-11-10T05:30:00+05:30",
        "until": "2026-11-17T05:30:00+05:30",
        "hourly": hours(h19=2, h20=1, h8=1, h1=1),
        "peak_hour": 19,
        "by_weekday": week(wed=2, thu=1, fri=1, mon=1),
        "daily": daily(10, [0, 2, 1, 1, 0, 0, 1, 0]),
    },
}


def expected(zone: str) -> dict[str, object]:
    return {**COMMON, **BY_ZONE[zone]}


def write_history(path: Path) -> Path:
    conn = open_database(path)
    conn.executemany(
        "INSERT INTO alerts (id, rule, metric, series, labels, host, severity, peak_severity, status, resolution, "
        "message, started_at, last_seen_at, acked_at, resolved_at, reopened) "
        "VALUES (?, ?, 'm', ?, '{}', 'web-01', ?, ?, ?, ?, 'msg', ?, ?, ?, ?, ?)",
        [
            (
                i,
                rule,
                f'{{"n":"{i}"}}',
                sev,
                sev,
                status,
                "recovered" if resolved else None,
                start,
                start,
                None if acked is None else start + acked,
                None if resolved is None else start + resolved,
                reopened,
            )
            for i, rule, sev, status, start, acked, resolved, reopened in ALERTS
        ],
    )
    for n, (alert, channel, at, ok, given_up) in enumerate(DELIVERIES):
        _outbox(conn, n + 1, alert, channel, at if given_up else None)
        conn.execute(
            "INSERT INTO deliveries (outbox_id, alert_id, channel, kind, at, ok) VALUES (?, ?, ?, 'opened', ?, ?)",
            (n + 1, alert, channel, at, ok),
        )
    conn.close()
    return path


def _outbox(conn: sqlite3.Connection, oid: int, alert: int, channel: str, given_up: float | None) -> None:
    conn.execute(
        "INSERT INTO outbox (id, alert_id, channel, kind, reason, title, body, notify_type, created_at, "
        "next_attempt_at, given_up_at) VALUES (?, ?, ?, 'opened', 'first_notification', 't', 'b', 'warning', ?, ?, ?)",
        (oid, alert, channel, BASE, BASE, given_up),
    )
