"""Rich renderings for people at a terminal; imported only when a table is printed.

Stored text (messages, notes, command output) goes in as `Text`, never as markup:
an ack note reading "[/bold]" must print as written, not break the table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from alertctl.catalog import MetricSpec
from alertctl.cli.columns import Cell, Column, lay_out
from alertctl.cli.present import alert_subject, detail_fields, short_time, timeline_fields, value_text
from alertctl.messages import subject
from alertctl.model import Alert, Sample, Severity, Status, Unavailable, Unit
from alertctl.readable import aligned
from alertctl.units import human

SEVERITY_STYLE = {
    Severity.INFO: "cyan",
    Severity.WARNING: "yellow",
    Severity.ERROR: "red",
    Severity.CRITICAL: "bold red",
}
STATUS_STYLE = {Status.FIRING: "red", Status.ACKNOWLEDGED: "cyan", Status.SUPPRESSED: "dim", Status.RESOLVED: "green"}


def console() -> Console:
    return Console(highlight=False)


HISTORY_COLUMNS = (
    Column("ID", right=True),
    Column("Started"),
    Column("Worst"),
    Column("Status"),
    Column("Rule", cut=2, keep=16),
    Column("Value", right=True),
    Column("Message", cut=1, keep=16),
)


def history_lines(alerts: Sequence[Alert], width: int | None, now: float) -> list[Text]:
    """`history` on a terminal: one line per alert, the message (then the rule) cut to fit."""
    rows: list[list[Cell]] = [
        [
            str(alert.id),
            short_time(alert.started_at, now),
            Text(alert.peak_severity.label, style=SEVERITY_STYLE[alert.peak_severity]),
            Text(alert.status.value, style=STATUS_STYLE[alert.status]),
            alert_subject(alert),
            value_text(alert, alert.value),
            alert.message,
        ]
        for alert in alerts
    ]
    return lay_out(HISTORY_COLUMNS, rows, width)


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
        shown = human(sample.value, spec.unit if spec else Unit.NONE)
        table.add_row(Text(subject(sample.metric, sample.labels)), shown, spec.description if spec else "")
    for gap in unavailable:
        table.add_row(
            Text(subject(gap.metric, gap.labels)), Text("no data", style="yellow"), Text(f"unavailable: {gap.reason}")
        )
    return table


def alert_detail(alert: Alert, steps: Sequence[dict[str, object]], width: int | None) -> Text:
    """`show`: every field worth reading, then the context and the timeline, as aligned lines."""
    lines = aligned(detail_fields(alert), width)
    if steps:
        lines += ["", "Timeline", *aligned(timeline_fields(steps), width)]
    shown = Text("\n".join(lines))
    found = re.search(r"^Severity +(\w+)", shown.plain, re.MULTILINE)
    if found:
        shown.stylize(SEVERITY_STYLE[alert.severity], *found.span(1))
    return shown
