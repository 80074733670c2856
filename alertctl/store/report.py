"""The pattern report's aggregates, computed by SQLite.

Built to stay fast on a big history (1,000,000 alerts; docs/development.md#benchmarks):
every query reads ranges of covering indexes (m013_report), never the table row by
row, and no query returns one row per alert. Counts go rule by rule and channel by
channel (index seeks find the names), so nothing is sorted to group them. Medians
are exact and found without sorting: the durations are columns kept by triggers
(`ack_seconds`, `resolve_seconds`), indexed in duration order, and a median is the
middle of the window's entries in that order. Local hours, weekdays and dates are
given to quarter-hour buckets, which follow `TZ` like SQLite's `'localtime'`.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

QUICK_SECONDS = 120.0
"""An alert resolved this soon after it started counts as a blip (for suggestions)."""


@dataclass(frozen=True)
class Window:
    since: float
    until: float
    rule: str | None = None

    def where(self, alias: str = "") -> tuple[str, list[object]]:
        a = f"{alias}." if alias else ""
        clause = f"{a}started_at >= ? AND {a}started_at <= ?"
        params: list[object] = [self.since, self.until]
        if self.rule is not None:
            clause += f" AND {a}rule = ?"
            params.append(self.rule)
        return clause, params


@dataclass(frozen=True)
class RuleRow:
    rule: str
    alerts: int
    never_acked: int
    resolved: int
    quick: int
    reopened: int
    median_duration: float | None


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    sent: int
    failed: int
    given_up: int


@dataclass(frozen=True)
class Aggregates:
    """Everything the report needs, as SQLite counted it."""

    rules: list[RuleRow]
    by_severity: dict[str, int]
    by_status: dict[str, int]
    hourly: dict[int, int]
    weekday: dict[int, int]
    daily: dict[str, int]
    tta: tuple[float | None, float | None]
    ttr: tuple[float | None, float | None]
    channels: list[ChannelRow]


def aggregates(conn: sqlite3.Connection, window: Window) -> Aggregates:
    groups = _groups(conn, window)
    rules = _rule_rows(conn, window, groups)
    hourly, weekday, daily = _local_times(conn, window, sum(g.alerts for g in groups))
    acked, resolved = sum(g.acked for g in groups), sum(g.resolved for g in groups)
    if window.rule is not None:  # one rule: the median time to resolve is its median duration
        ttr_median = rules[0].median_duration if rules else None
    else:
        ttr_median = _median(conn, "alerts_resolve_seconds", "resolve_seconds", window, resolved)
    return Aggregates(
        rules=rules,
        by_severity=_tally(groups, 0),
        by_status=_tally(groups, 1),
        hourly=hourly,
        weekday=weekday,
        daily=daily,
        tta=(
            _mean([g.ack_sum for g in groups], acked),
            _median(conn, "alerts_ack_seconds", "ack_seconds", window, acked),
        ),
        ttr=(_mean([g.resolve_sum for g in groups], resolved), ttr_median),
        channels=channel_rows(conn, window),
    )


@dataclass(frozen=True)
class _Group:
    """The window's alerts of one rule, counted and summed."""

    rule: str
    alerts: int
    acked: int
    ack_sum: float
    resolved: int
    resolve_sum: float
    quick: int
    reopened: int
    kinds: dict[tuple[str, str], int]
    """Alerts by (peak severity, status)."""


def _distinct(conn: sqlite3.Connection, table: str, column: str) -> list[str]:
    """The values of an indexed column, by one index seek each (not one step per row)."""
    return [
        row[0]
        for row in conn.execute(
            f"""WITH RECURSIVE v(x) AS (
            SELECT MIN({column}) FROM {table}
            UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > x) FROM v WHERE x IS NOT NULL)
        SELECT x FROM v WHERE x IS NOT NULL"""
        )
    ]


