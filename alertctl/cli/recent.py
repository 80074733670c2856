"""The live view's recent values per series, kept in memory: what its sparklines draw.

Fed from each cycle `watch` runs anyway, so drawing a frame reads nothing from the
database. Bounded twice: `KEPT` values per series, and a series that stops reporting
(an unmounted disk, a check removed by a reload) is dropped after as many cycles.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from alertctl.model import Labels, Sample

KEPT = 12
"""Values per series: two minutes at the default 10 s interval, one cell each."""
BARS = "▁▂▃▄▅▆▇█"

Series = tuple[str, Labels]


class Recent:
    """The last `KEPT` measured values of every series, oldest first."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._values: dict[Series, deque[float]] = {}
        self._last_fed: dict[Series, int] = {}
        self._cycles = 0

    def feed(self, samples: Iterable[Sample]) -> None:
        """One cycle's measured samples (a forecast's derived seconds left are not a series here)."""
        self._cycles += 1
        for sample in samples:
            if sample.trend is not None:
                continue
            key = (sample.metric, sample.labels)
            self._values.setdefault(key, deque(maxlen=self.kept)).append(sample.value)
            self._last_fed[key] = self._cycles
        for key in [key for key, fed in self._last_fed.items() if self._cycles - fed >= self.kept]:
            del self._values[key], self._last_fed[key]

    def trail(self, metric: str, labels: Labels) -> tuple[float, ...]:
        return tuple(self._values.get((metric, labels), ()))

    def __len__(self) -> int:
        return len(self._values)


def sparkline(values: Sequence[float]) -> str:
    """One bar per value, from the lowest shown up over their spread, or over a twentieth of the
    largest value when they spread less: a disk at 21.6 % that ticks to 21.7 % is nearly flat,
    not a cliff."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = max(high - low, max(abs(high), abs(low)) / 20)
    if span == 0:
        return BARS[0] * len(values)
    top = len(BARS) - 1
    return "".join(BARS[round((value - low) / span * top)] for value in values)
