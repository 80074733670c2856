"""The live view `watch` shows on a terminal: counts, open alerts, pending rules, watched metrics.

`layout` is a pure function of a `Screen` and the terminal's size. What matters is on
top; when the terminal is short, watched metrics give up rows first, then pending
rules; open alerts never do (past the last row, a line says how many more there are).
Each watched metric has a sparkline of its last values, kept in memory (`recent`) from
the cycles themselves: a frame reads nothing from the database's history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.console import Group
from rich.live import Live
from rich.text import Text

from alertctl.cli.columns import Cell, Column, lay_out
from alertctl.cli.live_screen import Screen, WatchState, screen_of
from alertctl.cli.present import alert_subject, value_text
from alertctl.cli.recent import Recent, sparkline
from alertctl.cli.tables import SEVERITY_STYLE, STATUS_STYLE
from alertctl.loop import Cycle, Runner
from alertctl.messages import subject, time_left
from alertctl.model import Rule, Severity, Status, Unit
from alertctl.units import human, human_seconds, metric_value

STATE_STYLE = {WatchState.OK: "green", WatchState.PENDING: "yellow", WatchState.FIRING: "bold red"}
ALERT_COLUMNS = (
    Column("ID", right=True),
    Column("Severity"),
    Column("Status"),
    Column("Rule", cut=2, keep=12),
    Column("Value", right=True),
    Column("Age", right=True),
    Column("Message", cut=1, keep=12),
)
PENDING_COLUMNS = (
    Column("Rule", cut=1, keep=12),
    Column("Level"),
    Column("Value", right=True),
    Column("Breaching", right=True),
    Column("Fires after", cut=2, keep=8),
)
METRIC_COLUMNS = (
    Column("Metric", cut=2, keep=14),
    Column("Value", right=True),
    Column("Recent"),
    Column("State"),
    Column("Thresholds", cut=3, keep=10),
    Column("Rule", cut=1, keep=8),
)
_SHORT = {Severity.INFO: "info", Severity.WARNING: "warn", Severity.ERROR: "err", Severity.CRITICAL: "crit"}
SECTION_STYLE = "bold"
HEADER_STYLE = "dim"


def layout(screen: Screen, width: int, height: int) -> Group:
    """The whole view in at most `height - 1` lines (the last row is the cursor's) of `width` cells;
    a line too long for the width is cut with "…", never wrapped."""
    room = max(height - 1, 1)
    lines = _header(screen)
    lines += _alerts(screen, width, room - len(lines))
    for section in (_pending(screen, width), _metrics(screen, width)):
        lines += _fitted(section, room - len(lines))
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
    return Group(*lines)


def _header(screen: Screen) -> list[Text]:
    clock = datetime.fromtimestamp(screen.at).strftime("%H:%M:%S")
    first = Text(f"alertctl watch on {screen.host} · {clock} · every {screen.interval:g}s", style="bold")
    if screen.cost is not None:
        first.append(
            f" · alertctl {human(screen.cost.cpu_percent, Unit.PERCENT)} CPU, {human(screen.cost.rss, Unit.BYTES)}"
        )
    counts = [
        (screen.count(Status.FIRING), "firing", "bold red"),
        (screen.count(Status.ACKNOWLEDGED), "acked", "cyan"),
        (screen.count(Status.SUPPRESSED), "suppressed", "magenta"),
        (len(screen.pending), "pending", "yellow"),
        (screen.nodata, "no data", "yellow"),
        (
            len(screen.failing_channels),
            "failing channel" if len(screen.failing_channels) == 1 else "failing channels",
            "bold red",
        ),
    ]
    if screen.warming:  # named only while there are some: a fresh start's forecasts
        counts.insert(5, (screen.warming, "warming up", "cyan"))
    second = Text(", ").join(Text(f"{n} {label}", style=style if n else "") for n, label, style in counts)
    if screen.failing_channels:
        second.append(f": {', '.join(screen.failing_channels)}", style="bold red")
    return [first, second]


def _alerts(screen: Screen, width: int, room: int) -> list[Text]:
    """Every open alert when they fit; else as many as fit and a line naming how many more."""
    if not screen.alerts:
        return [Text(), Text("No open alerts.", style="green")]
    rows: list[list[Cell]] = [
        [
            str(alert.id),
            Text(alert.severity.label, style=SEVERITY_STYLE[alert.severity]),
            Text(alert.status.value, style=STATUS_STYLE[alert.status]),
            alert_subject(alert),
            value_text(alert, alert.value),
            human_seconds(screen.at - alert.started_at),
            alert.message,
        ]
        for alert in screen.alerts
    ]
    table = lay_out(ALERT_COLUMNS, rows, width, HEADER_STYLE)
    title = Text(f"Open alerts ({len(rows)})", style=SECTION_STYLE)
    shown = [Text(), title, *table]
    if len(shown) <= room:
        return shown
    kept = max(room - 1, 3)
    more = len(shown) - kept
    return [*shown[:kept], Text(f"… {more} more open alerts: alertctl history --status open", style="bold")]


def _pending(screen: Screen, width: int) -> tuple[str, list[Text]]:
    rows: list[list[Cell]] = [
        [
            subject(p.rule.name, p.labels),
            Text(p.severity.label, style=SEVERITY_STYLE[p.severity]),
            "" if p.value is None else metric_value(p.rule.metric, p.value),
            human_seconds(screen.at - p.since),
            _needs(p.rule, p.rule.for_level(p.rule.level(p.severity)), p.count),
        ]
        for p in screen.pending
    ]
    return "Pending", lay_out(PENDING_COLUMNS, rows, width, HEADER_STYLE) if rows else []


def _needs(rule: Rule, wait: float, count: int) -> str:
    parts = [human_seconds(wait)] if wait else []
    if rule.consecutive > 1:
        parts.append(f"{count} of {rule.consecutive} samples")
    return ", ".join(parts) or "next sample"


def _metrics(screen: Screen, width: int) -> tuple[str, list[Text]]:
    rows: list[list[Cell]] = [
        [
            subject(w.metric, w.labels),
            Text(_value(w.rule, w.value), style=STATE_STYLE[w.state]),
            Text(sparkline(w.trail), style=STATE_STYLE[w.state]),
            Text(w.state.label, style=STATE_STYLE[w.state]),
            _thresholds(w.rule),
            w.rule.name,
        ]
        for w in screen.watched
    ]
    return "Watched metrics", lay_out(METRIC_COLUMNS, rows, width, HEADER_STYLE) if rows else []


def _value(rule: Rule, value: float) -> str:
    """In the metric's unit; a forecast rule's value is time left."""
    return time_left(value) if rule.forecast is not None else metric_value(rule.metric, value)


def _thresholds(rule: Rule) -> str:
    """`warn > 85%, crit > 95%`, in the metric's unit; `warn < 1d` for a forecast rule (time left)."""
    return ", ".join(
        f"{_SHORT[severity]} {rule.op.value} {_value(rule, level.value)}" for severity, level in rule.levels()
    )


def _fitted(section: tuple[str, Sequence[Text]], room: int) -> list[Text]:
    """A blank line, the title, the column header and as many rows as `room` allows; nothing
    when not even one row fits. The title says when rows were left out."""
    title, table = section
    total = len(table) - 1
    if total < 1 or room < 4:
        return []
    kept = min(total, room - 3)
    count = f"{total}" if kept == total else f"{kept} of {total}"
    return [Text(), Text(f"{title} ({count})", style=SECTION_STYLE), *table[: kept + 1]]


class LiveView:
    """Redraws the screen after every cycle, sized to the terminal as it is then."""

    def __init__(self, runner: Runner, interval: Callable[[], float]) -> None:
        self.runner = runner
        self.interval = interval
        self.recent = Recent()
        self.live = Live(Text("sampling ..."), auto_refresh=False, screen=False)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def update(self, cycle: Cycle) -> None:
        from alertctl.store.outbox import failing_channels

        runner = self.runner
        failing = [channel.channel for channel in failing_channels(runner.conn)]
        self.recent.feed(cycle.reading.samples)
        screen = screen_of(cycle, runner.config.rules, runner.policy.host, self.interval(), failing, self.recent)
        width, height = self.live.console.size
        self.live.update(layout(screen, width, height), refresh=True)
