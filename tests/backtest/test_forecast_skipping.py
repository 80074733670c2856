"""A forecast rule's quick answers change nothing: the same transitions as fitting every step exactly.

Seeded random series (flat, filling, emptying, sawtooth, noisy, with gaps; percent and
byte scales) and random forecast rules (rising and falling, with and without `from`
and `confirm`): pure, no database.
"""

from __future__ import annotations

import random

import pytest

from alertctl.backtest.run import replay_rule
from alertctl.config.runtime import Config
from alertctl.model import Forecast, Level, Op, Rule
from alertctl.store.history.blocks import SeriesBlocks

from .series import START, config, same_with_and_without_skipping, series

CASES = 120


def random_case(seed: int) -> tuple[Rule, list[SeriesBlocks], Config]:
    r = random.Random(seed)
    scale = r.choice([1.0, 1e9])
    interval = r.choice([10.0, 30.0, 60.0])
    count = int(r.uniform(4, 10) * 3600 / interval)
    shape = r.choice(["flat", "fill", "empty", "saw"])
    rate = r.uniform(0.5, 40) / 3600  # percent per second
    points, value = [], r.uniform(10, 90)
    for n in range(count):
        if shape == "fill":
            value += rate * interval
        elif shape == "empty":
            value -= rate * interval
        elif shape == "saw" and n % 120 == 119:
            value -= 30
        elif shape == "saw":
            value += rate * interval
        noisy = value + r.gauss(0, r.choice([0.0, 0.1, 2.0]))
        points.append((START + n * interval, round(noisy * scale, 1)))
    for _ in range(r.choice([0, 1])):
        cut = r.randrange(count)
        del points[cut:cut + r.randint(1, 60)]
    window = r.choice([600.0, 1800.0, 3600.0])
    up = r.random() < 0.7
    forecast = Forecast(
        reaches=(100.0 if up else 0.0) * scale, window=window,
        confirm=r.choice([None, 2 * window]),
        past=r.choice([None, (60.0 if up else 40.0) * scale]),
    )
    warning = r.choice([600.0, 1800.0, 7200.0])
    rule = Rule("filling", "disk.percent", Op.LT, warning=Level(warning),
                clear=r.choice([None, warning * 1.5]), for_seconds=r.choice([0.0, 300.0]), forecast=forecast)
    return rule, [series(points, (("mount", "/"),))], config(rule, channels=True)


@pytest.mark.slow  # a property search over seeded random cases
@pytest.mark.parametrize("seed", range(CASES))
def test_quick_forecasts_give_the_same_transitions_as_exact_fits(seed: int) -> None:
    same_with_and_without_skipping(*random_case(seed))


def test_the_random_forecasts_raise_alerts() -> None:
    """Not vacuous: a good share of the cases above open breach alerts, not only no-data ones."""
    raised = 0
    for seed in range(0, CASES, 3):
        rule, history, settings = random_case(seed)
        result, _ = replay_rule(history, rule, settings)
        raised += any(not row.key.nodata for row in result.rows)
    assert raised >= CASES // 3 // 4
