"""What the live view shows, as data: built from one cycle, drawn by `live.layout`.

Kept apart from the drawing so the screen is a pure function of this data, and so
whatever else the header must count (rules without data, failing channels) is one
more field here, filled by whoever knows it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alertctl.cli.recent import Recent
from alertctl.loop import Cycle
from alertctl.model import Alert, Labels, Rule, SeriesKey, Severity, Status, Track, make_labels


class WatchState(enum.IntEnum):
    """A watched metric's state under one rule, ordered so the worst sorts first."""

    OK = 0
    PENDING = 1
    FIRING = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Pending:
    """A rule in breach that has not fired yet: its `for` or `consecutive` is still running."""

    rule: Rule
    labels: Labels
    severity: Severity
    value: float | None
    since: float
    count: int


@dataclass(frozen=True)
class Watched:
    """One metric (and label set) one rule watches, as of this cycle."""

    rule: Rule
    metric: str
    labels: Labels
    value: float
    state: WatchState
    trail: tuple[float, ...] = ()
    """The metric's recent values, oldest first, from memory (`recent.Recent`)."""


@dataclass(frozen=True)
class Cost:
    """What watching costs, from the cycle's `alertctl.*` samples."""

    cpu_percent: float
    rss: float


@dataclass(frozen=True)
class Screen:
    host: str
    at: float
    interval: float
    alerts: Sequence[Alert]
    """Open alerts, worst first, then newest first."""
    pending: Sequence[Pending] = ()
    watched: Sequence[Watched] = ()
    cost: Cost | None = None
    nodata: int = 0
    """Rules that could not judge this cycle (no sample)."""
    warming: int = 0
    """Forecast rules' series with too short a history for a trend yet: not judged, not blind."""
    failing_channels: Sequence[str] = ()
    """Names of the channels whose latest delivery failed."""

    def count(self, status: Status) -> int:
        return sum(1 for alert in self.alerts if alert.status is status)


def screen_of(
    cycle: Cycle,
    rules: Sequence[Rule],
    host: str,
    interval: float,
    failing_channels: Sequence[str] = (),
    recent: Recent | None = None,
) -> Screen:
    """The screen for `cycle`: open alerts sorted, pending rules from the tracks, watched metrics
    (with their `recent` values), rules without data and the channels whose last delivery failed."""
    alerts = sorted(
        (alert.effective(cycle.at) for alert in cycle.open_alerts),
        key=lambda alert: (alert.severity, alert.started_at, alert.id),
        reverse=True,
    )
    firing = {SeriesKey(alert.rule, make_labels(alert.series)) for alert in alerts}
    pending = pending_rules(rules, cycle.tracks, firing, cycle.at, _values(cycle))
    waiting = {SeriesKey(p.rule.name, p.labels) for p in pending}
    rows = watched(rules, cycle, firing, waiting, recent or Recent())
    return Screen(
        host,
        cycle.at,
        interval,
        alerts,
        pending,
        rows,
        _cost(cycle),
        nodata=len(cycle.blind),
        warming=len(cycle.warming),
        failing_channels=failing_channels,
    )


def _cost(cycle: Cycle) -> Cost | None:
    own = {sample.metric: sample.value for sample in cycle.reading.samples if sample.metric.startswith("alertctl.")}
    if "alertctl.cpu_percent" not in own or "alertctl.rss" not in own:
        return None
    return Cost(own["alertctl.cpu_percent"], own["alertctl.rss"])


def _values(cycle: Cycle) -> dict[tuple[str, Labels], float]:
    return {(sample.metric, sample.labels): sample.value for sample in cycle.reading.samples}


def pending_rules(
    rules: Sequence[Rule],
    tracks: Mapping[SeriesKey, Track],
    firing: set[SeriesKey],
    at: float,
    values: Mapping[tuple[str, Labels], float],
) -> list[Pending]:
    """Series sampled this cycle whose breach runs have started but no alert is open for them."""
    by_name = {rule.name: rule for rule in rules}
    found = []
    for key, track in tracks.items():
        rule = by_name.get(key.rule)
        if rule is None or key in firing or track.last_at != at:
            continue
        running = [(severity, track.of(severity)) for severity, _ in rule.levels() if track.of(severity).count]
        if running:
            severity, run = running[-1]
            assert run.since is not None
            value = values.get((rule.metric, key.labels))
            found.append(Pending(rule, key.labels, severity, value, run.since, run.count))
    return sorted(found, key=lambda p: (p.severity, -p.since), reverse=True)


def watched(
    rules: Sequence[Rule],
    cycle: Cycle,
    firing: set[SeriesKey],
    waiting: set[SeriesKey],
    recent: Recent,
) -> list[Watched]:
    """Every sample a rule selects, firing ones first, then pending, then in rule order; each with
    its metric's recent values (a forecast rule's row: the metric it forecasts)."""
    rows = []
    for rule in rules:
        for sample in [*cycle.reading.samples, *cycle.derived]:
            if rule.selects(sample):
                key = SeriesKey(rule.name, sample.labels)
                state = WatchState.FIRING if key in firing else WatchState.PENDING if key in waiting else WatchState.OK
                trail = recent.trail(sample.metric, sample.labels)
                rows.append(Watched(rule, sample.metric, sample.labels, sample.value, state, trail))
    return sorted(rows, key=lambda row: row.state, reverse=True)
