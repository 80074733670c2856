"""Reading history hour by hour for a replay: each series' samples with its chunks' stored min/max.

`alertctl backtest` asks two things of an hour: its samples, and whether it can be
jumped over (the chunk's `vmin`/`vmax` cannot breach any level). Values are decoded
only for the hours a replay walks through; times always (they make the cycle clock).
"""

from __future__ import annotations

import math
import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from alertctl.model import Labels
from alertctl.store.history import chunk
from alertctl.store.history.read import series_of
from alertctl.store.history.write import HOUR, TICKS


@dataclass
class Block:
    """One series' samples in one hour: a sealed chunk (with its stored min/max) or open samples."""

    start: int
    """The hour's start, epoch seconds."""
    ticks: Sequence[int]
    """Sample times in tenths of a second, ascending (an `array`: 8 bytes each, a month is millions)."""
    low: float
    high: float
    sealed: bool
    _blob: bytes | None = None
    _values: list[float] | None = field(default=None, repr=False)

    @property
    def values(self) -> list[float]:
        """Decoded on first use: an hour a replay jumps over never pays for its values."""
        if self._values is None:
            assert self._blob is not None
            self._values = chunk.decode_values(self._blob)
        return self._values


@dataclass(frozen=True)
class SeriesBlocks:
    labels: Labels
    blocks: list[Block]


def metric_blocks(conn: sqlite3.Connection, metric: str, since: float, until: float) -> list[SeriesBlocks]:
    """Every series of `metric` (all label sets) in [since, until], hour by hour, in time order."""
    return [SeriesBlocks(labels, _blocks(conn, series, since, until)) for series, labels in series_of(conn, metric, ())]


def _blocks(conn: sqlite3.Connection, series: int, since: float, until: float) -> list[Block]:
    low, high = math.ceil(since * TICKS), math.floor(until * TICKS)
    found = []
    rows = conn.execute(
        "SELECT t0, vmin, vmax, ts, vals FROM sample_chunk WHERE series = ? AND t0 >= ? AND t0 <= ? ORDER BY t0",
        (series, since // HOUR * HOUR, until),
    )
    for t0, vmin, vmax, ts, vals in rows:
        ticks = array("q", chunk.decode_times(ts))
        if ticks and low <= ticks[0] and ticks[-1] <= high:
            found.append(Block(int(t0), ticks, vmin, vmax, True, vals))
            continue
        values = chunk.decode_values(vals)
        kept = [(t, v) for t, v in zip(ticks, values, strict=True) if low <= t <= high]
        if kept:
            found.append(_open_block(int(t0), kept, sealed=True))
    hot = conn.execute(
        "SELECT ts, value FROM sample_hot WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts", (series, low, high)
    ).fetchall()
    by_hour: dict[int, list[tuple[int, float]]] = {}
    for tick, value in hot:
        by_hour.setdefault(tick // (HOUR * TICKS) * HOUR, []).append((tick, value))
    found += [_open_block(start, samples, sealed=False) for start, samples in sorted(by_hour.items())]
    found.sort(key=lambda block: block.start)
    return _merged(found)


def _open_block(start: int, samples: list[tuple[int, float]], sealed: bool) -> Block:
    values = [v for _, v in samples]
    return Block(start, array("q", [t for t, _ in samples]), min(values), max(values), sealed, None, values)


def _merged(blocks: list[Block]) -> list[Block]:
    """An hour with both a chunk and open samples (the clock set back into it) becomes one block."""
    merged: list[Block] = []
    for block in blocks:
        if merged and merged[-1].start == block.start:
            before = merged.pop()
            pairs = sorted(
                [*zip(before.ticks, before.values, strict=True), *zip(block.ticks, block.values, strict=True)]
            )
            block = _open_block(block.start, pairs, sealed=False)
        merged.append(block)
    return merged
