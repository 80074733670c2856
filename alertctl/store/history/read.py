"""Reading history back: raw samples, or buckets of a step from the finest tier that has them."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from alertctl.model import Labels
from alertctl.store.codec import labels_from_json
from alertctl.store.history import chunk
from alertctl.store.history.write import HOUR, ROLLUP_BLOCKS, TICKS

MAX_POINTS = 1000
NICE_STEPS = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
"""Steps chosen for a window, so buckets fall on round times and coarse ones come from rollups."""


@dataclass(frozen=True)
class Point:
    """One raw sample (min = max = value), or one bucket: its start, average, min and max."""

    at: float
    value: float
    min: float
    max: float


@dataclass(frozen=True)
class Signal:
    """One series over a window: `step` seconds per point, 0 for raw samples."""

    metric: str
    labels: Labels
    step: int
    points: list[Point]


def signals(
    conn: sqlite3.Connection, metric: str, labels: Labels, since: float, until: float, step: int | None = None
) -> list[Signal]:
    """Every series of `metric` whose labels include `labels`; `step` None picks one for ≤ 1,000 points."""
    found = series_of(conn, metric, labels)
    if step is None:
        count = max((_raw_count(conn, series, since, until) for series, _ in found), default=0)
        step = choose_step(count, since, until)
    return [Signal(metric, own, step, _points(conn, series, since, until, step)) for series, own in found]


def choose_step(raw_count: int, since: float, until: float) -> int:
    """Raw when the window holds at most 1,000 samples, else the finest round step that gives ≤ 1,000."""
    if raw_count <= MAX_POINTS:
        return 0
    for step in NICE_STEPS:
        if _buckets_between(since, until, step) <= MAX_POINTS:
            return step
    return math.ceil((until - since) / (MAX_POINTS - 1) / 86400) * 86400


def _buckets_between(since: float, until: float, step: int) -> int:
    return int(until // step - since // step) + 1


def series_of(conn: sqlite3.Connection, metric: str, labels: Labels) -> list[tuple[int, Labels]]:
    wanted = set(labels)
    rows = conn.execute("SELECT id, labels FROM series WHERE metric = ? ORDER BY labels", (metric,))
    return [(row[0], own) for row in rows if wanted <= set(own := labels_from_json(row[1]))]


def _points(conn: sqlite3.Connection, series: int, since: float, until: float, step: int) -> list[Point]:
    if step == 0:
        return [Point(tick / TICKS, value, value, value) for tick, value in _raw(conn, series, since, until)]
    tier = next((t for t in (HOUR, 300) if step % t == 0), 0)
    start = since // step * step
    if tier:
        parts = [(float(b[0]), b[1], b[2], b[3], b[4]) for b in _rollups(conn, series, tier, start, until)]
        hot = _hot(conn, series, start, until)
    else:
        parts, hot = [], _raw(conn, series, start, until)
    parts += [(tick / TICKS, value, value, value, 1) for tick, value in hot]
    return _buckets(parts, step)


def _rollups(conn: sqlite3.Connection, series: int, step: int, since: float, until: float) -> list[chunk.Bucket]:
    rows = conn.execute(
        "SELECT buckets FROM sample_rollup WHERE series = ? AND step = ? AND t0 > ? AND t0 <= ? ORDER BY t0",
        (series, step, since - ROLLUP_BLOCKS[step], until),
    )
    return [b for row in rows for b in chunk.decode_buckets(row[0]) if since <= b[0] <= until]


def _buckets(parts: Iterable[tuple[float, float, float, float, int]], step: int) -> list[Point]:
    """Combine `(at, min, max, sum, count)` pieces into one point per `step`-second bucket."""
    found: dict[float, list[float]] = {}
    for at, low, high, total, count in parts:
        key = at // step * step
        bucket = found.get(key)
        if bucket is None:
            found[key] = [low, high, total, count]
        else:
            bucket[0], bucket[1] = min(bucket[0], low), max(bucket[1], high)
            bucket[2] += total
            bucket[3] += count
    return [Point(at, total / count, low, high) for at, (low, high, total, count) in sorted(found.items())]


def _raw(conn: sqlite3.Connection, series: int, since: float, until: float) -> list[tuple[int, float]]:
    """Every sample in [since, until], sealed or open, in time order."""
    low, high = math.ceil(since * TICKS), math.floor(until * TICKS)
    found = []
    for row in _chunks(conn, series, since, until):
        found += [
            (tick, value)
            for tick, value in zip(chunk.decode_times(row[2]), chunk.decode_values(row[3]), strict=True)
            if low <= tick <= high
        ]
    found += _hot(conn, series, since, until)
    found.sort()
    return found


def _chunks(conn: sqlite3.Connection, series: int, since: float, until: float) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT t0, n, ts, vals FROM sample_chunk WHERE series = ? AND t0 >= ? AND t0 <= ? ORDER BY t0",
        (series, since // HOUR * HOUR, until),
    ).fetchall()


def _hot(conn: sqlite3.Connection, series: int, since: float, until: float) -> list[tuple[int, float]]:
    rows = conn.execute(
        "SELECT ts, value FROM sample_hot WHERE series = ? AND ts >= ? AND ts <= ?",
        (series, math.ceil(since * TICKS), math.floor(until * TICKS)),
    )
    return [(row[0], row[1]) for row in rows]


def _raw_count(conn: sqlite3.Connection, series: int, since: float, until: float) -> int:
    """Samples in the window: whole chunks by their count, the two at its edges decoded."""
    low, high = math.ceil(since * TICKS), math.floor(until * TICKS)
    count = 0
    for row in conn.execute(
        "SELECT t0, n, ts FROM sample_chunk WHERE series = ? AND t0 >= ? AND t0 <= ?",
        (series, since // HOUR * HOUR, until),
    ):
        inside = row[0] >= since and row[0] + HOUR <= until
        count += row[1] if inside else sum(low <= tick <= high for tick in chunk.decode_times(row[2]))
    hot = conn.execute(
        "SELECT count(*) FROM sample_hot WHERE series = ? AND ts >= ? AND ts <= ?", (series, low, high)
    ).fetchone()[0]
    return count + int(hot)
