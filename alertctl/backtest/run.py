"""A backtest over a window: read each rule's history (read-only), replay both configs, compare.

The only part of `alertctl.backtest` that touches the database; everything it hands on
is in memory, and nothing is written or sent.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from alertctl.backtest import timeline
from alertctl.backtest.compare import INCIDENT_SECONDS, Comparison, Incident, Summary, compare, incidents, summarise
from alertctl.backtest.fits import Fits
from alertctl.backtest.replay import Result, Setting, replay
from alertctl.config.runtime import Config
from alertctl.errors import UsageError, shown
from alertctl.model import Rule
from alertctl.store.history.blocks import SeriesBlocks, metric_blocks
from alertctl.store.readonly import OperatorActions, operator_actions


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    metric: str
    current: Summary | None
    candidate: Summary | None
    comparison: Comparison | None
    samples: int
    gaps: list[timeline.Gap] = field(default_factory=list)
    no_history: bool = False
    alerts: tuple[list[Incident], list[Incident]] = ([], [])
    """Every alert each config raises (current, candidate), in start order."""


@dataclass(frozen=True)
class Backtest:
    since: float
    until: float
    samples: int
    rules: list[RuleOutcome]
    actions: OperatorActions
    candidate_source: str | None


def run(
    conn: sqlite3.Connection,
    current: Config,
    candidate: Config | None,
    since: float,
    until: float,
    only: Sequence[str] = (),
    skip: bool = True,
    shortest: float = INCIDENT_SECONDS,
) -> Backtest:
    names = _chosen(current, candidate, only)
    pairs = [(_rule(current, name), _rule(candidate, name)) for name in names]
    reader = _Reader(conn, since, until, [next(r for r in pair if r is not None).metric for pair in pairs])
    outcomes = [_one(reader, name, pair, (current, candidate), skip, shortest) for name, pair in zip(names, pairs)]
    return Backtest(
        since,
        until,
        reader.samples,
        outcomes,
        operator_actions(conn, since, until),
        candidate.source if candidate else None,
    )


def replay_rule(
    series: Sequence[SeriesBlocks],
    rule: Rule,
    config: Config,
    skip: bool = True,
    history: Sequence[SeriesBlocks] | None = None,
) -> tuple[Result, timeline.Timeline]:
    """One rule of one config over `series` (its metric's blocks); `history` reaches further back
    for a forecast rule's fit (default: `series`)."""
    pace = timeline.interval_of(series, config.agent.interval)
    line = timeline.build(rule, series, pace)
    setting = Setting(rule, config.notify, config.agent.hostname, config.agent.expire_after)
    fits = Fits(rule, history if history is not None else series, quick=skip) if rule.forecast is not None else None
    if fits is None:
        return replay(setting, line, skip), line
    return replay(setting, line, skip, fits.derive, fits.calm), line


def _chosen(current: Config, candidate: Config | None, only: Sequence[str]) -> list[str]:
    names = [rule.name for rule in current.rules]
    names += [rule.name for rule in (candidate.rules if candidate else ()) if rule.name not in names]
    unknown = [name for name in only if name not in names]
    if unknown:
        raise UsageError(
            f"--rule {shown(unknown[0])}: no such rule in the config in use or the candidate (rules: {', '.join(names)})"
        )
    return [name for name in names if not only or name in only]


def _rule(config: Config | None, name: str) -> Rule | None:
    return next((rule for rule in config.rules if rule.name == name), None) if config else None


class _Reader:
    """Each metric's blocks read once, however many rules (and configs) judge it, and let go
    after the last of them: a month of a metric's samples is tens of megabytes in memory."""

    def __init__(self, conn: sqlite3.Connection, since: float, until: float, metrics: Sequence[str]) -> None:
        self.conn, self.since, self.until = conn, since, until
        self._read: dict[tuple[str, float], list[SeriesBlocks]] = {}
        self._left = Counter(metrics)
        self.samples = 0

    def done(self, metric: str) -> None:
        self._left[metric] -= 1
        if self._left[metric] <= 0:
            for key in [key for key in self._read if key[0] == metric]:
                del self._read[key]

    def blocks(self, metric: str, before: float = 0.0) -> list[SeriesBlocks]:
        key = (metric, before)
        if key not in self._read:
            self._read[key] = metric_blocks(self.conn, metric, self.since - before, self.until)
            if not before:
                self.samples += sum(len(b.ticks) for s in self._read[key] for b in s.blocks)
        return self._read[key]


def _one(
    reader: _Reader,
    name: str,
    rules: tuple[Rule | None, Rule | None],
    configs: tuple[Config, Config | None],
    skip: bool,
    shortest: float,
) -> RuleOutcome:
    metric = next(rule.metric for rule in rules if rule is not None)
    series = reader.blocks(metric)
    results: list[Result | None] = []
    line = None
    for rule, config in zip(rules, configs, strict=True):
        if rule is None or config is None:
            results.append(None)
            continue
        history = reader.blocks(metric, _reach(rule)) if rule.forecast is not None else None
        result, line = replay_rule(series, rule, config, skip, history)
        results.append(result)
    reader.done(metric)
    if line is None or not line.samples:
        return RuleOutcome(name, metric, None, None, None, 0, no_history=True)
    ours, theirs = results
    comparison = compare(ours, theirs, shortest) if ours is not None and theirs is not None else None
    return RuleOutcome(
        name,
        metric,
        summarise(ours) if ours else None,
        summarise(theirs) if theirs else None,
        comparison,
        line.samples,
        line.gaps,
        alerts=(incidents(ours) if ours else [], incidents(theirs) if theirs else []),
    )


def _reach(rule: Rule) -> float:
    assert rule.forecast is not None
    return max(rule.forecast.window, rule.forecast.confirm or 0.0)
