"""Alerts as JSON objects, CSV rows and rich tables: the printed forms of a stored row."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from alertctl.durations import iso
from alertctl.messages import alert_value, subject
from alertctl.model import Alert, Rule, Transition, make_labels

if TYPE_CHECKING:
    from alertctl.readable import Field

FIELDS = (
    "id",
    "rule",
    "metric",
    "labels",
    "host",
    "severity",
    "peak_severity",
    "status",
    "resolution",
    "value",
    "peak",
    "threshold",
    "message",
    "started_at",
    "last_seen_at",
    "acked_at",
    "resolved_at",
    "suppressed_until",
    "acked_by",
    "ack_note",
    "suppress_reason",
    "resolve_note",
    "occurrences",
    "reopened",
    "notifications",
    "context",
    "nodata",
)
_TIMES = {"started_at", "last_seen_at", "acked_at", "resolved_at", "suppressed_until"}


def replaced_note(rules: Sequence[Rule]) -> str:
    """`; replaces the built-in rules: cpu-high, ...` for the lines that say what is watched."""
    from alertctl.config.defaults import replaced_builtins

    replaced = replaced_builtins(rule.name for rule in rules)
    return f"; replaces the built-in rules: {', '.join(replaced)}" if replaced else ""


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
    import csv  # only `history --csv` writes CSV: not on a cron `check`'s start

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for alert in alerts:
        row = alert_dict(alert)
        writer.writerow(
            json.dumps(row[f], sort_keys=True)
            if isinstance(row[f], dict | bool)
            else ("" if row[f] is None else row[f])
            for f in FIELDS
        )
    return out.getvalue()


TSV_FIELDS = ("id", "started_at", "severity", "worst", "status", "rule", "labels", "value", "message")


def to_tsv(alerts: Sequence[Alert]) -> str:
    from alertctl.readable import labels_text

    """`history` into a pipe: a header, then one tab-separated line per alert, nothing cut or wrapped."""
    lines = ["\t".join(TSV_FIELDS)]
    for alert in alerts:
        fields = (
            str(alert.id),
            iso(alert.started_at) or "",
            alert.severity.label,
            alert.peak_severity.label,
            alert.status.value,
            alert.rule,
            labels_text(alert.labels, ","),
            value_text(alert, alert.value),
            alert.message,
        )
        lines.append("\t".join(" ".join(field.split()) for field in fields))
    return "\n".join(lines) + "\n"


def detail_fields(alert: Alert) -> list[Field]:
    """`show`'s fields, one per line, then what the alert's context held."""
    from alertctl.readable import Field, context_fields, labels_text

    fields = [
        Field("Alert", f"#{alert.id} {alert.rule} on {alert.host}"),
        Field("Severity", f"{alert.severity.label} (worst: {alert.peak_severity.label})"),
        Field("Status", alert.status.value + (f" ({alert.resolution.value})" if alert.resolution else "")),
        Field("Message", alert.message),
        Field("Metric", f"{alert.metric} {labels_text(alert.labels)}".strip()),
        Field(
            "Value",
            "no data"
            if alert.nodata
            else (
                f"{value_text(alert, alert.value) or 'n/a'} (peak {value_text(alert, alert.peak) or 'n/a'}, "
                f"threshold {value_text(alert, alert.threshold) or 'n/a'})"
            ),
        ),
        Field("Started", iso(alert.started_at) or ""),
        Field("Last seen", iso(alert.last_seen_at) or ""),
        Field("Occurrences", f"{alert.occurrences} samples in breach, reopened {alert.reopened}x"),
        Field("Notifications", str(alert.notifications)),
    ]
    return fields + _operator_fields(alert) + context_fields(alert.context, alert.metric)


def _operator_fields(alert: Alert) -> list[Field]:
    from alertctl.readable import Field

    fields = []
    if alert.acked_at:
        note = f": {alert.ack_note}" if alert.ack_note else ""
        fields.append(Field("Acknowledged", f"{iso(alert.acked_at)} by {alert.acked_by}{note}"))
    if alert.suppressed_until:
        reason = f": {alert.suppress_reason}" if alert.suppress_reason else ""
        fields.append(Field("Suppressed until", f"{iso(alert.suppressed_until)}{reason}"))
    if alert.resolved_at:
        note = f": {alert.resolve_note}" if alert.resolve_note else ""
        fields.append(Field("Resolved", f"{iso(alert.resolved_at)}{note}"))
    return fields


def timeline_fields(steps: Sequence[dict[str, object]]) -> list[Field]:
    """`show`'s timeline: local date and time and what happened, then the detail under itself."""
    from alertctl.readable import Field

    widest = max((len(str(step["kind"])) for step in steps), default=0)
    fields = []
    for step in steps:
        at = str(step["at"] or "")
        fields.append(Field(f"{at[5:10]} {at[11:19]}  {str(step['kind']).ljust(widest)}", str(step["detail"] or "")))
    return fields


def event_line(t: Transition) -> str:
    """One event as `watch` logs it off a terminal."""
    return f"{iso(t.at)} {t.change.value} #{t.alert_id} {t.key.rule} {t.severity.label}: {t.message}"


def local_time(epoch: float | None) -> str:
    return "" if epoch is None else datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def short_time(epoch: float, now: float) -> str:
    """Local time as a table has room for, as `ls -l` does: `08:11` today, `12-03 08:11` this year,
    else `2025-12-03`."""
    then, today = datetime.fromtimestamp(epoch), datetime.fromtimestamp(now)
    if then.date() == today.date():
        return then.strftime("%H:%M")
    return then.strftime("%m-%d %H:%M" if then.year == today.year else "%Y-%m-%d")


def value_text(alert: Alert, value: float | None) -> str:
    return "" if value is None else alert_value(alert, value)


def alert_subject(alert: Alert) -> str:
    return subject(alert.rule, make_labels(alert.series))