def _groups(conn: sqlite3.Connection, window: Window) -> list[_Group]:
    """Per rule, one pass over its range of the covering index `alerts_report`: no table lookups
    and no sort (the severities and statuses are counted by CASE, not grouped)."""
    rules = _distinct(conn, "alerts", "rule") if window.rule is None else [window.rule]
    kinds = [(s, t) for s in _distinct(conn, "alerts", "peak_severity") for t in _distinct(conn, "alerts", "status")]
    per_kind = ", ".join("COUNT(CASE WHEN peak_severity = ? AND status = ? THEN 1 END)" for _ in kinds)
    query = f"""SELECT COUNT(*), COUNT(ack_seconds), TOTAL(ack_seconds), COUNT(resolve_seconds),
                       TOTAL(resolve_seconds), COUNT(CASE WHEN resolve_seconds <= ? THEN 1 END), TOTAL(reopened),
                       {per_kind}
                FROM alerts INDEXED BY alerts_report WHERE rule = ? AND started_at >= ? AND started_at <= ?"""
    found = []
    for rule in rules:
        row = conn.execute(
            query, [QUICK_SECONDS, *(v for kind in kinds for v in kind), rule, window.since, window.until]
        ).fetchone()
        alerts, acked, ack_sum, resolved, resolve_sum, quick, reopened, *per_kind_counts = row
        if alerts:
            found.append(
                _Group(
                    rule,
                    alerts,
                    acked,
                    ack_sum,
                    resolved,
                    resolve_sum,
                    quick,
                    int(reopened),
                    dict(zip(kinds, per_kind_counts)),
                )
            )
    return found


def _tally(groups: list[_Group], part: int) -> dict[str, int]:
    """Alerts by peak severity (part 0) or by status (part 1)."""
    found: Counter[str] = Counter()
    for g in groups:
        for kind, count in g.kinds.items():
            if count:
                found[kind[part]] += count
    return dict(found)


def _mean(sums: list[float], count: int) -> float | None:
    return math.fsum(sums) / count if count else None


def _rule_rows(conn: sqlite3.Connection, window: Window, groups: list[_Group]) -> list[RuleRow]:
    """Per rule: alerts, never acknowledged, resolved, resolved within QUICK_SECONDS, reopenings,
    and the median duration of its resolved alerts. Noisiest first."""
    rows = [
        RuleRow(
            g.rule,
            g.alerts,
            g.alerts - g.acked,
            g.resolved,
            g.quick,
            g.reopened,
            _median(
                conn,
                "alerts_rule_resolve_seconds",
                "resolve_seconds",
                Window(window.since, window.until, g.rule),
                g.resolved,
            ),
        )
        for g in groups
    ]
    return sorted(rows, key=lambda r: (-r.alerts, r.rule))


SORTED_UP_TO = 5000
"""A median over at most this many alerts is found by sorting them, which takes milliseconds;
over more, by walking the duration index, whose cost does not grow with the window but is
tens of milliseconds on a big history however narrow the window."""


