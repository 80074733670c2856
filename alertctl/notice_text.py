"""A notice's title, body and Apprise notify type: pure, from the stored alert.

`[notify] title_template` / `body_template` are `str.format` strings over
`fields()`; an unknown `{name}` is left as written rather than failing. Config
validation renders them for `SAMPLE`; one that still fails for a real alert
(`{runbook[0]}` of a rule without a runbook) gives way to the built-in one and
the problem is reported: a notice is never lost to its wording.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from alertctl.durations import iso
from alertctl.messages import alert_value, subject
from alertctl.model import Alert, Severity, Status, make_labels
from alertctl.notice_reasons import Kind, Reason
from alertctl.readable import aligned, context_fields, labels_text

FIELDS = (
    "tag",
    "rule",
    "host",
    "severity",
    "status",
    "kind",
    "reason",
    "id",
    "metric",
    "labels",
    "subject",
    "value",
    "threshold",
    "peak",
    "message",
    "started_at",
    "description",
    "context",
    "recommendations",
    "runbook",
    "details",
    "note",
)
"""The names a template may use (documented in the README)."""


DEFAULT_TITLE = "{tag} {rule} on {host}: {subject} is {value} (threshold {threshold}){note}"
DEFAULT_BODY = "{details}"
NODATA_TITLES = {
    "open": "{tag} {rule} on {host}: no data for {subject}{note}",
    "back": "{tag} {rule} on {host}: {subject} is reporting again",
}
"""A no-data alert has no value or threshold to show: its title says what it is about."""


MAX_WIDTH = 1000
"""The widest field a template may ask for: a notice title is a line, a body a page."""

TEMPLATE_ERRORS = (AttributeError, IndexError, KeyError, TypeError, ValueError)
"""What `str.format` raises for a field it cannot fill: `{rule.name}`, `{id:d}`, `{0}`, `{runbook[0]}`."""

SAMPLE = Alert(
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
    started_at=1767225600.0,
    last_seen_at=1767225600.0,
    context={
        "description": "Disk almost full",
        "runbook": "https://wiki.example/disk",
        "recommendations": ["Remove old logs"],
        "mount": {"mount": "/var", "percent": 97.5},
    },
)
"""The alert `config validate` renders templates for: every field filled."""


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    notify_type: str
    problems: tuple[str, ...] = ()
    """Templates that could not be rendered (the built-in one was used), each naming its key and error."""


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_NOTIFY_TYPES = {
    Severity.INFO: "info",
    Severity.WARNING: "warning",
    Severity.ERROR: "failure",
    Severity.CRITICAL: "failure",
}
"""Apprise has four types; error and critical both fail (their titles tell them apart)."""


def notify_type(kind: str, severity: Severity) -> str:
    if kind == Kind.RESOLVED:
        return "success"
    if kind == Kind.TEST:
        return "info"
    return _NOTIFY_TYPES[severity]


def compose(
    alert: Alert, kind: str, reason: str, title_template: str | None = None, body_template: str | None = None
) -> Rendered:
    values = _Safe(fields(alert, kind, reason))
    title, title_problem = _fill("title", title_template, _default_title(alert, kind), values)
    body, body_problem = _fill("body", body_template, DEFAULT_BODY, values)
    problems = tuple(p for p in (title_problem, body_problem) if p)
    return Rendered(title, body, notify_type(kind, alert.severity), problems)


def _fill(part: str, template: str | None, default: str, values: _Safe) -> tuple[str, str | None]:
    """The template filled in, or the built-in one and what went wrong."""
    if not template:
        return default.format_map(values), None
    try:
        return _format(template, values), None
    except TEMPLATE_ERRORS as error:
        problem = f"notify.{part}_template: cannot be rendered ({_named(error)}); notices use the built-in {part}"
        return default.format_map(values), problem


def template_problem(template: str) -> str | None:
    """What goes wrong filling `template` in for `SAMPLE` (for config validation), or None."""
    try:
        _format(template, _Safe(fields(SAMPLE, Kind.OPENED, Reason.FIRST_NOTIFICATION)))
    except TEMPLATE_ERRORS as error:
        return _named(error)
    return None


def _format(template: str, values: _Safe) -> str:
    """`str.format`, refusing a width or precision that would build a string of gigabytes
    (`{rule:>9999999999}`) and take the process down with it."""
    for _, _, spec, _ in string.Formatter().parse(template):
        if spec and any(int(number) > MAX_WIDTH for number in re.findall(r"\d+", spec)):
            raise ValueError(f"a width or precision in {{:{spec}}} is over {MAX_WIDTH}")
    return template.format_map(values)


def _named(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


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
        "labels": labels_text(alert.labels),
        "subject": subject(alert.metric, make_labels(alert.series)),
        "value": _number(alert, alert.value),
        "threshold": _number(alert, alert.threshold),
        "peak": _number(alert, alert.peak),
        "message": alert.message,
        "started_at": iso(alert.started_at) or "",
        "description": str(context.get("description", "")),
        "context": _context_text(context, alert.metric),
        "recommendations": "\n".join(f"- {r}" for r in _list(context.get("recommendations"))),
        "runbook": str(context.get("runbook", "")),
    }
    values["details"] = _details(values, kind)
    return values


_NOTES: dict[str, str] = {
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
    return "n/a" if value is None else alert_value(alert, value)


def _details(v: dict[str, str], kind: str) -> str:
    lines = [v["message"], ""]
    if kind == Kind.RESOLVED:
        lines.append(
            f"Alert #{v['id']} {v['rule']} on {v['host']} resolved; peak {v['peak']}, started {v['started_at']}."
        )
    else:
        lines.append(
            f"Alert #{v['id']}: {v['severity']} {v['subject']} on {v['host']}, value {v['value']}, "
            f"threshold {v['threshold']}, peak {v['peak']}, started {v['started_at']}."
        )
    for title, key in (
        ("Description", "description"),
        ("Context", "context"),
        ("Recommendations", "recommendations"),
        ("Runbook", "runbook"),
    ):
        if v[key] and kind != Kind.RESOLVED:
            lines += ["", f"{title}:", v[key]]
    lines += ["", f"Why this notice: {v['reason']}. Acknowledge: alertctl ack {v['id']}"]
    return "\n".join(lines)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


_CONTEXT_KEYS = ("top_processes", "mount", "check")
"""The parts of a context the `{context}` field shows (the rule's own text has fields of its own)."""


def _context_text(context: dict[str, object], metric: str) -> str:
    """The same aligned fields `show` prints, unwrapped: mail and chat clients wrap for themselves."""
    shown = {key: context[key] for key in _CONTEXT_KEYS if key in context}
    return "\n".join(aligned(context_fields(shown, metric)))


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
