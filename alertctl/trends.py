"""Forecast rules' samples: each rule's stored history, fitted at `now` (alertctl/forecast.py).

The engine judges a forecast rule like any other, on a sample derived here: the
seconds until the metric reaches `reaches`, marked with the rule it is for so that
no other rule judges it. A fit the history cannot support yet (the window not half
covered) is `WarmingUp`: the metric reports, the trend is not there yet, so the rule
neither judges nor is blind. One the history cannot support although it spans the
window (fewer than 10 samples: sampled too sparsely) is reported as unavailable, so the
rule is `nodata` through the usual machinery, never silently ok; a flat or falling
trend, or a value short of `from`, is a number (`forecast.NEVER`), which is simply no breach.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alertctl.forecast import NoData, Outlook, WarmingUp, outlook, short_of_from
from alertctl.model import Forecast, Labels, Rule, Sample, Trend, Unavailable, Warming

if TYPE_CHECKING:
    from alertctl.store.history.read import Point

ROLLUP_STEP = 300
"""Seconds per bucket of the finest rollup (`store/history`)."""
UNREADABLE = "forecast: the history cannot be read while the database refuses writes"


@dataclass(frozen=True)
class Derived:
    samples: list[Sample] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)
    warming: list[Warming] = field(default_factory=list)

    def add(self, rule: Rule, labels: Labels, found: Outlook | WarmingUp | NoData) -> None:
        """The fit's answer for one label set, filed as a sample, a reason why not, or warming up."""
        if isinstance(found, NoData):
            self.unavailable.append(Unavailable(rule.metric, f"forecast: {found.reason}", labels))
        elif isinstance(found, WarmingUp):
            self.warming.append(Warming(rule.name, labels, found.reason))
        else:
            self.samples.append(Sample(rule.metric, found.seconds_left, labels, Trend(rule.name, found.per_hour)))


def derive(conn: sqlite3.Connection | None, rules: Sequence[Rule], samples: Sequence[Sample], now: float) -> Derived:
    """One sample (or one reason why not) per forecast rule and label set measured this cycle.

    `samples` are this cycle's, not yet in the history (`check --dry-run` never writes them);
    `conn` None: the history is out of reach (the in-memory fallback has none).
    """
    derived = Derived()
    for rule in rules:
        if rule.forecast is None:
            continue
        for sample in samples:
            if sample.trend is not None or sample.metric != rule.metric or not set(rule.match) <= set(sample.labels):
                continue
            if short_of_from(rule.forecast, sample.value):  # most disks, most of the time: no history read
                found = outlook(rule.forecast, [now], [sample.value], now)
            elif conn is None:
                derived.unavailable.append(Unavailable(rule.metric, UNREADABLE, sample.labels))
                continue
            else:
                times, values = _before(conn, rule.metric, sample.labels, rule.forecast, now)
                found = outlook(rule.forecast, [*times, now], [*values, sample.value], now)
            derived.add(rule, sample.labels, found)
    return derived


def _before(
    conn: sqlite3.Connection, metric: str, labels: Labels, forecast: Forecast, now: float
) -> tuple[list[float], list[float]]:
    """The series' samples taken before `now`: raw over `window` (what the line is fitted to),
    5-minute averages over the rest of `confirm` when a bucket fits in its slack.

    `confirm` only compares its first and last values, and needs its first one within a
    hundredth of the span of its start; a 24-hour span read raw at 10 s is 8,640 samples
    decoded every cycle (about 8 ms a mount, measured), as 5-minute buckets 288.
    """
    points = []
    earliest = now - forecast.window
    if forecast.confirm is not None and forecast.confirm > forecast.window:
        coarse = forecast.confirm / 100 >= ROLLUP_STEP
        older = _points(conn, metric, labels, now - forecast.confirm, earliest, ROLLUP_STEP if coarse else 0)
        points += [p for p in older if p.at < earliest]
    points += [p for p in _points(conn, metric, labels, earliest, now, 0) if earliest <= p.at < now]
    return [p.at for p in points], [p.value for p in points]


def _points(
    conn: sqlite3.Connection, metric: str, labels: Labels, since: float, until: float, step: int
) -> list[Point]:
    from alertctl.store.history import read as history  # only a config with forecast rules reads history

    return [
        p for s in history.signals(conn, metric, labels, since, until, step) if s.labels == labels for p in s.points
    ]
