"""A notice's title, body and Apprise notify type: pure, from the stored alert.

`[notify] title_template` / `body_template` are `str.format` strings over
`fields()`; an unknown `{name}` is left as written rather than failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alertctl.durations import iso
from alertctl.messages import subject
from alertctl.model import Alert, Severity, make_labels
from alertctl.notify.policy import Kind
from alertctl.units import human, unit_of

FIELDS = (
    "tag", "rule", "host", "severity", "status", "kind", "reason", "id", "metric", "labels", "subject",
    "value", "threshold", "peak", "message", "started_at", "description", "context",
    "recommendations", "runbook", "details", "note",
)
"""The names a template may use (documented in the README)."""


DEFAULT_TITLE = "{tag} {rule} on {host}: {subject} is {value} (threshold {threshold}){note}"
DEFAULT_BODY = "{details}"
NODATA_TITLES = {
    "open": "{tag} {rule} on {host}: no data for {subject}{note}",
    "back": "{tag} {rule} on {host}: {subject} is reporting again",
}
"""A no-data alert has no value or threshold to show: its title says what it is about."""


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    notify_type: str


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def notify_type(kind: str, severity: Severity) -> str:
    if kind == Kind.RESOLVED:
        return "success"
    if kind == Kind.TEST:
        return "info"
    return "failure" if severity is Severity.CRITICAL else "warning"


def render(
    alert: Alert, kind: str, reason: str, title_template: str | None = None, body_template: str | None = None
) -> Rendered:
    values = fields(alert, kind, reason)
    title = (title_template or _default_title(alert, kind)).format_map(_Safe(values))
    body = (body_template or DEFAULT_BODY).format_map(_Safe(values))
    return Rendered(title, body, notify_type(kind, alert.severity))


def _default_title(alert: Alert, kind: str) -> str:
    if not alert.nodata:
        return DEFAULT_TITLE
    return NODATA_TITLES["back" if kind == Kind.RESOLVED else "open"]


def fields(alert: Alert, kind: str, reason: str) -> dict[str, str]:
    context = alert.context
    values = {
        "tag": _tag(kind, alert.severity),
        "note": _NOTES.get(kind, ""),
        "rule": alert.rule,
        "host": alert.host,
        "severity": alert.severity.label,
        "status": alert.status.value,
        "kind": kind,
        "reason": reason,
        "id": str(alert.id),
        "metric": alert.metric,
        "labels": " ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())),
        "subject": subject(alert.metric, make_labels(alert.series)),
        "value": _number(alert, alert.value),
        "threshold": _number(alert, alert.threshold),
        "peak": _number(alert, alert.peak),
        "message": alert.message,
        "started_at": iso(alert.started_at) or "",
        "description": str(context.get("description", "")),
        "context": _context_text(context),
        "recommendations": "\n".join(f"- {r}" for r in _list(context.get("recommendations"))),
        "runbook": str(context.get("runbook", "")),
    }
    values["details"] = _details(values, kind)
    return values


_NOTES = {
    Kind.RAISED: " (severity raised)",
    Kind.RENOTIFY: " (still firing, not acknowledged)",
    Kind.ESCALATED: " (escalated: not acknowledged)",
}


def _tag(kind: str, severity: Severity) -> str:
    if kind == Kind.RESOLVED:
        return "[RESOLVED]"
    if kind == Kind.TEST:
        return "[TEST]"
    return f"[{severity.label.upper()}]"


def _number(alert: Alert, value: float | None) -> str:
    return "n/a" if value is None else human(value, unit_of(alert.metric))


def _details(v: dict[str, str], kind: str) -> str:
    lines = [v["message"], ""]
    if kind == Kind.RESOLVED:
        lines.append(f"Alert #{v['id']} {v['rule']} on {v['host']} resolved; peak {v['peak']}, started {v['started_at']}.")
    else:
        lines.append(f"Alert #{v['id']}: {v['severity']} {v['subject']} on {v['host']}, value {v['value']}, "
                     f"threshold {v['threshold']}, peak {v['peak']}, started {v['started_at']}.")
    for title, key in (("Description", "description"), ("Context", "context"),
                       ("Recommendations", "recommendations"), ("Runbook", "runbook")):
        if v[key] and kind != Kind.RESOLVED:
            lines += ["", f"{title}:", v[key]]
    lines += ["", f"Why this notice: {v['reason']}. Acknowledge: alertctl ack {v['id']}"]
    return "\n".join(lines)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _context_text(context: dict[str, object]) -> str:
    lines = []
    for process in _list(context.get("top_processes")):
        if isinstance(process, dict):
            lines.append("- " + ", ".join(f"{k}={v}" for k, v in process.items()))
    mount = context.get("mount")
    if isinstance(mount, dict):
        lines += [f"- {k}: {v}" for k, v in mount.items()]
    check = context.get("check")
    if isinstance(check, dict):
        lines += [f"- {k}: {v}" for k, v in check.items() if v not in (None, "")]
    return "\n".join(lines)


def digest(notices: Sequence[tuple[str, str, str]], host: str) -> Rendered:
    """Many notices for one channel as one: (title, body, notify_type) each, worst type wins."""
    kinds = {n[2] for n in notices}
    worst = next((t for t in ("failure", "warning", "success", "info") if t in kinds), "info")
    title = f"[DIGEST] {len(notices)} alert notices on {host}"
    body = "\n".join(f"- {n[0]}: {n[1].splitlines()[0] if n[1] else ''}" for n in notices)
    return Rendered(title, body, worst)


def test_notice(channel: str, host: str) -> Rendered:
    return Rendered(
        f"[TEST] alertctl on {host}",
        f"A test notice from alertctl on {host} through channel {channel!r}. If you read this, it works.",
        "info",
    )
