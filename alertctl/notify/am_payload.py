"""One alert as Alertmanager's v2 API takes it: labels that identify it, annotations that describe it.

Pure: the times are handed in. Labels are the alert's identity to Alertmanager
(a different label set is a different alert), so they hold only what does not
change while the incident lasts, plus `severity`, which its routing needs; the
status (firing or acknowledged) is an annotation.
"""

import json
import re
from datetime import UTC, datetime

from alertctl.model import Alert

Payload = dict[str, object]
"""`{labels, annotations, startsAt, endsAt}`: JSON-ready, as posted and as remembered."""

ENDS_AFTER_RESENDS = 4
"""Prometheus's rule: an alert not re-posted within four resend intervals times out by itself."""

_INVALID = re.compile(r"[^a-zA-Z0-9_]")


def label_name(name: str) -> str:
    """Alertmanager label names match `[a-zA-Z_][a-zA-Z0-9_]*`: `disk-io.rate` becomes `disk_io_rate`."""
    cleaned = _INVALID.sub("_", name)
    return cleaned if cleaned and not cleaned[0].isdigit() else "_" + cleaned


def labels(alert: Alert) -> dict[str, str]:
    """The metric's and the rule's labels, then `alertname`, `host` and `severity`, which win a clash.

    Empty values are left out: to Alertmanager an empty label is no label. A no-data alert
    carries `nodata="true"`, or it would share its identity with the rule's breach alert.
    """
    found = {label_name(key): value for key, value in sorted(alert.labels.items()) if value}
    own = {"alertname": alert.rule, "host": alert.host, "severity": alert.severity.label}
    return found | own | ({"nodata": "true"} if alert.nodata else {})


def annotations(alert: Alert) -> dict[str, str]:
    """The message, description, runbook and recommendations as recorded when the alert opened."""
    context = alert.context
    found = {
        "summary": alert.message,
        "description": str(context.get("description") or alert.message),
        "status": alert.status.value,
        "alertctl_id": str(alert.id),
    }
    if context.get("runbook"):
        found["runbook_url"] = str(context["runbook"])
    recommendations = context.get("recommendations")
    if isinstance(recommendations, list) and recommendations:
        found["recommendations"] = "\n".join(str(r) for r in recommendations)
    return found


def payload(alert: Alert, ends_at: float) -> Payload:
    return {
        "labels": labels(alert),
        "annotations": annotations(alert),
        "startsAt": rfc3339(alert.started_at),
        "endsAt": rfc3339(ends_at),
    }


def open_until(now: float, resend: float, interval: float) -> float:
    """`endsAt` for an open alert: long enough to survive a few missed re-posts, short enough that
    Alertmanager resolves it by itself when alertctl stops for good."""
    return now + ENDS_AFTER_RESENDS * max(resend, interval)


def ended(sent: Payload, at: float) -> Payload:
    """A remembered payload, now over: same labels (the identity), `endsAt` when it ended."""
    return sent | {"endsAt": rfc3339(at)}


def identity(sent: Payload) -> str:
    """The label set as one string: what Alertmanager tells alerts apart by."""
    return json.dumps(sent["labels"], sort_keys=True)


def alert_id(sent: Payload) -> int:
    annotated = sent["annotations"]
    assert isinstance(annotated, dict)
    return int(annotated["alertctl_id"])


def rfc3339(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
