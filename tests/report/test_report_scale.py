"""The report's index walks give the figures the old sorting SQL gave, on a random history.

The reference is the SQL before m013_report, kept verbatim in tests/report/legacy_sql.py;
the database is written as the store writes it (the triggers fill the duration columns),
then edited as operators and `watch` edit it (ack, resolve, reopen, clock shift).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path

import pytest

from alertctl import report as reporting
from alertctl.store import report as store_report
from alertctl.store.db import open_database
from tests.report import legacy_sql

NOW = 1_790_000_000.0
"""2026-09-21: inside the northern and southern summer-time changes of the year before."""
DAY, HOUR = 86400.0, 3600.0
BURST = NOW - 5 * HOUR
"""A tenth of the alerts start in the hour after this: more alerts than quarter-hours around it."""
RULES = ["disk-full", "cpu-high", "memory-high", "site-down", "queue-backlog", "rare"]
STATUSES = ["firing", "acknowledged", "suppressed", "resolved", "resolved", "resolved", "expired"]
ZONES = ["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
"""DST on an hour, a +05:45 offset, and a 30-minute DST change."""


def _history(path: Path, count: int, seed: int) -> sqlite3.Connection:
    rng = random.Random(seed)
    conn = open_database(path)
    with conn:
        for n in range(count):
            started = NOW - 400 * DAY + rng.random() * 400 * DAY if n % 10 else BURST + rng.random() * HOUR
            status = rng.choice(STATUSES)
            # durations with ties (whole minutes) and without (fractions), so medians average two
            duration = rng.choice([60.0, 120.0, 600.0, rng.random() * 7200, rng.randrange(1, 50) * 60.0])
            acked = started + rng.choice([30.0, rng.random() * 900]) if rng.random() < 0.5 else None
            resolved = started + duration if status in ("resolved", "expired") else None
            conn.execute(
                "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, message, "
                "started_at, last_seen_at, acked_at, resolved_at, reopened) "
                "VALUES (?, 'm', ?, '{}', 'h', 'warning', ?, ?, 'x', ?, ?, ?, ?, ?)",
                (
                    rng.choice(RULES[:-1]) if n else RULES[-1],
                    f"s{n}",
                    rng.choice(["warning", "critical"]),
                    status,
                    started,
                    started,
                    acked,
                    resolved,
                    rng.choice([0, 0, 0, 1, 3]),
                ),
            )
            for attempt in range(rng.randrange(0, 3)):
                at = started + attempt * 30 + rng.random()
                ok = int(rng.random() < 0.7)
                cursor = conn.execute(
                    "INSERT INTO outbox (alert_id, channel, kind, reason, title, body, notify_type, created_at, "
                    "next_attempt_at, attempts, given_up_at) VALUES (?, ?, 'opened', 'first_notification', 't', 'b', "
                    "'warning', ?, ?, 1, ?)",
                    (n + 1, rng.choice(["ops", "pager"]), at, at, None if ok or rng.random() < 0.5 else at),
                )
                conn.execute(
                    "INSERT INTO deliveries (outbox_id, alert_id, channel, kind, at, ok) "
                    "VALUES (?, ?, (SELECT channel FROM outbox WHERE id = ?), 'opened', ?, ?)",
                    (cursor.lastrowid, n + 1, cursor.lastrowid, at, ok),
                )
        _edit(conn, rng)
    return conn


def _edit(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Later changes, as the store makes them: the duration columns must follow every one."""
    ids = [row[0] for row in conn.execute("SELECT id FROM alerts ORDER BY id")]
    for alert_id in rng.sample(ids, len(ids) // 10):
        conn.execute(
            "UPDATE alerts SET acked_at = COALESCE(acked_at, started_at + ?) WHERE id = ?",
            (rng.random() * 300, alert_id),
        )
    for alert_id in rng.sample(ids, len(ids) // 10):
        conn.execute(
            "UPDATE alerts SET status = 'firing', resolved_at = NULL, acked_at = NULL, "
            "reopened = reopened + 1 WHERE id = ?",
            (alert_id,),
        )
    for alert_id in rng.sample(ids, len(ids) // 10):
        conn.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = started_at + ? WHERE id = ?",
            (rng.random() * 3600, alert_id),
        )
    conn.execute(
        "UPDATE alerts SET started_at = started_at + 7.25, acked_at = acked_at + 7.25 WHERE status != 'resolved'"
    )


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


WINDOWS = [
    (NOW - 400 * DAY, NOW, None),  # everything
    (NOW - 365 * DAY, NOW, None),
    (NOW - 30 * DAY, NOW, None),
    (NOW - 3 * DAY, NOW - 2 * DAY, None),  # a narrow window: few alerts a rule
    (BURST - HOUR, BURST + 2 * HOUR, None),  # more alerts than buckets: counted bucket by bucket
    (BURST - 0.5 * HOUR, BURST + 0.75 * HOUR, "cpu-high"),
    (NOW - 200 * DAY, NOW, "disk-full"),
    (NOW - 400 * DAY, NOW, "rare"),  # one alert
    (NOW - 30 * DAY, NOW, "no-such-rule"),
    (NOW + DAY, NOW + 2 * DAY, None),  # empty
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    return _history(tmp_path_factory.mktemp("scale") / "a.db", 3000, seed=15)


@pytest.mark.parametrize("sorted_up_to", [0, store_report.SORTED_UP_TO])  # every median walked; the few sorted
@pytest.mark.parametrize(("since", "until", "rule"), WINDOWS)
def test_the_report_matches_the_sorting_sql_it_replaces(
    history: sqlite3.Connection,
    zone: str,
    since: float,
    until: float,
    rule: str | None,
    sorted_up_to: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_report, "SORTED_UP_TO", sorted_up_to)
    conn = history
    new = store_report.aggregates(conn, store_report.Window(since, until, rule))
    old = legacy_sql.aggregates(conn, legacy_sql.Window(since, until, rule))
    # medians exactly, counts exactly; means are sums in another order (same to well under a millisecond)
    assert [astuple(r) for r in new.rules] == [astuple(r) for r in old.rules]
    assert (new.tta[1], new.ttr[1]) == (old.tta[1], old.ttr[1])
    for got, want in ((new.tta[0], old.tta[0]), (new.ttr[0], old.ttr[0])):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-9)
    assert (new.by_severity, new.by_status) == (old.by_severity, old.by_status)
    assert (new.hourly, new.weekday, new.daily) == (old.hourly, old.weekday, old.daily)
    assert [astuple(c) for c in new.channels] == [astuple(c) for c in old.channels]
    assert reporting.to_dict(reporting.build(new, since, until, rule)) == reporting.to_dict(
        reporting.build(old, since, until, rule)
    )
    if rule is None and until <= NOW:  # the window holds something to get wrong
        assert new.ttr[1] is not None and sum(new.hourly.values()) == sum(r.alerts for r in new.rules) > 0


def test_the_duration_columns_follow_every_change(tmp_path: Path) -> None:
    conn = _history(tmp_path / "a.db", 500, seed=1)
    stale = conn.execute(
        "SELECT COUNT(*) FROM alerts WHERE ack_seconds IS NOT acked_at - started_at "
        "OR resolve_seconds IS NOT resolved_at - started_at"
    ).fetchone()[0]
    assert stale == 0
    assert conn.execute("SELECT COUNT(*) FROM alerts WHERE resolve_seconds IS NULL").fetchone()[0] > 0
    assert conn.execute("SELECT COUNT(*) FROM alerts WHERE ack_seconds IS NOT NULL").fetchone()[0] > 0
