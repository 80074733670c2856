"""Alerts as JSON objects, CSV rows and rich tables: the printed forms of a stored row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime

from alertctl.durations import iso
from alertctl.messages import subject
from alertctl.model import Alert, Transition, make_labels
from alertctl.units import human, unit_of

FIELDS = (
    "id", "rule", "metric", "labels", "host", "severity", "peak_severity", "status", "resolution",
    "value", "peak", "threshold", "message", "started_at", "last_seen_at", "acked_at", "resolved_at",
    "suppressed_until", "acked_by", "ack_note", "suppress_reason", "resolve_note", "occurrences",
    "reopened", "notifications", "context", "nodata",
)
_TIMES = {"started_at", "last_seen_at", "acked_at", "resolved_at", "suppressed_until"}


def alert_dict(alert: Alert) -> dict[str, object]:
    data: dict[str, object] = {}
    for name in FIELDS:
        value = getattr(alert, name)
        if name in _TIMES:
            value = iso(value)
        elif name in ("severity", "peak_severity"):
            value = value.label
        elif name in ("status", "resolution") and value is not None:
            value = value.value
        data[name] = value
    return data


def to_json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def to_csv(alerts: Sequence[Alert]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for alert in alerts:
        row = alert_dict(alert)
        writer.writerow(
            json.dumps(row[f], sort_keys=True) if isinstance(row[f], dict | bool) else ("" if row[f] is None else row[f])
            for f in FIELDS
        )
    return out.getvalue()


def event_line(t: Transition) -> str:
    """One event as `watch` logs it and its live view lists it."""
    return f"{iso(t.at)} {t.change.value} #{t.alert_id} {t.key.rule} {t.severity.label}: {t.message}"


def local_time(epoch: float | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def value_text(alert: Alert, value: float | None) -> str:
    return "" if value is None else human(value, unit_of(alert.metric))


def alert_subject(alert: Alert) -> str:
    return subject(alert.rule, make_labels(alert.series))
