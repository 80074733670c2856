"""`processes.*`: counts read from the cycle's one scan of the process table."""

from __future__ import annotations

from alertctl.metrics.proctable import ZOMBIE, Scan
from alertctl.model import Sample


def collect(scan: Scan) -> list[Sample]:
    return [
        Sample("processes.total", float(len(scan.rows))),
        Sample("processes.zombie", float(sum(row.state == ZOMBIE for row in scan.rows))),
    ]
