"""What watching costs: this process's CPU share and resident memory, for the live view's header."""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class OwnCost:
    cpu_percent: float
    """Of one core, since the previous reading (a busy cycle with threads may pass 100)."""
    rss: float
    """Bytes."""


class OwnMeter:
    """Read once per cycle: psutil measures CPU between two calls on the same Process."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._process.cpu_percent(interval=None)  # the first call only sets the baseline

    def read(self) -> OwnCost:
        with self._process.oneshot():
            return OwnCost(self._process.cpu_percent(interval=None), float(self._process.memory_info().rss))
