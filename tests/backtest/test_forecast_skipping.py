"""A forecast rule's quick answers change nothing: the same transitions as fitting every step exactly.

Seeded random series (flat, filling, emptying, sawtooth, noisy, with gaps; percent and
byte scales; sometimes a second mount that stays short of `from`) and random forecast
rules (rising and falling, with and without `from` and `confirm`): pure, no database.
Calm hours (every step's answer surely harmless, warming up at the start or not) are
jumped over whole.
"""

from __future__ import annotations

import random

import pytest

from alertctl.backtest.run import replay_rule
from alertctl.config.runtime import Config
from alertctl.model import Change, Forecast, Level, Op, Rule
from alertctl.store.history.blocks import SeriesBlocks

from .series import START, config, every, same_with_and_without_skipping, series

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
        del points[cut : cut + r.randint(1, 60)]
    window = r.choice([600.0, 1800.0, 3600.0])
    up = r.random() < 0.7
    forecast = Forecast(
        reaches=(100.0 if up else 0.0) * scale,
        window=window,
        confirm=r.choice([None, 2 * window]),
        past=r.choice([None, (60.0 if up else 40.0) * scale]),
    )
    warning = r.choice([600.0, 1800.0, 7200.0])
    rule = Rule(
        "filling",
        "disk.percent",
        Op.LT,
        warning=Level(warning),
        clear=r.choice([None, warning * 1.5]),
        for_seconds=r.choice([0.0, 300.0]),
        forecast=forecast,
    )
    history = [series(points, (("mount", "/"),))]
    if r.random() < 0.5:  # a second mount, short of `from` (when the rule has one) but for a few samples
        calm = [(at, round((r.uniform(20, 50) if up else r.uniform(50, 80)) * scale, 1)) for at, _ in points]
        for _ in range(r.choice([0, 2])):
            index = r.randrange(len(calm))
            calm[index] = (calm[index][0], (70.0 if up else 30.0) * scale)
        history.append(series(calm, (("mount", "/data"),)))
    return rule, history, config(rule, channels=True)


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


def calm_case() -> tuple[Rule, list[SeriesBlocks], Config]:
    """12 hours at 30 s: `/` stays at 30 % (short of `from`), `/data` creeps up from 70 % for 8 hours
    (past `from`, months from full) then fills at 10 % an hour; the rule's window is an hour."""
    creep = [70.0 + n * 30 / 3600 * 0.1 for n in range(960)]
    fill = [creep[-1] + n * 30 / 3600 * 10 for n in range(1, 480)]
    rule = Rule(
        "filling",
        "disk.percent",
        Op.LT,
        warning=Level(7200.0),
        for_seconds=300.0,
        forecast=Forecast(reaches=100.0, window=3600.0, confirm=7200.0, past=60.0),
    )
    history = [
        series(every([30.0] * 1440, 30.0), (("mount", "/"),)),
        series(every([round(v, 2) for v in creep + fill + [100.0]], 30.0), (("mount", "/data"),)),
    ]
    return rule, history, config(rule, channels=True)


def test_calm_hours_are_jumped_over_after_warming_up() -> None:
    """The first half hour warms up (judged step by step); the creeping hours after it are jumped
    over whole, and the fill is still caught, at the same step as fitting every step exactly."""
    fast = same_with_and_without_skipping(*calm_case())
    assert fast.hours_skipped >= 6
    assert [change for _, change, _, _ in fast.changes][:1] == [Change.OPENED]


@pytest.mark.parametrize("past", [None, 60.0])
def test_a_mount_short_of_from_alone_is_jumped_over_whole(past: float | None) -> None:
    """Without `from` a flat mount is fitted; with it, its stored max says NEVER for every step."""
    rule = Rule(
        "filling",
        "disk.percent",
        Op.LT,
        warning=Level(7200.0),
        forecast=Forecast(reaches=100.0, window=3600.0, past=past),
    )
    history = [series(every([30.0, 31.0] * 720, 30.0), (("mount", "/"),))]
    fast = same_with_and_without_skipping(rule, history, config(rule))
    assert fast.hours_skipped == (12 if past is not None else 11)  # without: the first half hour warms up
