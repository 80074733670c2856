"""An open alert as the store returns it, for tests of pure code that only reads a few fields."""

from __future__ import annotations

from alertctl.model import Alert, Severity, Status


def open_alert(number: int, severity: Severity, rule: str = "r", labels: dict[str, str] | None = None) -> Alert:
    return Alert(
        id=number,
        rule=rule,
        metric="disk.percent",
        labels=dict(labels or {}),
        series=dict(labels or {}),
        host="h",
        severity=severity,
        peak_severity=severity,
        status=Status.FIRING,
        resolution=None,
        value=1.0,
        peak=1.0,
        threshold=1.0,
        message="",
        started_at=0.0,
        last_seen_at=0.0,
    )
