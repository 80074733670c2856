"""The loop's derived samples: one per forecast rule and label set measured, or why not."""

from __future__ import annotations

from alertctl import trends
from alertctl.model import NEVER, Forecast, Level, Op, Rule, Sample, Unavailable

FILLING = Rule("filling", "disk.percent", Op.LT, warning=Level(86400), forecast=Forecast(100, 3600))
PLAIN = Rule("full", "disk.percent", warning=Level(85))


def test_while_recording_in_memory_a_forecast_has_no_data_and_says_why() -> None:
    """`watch`'s in-memory copy (disk full, read-only file) holds no history to fit."""
    measured = [Sample("disk.percent", 70, (("mount", "/"),)), Sample("cpu.percent", 5)]

    derived = trends.derive(None, [PLAIN, FILLING], measured, 1_800_000_000.0)

    assert derived.samples == []
    assert derived.unavailable == [Unavailable("disk.percent", trends.UNREADABLE, (("mount", "/"),))]


def test_a_value_short_of_from_is_never_without_the_history() -> None:
    """Even while the history cannot be read (disk full elsewhere): a disk at 30 % is plainly ok."""
    guarded = Rule("filling", "disk.percent", Op.LT, warning=Level(86400), forecast=Forecast(100, 3600, past=60))
    measured = [Sample("disk.percent", 30, (("mount", "/home"),)), Sample("disk.percent", 70, (("mount", "/"),))]

    derived = trends.derive(None, [guarded], measured, 1_800_000_000.0)

    assert [(s.labels, s.value) for s in derived.samples] == [((("mount", "/home"),), NEVER)]
    assert derived.unavailable == [Unavailable("disk.percent", trends.UNREADABLE, (("mount", "/"),))]
