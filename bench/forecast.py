"""How well a disk-filling forecast warns: lead time, false alarms, accuracy of the time left.

Synthetic 100 GiB disks, sampled every 5 minutes (what the 5-minute rollups give),
are fed through the real code: the rule is the built-in `disk-filling` (the contract's
example, from `alertctl.config.defaults`) read by the config loader (`forecast = { reaches = 100, window = "6h", confirm = "24h", from = 60 }`,
`warning = "24h"`, `for = "30m"`, `clear = "36h"`, as the design notes recommend,
../shared/HISTORY.md); `alertctl.forecast.outlook` turns the history up to each moment
into seconds left, the derived sample `alertctl.trends` would make of it, and the
unchanged engine (`alertctl.engine.evaluate`) judges that sample with that rule.

Scenarios and the issue's targets:

- a steady fill of 2 GiB/day from 40 %: warns once, ≥ 20 h before full;
- a runaway of 10 GiB/h from 60 % (after two flat days): warns, ≥ 2 h before full;
- a log-rotation sawtooth (84.5 % to 94.5 % over each day, back at rotation): no alert;
- a nightly 4 GiB burst (02:00-03:00), cleaned up at 04:00, on a disk at 70 %: no alert;
- the time left on the steady fill, at 72, 24 and 4 hours left: within 5 %.

Run: python3 bench/forecast.py   (this checkout's code is put first on sys.path)

Not measured here: reading the history back from SQLite each cycle (`alertctl.trends`
does that in `watch` and `check`); this keeps the samples in a list.
"""

from __future__ import annotations

import bisect
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alertctl.config.defaults import DEFAULT_RULES
from alertctl.config.load import to_runtime
from alertctl.config.schema import Settings
from alertctl.engine import Judging, evaluate
from alertctl.forecast import NoData, Outlook, WarmingUp, outlook
from alertctl.model import Change, OpenAlert, Sample, SeriesKey, Track, Trend

HOUR, DAY, STEP = 3600.0, 86400.0, 300.0
BUILT_IN = [rule for rule in DEFAULT_RULES if rule["name"] == "disk-filling"]
RULE = to_runtime(Settings.model_validate({"rules": BUILT_IN}), "bench").rules[0]  # the rule alertctl ships
assert RULE.forecast is not None
FORECAST = RULE.forecast
NOISE = random.Random(16)


@dataclass
class Judge:
    """The engine, with the open alerts and tracks kept between samples as the store keeps them."""

    tracks: dict[SeriesKey, Track] = field(default_factory=dict)
    open: dict[SeriesKey, OpenAlert] = field(default_factory=dict)
    opened_at: list[float] = field(default_factory=list)

    def step(self, now: float, found: Outlook | WarmingUp | NoData) -> None:
        """The derived sample `alertctl.trends` makes of `found`, or none (warming up, no data)."""
        samples = (
            []
            if not isinstance(found, Outlook)
            else [Sample(RULE.metric, found.seconds_left, (), Trend(RULE.name, found.per_hour))]
        )
        outcome = evaluate([RULE], samples, self.tracks, self.open, {}, now, Judging("bench", 7 * DAY))
        self.tracks = outcome.tracks
        for t in outcome.transitions:
            if t.change is Change.OPENED:
                self.opened_at.append(now)
            if t.change in (Change.RESOLVED, Change.EXPIRED):
                self.open.pop(t.key, None)
            else:
                self.open[t.key] = OpenAlert(1, t.key, t.metric, t.severity, t.peak or 0.0, now)


def replay(curve: Callable[[float], float], days: float) -> tuple[list[float], list[float], list[float], Judge]:
    """Every sample of `curve` (percent used at t seconds) through the forecast and the engine."""
    times = [i * STEP for i in range(int(days * DAY / STEP) + 1)]
    values = [min(100.0, round(curve(t) + NOISE.gauss(0, 0.02), 2)) for t in times]
    judge, lefts = Judge(), []
    span = max(FORECAST.window, FORECAST.confirm or 0.0)
    for i, now in enumerate(times):
        first = bisect.bisect_left(times, now - span)
        found = outlook(FORECAST, times[first : i + 1], values[first : i + 1], now)
        left = found.seconds_left if isinstance(found, Outlook) else None
        lefts.append(left if left is not None else float("nan"))
        judge.step(now, found)
    return times, values, lefts, judge


def full_at(times: list[float], values: list[float]) -> float | None:
    return next((t for t, v in zip(times, values) if v >= 100.0), None)


def steady(t: float) -> float:
    return 40.0 + 2.0 * t / DAY


def runaway(t: float) -> float:
    return 60.0 if t < 2 * DAY else 60.0 + 10.0 * (t - 2 * DAY) / HOUR


def sawtooth(t: float) -> float:
    return 84.5 + 10.0 * ((t % DAY) / DAY)


def nightly(t: float) -> float:
    hour = (t % DAY) / HOUR
    if 2 <= hour < 3:
        return 70.0 + 4.0 * (hour - 2)
    return 74.0 if 3 <= hour < 4 else 70.0


def main() -> int:
    print(f"rule: {FORECAST}, warning < 24h, for 30m, clear 36h; samples every {STEP:g}s")
    for name, curve, days, want in (
        ("steady 2 GiB/day from 40 %", steady, 31, "1 alert, lead ≥ 20 h"),
        ("runaway 10 GiB/h from 60 %", runaway, 3, "1 alert, lead ≥ 2 h"),
        ("log-rotation sawtooth to 94.5 %", sawtooth, 30, "0 alerts"),
        ("nightly 4 GiB burst, cleaned up", nightly, 30, "0 alerts"),
    ):
        times, values, lefts, judge = replay(curve, days)
        full = full_at(times, values)
        leads = ", ".join(f"{(full - at) / HOUR:.1f} h" for at in judge.opened_at) if full else "-"
        print(f"{name:<34} alerts {len(judge.opened_at)}  lead {leads:<10} (target: {want})")
        if curve is steady and full is not None:
            for hours in (72, 24, 4):
                index = bisect.bisect_left(times, full - hours * HOUR)
                error = (lefts[index] - (full - times[index])) / (full - times[index]) * 100
                print(
                    f"  time left at {hours:>2} h before full: estimated {lefts[index] / HOUR:6.2f} h "
                    f"({error:+.1f} %, target within ±5 %)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
