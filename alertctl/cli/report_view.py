"""The report at a terminal: bars per hour of day, a sparkline per day, tables for rules.

Readable at 80 columns and without colour: every bar is made of characters,
every figure is printed next to its bar.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from alertctl.cli.present import local_time
from alertctl.report import Report
from alertctl.units import human_seconds

BAR_WIDTH = 40
SPARK = " ▁▂▃▄▅▆▇█"
SPARK_WIDTH = 56


def print_report(console: Console, report: Report) -> None:
    console.print(_headline(report))
    if report.total:
        console.print(_hour_chart(report))
        console.print(_day_row(report))
        console.print(_response_times(report))
        console.print(_rules_table(report))
    if report.channels:
        console.print(_channels_table(report))
    if report.suggestions:
        console.print(Text("Suggestions", style="bold"))
        for s in report.suggestions:
            console.print(Text(f"- {s.text}"))


def _headline(report: Report) -> Text:
    where = f" of rule {report.rule}" if report.rule else ""
    span = f"from {local_time(report.since)} to {local_time(report.until)} (local time)"
    if not report.total:
        return Text(f"No alerts{where} started {span}.")
    severities = ", ".join(f"{n} {s}" for s, n in report.by_severity.items() if n)
    statuses = ", ".join(f"{n} {s}" for s, n in report.by_status.items() if n)
    return Text.assemble(
        (f"{report.total} alerts{where}", "bold"),
        f" {span}\n",
        f"worst severity: {severities}; now: {statuses}\n",
        f"most common rule: {report.most_common_rule}; peak hour {report.peak_hour:02d}:00 local",
    )


def _bar(count: int, top: int, width: int) -> str:
    if not count:
        return ""
    return "█" * max(1, round(width * count / top))


def _hour_chart(report: Report) -> Table:
    top = max(report.hourly)
    table = Table(
        title="Alerts by hour of day (local)", title_justify="left", show_header=False, box=None, padding=(0, 1)
    )
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, justify="right")
    table.add_column(no_wrap=True)
    for hour, count in enumerate(report.hourly):
        style = "bold red" if hour == report.peak_hour else "cyan"
        table.add_row(f"{hour:02d}:00", str(count), Text(_bar(count, top, BAR_WIDTH), style=style))
    return table


def spark(counts: list[int], width: int = SPARK_WIDTH) -> str:
    """One character per day (or per group of days, when there are more days than `width`)."""
    size = -(-len(counts) // width) if counts else 1
    groups = [sum(counts[i : i + size]) for i in range(0, len(counts), size)]
    top = max(groups, default=0) or 1
    return "".join(SPARK[0 if not n else max(1, round(8 * n / top))] for n in groups)


def _day_row(report: Report) -> Text:
    counts = [n for _, n in report.daily]
    size = -(-len(counts) // SPARK_WIDTH) if counts else 1
    busiest_day, busiest = max(report.daily, key=lambda d: (d[1], d[0]))
    per = "day" if size == 1 else f"{size} days"
    return Text.assemble(
        (f"Alerts per {per}, {report.daily[0][0]} to {report.daily[-1][0]}\n", "bold"),
        (f"│{spark(counts)}│", "cyan"),
        f"\nbusiest day {busiest_day}: {busiest}; {report.total / report.days:.1f} a day on average\n",
        "by weekday: " + " ".join(f"{day[:3].title()} {n}" for day, n in report.by_weekday.items()),
    )


def _response_times(report: Report) -> Text:
    return Text(
        f"Time to acknowledge: mean {human_seconds(report.tta[0])}, median {human_seconds(report.tta[1])}\n"
        f"Time to resolve:     mean {human_seconds(report.ttr[0])}, median {human_seconds(report.ttr[1])}"
    )


def _rules_table(report: Report) -> Table:
    table = Table(title="Noisiest rules", title_justify="left")
    table.add_column("Rule", overflow="fold")
    for name in ("Alerts", "Per day", "Never acked", "Median duration", "Reopened"):
        table.add_column(name, justify="right", no_wrap=False)
    for r in report.noisiest:
        table.add_row(
            Text(r.rule),
            str(r.alerts),
            f"{r.alerts / report.days:.1f}",
            f"{round(100 * r.never_acked / r.alerts)}%",
            human_seconds(r.median_duration),
            str(r.reopened),
        )
    return table


def _channels_table(report: Report) -> Table:
    table = Table(title="Notifications (attempts in the window)", title_justify="left")
    table.add_column("Channel", overflow="fold")
    for name in ("Sent", "Failed", "Given up"):
        table.add_column(name, justify="right")
    for name, c in report.channels.items():
        table.add_row(Text(name), str(c["sent"]), str(c["failed"]), str(c["given_up"]))
    return table
