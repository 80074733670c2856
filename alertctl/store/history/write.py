"""Writing history: the cycle's samples, the hourly seal, and pruning by age."""

from __future__ import annotations

import math
import sqlite3
from bisect import bisect_left
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Protocol

from alertctl.model import Sample
from alertctl.store import state
from alertctl.store.codec import labels_json
from alertctl.store.history import chunk

TICKS = 10
"""Ticks per second: sample times are kept to a tenth of a second."""
HOUR = 3600
ROLLUP_BLOCKS = {300: HOUR, 3600: 86400}
"""Rollup step: the span one row holds (an hour of 5-minute buckets, a UTC day of hourly ones)."""
_SEALED_HOUR = "history_hour"
"""State key: the hour (epoch seconds // 3600) whose start last sealed the hot samples."""


class Retention(Protocol):
    """How long each tier is kept, in seconds: `[history]` as the config holds it."""

    @property
    def keep_raw(self) -> float: ...
    @property
    def keep_5m(self) -> float: ...
    @property
    def keep_1h(self) -> float: ...


def _kept_for(keep: Retention, step: int) -> float:
    return keep.keep_5m if step == 300 else keep.keep_1h


def record(conn: sqlite3.Connection, samples: Iterable[Sample], now: float, keep: Retention) -> None:
    """The cycle's samples into the open hour; the first cycle of a new hour seals the ones before.

    Runs inside the cycle's transaction. Non-finite values are not kept (SQLite would turn
    a NaN into NULL). A sample's time is rounded down to the tenth of a second, never into
    the future, so a reader asking up to now finds it. When its tenth is already taken
    (another process sampled the same series then, the clock set back onto it), `_place`
    keeps both, neither dated after it was taken.
    """
    kept = [s for s in samples if math.isfinite(s.value)]
    tick = math.floor(now * TICKS)
    names = [(s.metric, labels_json(s.labels)) for s in kept]
    conn.executemany(
        "INSERT OR IGNORE INTO series (metric, labels, first_at) VALUES (?, ?, ?)",
        [(metric, labels, now) for metric, labels in names],
    )
    for sample, name in zip(kept, names, strict=True):
        series = conn.execute("SELECT id FROM series WHERE metric = ? AND labels = ?", name).fetchone()[0]
        row = (series, tick, sample.value)
        if not conn.execute("INSERT OR IGNORE INTO sample_hot (series, ts, value) VALUES (?, ?, ?)", row).rowcount:
            _place(conn, series, tick, sample.value)
    hour = int(now // HOUR)
    if state.get_value(conn, _SEALED_HOUR) != hour:
        seal(conn, hour * HOUR, now - keep.keep_raw)
        prune(conn, now, keep)
        state.set_value(conn, _SEALED_HOUR, hour)


def _place(conn: sqlite3.Connection, series: int, tick: int, value: float) -> None:
    """`value` at `tick`, whose tenth is taken. The sample there moves a tenth back when that
    tenth is free and in the same hour: both kept, in order, neither dated after it was taken
    (two processes sampling at once, a clock set back). Otherwise (a series sampled more than
    ten times a second, or the hour's first tenth) the newer sample takes the place: history
    keeps a series to the tenth of a second, and a faster `watch` must neither drift its
    samples into the past nor pay for a longer and longer shuffle."""
    before = tick - 1
    free = conn.execute("SELECT 1 FROM sample_hot WHERE series = ? AND ts = ?", (series, before)).fetchone() is None
    if free and tick % (HOUR * TICKS) != 0:
        conn.execute("UPDATE sample_hot SET ts = ? WHERE series = ? AND ts = ?", (before, series, tick))
        conn.execute("INSERT INTO sample_hot (series, ts, value) VALUES (?, ?, ?)", (series, tick, value))
    else:
        conn.execute("UPDATE sample_hot SET value = ? WHERE series = ? AND ts = ?", (value, series, tick))


def seal(conn: sqlite3.Connection, before: float, oldest: float) -> int:
    """Every open sample before `before` into its hour's chunk and rollups; returns the chunks written.

    An hour that already has a chunk (the clock was set back into it) is merged with it,
    decoded and encoded again, so a chunk always holds its hour in time order; an open sample
    at a tenth of a second the chunk already holds takes the next free one of its hour (see
    `_free_tick`). Samples of hours older than `oldest` (the raw retention) are dropped, never
    written over rollups whose chunk has been pruned.
    """
    limit = round(before * TICKS)
    rows = conn.execute(
        "SELECT series, ts, value FROM sample_hot WHERE ts < ? ORDER BY series, ts", (limit,)
    ).fetchall()
    written = 0
    for (series, t0), group in groupby(rows, key=lambda row: (row[0], _hour_of(row[1]))):
        if t0 + HOUR > oldest:
            _write_hour(conn, series, t0, {row[1]: row[2] for row in group})
            written += 1
    conn.executemany(
        "DELETE FROM sample_hot WHERE series = ? AND ts < ?",
        [(series, limit) for series in {row[0] for row in rows}],
    )
    return written


def _hour_of(tick: int) -> int:
    return tick // (TICKS * HOUR) * HOUR


def _write_hour(conn: sqlite3.Connection, series: int, t0: int, fresh: dict[int, float]) -> None:
    found = conn.execute("SELECT ts, vals FROM sample_chunk WHERE series = ? AND t0 = ?", (series, t0)).fetchone()
    merged = dict(zip(chunk.decode_times(found[0]), chunk.decode_values(found[1]), strict=True)) if found else {}
    for tick, value in fresh.items():
        merged[_free_tick(merged, tick, t0)] = value
    ticks = sorted(merged)
    values = [merged[tick] for tick in ticks]
    conn.execute(
        "INSERT OR REPLACE INTO sample_chunk (series, t0, n, vmin, vmax, ts, vals) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (series, t0, len(values), min(values), max(values), chunk.encode_times(ticks), chunk.encode_values(values)),
    )
    _write_buckets(conn, series, 300, t0, rollups(ticks, values, 300))
    day = t0 // 86400 * 86400
    _write_buckets(
        conn, series, 3600, day, [*_buckets_of(conn, series, 3600, day, but=t0), *rollups(ticks, values, 3600)]
    )


def _free_tick(taken: Container[int], tick: int, t0: int) -> int:
    """`tick` if free, else the next free tenth of a second of the hour starting at `t0`, else (the
    rest of the hour is taken) the last free one before it. Only an hour holding a sample at every
    tenth of a second has none: the sample then takes its own tenth's place."""
    if tick not in taken:
        return tick
    start, end = t0 * TICKS, (t0 + HOUR) * TICKS
    later = next((t for t in range(tick + 1, end) if t not in taken), None)
    if later is not None:
        return later
    return next((t for t in range(tick - 1, start - 1, -1) if t not in taken), tick)


def rollups(ticks: Sequence[int], values: Sequence[float], step: int) -> list[chunk.Bucket]:
    """`(t0, min, max, sum, count)` per `step`-second bucket of time-ordered samples."""
    out = []
    start = 0
    while start < len(ticks):
        t0 = ticks[start] // (TICKS * step) * step
        end = bisect_left(ticks, (t0 + step) * TICKS, start)
        bucket = values[start:end]
        out.append((t0, min(bucket), max(bucket), math.fsum(bucket), end - start))
        start = end
    return out


def _buckets_of(conn: sqlite3.Connection, series: int, step: int, t0: int, but: int) -> list[chunk.Bucket]:
    """The buckets already in a rollup row, less the one starting at `but` (being rewritten)."""
    found = conn.execute(
        "SELECT buckets FROM sample_rollup WHERE series = ? AND step = ? AND t0 = ?", (series, step, t0)
    ).fetchone()
    return [b for b in chunk.decode_buckets(found[0]) if b[0] != but] if found else []


def _write_buckets(conn: sqlite3.Connection, series: int, step: int, t0: int, buckets: list[chunk.Bucket]) -> None:
    buckets.sort()
    conn.execute(
        "INSERT OR REPLACE INTO sample_rollup (series, step, t0, vmin, vmax, buckets) VALUES (?, ?, ?, ?, ?, ?)",
        (series, step, t0, min(b[1] for b in buckets), max(b[2] for b in buckets), chunk.encode_buckets(buckets)),
    )


@dataclass(frozen=True)
class Pruned:
    chunks: int
    rollups: int
    """Rollup rows: an hour of 5-minute buckets, or a day of hourly ones."""
    series: int


def prune(conn: sqlite3.Connection, now: float, keep: Retention) -> Pruned:
    """Drop whole chunks and rollup rows that ended longer ago than their tier keeps, then series left
    with no samples at all.

    Per series, so every delete is a range of the primary key rather than a scan.
    """
    ids = [row[0] for row in conn.execute("SELECT id FROM series")]
    chunks = _delete_each(
        conn, "DELETE FROM sample_chunk WHERE series = ? AND t0 <= ?", [(i, now - keep.keep_raw - HOUR) for i in ids]
    )
    rolled = _delete_each(
        conn,
        "DELETE FROM sample_rollup WHERE series = ? AND step = ? AND t0 <= ?",
        [(i, step, now - _kept_for(keep, step) - block) for i in ids for step, block in ROLLUP_BLOCKS.items()],
    )
    series = conn.execute(
        "DELETE FROM series WHERE "
        + " AND ".join(
            f"NOT EXISTS (SELECT 1 FROM {table} WHERE series = series.id)"
            for table in ("sample_hot", "sample_chunk", "sample_rollup")
        )
    ).rowcount
    return Pruned(chunks, rolled, series)


def _delete_each(conn: sqlite3.Connection, statement: str, rows: list[tuple[object, ...]]) -> int:
    return sum(conn.execute(statement, row).rowcount for row in rows)
