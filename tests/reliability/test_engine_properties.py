"""The engine against a plain reference model of README "Alert semantics", over random streams.

The model keeps, per series and level, the run of breaching samples (since when,
how many) and applies the documented rules in the most direct way it can; the
engine is replayed through `tests/engine/replay.py`. Any difference in what
happens at any step is a bug in one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alertctl.model import Change, Level, Op, Rule, Sample, Severity, make_labels
from tests.conftest import thorough
from tests.engine.replay import Replay

pytestmark = pytest.mark.slow

SERIES = (make_labels({"mount": "/a"}), make_labels({"mount": "/b"}))


@dataclass
class Run:
    since: float | None = None
    count: int = 0


@dataclass
class SeriesModel:
    """One rule on one label set, as the README tells it."""

    rule: Rule
    expire_after: float
    dedup_window: float
    runs: dict[Severity, Run] = field(default_factory=dict)
    last_sample_at: float | None = None
    open: Severity | None = None
    last_seen_at: float = 0.0
    recovered_at: float | None = None

    def step(self, now: float, value: float | None) -> list[tuple[Change, Severity]]:
        if value is None:
            return self._silent(now)
        if self.last_sample_at is not None and now - self.last_sample_at > self.expire_after:
            self.runs = {}  # a gap longer than expire_after: time nobody sampled is not time in breach
        for severity, level in self.rule.levels():
            run = self.runs.get(severity, Run())
            breach = holds(self.rule, value, level.value)
            self.runs[severity] = Run(now if run.since is None else run.since, run.count + 1) if breach else Run()
        self.last_sample_at = now
        return [self._decide(now, value)] if self._decide_needed(now) else []

    def _silent(self, now: float) -> list[tuple[Change, Severity]]:
        """Unavailable neither breaches nor clears; an alert silent for expire_after expires."""
        if self.open is not None and now - self.last_seen_at >= self.expire_after:
            closed, self.open = self.open, None
            self.recovered_at = None
            return [(Change.EXPIRED, closed)]
        return []

    def _decide_needed(self, now: float) -> bool:
        return self.open is not None or self.ready(now) is not None

    def ready(self, now: float) -> Severity | None:
        """The worst level whose run is at least `for` (less the slack) and `consecutive` long."""
        worst = None
        for severity, level in self.rule.levels():
            run = self.runs[severity]
            wait = self.rule.for_seconds if level.for_seconds is None else level.for_seconds
            held_long_enough = run.since is not None and now - run.since >= wait - min(1.0, wait / 10)
            if held_long_enough and run.count >= self.rule.consecutive:
                worst = severity
        return worst

    def _decide(self, now: float, value: float) -> tuple[Change, Severity]:
        ready = self.ready(now)
        if self.open is None:
            assert ready is not None
            reopen = self.recovered_at is not None and now - self.recovered_at <= self.dedup_window
            return self._keep(now, Change.REOPENED if reopen else Change.OPENED, ready)
        if recovered(self.rule, value):
            closed, self.open, self.recovered_at = self.open, None, now
            return (Change.RESOLVED, closed)
        if ready is not None and ready > self.open:
            return self._keep(now, Change.RAISED, ready)
        floor = worst_breached(self.rule, value) or self.rule.levels()[0][0]
        if floor < self.open:
            return self._keep(now, Change.LOWERED, floor)
        return self._keep(now, Change.ONGOING, self.open)

    def _keep(self, now: float, change: Change, severity: Severity) -> tuple[Change, Severity]:
        self.open, self.last_seen_at, self.recovered_at = severity, now, None
        return (change, severity)


def holds(rule: Rule, value: float, threshold: float) -> bool:
    return {
        Op.GT: value > threshold,
        Op.GE: value >= threshold,
        Op.LT: value < threshold,
        Op.LE: value <= threshold,
        Op.EQ: value == threshold,
        Op.NE: value != threshold,
    }[rule.op]


def worst_breached(rule: Rule, value: float) -> Severity | None:
    held = [severity for severity, level in rule.levels() if holds(rule, value, level.value)]
    return max(held, default=None)


def recovered(rule: Rule, value: float) -> bool:
    """Past `clear` (default: the mildest level); `==`/`!=` as soon as no level holds."""
    if rule.op in (Op.EQ, Op.NE):
        return worst_breached(rule, value) is None
    clear = rule.clear if rule.clear is not None else rule.levels()[0][1].value
    return not holds(rule, value, clear)


# -- random rules and streams ------------------------------------------------------


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    """Any op, one or both levels in a valid order, `clear` on the right side, as the schema allows."""
    op = draw(st.sampled_from(list(Op)))
    present = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    for_seconds = draw(st.sampled_from([0.0, 0.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0]))
    level_for = st.none() | st.none() | st.sampled_from([0.0, 5.0, 10.0, 30.0, 60.0, 300.0])
    warning_for, critical_for = draw(level_for), draw(level_for)
    low, gap = draw(st.integers(0, 10)), draw(st.integers(0 if op not in (Op.EQ, Op.NE) else 1, 5))
    if gap == 0:  # same line, critical after a longer wait: the only way equal levels are valid
        present = (True, True)
        longer = draw(st.sampled_from([10.0, 60.0, 240.0]))
        critical_for = (for_seconds if warning_for is None else warning_for) + longer
    rises = op in (Op.GT, Op.GE, Op.EQ, Op.NE)
    warning, critical = (low, low + gap) if rises else (low + gap, low)
    mildest = warning if present[0] else critical
    clear = None
    if op not in (Op.EQ, Op.NE) and draw(st.booleans()):
        clear = mildest - draw(st.integers(0, 3)) if rises else mildest + draw(st.integers(0, 3))
    return Rule(
        name="r",
        metric="disk.percent",
        op=op,
        clear=clear,
        for_seconds=for_seconds,
        warning=Level(warning, warning_for) if present[0] else None,
        critical=Level(critical, critical_for) if present[1] else None,
        consecutive=draw(st.integers(1, 4)),
    )


def values_near(rule: Rule) -> st.SearchStrategy[float | None]:
    marks = [level.value for _, level in rule.levels()] + ([rule.clear] if rule.clear is not None else [])
    near = st.sampled_from(marks).flatmap(lambda m: st.sampled_from([m - 1, m - 0.5, m, m + 0.5, m + 1]))
    return st.one_of(near, near, near, st.none(), st.floats(-5, 25, allow_nan=False))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Rule, float, float, list[tuple[float, tuple[float | None, ...]]]]:
    """Stretches of one value per series (so runs build up), sampled every `interval` but for odd gaps."""
    rule = draw(rules())
    expire_after = draw(st.sampled_from([60.0, 300.0, 600.0]))
    dedup_window = draw(st.sampled_from([0.0, 60.0, 300.0, 900.0]))
    interval = draw(st.sampled_from([1.0, 10.0, 30.0, 60.0]))
    near_slack = [interval - 1.25, interval - 0.9, interval - 0.5] if interval > 1 else [0.5]
    odd_gaps = st.sampled_from([*near_slack, interval + 0.5, expire_after, expire_after + 1, 2 * expire_after])
    gaps = st.one_of(*[st.just(interval)] * 6, odd_gaps, st.floats(0.5, 1500))
    stretch = st.tuples(st.lists(values_near(rule), min_size=2, max_size=2), st.integers(1, 12))
    steps, now = [], 1_700_000_000.0
    for values, length in draw(st.lists(stretch, min_size=1, max_size=12)):
        for _ in range(length):
            now += draw(gaps)
            steps.append((now, tuple(values)))
    return rule, expire_after, dedup_window, steps


# -- properties --------------------------------------------------------------------


@settings(max_examples=thorough(300, 1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_decides_as_the_reference_model(
    scenario: tuple[Rule, float, float, list[tuple[float, tuple[float | None, ...]]]],
) -> None:
    rule, expire_after, dedup_window, steps = scenario
    replay = Replay([rule], dedup_window=dedup_window, expire_after=expire_after)
    models = [SeriesModel(rule, expire_after, dedup_window) for _ in SERIES]
    for now, values in steps:
        open_before = set(replay.open)
        samples = [Sample(rule.metric, v, labels) for v, labels in zip(values, SERIES) if v is not None]
        transitions = replay.step(now, samples)
        for index, value in enumerate(values):
            key_labels = SERIES[index]
            engine = [(t.change, t.severity) for t in transitions if t.key.labels == key_labels]
            expected = models[index].step(now, value)
            assert engine == expected, f"step at {now}, value {value}, series {index}"
            for change, severity in engine:
                event(f"{change.value} {severity.label}")
            assert_single_incident(engine, any(k.labels == key_labels for k in open_before))
            assert_severity_justified(rule, models[index], now, value, engine)
        assert_tracks_sane(replay, now)


def assert_single_incident(decisions: list[tuple[Change, Severity]], was_open: bool) -> None:
    """At most one decision per series per step; opening only what is closed, and the reverse."""
    assert len(decisions) <= 1
    for change, _ in decisions:
        assert (change in (Change.OPENED, Change.REOPENED)) is not was_open


def assert_severity_justified(
    rule: Rule, model: SeriesModel, now: float, value: float | None, decisions: list[tuple[Change, Severity]]
) -> None:
    """Above the mildest level only while the value breaches it; never before its `for` and `consecutive`."""
    mildest = rule.levels()[0][0]
    for change, severity in decisions:
        if change in (Change.RESOLVED, Change.EXPIRED):
            continue
        assert value is not None
        if severity > mildest:
            assert holds(rule, value, rule.level(severity).value)
        if change in (Change.OPENED, Change.REOPENED, Change.RAISED):
            run = model.runs[severity]
            level = rule.level(severity)
            wait = rule.for_level(level)
            assert run.since is not None and run.count >= rule.consecutive
            assert now - run.since >= wait - min(1.0, wait / 10)


def assert_tracks_sane(replay: Replay, now: float) -> None:
    for track in replay.tracks.values():
        assert track.last_at is not None and track.last_at <= now
        for severity in Severity:
            run = track.of(severity)
            assert (run.since is None) == (run.count == 0)
            assert run.since is None or track.last_at - run.since >= 0
