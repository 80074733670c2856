"""A forecast rule's samples during a replay: the fit at each step from the history as it was then.

`trends.derive` does this for `watch` from the database; here the whole series is in
memory and each step hands `forecast.outlook` the samples up to that step, so the
fit never sees the future. One difference: `watch` reads the part of `confirm` older
than `window` as 5-minute averages when the span is long; the replay reads it raw.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from alertctl.backtest.timeline import Step
from alertctl.forecast import NoData, outlook
from alertctl.model import Forecast, Labels, Rule, Sample, Trend, Unavailable
from alertctl.store.history.blocks import SeriesBlocks
from alertctl.store.history.write import TICKS


class Fits:
    """Per label set, every sample from `span` before the window on: what the fit at each step reads."""

    def __init__(self, rule: Rule, series: Sequence[SeriesBlocks]) -> None:
        assert rule.forecast is not None
        self.rule = rule
        self.forecast: Forecast = rule.forecast
        self.span = max(self.forecast.window, self.forecast.confirm or 0.0)
        self.series: dict[Labels, tuple[list[float], list[float]]] = {}
        for s in series:
            times = [t / TICKS for b in s.blocks for t in b.ticks]
            values = [v for b in s.blocks for v in b.values]
            self.series[s.labels] = (times, values)

    def derive(self, step: Step) -> tuple[list[Sample], list[Unavailable]]:
        """As `trends.derive`: a sample of seconds left per measured label set, or why not."""
        samples, unavailable = [], []
        for sample in step.samples:
            times, values = self.series.get(sample.labels, ([], []))
            low, high = bisect_left(times, step.at - self.span), bisect_right(times, step.at)
            found = outlook(self.forecast, times[low:high], values[low:high], step.at)
            if isinstance(found, NoData):
                unavailable.append(Unavailable(self.rule.metric, f"forecast: {found.reason}", sample.labels))
            else:
                trend = Trend(self.rule.name, found.per_hour)
                samples.append(Sample(self.rule.metric, found.seconds_left, sample.labels, trend))
        return samples, unavailable
