"""The report's SQL as it was before m013_report (commit 6324edc), kept verbatim as the
reference the new queries must agree with, figure for figure (tests/report/test_report_scale.py).

It sorted every duration (window functions, ORDER BY over the window) and read the
table for every alert; the store now walks indexes instead (alertctl/store/report.py).
Only the queries are kept here: the window and the rows are the store's.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from alertctl.store.report import QUICK_SECONDS, Aggregates, ChannelRow, RuleRow, Window

__all__ = ["Window", "aggregates"]


def aggregates(conn: sqlite3.Connection, window: Window) -> Aggregates:
    by_severity, by_status = _severity_status(conn, window)
    hourly, weekday, daily = _local_times(conn, window)
    tta_mean, tta_median, ttr_mean, ttr_median = _response_times(conn, window)
    return Aggregates(
        rules=rule_rows(conn, window),
        by_severity=by_severity,
        by_status=by_status,
        hourly=hourly,
        weekday=weekday,
        daily=daily,
        tta=(tta_mean, tta_median),
        ttr=(ttr_mean, ttr_median),
        channels=channel_rows(conn, window),
    )


def _severity_status(conn: sqlite3.Connection, window: Window) -> tuple[dict[str, int], dict[str, int]]:
    clause, params = window.where()
    by_severity: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for severity, status, count in conn.execute(
        f"SELECT peak_severity, status, COUNT(*) FROM alerts WHERE {clause} GROUP BY 1, 2", params
    ):
        by_severity[severity] += count
        by_status[status] += count
    return dict(by_severity), dict(by_status)


def _local_times(conn: sqlite3.Connection, window: Window) -> tuple[dict[int, int], dict[int, int], dict[str, int]]:
    """Counts by local hour of day, weekday (0 = Sunday, as SQLite's %w) and date, from one
    GROUP BY over (local date, local hour): at most 24 rows a day of window."""
    clause, params = window.where()
    hourly: Counter[int] = Counter()
    weekday: Counter[int] = Counter()
    daily: Counter[str] = Counter()
    for day, hour, dow, count in conn.execute(
        f"SELECT {_local('%Y-%m-%d')}, {_local('%H')}, {_local('%w')}, COUNT(*) FROM alerts "
        f"WHERE {clause} GROUP BY 1, 2",
        params,
    ):
        hourly[int(hour)] += count
        weekday[int(dow)] += count
        daily[day] += count
    return dict(hourly), dict(weekday), dict(daily)


def _local(fmt: str) -> str:
    return f"strftime('{fmt}', started_at, 'unixepoch', 'localtime')"


_MEDIAN = "(SELECT AVG({c}) FROM (SELECT {c} FROM w WHERE {c} IS NOT NULL ORDER BY {c} LIMIT 2 - {n} % 2 OFFSET ({n} - 1) / 2))"


def _response_times(conn: sqlite3.Connection, window: Window) -> tuple[float | None, ...]:
    """Mean and median seconds to acknowledge, then to resolve (over the alerts that were)."""
    clause, params = window.where()
    row = conn.execute(
        f"""WITH w AS MATERIALIZED (SELECT acked_at - started_at AS a, resolved_at - started_at AS r
                                    FROM alerts WHERE {clause}),
        c AS (SELECT COUNT(a) AS na, AVG(a) AS ma, COUNT(r) AS nr, AVG(r) AS mr FROM w)
        SELECT ma, {_MEDIAN.format(c="a", n="(SELECT na FROM c)")}, mr, {_MEDIAN.format(c="r", n="(SELECT nr FROM c)")} FROM c""",
        params,
    ).fetchone()
    return tuple(row)


def rule_rows(conn: sqlite3.Connection, window: Window) -> list[RuleRow]:
    """Per rule: alerts, never acknowledged, resolved, resolved within QUICK_SECONDS, reopenings,
    and the median duration of its resolved alerts. Noisiest first."""
    clause, params = window.where()
    rows = conn.execute(
        f"""WITH w AS (SELECT rule, started_at, acked_at, resolved_at, reopened FROM alerts WHERE {clause}),
        r AS (SELECT rule, resolved_at - started_at AS s,
                     ROW_NUMBER() OVER (PARTITION BY rule ORDER BY resolved_at - started_at) AS n,
                     COUNT(*) OVER (PARTITION BY rule) AS c
              FROM w WHERE resolved_at IS NOT NULL),
        m AS (SELECT rule, AVG(s) AS median FROM r WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY rule)
        SELECT w.rule, COUNT(*), SUM(w.acked_at IS NULL), SUM(w.resolved_at IS NOT NULL),
               SUM(w.resolved_at IS NOT NULL AND w.resolved_at - w.started_at <= ?), SUM(w.reopened), m.median
        FROM w LEFT JOIN m ON m.rule = w.rule GROUP BY w.rule ORDER BY COUNT(*) DESC, w.rule""",
        [*params, QUICK_SECONDS],
    )
    return [RuleRow(*row) for row in rows]


def channel_rows(conn: sqlite3.Connection, window: Window) -> list[ChannelRow]:
    """Delivery attempts made inside the window per channel: succeeded, failed, and failed for the
    last time (the notice was given up at that attempt). With a rule, only notices about its alerts."""
    about = ""
    params: list[object] = [window.since, window.until]
    if window.rule is not None:
        about = " AND d.alert_id IN (SELECT id FROM alerts WHERE rule = ?)"
        params.append(window.rule)
    rows = conn.execute(  # `ch` walks the few channel names by index seeks; then a range of (channel, at) each
        f"""WITH RECURSIVE ch(name) AS (
            SELECT MIN(channel) FROM deliveries
            UNION ALL SELECT (SELECT MIN(channel) FROM deliveries WHERE channel > name) FROM ch WHERE name IS NOT NULL)
        SELECT d.channel, SUM(d.ok = 1), SUM(d.ok = 0), COUNT(o.id)
        FROM ch JOIN deliveries d ON d.channel = ch.name AND d.at >= ? AND d.at <= ?
        LEFT JOIN outbox o ON d.ok = 0 AND o.id = d.outbox_id AND o.given_up_at = d.at
        WHERE 1{about} GROUP BY d.channel ORDER BY d.channel""",
        params,
    )
    return [ChannelRow(*row) for row in rows]
