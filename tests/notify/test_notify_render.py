"""Golden text: what a person reads in a notice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from alertctl.model import Alert, Severity, Status
from alertctl.notice_text import compose, digest, notify_type

ALERT = Alert(
    id=7,
    rule="disk-full",
    metric="disk.percent",
    labels={"mount": "/var", "team": "web"},
    series={"mount": "/var"},
    host="web-01",
    severity=Severity.CRITICAL,
    peak_severity=Severity.CRITICAL,
    status=Status.FIRING,
    resolution=None,
    value=97.5,
    peak=98.0,
    threshold=95.0,
    message="disk.percent /var is 97.5 (critical above 95, exceeded by 2.6%) on web-01",
    started_at=0.0,
    last_seen_at=60.0,
    context={
        "description": "Disk filling",
        "mount": {"disk.percent": 97.5, "disk.free": 84086779904.0},
        "recommendations": ["Rotate logs", "Check backups"],
        "runbook": "https://wiki.example/disk",
    },
)

OPENED_BODY = """\
disk.percent /var is 97.5 (critical above 95, exceeded by 2.6%) on web-01

Alert #7: critical disk.percent /var on web-01, value 97.5%, threshold 95%, peak 98%, started 1970-01-01T00:00:00+00:00.

Description:
Disk filling

Context:
Mount  disk.percent  97.5%
       disk.free     78.3 GiB

Recommendations:
- Rotate logs
- Check backups

Runbook:
https://wiki.example/disk

Why this notice: first_notification. Acknowledge: alertctl ack 7"""


pytestmark = pytest.mark.usefixtures("utc")


def test_an_opened_critical_notice_reads_in_full() -> None:
    shown = compose(ALERT, "opened", "first_notification")
    assert shown.title == "[CRITICAL] disk-full on web-01: disk.percent /var is 97.5% (threshold 95%)"
    assert shown.body == OPENED_BODY
    assert shown.notify_type == "failure"


def test_a_recovery_is_short_and_a_success() -> None:
    recovered = replace(
        ALERT,
        status=Status.RESOLVED,
        value=60.0,
        message="disk.percent /var is back to 60 (clears when not above 80) on web-01",
    )
    shown = compose(recovered, "resolved", "recovered")
    assert shown.title == "[RESOLVED] disk-full on web-01: disk.percent /var is 60% (threshold 95%)"
    assert shown.body == (
        "disk.percent /var is back to 60 (clears when not above 80) on web-01\n\n"
        "Alert #7 disk-full on web-01 resolved; peak 98%, started 1970-01-01T00:00:00+00:00.\n\n"
        "Why this notice: recovered. Acknowledge: alertctl ack 7"
    )
    assert shown.notify_type == "success"


@pytest.mark.parametrize(
    ("kind", "severity", "expected"),
    [
        ("opened", Severity.WARNING, "warning"),
        ("renotify", Severity.CRITICAL, "failure"),
        ("resolved", Severity.CRITICAL, "success"),
        ("test", Severity.WARNING, "info"),
    ],
)
def test_notify_types(kind: str, severity: Severity, expected: str) -> None:
    assert notify_type(kind, severity) == expected


def test_escalation_and_repeat_titles_say_so() -> None:
    assert compose(ALERT, "escalated", "escalation_due").title.endswith("(escalated: not acknowledged)")
    assert compose(ALERT, "renotify", "repeat_interval_elapsed").title.endswith("(still firing, not acknowledged)")


def test_a_digest_lists_every_notice_and_takes_the_worst_type() -> None:
    shown = digest([("[WARNING] a on h", "a line\nmore", "warning"), ("[CRITICAL] b on h", "b line", "failure")], "h")
    assert shown.title == "[DIGEST] 2 alert notices on h"
    assert shown.body == "- [WARNING] a on h: a line\n- [CRITICAL] b on h: b line"
    assert shown.notify_type == "failure"


QUEUE = replace(
    ALERT,
    id=9,
    rule="queue-backlog",
    metric="queue.duration",
    labels={},
    series={},
    value=0.00314199600052234,
    peak=0.0123,
    threshold=0.002,
    message="queue.duration is 3.14 ms (warning above 2 ms, exceeded by 57.1%) on web-01",
    severity=Severity.WARNING,
    context={
        "top_processes": [
            {"pid": 7922, "name": "python", "user": "root", "cpu_percent": 87.5, "memory_percent": 0.4999},
            {"pid": 12, "name": "kworker/0:1", "user": None, "cpu_percent": 3.0, "memory_percent": 0.0},
        ],
        "check": {
            "command": "cat /tmp/queue-length",
            "exit_code": 0,
            "output": "150\nsecond line",
            "error": None,
            "queue.value": 150.0,
            "queue.duration": 0.00314199600052234,
        },
    },
)

QUEUE_CONTEXT = """\
Alert #9: warning queue.duration on web-01, value 3.14 ms, threshold 2 ms, peak 12.3 ms, started 1970-01-01T00:00:00+00:00.

Context:
Top processes   PID  NAME         USER    CPU  MEMORY
               7922  python       root  87.5%    0.5%
                 12  kworker/0:1           3%      0%
Check          command         cat /tmp/queue-length
               exit_code       0
               output          150
                               second line
               queue.value     150
               queue.duration  3.14 ms

Why this notice"""


def test_values_carry_units_and_the_context_reads_as_aligned_fields_not_reprs() -> None:
    body = compose(QUEUE, "opened", "first_notification").body
    assert QUEUE_CONTEXT in body
    assert "None" not in body and "pid=" not in body and "0.00314199" not in body
    assert not [line for line in body.splitlines() if line != line.rstrip()]


def test_a_no_data_notice_says_so_instead_of_a_value_it_does_not_have() -> None:
    blind = replace(
        ALERT,
        severity=Severity.WARNING,
        value=None,
        peak=None,
        threshold=None,
        nodata=True,
        message="no data for disk.percent /var: disk: /var is not mounted on web-01",
    )
    opened = compose(blind, "opened", "first_notification")
    back = compose(replace(blind, status=Status.RESOLVED), "resolved", "recovered")
    assert opened.title == "[WARNING] disk-full on web-01: no data for disk.percent /var"
    assert opened.body.startswith("no data for disk.percent /var: disk: /var is not mounted on web-01\n")
    assert back.title == "[RESOLVED] disk-full on web-01: disk.percent /var is reporting again"
