"""Forecast rules' samples: each rule's stored history, fitted at `now` (alertctl/forecast.py).

The engine judges a forecast rule like any other, on a sample derived here: the
seconds until the metric reaches `reaches`, marked with the rule it is for so that
no other rule judges it. A fit the history cannot support yet (the window not half
covered, fewer than 10 samples) is reported as unavailable, so the rule is
`nodata` through the usual machinery, never silently ok; a flat or falling trend is
a number (`forecast.NEVER`), which is simply no breach.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from alertctl.forecast import NoData, outlook
from alertctl.model import Forecast, Labels, Rule, Sample, Trend, Unavailable
from alertctl.store import history

UNREADABLE = "forecast: the history cannot be read while the database refuses writes"


@dataclass(frozen=True)
class Derived:
    samples: list[Sample] = field(default_factory=list)
    unavailable: list[Unavailable] = field(default_factory=list)


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
            if conn is None:
                derived.unavailable.append(Unavailable(rule.metric, UNREADABLE, sample.labels))
                continue
            times, values = _before(conn, rule.metric, sample.labels, rule.forecast, now)
            found = outlook(rule.forecast, [*times, now], [*values, sample.value], now)
            if isinstance(found, NoData):
                derived.unavailable.append(Unavailable(rule.metric, f"forecast: {found.reason}", sample.labels))
            else:
                trend = Trend(rule.name, found.per_hour)
                derived.samples.append(Sample(rule.metric, found.seconds_left, sample.labels, trend))
    return derived


def _before(
    conn: sqlite3.Connection, metric: str, labels: Labels, forecast: Forecast, now: float
) -> tuple[list[float], list[float]]:
    """The series' raw samples over the longer of `window` and `confirm`, taken before `now`."""
    span = max(forecast.window, forecast.confirm or 0.0)
    own = [s for s in history.signals(conn, metric, labels, now - span, now, step=0) if s.labels == labels]
    points = [p for s in own for p in s.points if p.at < now]
    return [p.at for p in points], [p.value for p in points]
