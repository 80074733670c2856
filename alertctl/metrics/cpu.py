"""CPU busy and iowait percentages, measured between two readings of the kernel counters.

A percentage needs two readings. `alertctl check` runs cold once a minute, so the
previous reading is persisted (see `CpuTimes.to_dict`) and the interval between
runs is the measurement; only without a usable baseline do we sleep briefly.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import psutil

from alertctl.model import Sample

SHORT_SAMPLE_SECONDS = 0.1
MIN_DELTA_SECONDS = 0.05
"""Less CPU time than this between readings gives percentages that are mostly noise."""
MAX_BASELINE_AGE_SECONDS = 900.0
"""An older baseline would report a long average instead of what the CPU does now."""


@dataclass(frozen=True)
class CpuTimes:
    """Cumulative CPU seconds since boot, summed over all cores."""

    busy: float
    iowait: float
    total: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> CpuTimes | None:
        """None for anything the store may hand back that is not a reading we wrote."""
        if not isinstance(data, dict):
            return None
        values = [data.get(name) for name in ("busy", "iowait", "total")]
        if not all(_is_number(value) for value in values):
            return None
        return cls(*(float(value) for value in values))  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_times() -> CpuTimes:
    times = psutil.cpu_times()
    # Linux already counts guest time inside user and nice; psutil exposes it twice.
    total = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    iowait = getattr(times, "iowait", 0.0)
    return CpuTimes(busy=total - times.idle - iowait, iowait=iowait, total=total)


def usage(previous: CpuTimes | None, current: CpuTimes) -> list[Sample] | None:
    """`cpu.percent` and `cpu.iowait` over the interval, or None when it is unusable.

    Unusable: no baseline, too little CPU time passed, counters went backwards
    (a reboot), or the baseline is so old it would hide what is happening now.
    """
    if previous is None:
        return None
    delta = current.total - previous.total
    max_delta = MAX_BASELINE_AGE_SECONDS * (psutil.cpu_count() or 1)
    if not MIN_DELTA_SECONDS <= delta <= max_delta:
        return None
    return [
        Sample("cpu.percent", _share(current.busy - previous.busy, delta)),
        Sample("cpu.iowait", _share(current.iowait - previous.iowait, delta)),
    ]


def _share(part: float, whole: float) -> float:
    """To one decimal, as psutil gives every other percentage: the kernel's counters tick in
    hundredths of a second, so more digits are noise, and they would cost the history 5 to 8
    bytes a sample instead of about one."""
    # Counters are sampled field by field, so a part can exceed the whole slightly.
    return round(min(100.0, max(0.0, part / whole * 100.0)), 1)


def collect(previous: CpuTimes | None) -> tuple[list[Sample], CpuTimes]:
    """Samples plus the reading to keep as the next baseline."""
    current = read_times()
    samples = usage(previous, current)
    if samples is None:
        time.sleep(SHORT_SAMPLE_SECONDS)
        previous, current = current, read_times()
        samples = usage(previous, current) or []
    return samples, current
