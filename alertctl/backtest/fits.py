"""A forecast rule's samples during a replay: the fit at each step from the history as it was then.

`trends.derive` does this for `watch` from the database; here the whole series is in
memory and each step hands `forecast.outlook` the samples up to that step, so the
fit never sees the future. One difference: `watch` reads the part of `confirm` older
than `window` as 5-minute averages when the span is long; the replay reads it raw.

A fit costs a pass over the window (and `confirm`): over a millisecond a step, hours
for a month of a disk's mounts. Most steps need no such pass, because the rule would
judge the answer the same whatever its details: "not heading there" (`NEVER`: the
value is not yet past `from`, or the line falls away from `reaches`), or a time left
beyond every level and `clear` (a disk filling over months). Running sums give the
line in constant time; only a step whose answer could breach or hold an alert, or
that is within a hair of a boundary, gets the exact `outlook`. A replay without
skipping (`quick=False`) fits every step exactly; a test compares the two.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate, chain
from operator import mul

from alertctl import engine
from alertctl.backtest.timeline import Hour, Step
from alertctl.forecast import MIN_SAMPLES, outlook, short_of_from
from alertctl.model import NEVER, Forecast, Labels, Op, Rule, Sample, Trend
from alertctl.store.history.blocks import Block, SeriesBlocks
from alertctl.store.history.write import TICKS
from alertctl.trends import Derived

TOLERANCE = 1e-6
"""How close to a boundary (relative to the values' scale) a quick answer may not be."""


class Line:
    """Running sums of one series: the least-squares line over any index range in constant time."""

    def __init__(self, times: Sequence[float], values: Sequence[float]) -> None:
        assert len(times) == len(values)
        self.origin = times[0] if times else 0.0
        shifted = [t - self.origin for t in times]
        self.t = list(accumulate(shifted, initial=0.0))
        self.v = list(accumulate(values, initial=0.0))
        self.tt = list(accumulate(map(mul, shifted, shifted), initial=0.0))
        self.tv = list(accumulate(map(mul, shifted, values), initial=0.0))

    def fit(self, low: int, high: int, now: float) -> tuple[float, float] | None:
        """(slope per second, the line's value at `now`) over samples [low, high); None if degenerate."""
        n = high - low
        st, sv = self.t[high] - self.t[low], self.v[high] - self.v[low]
        mean_t, mean_v = st / n, sv / n
        spread = self.tt[high] - self.tt[low] - st * mean_t
        if spread <= TOLERANCE * (1.0 + self.tt[high] - self.tt[low]):
            return None
        slope = (self.tv[high] - self.tv[low] - st * mean_v) / spread
        return slope, mean_v + slope * (now - self.origin - mean_t)


class Fits:
    """Per label set, every sample from `span` before the window on: what the fit at each step reads."""

    def __init__(self, rule: Rule, series: Sequence[SeriesBlocks], quick: bool = True) -> None:
        assert rule.forecast is not None
        self.rule = rule
        self.forecast: Forecast = rule.forecast
        self.span = max(self.forecast.window, self.forecast.confirm or 0.0)
        self.quick = quick
        self.series: dict[Labels, tuple[list[float], list[float], Line | None]] = {}
        for s in series:
            times = [t / TICKS for t in chain.from_iterable(b.ticks for b in s.blocks)]
            values = list(chain.from_iterable(b.values for b in s.blocks))
            self.series[s.labels] = (times, values, Line(times, values) if quick else None)
        self.bound = _levels_bound(rule)

    def derive(self, step: Step) -> Derived:
        """As `trends.derive`: a sample of seconds left per measured label set, why not, or warming up."""
        derived = Derived()
        for sample in step.samples:
            times, values, line = self.series.get(sample.labels, ([], [], None))
            high = bisect_right(times, step.at)
            quick = self._quick(times, values, line, high, step.at)
            if quick is not None:
                derived.samples.append(
                    Sample(self.rule.metric, quick[0], sample.labels, Trend(self.rule.name, quick[1]))
                )
                continue
            low = bisect_left(times, step.at - self.span)
            found = outlook(self.forecast, times[low:high], values[low:high], step.at)
            derived.add(self.rule, sample.labels, found)
        return derived

    def calm(self, hour: Hour) -> bool:
        """Whether every step of `hour` surely derives samples the rule judges harmless, and nothing
        unavailable or warming up: each label set's stored min/max short of `from` (`outlook`'s
        NEVER, warming up or not), or a quick answer at every step that breaches no level."""
        if not self.quick or not hour.complete or engine.breached(self.rule, NEVER) is not None:
            return False
        return all(self._calm(labels, block) for labels, block in hour.blocks)

    def _calm(self, labels: Labels, block: Block) -> bool:
        if short_of_from(self.forecast, block.low) and short_of_from(self.forecast, block.high):
            return True
        if labels not in self.series:
            return False
        times, values, line = self.series[labels]
        quick = self._quick
        return all(  # a quick answer is NEVER (harmless, see `calm`) or past every level
            quick(times, values, line, bisect_right(times, now), now) is not None
            for now in (tick / TICKS for tick in block.ticks)
        )

    def _quick(
        self, times: list[float], values: list[float], line: Line | None, high: int, now: float
    ) -> tuple[float, float] | None:
        """(seconds left, rate per hour) when the rule would judge `outlook`'s answer at `now` the
        same way, surely: NEVER, or a time left past every level and `clear`; None: ask `outlook`."""
        f = self.forecast
        if line is None:
            return None
        low = bisect_left(times, now - f.window)
        latest = values[high - 1]
        if short_of_from(f, latest):  # `outlook`'s NEVER, warming up or not
            fitted = line.fit(low, high, now) if high - low > 1 else None
            return (NEVER, fitted[0] * 3600) if fitted is not None else None
        if high - low < MIN_SAMPLES or times[high - 1] - times[low] < f.window / 2:
            return None
        fitted = line.fit(low, high, now)
        if fitted is None:
            return None
        slope, level = fitted
        first = values[low]
        rising = f.reaches >= (f.past if f.past is not None else first)
        scale = 1.0 + abs(f.reaches) + abs(first) + abs(latest)
        if (level >= f.reaches - TOLERANCE * scale) if rising else (level <= f.reaches + TOLERANCE * scale):
            return None  # there already, or nearly: the exact fit decides
        toward, fuzz = (slope if rising else -slope), TOLERANCE * scale / f.window
        if toward < -fuzz:
            return NEVER, slope * 3600
        distance = abs(f.reaches - level) - TOLERANCE * scale
        if self.bound is not None and distance / (max(toward, 0.0) + fuzz) > self.bound:  # the soonest: judged alike
            return (min(distance / toward, NEVER) if toward > 0 else NEVER), slope * 3600
        return None


def _levels_bound(rule: Rule) -> float | None:
    """A time left longer than this (give or take a thousandth) breaches no level of `rule` and is
    past its `clear`; None: the rule's op is not "less than", no time left is surely harmless."""
    if rule.op not in (Op.LT, Op.LE):
        return None
    return max([level.value for _, level in rule.levels()] + [rule.clear_threshold]) * (1 + 1e-3) + 1.0
