"""Reading the time, and noticing when someone set the wall clock.

Timestamps are wall-clock time (operators read them), but `for` timers, renotify
and escalation measure durations, and a wall clock set back or forward by an
hour (an NTP step at boot, `date -s`, a VM resumed) would make them negative or
suddenly long. The time since boot runs on regardless, in one process and across
cron runs alike, so comparing the two tells a step from the passing of time, as
long as both readings come from the same boot of the same host: the boot id says so.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

STEP_TOLERANCE = 2.0
"""Seconds of disagreement taken as a step; NTP's slewing stays far below it."""

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class Instant:
    wall: float
    since_boot: float
    boot: str
    """The boot id; "" when unknown (a reading stored before it was recorded)."""

    def to_dict(self) -> dict[str, float | str]:
        return {"wall": self.wall, "since_boot": self.since_boot, "boot": self.boot}

    @classmethod
    def from_dict(cls, stored: object) -> Instant | None:
        if not isinstance(stored, dict):
            return None
        return cls(float(stored["wall"]), float(stored["since_boot"]), str(stored.get("boot", "")))

    def same_boot(self, other: Instant) -> bool:
        """Whether the two times since boot count from one start (an unknown boot matches none)."""
        return bool(self.boot) and other.boot == self.boot

    def newer_than(self, other: Instant) -> bool:
        """Read later than `other`, by the time since boot: the wall clock may have been set between."""
        return self.same_boot(other) and self.since_boot > other.since_boot


@functools.cache
def boot_id() -> str:
    """Cached: it changes only with a reboot, which ends the process, and a cron `check` reads
    the clock at every start. "" where the kernel does not tell (no step is then detected)."""
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


def read() -> Instant:
    return Instant(time.time(), time.clock_gettime(time.CLOCK_BOOTTIME), boot_id())


def step_between(before: Instant | None, after: Instant) -> float:
    """Seconds the wall clock was set by between two readings; 0 when it merely ran on.

    Nothing can be said across a reboot (the time since boot starts again; a host down
    longer than it had been up would otherwise pass for a step of days), between two
    hosts (a database moved), nor before the first reading.
    """
    if before is None or not before.same_boot(after) or before.newer_than(after):
        return 0.0
    step = (after.wall - before.wall) - (after.since_boot - before.since_boot)
    return step if abs(step) > STEP_TOLERANCE else 0.0
