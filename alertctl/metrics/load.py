"""Load averages, raw and per CPU (the raw numbers mean nothing without the core count)."""

from __future__ import annotations

import psutil

from alertctl.model import Sample


def collect() -> list[Sample]:
    one, five, fifteen = psutil.getloadavg()
    cpus = psutil.cpu_count() or 1
    return [
        Sample("load.1", one),
        Sample("load.5", five),
        Sample("load.15", fifteen),
        Sample("load.per_cpu", one / cpus),
    ]
