"""Time left until a metric reaches a value, from its recent history: a pure function.

A forecast rule judges this derived value with the unchanged engine (`for`,
`clear`, reopen and renotify as for any rule), so the only new decision is here:
a least-squares line over `window`, guarded the way the design notes measured
(../shared/HISTORY.md). The value must already be past `from`: a value short of it
is not heading there whatever its history holds (a fresh install's half-empty disks
are plainly ok). At least half the window covered, else the rule is still warming up
(its history started or resumed too recently: not blind, simply no trend yet), and
10 samples over it, else no data (sampled too sparsely to fit). Optionally the net
change over a longer `confirm` span (all of it covered) must point the same way by
more than the fit's own noise (twice the residuals' standard deviation: a net-zero
sawtooth is not a trend whichever way its noise falls). A series that is not heading
for the value gets `NEVER`, which clears like any value far from its threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from alertctl.model import NEVER, Forecast
from alertctl.units import human_seconds

MIN_SAMPLES = 10


@dataclass(frozen=True)
class Outlook:
    """What the fit says: seconds left (NEVER when not heading there) and the rate per hour."""

    seconds_left: float
    per_hour: float


@dataclass(frozen=True)
class NoData:
    """The samples cannot support a fit although they span the window (too sparse)."""

    reason: str


@dataclass(frozen=True)
class WarmingUp:
    """The samples do not yet cover half the window: the rule waits for a trend, it is not blind."""

    reason: str


def outlook(
    forecast: Forecast, times: Sequence[float], values: Sequence[float], now: float
) -> Outlook | WarmingUp | NoData:
    """Seconds until the fitted line over `window` reaches `forecast.reaches`, judged at `now`.

    `times` ascending; samples after `now` are ignored (a backtest hands in the whole series).
    """
    start = now - forecast.window
    inside = [(t, v) for t, v in zip(times, values, strict=True) if start <= t <= now]
    if not inside:
        return NoData(f"no sample in the last {human_seconds(forecast.window)}")
    if short_of_from(forecast, inside[-1][1]):
        return Outlook(NEVER, _fit(inside, now)[0] * 3600)  # nothing to judge yet
    covered = inside[-1][0] - inside[0][0]
    if covered < forecast.window / 2:
        return WarmingUp(
            f"samples cover {human_seconds(covered)} of the {human_seconds(forecast.window)} window,"
            " a forecast needs half"
        )
    if len(inside) < MIN_SAMPLES:
        found = f"{len(inside)} sample{'' if len(inside) == 1 else 's'}"
        return NoData(f"{found} in the last {human_seconds(forecast.window)}, a forecast needs {MIN_SAMPLES}")
    slope, level, noise = _fit(inside, now)
    rising = forecast.reaches >= (forecast.past if forecast.past is not None else inside[0][1])
    if (level >= forecast.reaches) if rising else (level <= forecast.reaches):
        return Outlook(0.0, slope * 3600)  # there already
    toward = slope if rising else -slope
    confirmed = _confirmed(forecast, times, values, now, 2 * noise if rising else -2 * noise)
    if toward <= 0 or not confirmed:
        return Outlook(NEVER, slope * 3600)
    return Outlook(min((forecast.reaches - level) / slope, NEVER), slope * 3600)


def short_of_from(forecast: Forecast, value: float) -> bool:
    """Whether `value` is not yet past `from` on its way to `reaches`: not heading there, whatever
    the history says (so the caller need not even read it)."""
    if forecast.past is None:
        return False
    return not _past(forecast, value, forecast.reaches >= forecast.past)


def _fit(points: Sequence[tuple[float, float]], now: float) -> tuple[float, float, float]:
    """Least squares: the slope per second, the line's value at `now`, the residuals' deviation."""
    n = len(points)
    mean_t = math.fsum(t for t, _ in points) / n
    mean_v = math.fsum(v for _, v in points) / n
    spread = math.fsum((t - mean_t) ** 2 for t, _ in points)
    slope = math.fsum((t - mean_t) * (v - mean_v) for t, v in points) / spread if spread else 0.0
    residuals = math.fsum((v - mean_v - slope * (t - mean_t)) ** 2 for t, v in points)
    return slope, mean_v + slope * (now - mean_t), math.sqrt(residuals / n)


def _past(forecast: Forecast, latest: float, rising: bool) -> bool:
    if forecast.past is None:
        return True
    return latest >= forecast.past if rising else latest <= forecast.past


def _confirmed(forecast: Forecast, times: Sequence[float], values: Sequence[float], now: float, beyond: float) -> bool:
    """The net change over `confirm` exceeds `beyond` (a rise) or is below it (a fall, `beyond` < 0).

    A span not covered (its first sample later than a hundredth of it after its start) is not
    confirmed: a log that has not yet been rotated once looks like a disk filling up.
    """
    if forecast.confirm is None:
        return True
    start = now - forecast.confirm
    span = [(t, v) for t, v in zip(times, values, strict=True) if start <= t <= now]
    if len(span) < 2 or span[0][0] - start > forecast.confirm / 100:
        return False
    change = span[-1][1] - span[0][1]
    return change > beyond if beyond >= 0 else change < beyond
