"""A forecast rule warming up (its history too short for a trend yet): not blind, not judged.

Replayed through the pure engine with injected time, as `watch` and `check` feed it.
"""

from __future__ import annotations

from alertctl.model import Change, Forecast, Level, Op, Rule, Sample, SeriesKey, Trend, Unavailable, Warming
from tests.engine.replay import Replay

ROOT = (("mount", "/"),)
FILLING = Rule(
    "disk-filling",
    "disk.percent",
    Op.LT,
    warning=Level(86400),
    clear=129600,
    forecast=Forecast(100, 6 * 3600, 86400, 60),
    nodata_after=60,
)
EARLY = Warming("disk-filling", ROOT, "samples cover 10m of the 6h window, a forecast needs half")
UNREADABLE = Unavailable("disk.percent", "forecast: the history cannot be read", ROOT)


def left(seconds: float) -> Sample:
    return Sample("disk.percent", seconds, ROOT, Trend("disk-filling", 2.0))


def test_warming_up_is_not_no_data_and_opens_nothing_however_long_it_lasts() -> None:
    replay = Replay([FILLING])
    for now in range(0, 4 * 3600, 600):
        assert replay.step(now, [], [], [EARLY]) == []
        assert replay.blind == {}
    assert replay.open == {}


def test_a_forecast_alert_is_held_while_the_rule_warms_up_after_a_long_stop() -> None:
    """Neither cleared (no trend says so) nor expired (the metric reports): it waits for the trend."""
    replay = Replay([FILLING], expire_after=600)
    [opened] = replay.step(0, [left(3600)])
    assert opened.change is Change.OPENED

    assert replay.step(7200, [], [], [EARLY]) == []  # a stop far longer than expire_after
    assert replay.step(9000, [], [], [EARLY]) == []
    assert SeriesKey("disk-filling", ROOT) in replay.open

    [cleared] = replay.step(12000, [left(200000)])
    assert cleared.change is Change.RESOLVED


def test_without_the_warming_up_the_held_alert_would_expire() -> None:
    replay = Replay([FILLING], expire_after=600)
    replay.step(0, [left(3600)])
    [expired] = replay.step(7200, [])
    assert expired.change is Change.EXPIRED


def test_a_no_data_alert_resolves_when_the_metric_reports_again_while_warming_up() -> None:
    replay = Replay([FILLING])
    replay.step(0, [], [UNREADABLE])
    [opened] = replay.step(60, [], [UNREADABLE])
    assert opened.change is Change.OPENED and opened.key.nodata

    [back] = replay.step(120, [], [], [EARLY])
    assert back.change is Change.RESOLVED and back.key.nodata
    assert back.message == (
        "disk.percent / is reporting again (forecast warming up: samples cover 10m of the 6h "
        "window, a forecast needs half) on web-01"
    )
    assert replay.blind == {}
