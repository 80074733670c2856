"""Replays a stream of values through the pure engine, keeping alerts the way the store would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import count

from alertctl.engine import Judging, evaluate
from alertctl.model import Blind, Change, OpenAlert, Rule, Sample, SeriesKey, Track, Transition, Unavailable, Warming


@dataclass
class Replay:
    rules: Sequence[Rule]
    dedup_window: float = 300.0
    expire_after: float = 600.0
    host: str = "web-01"
    tracks: dict[SeriesKey, Track] = field(default_factory=dict)
    open: dict[SeriesKey, OpenAlert] = field(default_factory=dict)
    recovered: dict[SeriesKey, tuple[OpenAlert, float]] = field(default_factory=dict)
    ids: count = field(default_factory=lambda: count(1))
    blind: dict[str, Blind] = field(default_factory=dict)

    def step(
        self,
        now: float,
        samples: Sequence[Sample],
        unavailable: Sequence[Unavailable] = (),
        warming: Sequence[Warming] = (),
    ) -> list[Transition]:
        recent = {k: a for k, (a, at) in self.recovered.items() if now - at <= self.dedup_window}
        outcome = evaluate(
            self.rules,
            samples,
            self.tracks,
            self.open,
            recent,
            now,
            Judging(self.host, self.expire_after),
            unavailable,
            self.blind,
            warming,
        )
        self.tracks = outcome.tracks
        self.blind = outcome.blind
        return [self._apply(t) for t in outcome.transitions]

    def _apply(self, t: Transition) -> Transition:
        if t.change is Change.OPENED:
            t = replace(t, alert_id=next(self.ids))
        if t.change in (Change.RESOLVED, Change.EXPIRED):
            closed = self.open.pop(t.key)
            if t.change is Change.RESOLVED:
                self.recovered[t.key] = (closed, t.at)
            return t
        self.recovered.pop(t.key, None)
        self.open[t.key] = OpenAlert(t.alert_id or 0, t.key, t.metric, t.severity, t.peak or 0.0, t.at)
        return t


def run(rule: Rule, values: Sequence[float | None], step: float = 10.0, **options: float) -> list[list[Transition]]:
    """Transitions per sample; None is a sample in which the metric is unavailable."""
    replay = Replay([rule], **options)
    return [replay.step(i * step, [] if v is None else [Sample(rule.metric, v)]) for i, v in enumerate(values)]


def changes(rule: Rule, values: Sequence[float | None], **options: float) -> list[str]:
    """One word per sample: the notable change, '-' for none or bookkeeping only."""
    return [",".join(t.change.value for t in step if t.notable) or "-" for step in run(rule, values, **options)]
