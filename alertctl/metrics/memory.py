"""Memory and swap use."""

from __future__ import annotations

import psutil

from alertctl.model import Sample


def collect() -> list[Sample]:
    memory = psutil.virtual_memory()
    # psutil reports 0 % swap when there is none, which never breaches a rule.
    swap = psutil.swap_memory()
    return [
        Sample("memory.percent", float(memory.percent)),
        Sample("memory.available", float(memory.available)),
        Sample("swap.percent", float(swap.percent)),
    ]
