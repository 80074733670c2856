"""Rich renderings for people at a terminal; imported only when a table is printed.

Stored text (messages, notes, command output) goes in as `Text`, never as markup:
an ack note reading "[/bold]" must print as written, not break the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from alertctl.cli.present import alert_subject, local_time, value_text
from alertctl.durations import iso
from alertctl.messages import subject
from alertctl.metrics.catalog import MetricSpec
from alertctl.model import Alert, Sample, Severity, Status, Unavailable
from alertctl.units import human

SEVERITY_STYLE = {Severity.WARNING: "yellow", Severity.CRITICAL: "bold red"}
STATUS_STYLE = {Status.FIRING: "red", Status.ACKNOWLEDGED: "cyan", Status.SUPPRESSED: "dim", Status.RESOLVED: "green"}


def console() -> Console:
    return Console(highlight=False)


def alerts_table(alerts: Sequence[Alert], title: str | None = None, worst: bool = False) -> Table:
    """`worst=True` (history) shows the worst severity reached, which `--severity` filters on."""
    table = Table(title=title, expand=False)
    for name in ("ID", "Started", "Worst" if worst else "Severity", "Status"):
        table.add_column(name, no_wrap=True, justify="right" if name == "ID" else "left")
    table.add_column("Rule", overflow="fold")
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Message", overflow="fold", ratio=1)
    for alert in alerts:
        severity = alert.peak_severity if worst else alert.severity
        table.add_row(
            str(alert.id),
            local_time(alert.started_at),
            Text(severity.label, style=SEVERITY_STYLE[severity]),
            Text(alert.status.value, style=STATUS_STYLE[alert.status]),
            Text(alert_subject(alert)),
            value_text(alert, alert.value),
            Text(alert.message),
        )
    return table


def metrics_table(
    samples: Sequence[Sample], specs: dict[str, MetricSpec], unavailable: Sequence[Unavailable] = ()
) -> Table:
    """Values first, then what could not be read this time, each with why."""
    table = Table(expand=False)
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    table.add_column("Description", overflow="fold")
    for sample in samples:
        spec = specs.get(sample.metric)
        unit = spec.unit if spec else None
        shown = human(sample.value, unit) if unit is not None else f"{sample.value:g}"
        table.add_row(Text(subject(sample.metric, sample.labels)), shown, spec.description if spec else "")
    for gap in unavailable:
        table.add_row(Text(subject(gap.metric, gap.labels)), Text("no data", style="yellow"),
                      Text(f"unavailable: {gap.reason}"))
    return table


def alert_detail(alert: Alert, notices: list[str] | None = None) -> Table:
    """`show`: every field worth reading, one per line, then the context."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    rows = [
        ("Alert", f"#{alert.id} {alert.rule} on {alert.host}"),
        ("Severity", Text.assemble((alert.severity.label, SEVERITY_STYLE[alert.severity]),
                                   f" (worst: {alert.peak_severity.label})")),
        ("Status", alert.status.value + (f" ({alert.resolution.value})" if alert.resolution else "")),
        ("Message", alert.message),
        ("Metric", f"{alert.metric} {_labels(alert.labels)}".strip()),
        ("Value", "no data" if alert.nodata else f"{value_text(alert, alert.value)} (peak "
                  f"{value_text(alert, alert.peak)}, threshold {value_text(alert, alert.threshold)})"),
        ("Started", iso(alert.started_at)),
        ("Last seen", iso(alert.last_seen_at)),
        ("Occurrences", f"{alert.occurrences} samples in breach, reopened {alert.reopened}x"),
        ("Notifications", str(alert.notifications)),
    ]
    rows += _operator_rows(alert)
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else Text(value or ""))
    _add_context(table, alert.context)
    if notices:
        table.add_row("Notices", Text("\n".join(notices)))
    return table


def _labels(labels: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _operator_rows(alert: Alert) -> list[tuple[str, str | Text | None]]:
    rows: list[tuple[str, str | Text | None]] = []
    if alert.acked_at:
        rows.append(("Acknowledged", f"{iso(alert.acked_at)} by {alert.acked_by}" + (f": {alert.ack_note}" if alert.ack_note else "")))
    if alert.suppressed_until:
        rows.append(("Suppressed until", f"{iso(alert.suppressed_until)}: {alert.suppress_reason or ''}"))
    if alert.resolved_at:
        rows.append(("Resolved", iso(alert.resolved_at) + (f": {alert.resolve_note}" if alert.resolve_note else "")))
    return rows


def _add_context(table: Table, context: dict[str, object]) -> None:
    for key, value in context.items():
        title = key.replace("_", " ").capitalize()
        if isinstance(value, list):
            lines = [_item(entry) for entry in value]
            table.add_row(title, Text("\n".join(f"- {line}" for line in lines)))
        elif isinstance(value, dict):
            table.add_row(title, Text("\n".join(f"{k}: {_nested(v)}" for k, v in value.items() if v is not None)))
        else:
            table.add_row(title, Text(str(value)))


def _nested(value: object) -> str:
    """A value inside a context table (`at_peak`'s mount or processes) as plain words."""
    if isinstance(value, list):
        return "; ".join(_item(entry) for entry in value)
    return _item(value)


def _item(entry: object) -> str:
    if isinstance(entry, dict):
        return ", ".join(f"{k}={v}" for k, v in entry.items())
    return str(entry)


def timeline_table(steps: Sequence[dict[str, object]]) -> Table:
    """`show`'s timeline: local time, what, and the detail folded to the screen's width."""
    table = Table(title="Timeline", title_justify="left", expand=False, show_edge=False, box=None, padding=(0, 1))
    table.add_column("When", no_wrap=True)
    table.add_column("What", no_wrap=True)
    table.add_column("Detail", overflow="fold", ratio=1)
    for step in steps:
        at = str(step["at"] or "")
        table.add_row(at[5:10] + " " + at[11:19], Text(str(step["kind"])), Text(str(step["detail"] or "")))
    return table
