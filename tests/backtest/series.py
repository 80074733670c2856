"""Histories for replays, built in memory the way `store.history.blocks` reads them back."""

from __future__ import annotations

from collections.abc import Sequence

from alertctl.backtest.replay import Result
from alertctl.config.runtime import Agent, Channel, Config, Notify
from alertctl.model import Labels, Level, Op, Rule
from alertctl.store.history.blocks import Block, SeriesBlocks
from alertctl.store.history.write import HOUR, TICKS

START = 1_700_000_000.0 // HOUR * HOUR


def series(points: Sequence[tuple[float, float]], labels: Labels = ()) -> SeriesBlocks:
    """`(at, value)` pairs, ascending, cut into hour blocks with their min/max as sealed chunks carry."""
    hours: dict[int, list[tuple[int, float]]] = {}
    for at, value in points:
        tick = round(at * TICKS)
        hours.setdefault(tick // (HOUR * TICKS) * HOUR, []).append((tick, value))
    blocks = [
        Block(
            start,
            [t for t, _ in part],
            min(v for _, v in part),
            max(v for _, v in part),
            True,
            None,
            [v for _, v in part],
        )
        for start, part in sorted(hours.items())
    ]
    return SeriesBlocks(labels, blocks)


def every(values: Sequence[float], interval: float = 10.0, start: float = START) -> list[tuple[float, float]]:
    return [(start + n * interval, value) for n, value in enumerate(values)]


def rule(
    warning: float = 80,
    critical: float | None = None,
    op: Op = Op.GT,
    for_seconds: float = 0.0,
    consecutive: int = 1,
    clear: float | None = None,
    name: str = "cpu-high",
    metric: str = "cpu.percent",
) -> Rule:
    return Rule(
        name,
        metric,
        op,
        warning=Level(warning),
        critical=Level(critical) if critical is not None else None,
        for_seconds=for_seconds,
        consecutive=consecutive,
        clear=clear,
    )


def config(*rules: Rule, channels: bool = False, renotify: float = 3600.0, dedup: float = 300.0) -> Config:
    told = (Channel("ops", ("json://127.0.0.1:9/hook",)),) if channels else ()
    return Config(Agent(host="web-01"), Notify(channels=told, renotify=renotify, dedup_window=dedup), rules=rules)


def same_with_and_without_skipping(rule: Rule, history: Sequence[SeriesBlocks], settings: Config) -> Result:
    """Replays `rule` both ways and asserts they agree; returns the skipping one."""
    from alertctl.backtest.run import replay_rule

    full, _ = replay_rule(history, rule, settings, skip=False)
    fast, _ = replay_rule(history, rule, settings, skip=True)
    assert fast.changes == full.changes
    assert fast.notices == full.notices
    assert fast.rows == full.rows
    assert full.hours_skipped == 0
    return fast
