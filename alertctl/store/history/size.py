"""How big the history grows: an estimate from the figures `bench/history.py` measured.

That bench writes 30 series at 10 s for 30 days through the real store code, values at
their sources' precision, and reads each tier's share of the file's pages (docs/history.md
"How big it grows"). Its figures, taken here as constants:

- a sealed hour of raw samples: 222 B per series at 10 s, of which about 0.47 B a sample
  is compressed payload and the rest (53 B) the row around it; so fewer samples (a
  longer interval) cost less, though not proportionally;
- 5-minute rollups: 104 B per series and hour; hourly rollups: 177 B per series and day,
  whatever the interval.

The open hour's raw rows, the alerts and the rest of the file are not counted: the
estimate is what the history settles at once every tier is full. Repeated runs of the
bench put the payload between 0.42 and 0.63 B a sample, so read it to within a fifth.
"""

from __future__ import annotations

from dataclasses import dataclass

from alertctl.store.history.write import Retention

PAYLOAD_BYTES_PER_SAMPLE = 0.47
RAW_ROW_BYTES = 222 - PAYLOAD_BYTES_PER_SAMPLE * 360
"""One series' sealed hour beyond its samples' payload (measured at 10 s: 222 B in all)."""
FIVE_MINUTE_BYTES_PER_HOUR = 104
HOURLY_BYTES_PER_DAY = 177


@dataclass(frozen=True)
class Size:
    """Bytes each tier settles at once its retention is full."""

    raw: float
    five_minute: float
    hourly: float

    @property
    def total(self) -> float:
        return self.raw + self.five_minute + self.hourly


def estimate(series: int, interval: float, history: Retention) -> Size:
    """The settled size of `series` series sampled every `interval` seconds, kept as `history` says."""
    hour = RAW_ROW_BYTES + PAYLOAD_BYTES_PER_SAMPLE * 3600 / interval
    return Size(
        raw=series * hour * history.keep_raw / 3600,
        five_minute=series * FIVE_MINUTE_BYTES_PER_HOUR * history.keep_5m / 3600,
        hourly=series * HOURLY_BYTES_PER_DAY * history.keep_1h / 86400,
    )
