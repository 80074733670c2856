"""`show` as a person reads it: values in units, context as aligned fields, no trailing spaces."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from alertctl.cli.tables import alert_detail
from alertctl.model import Alert, Severity, Status

ALERT = Alert(
    id=4,
    rule="queue-slow",
    metric="queue.duration",
    labels={"team": "batch"},
    series={},
    host="web-01",
    severity=Severity.WARNING,
    peak_severity=Severity.CRITICAL,
    status=Status.ACKNOWLEDGED,
    resolution=None,
    value=0.00314199600052234,
    peak=0.0421,
    threshold=0.002,
    message="queue.duration is 3.14 ms (warning above 2 ms, exceeded by 57.1%) on web-01",
    started_at=0.0,
    last_seen_at=90.0,
    acked_at=120.0,
    acked_by="alice",
    ack_note="looking",
    occurrences=3,
    context={
        "description": "The import queue answers slowly",
        "top_processes": [
            {"pid": 7922, "name": "python", "user": "app", "cpu_percent": 87.5, "memory_percent": 12.25},
            {"pid": 31, "name": "postgres", "user": None, "cpu_percent": 3.0, "memory_percent": 0.0},
        ],
        "check": {
            "command": "queue-stats --latency",
            "exit_code": 0,
            "output": "latency 0.00314",
            "error": None,
            "queue.value": 0.00314199600052234,
            "queue.duration": 0.00314199600052234,
        },
        "mount": {"disk.percent": 68.91234, "disk.free": 84086779904.0},
        "at_peak": {"value": 0.0421, "mount": {"disk.free": 1536.0}},
        "recommendations": ["Restart the importer", "Check the disk"],
        "runbook": "https://wiki.example/queue",
    },
)

SHOWN = """\
Alert            #4 queue-slow on web-01
Severity         warning (worst: critical)
Status           acknowledged
Message          queue.duration is 3.14 ms (warning above 2 ms, exceeded by
                 57.1%) on web-01
Metric           queue.duration team=batch
Value            3.14 ms (peak 42.1 ms, threshold 2 ms)
Started          1970-01-01T00:00:00+00:00
Last seen        1970-01-01T00:01:30+00:00
Occurrences      3 samples in breach, reopened 0x
Notifications    0
Acknowledged     1970-01-01T00:02:00+00:00 by alice: looking
Description      The import queue answers slowly
Top processes     PID  NAME      USER    CPU  MEMORY
                 7922  python    app   87.5%   12.2%
                   31  postgres           3%      0%
Check            command         queue-stats --latency
                 exit_code       0
                 output          latency 0.00314
                 queue.value     0.00314
                 queue.duration  3.14 ms
Mount            disk.percent  68.9%
                 disk.free     78.3 GiB
At peak          Value  42.1 ms
                 Mount  disk.free  1.50 KiB
Recommendations  - Restart the importer
                 - Check the disk
Runbook          https://wiki.example/queue

Timeline
01-01 00:00:00  opened        warning: queue.duration is 3.14 ms (warning above
                              2 ms, exceeded by 57.1%) on web-01
01-01 00:02:00  acknowledged  by alice: looking
"""

STEPS = [
    {
        "at": "1970-01-01T00:00:00+00:00",
        "kind": "opened",
        "detail": "warning: queue.duration is 3.14 ms (warning above 2 ms, exceeded by 57.1%) on web-01",
    },
    {"at": "1970-01-01T00:02:00+00:00", "kind": "acknowledged", "detail": "by alice: looking"},
]


pytestmark = pytest.mark.usefixtures("utc")


def test_show_reads_in_units_with_the_context_as_aligned_fields() -> None:
    out = StringIO()
    Console(file=out, width=80, color_system=None).print(alert_detail(ALERT, STEPS, 80), soft_wrap=True)

    assert out.getvalue() == SHOWN
    assert "None" not in SHOWN and "pid=" not in SHOWN and "0.0031419" not in SHOWN and "84086779904" not in SHOWN


def test_show_without_a_width_wraps_nothing() -> None:
    shown = alert_detail(ALERT, STEPS, None).plain

    assert "queue.duration is 3.14 ms (warning above 2 ms, exceeded by 57.1%) on web-01" in shown
    assert not [line for line in shown.splitlines() if line != line.rstrip()]
