"""The forecast's pure function: time left from a fitted line, and the guards against false alarms."""

from __future__ import annotations

import pytest

from alertctl.forecast import NEVER, Forecast, NoData, Outlook, WarmingUp, outlook

HOUR = 3600.0
NOW = 1_800_000_000.0
SIX_HOURS = Forecast(reaches=100, window=6 * HOUR)


def _series(per_hour: float, start: float, hours: float = 6, every: float = 60) -> tuple[list[float], list[float]]:
    """A straight line ending at NOW: `start` at the beginning of the span."""
    n = int(hours * HOUR / every) + 1
    times = [NOW - hours * HOUR + i * every for i in range(n)]
    return times, [start + per_hour * (t - times[0]) / HOUR for t in times]


def test_a_steady_climb_reaches_the_value_when_the_line_says() -> None:
    found = outlook(SIX_HOURS, *_series(1.0, 50.0), NOW)
    assert isinstance(found, Outlook)
    assert found.seconds_left == pytest.approx(44 * HOUR)  # at 56 now, 1 %/h
    assert found.per_hour == pytest.approx(1.0)


@pytest.mark.parametrize("per_hour", [0.0, -1.0])
def test_a_flat_or_falling_series_never_gets_there(per_hour: float) -> None:
    assert outlook(SIX_HOURS, *_series(per_hour, 50.0), NOW) == Outlook(NEVER, pytest.approx(per_hour))


def test_falling_toward_a_floor() -> None:
    found = outlook(Forecast(reaches=0, window=6 * HOUR), *_series(-2.0, 40.0), NOW)
    assert isinstance(found, Outlook) and found.seconds_left == pytest.approx(14 * HOUR)


def test_already_there_is_no_time_left() -> None:
    assert outlook(SIX_HOURS, *_series(1.0, 99.0), NOW).seconds_left == 0.0  # type: ignore[union-attr]


def test_too_few_samples_over_the_window_is_no_data() -> None:
    """Sampled too sparsely (an hourly cron) for a fit: the rule is blind, and says so."""
    times, values = _series(1.0, 50.0, hours=6, every=2400)  # 10 samples over 6 h
    sparse = outlook(SIX_HOURS, times[1:], values[1:], NOW)
    assert isinstance(sparse, NoData) and sparse.reason == "9 samples in the last 6h, a forecast needs 10"
    assert isinstance(outlook(SIX_HOURS, times, values, NOW), Outlook)


@pytest.mark.parametrize("hours", [0, 0.5, 2.9])
def test_half_the_window_uncovered_is_warming_up_not_no_data(hours: float) -> None:
    """A fresh install (one sample), or a restart after a long stop: the metric reports,
    there is simply no trend yet."""
    short = outlook(SIX_HOURS, *_series(1.0, 50.0, hours=hours), NOW)
    assert isinstance(short, WarmingUp)
    covered = {0: "0s", 0.5: "30m", 2.9: "2h 54m"}[hours]
    assert short.reason == f"samples cover {covered} of the 6h window, a forecast needs half"


def test_below_from_it_is_not_judged_yet() -> None:
    guarded = Forecast(reaches=100, window=6 * HOUR, past=60)
    assert outlook(guarded, *_series(1.0, 50.0), NOW).seconds_left == NEVER  # type: ignore[union-attr]
    assert outlook(guarded, *_series(1.0, 60.0), NOW).seconds_left == pytest.approx(34 * HOUR)  # type: ignore[union-attr]


@pytest.mark.parametrize("hours", [0, 1, 6])
def test_below_from_it_is_plainly_ok_whatever_the_history_holds(hours: float) -> None:
    """A half-empty disk on a fresh install is not warming up, nor without data: not heading there."""
    guarded = Forecast(reaches=100, window=6 * HOUR, past=60)
    times, values = _series(1.0, 50.0, hours=hours, every=2400)  # 1 to 10 samples, all below 60
    assert outlook(guarded, times, values, NOW) == Outlook(NEVER, pytest.approx(1.0 if hours else 0.0))


def test_a_rise_the_longer_span_does_not_confirm_is_not_a_trend() -> None:
    """Log rotation: up for the last 6 hours, but lower than a day ago."""
    confirmed = Forecast(reaches=100, window=6 * HOUR, confirm=24 * HOUR)
    down_times, down = _series(-1.0, 90.0, hours=24)
    up_times, up = _series(2.0, 60.0, hours=6)
    times = [t for t in down_times if t < up_times[0]] + up_times
    values = down[: len(times) - len(up_times)] + up
    assert outlook(confirmed, times, values, NOW).seconds_left == NEVER  # type: ignore[union-attr]
    assert outlook(SIX_HOURS, times, values, NOW).seconds_left == pytest.approx(14 * HOUR)  # type: ignore[union-attr]


def test_a_confirm_span_not_yet_covered_confirms_nothing() -> None:
    confirmed = Forecast(reaches=100, window=6 * HOUR, confirm=24 * HOUR)
    assert outlook(confirmed, *_series(1.0, 50.0, hours=20), NOW).seconds_left == NEVER  # type: ignore[union-attr]
    assert outlook(confirmed, *_series(1.0, 46.0, hours=24), NOW).seconds_left == pytest.approx(30 * HOUR)  # type: ignore[union-attr]


def test_a_net_change_within_the_noise_confirms_nothing() -> None:
    """Back where it was a day ago, give or take its noise: not a trend either way."""
    times, flat = _series(0.1 / 24, 80.0, hours=24)  # up 0.1 over the day, noise ±0.3
    values = [v + (0.3 if i % 2 == 0 else -0.3) for i, v in enumerate(flat)]
    confirmed = Forecast(reaches=100, window=6 * HOUR, confirm=24 * HOUR)
    assert outlook(confirmed, times, values, NOW).seconds_left == NEVER  # type: ignore[union-attr]
    assert outlook(SIX_HOURS, times, values, NOW).seconds_left < NEVER  # type: ignore[union-attr]


def test_samples_after_now_are_not_used() -> None:
    times, values = _series(1.0, 50.0)
    later = outlook(SIX_HOURS, [*times, NOW + 60], [*values, 1000.0], NOW)
    assert later == outlook(SIX_HOURS, times, values, NOW)