def _median(conn: sqlite3.Connection, index: str, column: str, window: Window, count: int) -> float | None:
    """The exact median of `column` over the window's `count` alerts that have it: the middle
    one or two of them in `column` order, walking `index` (kept in that order) up to there
    rather than sorting them all, unless they are few."""
    if not count:
        return None
    if count <= SORTED_UP_TO:
        index = "alerts_started" if window.rule is None else "alerts_report"
    clause, params = window.where()
    median: float | None = conn.execute(
        f"SELECT AVG({column}) FROM (SELECT {column} FROM alerts INDEXED BY {index} "
        f"WHERE {column} IS NOT NULL AND {clause} ORDER BY {column} LIMIT ? OFFSET ?)",
        [*params, 2 - count % 2, (count - 1) // 2],
    ).fetchone()[0]
    return median


BUCKET_SECONDS = 900
"""Alerts are counted by local time in 15-minute buckets of Unix time: every zone's offset
and every change of it (DST) is a whole quarter-hour, so each bucket lies in one local hour."""


def _local_times(
    conn: sqlite3.Connection, window: Window, total: int
) -> tuple[dict[int, int], dict[int, int], dict[str, int]]:
    """Counts by local hour of day, weekday (0 = Sunday, as SQLite's %w) and date. SQLite counts
    the window's `total` alerts per bucket from an index alone; Python gives each bucket its
    local time, as the C library's localtime does for SQLite (both follow TZ)."""
    hourly: Counter[int] = Counter()
    weekday: Counter[int] = Counter()
    daily: Counter[str] = Counter()
    for bucket, count in _buckets(conn, window, total):
        local = datetime.fromtimestamp(bucket * BUCKET_SECONDS)
        hourly[local.hour] += count
        weekday[local.isoweekday() % 7] += count
        daily[local.date().isoformat()] += count
    return dict(hourly), dict(weekday), dict(daily)


def _buckets(conn: sqlite3.Connection, window: Window, total: int) -> list[tuple[int, int]]:
    """(bucket, alerts) for the window's non-empty buckets. Where the window holds more alerts than
    buckets (a busy history), each bucket is counted as a range of the index, one seek each;
    otherwise the alerts are grouped, which sorts them. Either way the cost follows the smaller."""
    first, last = int(window.since // BUCKET_SECONDS), int(window.until // BUCKET_SECONDS)
    if last - first + 1 > total:
        clause, params = window.where()
        return conn.execute(
            f"SELECT CAST(started_at / {BUCKET_SECONDS} AS INTEGER), COUNT(*) FROM alerts WHERE {clause} GROUP BY 1",
            params,
        ).fetchall()
    of_rule, rule = ("", []) if window.rule is None else (" AND rule = ?", [window.rule])
    counted = conn.execute(  # the bounds are one range per bucket (MAX/MIN), so each is a seek, not a filter
        f"""WITH RECURSIVE b(k) AS (SELECT ? UNION ALL SELECT k + 1 FROM b WHERE k < ?)
        SELECT k, (SELECT COUNT(*) FROM alerts WHERE started_at >= MAX(k * {BUCKET_SECONDS}, ?)
                   AND started_at < (k + 1) * {BUCKET_SECONDS} AND started_at <= ?{of_rule}) FROM b""",
        [first, last, window.since, window.until, *rule],
    )
    return [(k, n) for k, n in counted if n]


def channel_rows(conn: sqlite3.Connection, window: Window) -> list[ChannelRow]:
    """Delivery attempts made inside the window per channel: succeeded, failed, and failed for the
    last time (the notice was given up at that attempt). With a rule, only notices about its alerts.
    Each channel is one range of the covering index `deliveries_channel_report`, counted without a
    sort; only the failed attempts look up their notice."""
    about = ""
    params: list[object] = [window.since, window.until]
    if window.rule is not None:
        about = " AND d.alert_id IN (SELECT id FROM alerts WHERE rule = ?)"
        params.append(window.rule)
    attempts = f"""SELECT COUNT(*), COUNT(CASE WHEN d.ok = 1 THEN 1 END), COUNT(CASE WHEN d.ok = 0 THEN 1 END)
        FROM deliveries AS d INDEXED BY deliveries_channel_report WHERE d.channel = ? AND d.at >= ? AND d.at <= ?{about}"""
    given_up = f"""SELECT COUNT(*) FROM deliveries AS d INDEXED BY deliveries_channel_report
        JOIN outbox o ON o.id = d.outbox_id AND o.given_up_at = d.at
        WHERE d.channel = ? AND d.at >= ? AND d.at <= ? AND d.ok = 0{about}"""
    found = []
    for channel in _distinct(conn, "deliveries", "channel"):
        made, sent, failed = conn.execute(attempts, [channel, *params]).fetchone()
        if made:
            found.append(
                ChannelRow(
                    channel, sent, failed, conn.execute(given_up, [channel, *params]).fetchone()[0] if failed else 0
                )
            )
    return found
