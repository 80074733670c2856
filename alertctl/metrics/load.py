"""Load averages, raw and per CPU (the raw numbers mean nothing without the core count)."""

from __future__ import annotations

import psutil

from alertctl.model import Sample


def collect() -> list[Sample]:
    """To two decimals, as /proc/loadavg and `uptime` show them: the kernel's binary fractions
    (7.8388671875) carry no more information, and would cost the history 5 to 8 bytes a sample."""
    one, five, fifteen = (round(value, 2) for value in psutil.getloadavg())
    cpus = psutil.cpu_count() or 1
    return [
        Sample("load.1", one),
        Sample("load.5", five),
        Sample("load.15", fifteen),
        Sample("load.per_cpu", round(one / cpus, 3)),
    ]
