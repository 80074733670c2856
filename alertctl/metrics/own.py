"""`alertctl.*`: what this process itself costs, so a rule can watch the watcher."""

from __future__ import annotations

import os
import time

import psutil

from alertctl.metrics.proctable import age_of
from alertctl.model import Sample


class OwnCost:
    """CPU % between two collections (the first one: since the process started), and RSS."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._last: tuple[float, float] | None = None

    def collect(self, cycle_seconds: float) -> list[Sample]:
        now, used = time.monotonic(), _cpu_seconds()
        if self._last is None:
            elapsed, spent = self.age(), used
        else:
            elapsed, spent = now - self._last[0], used - self._last[1]
        self._last = (now, used)
        return [
            Sample("alertctl.cpu_percent", spent / elapsed * 100.0 if elapsed > 0 else 0.0),
            Sample("alertctl.rss", float(self._process.memory_info().rss)),
            Sample("alertctl.cycle_seconds", cycle_seconds),
        ]

    def age(self) -> float:
        """Seconds since this process started."""
        return age_of(os.getpid())


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system
