"""Reading the time, and noticing when someone set the wall clock.

Timestamps are wall-clock time (operators read them), but `for` timers, renotify
and escalation measure durations, and a wall clock set back or forward by an
hour (an NTP step at boot, `date -s`, a VM resumed) would make them negative or
suddenly long. The time since boot runs on regardless, in one process and across
cron runs alike, so comparing the two tells a step from the passing of time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

STEP_TOLERANCE = 2.0
"""Seconds of disagreement taken as a step; NTP's slewing stays far below it."""


@dataclass(frozen=True)
class Instant:
    wall: float
    since_boot: float

    def to_dict(self) -> dict[str, float]:
        return {"wall": self.wall, "since_boot": self.since_boot}

    @classmethod
    def from_dict(cls, stored: object) -> Instant | None:
        if not isinstance(stored, dict):
            return None
        return cls(float(stored["wall"]), float(stored["since_boot"]))


def read() -> Instant:
    return Instant(time.time(), time.clock_gettime(time.CLOCK_BOOTTIME))


def step_between(before: Instant | None, after: Instant) -> float:
    """Seconds the wall clock was set by between two readings; 0 when it merely ran on.

    Nothing can be said across a reboot (the time since boot starts again), nor before
    the first reading.
    """
    if before is None or after.since_boot < before.since_boot:
        return 0.0
    step = (after.wall - before.wall) - (after.since_boot - before.since_boot)
    return step if abs(step) > STEP_TOLERANCE else 0.0
