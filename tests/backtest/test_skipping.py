"""Jumping over quiet hours changes nothing: the same transitions and notices as a full replay.

Seeded random histories and rules (every operator, `for`, `consecutive`, hysteresis,
two levels, gaps, several label sets, a pinned one): pure, no database.
"""

from __future__ import annotations

import random

import pytest

from alertctl.backtest.run import replay_rule
from alertctl.config.runtime import Config
from alertctl.model import Level, Op, Rule
from alertctl.store.history.blocks import SeriesBlocks

from .series import START, config, same_with_and_without_skipping, series

CASES = 200
INTERVAL = 60.0
HOURS = 8


def random_rule(r: random.Random) -> Rule:
    op = r.choice(list(Op))
    if op in (Op.EQ, Op.NE):
        warning, critical, clear = float(r.randint(0, 3)), None, None
    else:
        warning = r.uniform(20, 80)
        rises = op in (Op.GT, Op.GE)
        critical = warning + (1 if rises else -1) * r.uniform(1, 15) if r.random() < 0.5 else None
        clear = warning + (-1 if rises else 1) * r.uniform(0, 15) if r.random() < 0.5 else None
    return Rule(
        "r",
        "m",
        op,
        warning=Level(warning),
        critical=Level(critical) if critical is not None else None,
        for_seconds=r.choice([0.0, 0.0, 120.0, 600.0]),
        consecutive=r.choice([1, 1, 3]),
        clear=clear,
        mount="/a" if r.random() < 0.2 else None,
    )


def random_values(r: random.Random, whole: bool, count: int) -> list[float]:
    """Per hour a calm band somewhere on the scale or wild values across it."""
    values: list[float] = []
    while len(values) < count:
        if whole:
            values += [float(r.randint(0, 3)) if r.random() < 0.3 else float(r.choice([0, 1])) for _ in range(60)]
        elif r.random() < 0.75:
            centre = r.uniform(0, 100)
            values += [round(centre + r.gauss(0, 2), 1) for _ in range(60)]
        else:
            values += [round(r.uniform(0, 100), 1) for _ in range(60)]
    return values[:count]


def random_series(r: random.Random, rule: Rule, labels: tuple[tuple[str, str], ...]) -> list[tuple[float, float]]:
    count = int(HOURS * 3600 / INTERVAL)
    values = random_values(r, rule.op in (Op.EQ, Op.NE), count)
    points = [(START + n * INTERVAL + r.uniform(0, 0.3), v) for n, v in enumerate(values)]
    for _ in range(r.choice([0, 0, 1, 2])):  # a check that could not run, or watch stopped
        cut = r.randrange(count)
        del points[cut : cut + r.randint(1, 40)]
    return points


def case(seed: int) -> tuple[Rule, list[SeriesBlocks], Config]:
    r = random.Random(seed)
    rule = random_rule(r)
    label_sets = [(("mount", "/a"),)] if r.random() < 0.5 else [(("mount", "/a"),), (("mount", "/b"),)]
    history = [series(random_series(r, rule, labels), labels) for labels in label_sets]
    return (
        rule,
        history,
        config(rule, channels=True, renotify=r.choice([0.0, 1800.0]), dedup=r.choice([0.0, 300.0, 3600.0])),
    )


@pytest.mark.slow  # a property search over seeded random cases
@pytest.mark.parametrize("seed", range(CASES))
def test_skipping_quiet_hours_gives_the_same_transitions(seed: int) -> None:
    same_with_and_without_skipping(*case(seed))


@pytest.mark.slow  # goes over every case of the property search
def test_random_histories_skip_hours_around_alerts() -> None:
    """Not a vacuous proof: many of the cases above jump over hours and raise alerts too."""
    both = 0
    for seed in range(CASES):
        rule, history, settings = case(seed)
        fast, _ = replay_rule(history, rule, settings, skip=True)
        both += fast.hours_skipped > 0 and bool(fast.changes)
    assert both > CASES // 5
