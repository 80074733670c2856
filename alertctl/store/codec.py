"""Turning model values into columns and back."""

from __future__ import annotations

import json
import sqlite3

from alertctl.model import Alert, Labels, Resolution, Severity, Status, make_labels


def labels_json(labels: Labels | dict[str, str]) -> str:
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"))


def labels_from_json(text: str) -> Labels:
    return make_labels(json.loads(text))


def alert_from_row(row: sqlite3.Row) -> Alert:
    return Alert(
        id=row["id"],
        rule=row["rule"],
        metric=row["metric"],
        labels=json.loads(row["labels"]),
        series=json.loads(row["series"]),
        host=row["host"],
        severity=Severity.parse(row["severity"]),
        peak_severity=Severity.parse(row["peak_severity"]),
        status=Status(row["status"]),
        resolution=Resolution(row["resolution"]) if row["resolution"] else None,
        value=row["value"],
        peak=row["peak"],
        threshold=row["threshold"],
        message=row["message"],
        started_at=row["started_at"],
        last_seen_at=row["last_seen_at"],
        acked_at=row["acked_at"],
        resolved_at=row["resolved_at"],
        suppressed_until=row["suppressed_until"],
        acked_by=row["acked_by"],
        ack_note=row["ack_note"],
        suppress_reason=row["suppress_reason"],
        resolve_note=row["resolve_note"],
        occurrences=row["occurrences"],
        reopened=row["reopened"],
        notifications=row["notifications"],
        context=json.loads(row["context"]),
        silence_id=row["silence_id"] if "silence_id" in row.keys() else None,
        nodata=bool(row["nodata"]) if "nodata" in row.keys() else False,
    )
