"""`metrics METRIC`: one metric's history as a chart, JSON or CSV; and the signal `show` draws."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alertctl.config.runtime import Config
from alertctl.durations import format_duration, iso, parse_duration, parse_time_point
from alertctl.errors import NotFoundError, UsageError
from alertctl.model import Alert, Labels, Rule, Severity
from alertctl.store.history import read as history
from alertctl.units import unit_of

if TYPE_CHECKING:
    from rich.console import RenderableType

    from alertctl.cli.chart import Threshold

DEFAULT_WINDOW = 6 * 3600.0
_SEVERITY_STYLE = {
    Severity.INFO: "cyan",
    Severity.WARNING: "yellow",
    Severity.ERROR: "dark_orange",
    Severity.CRITICAL: "red",
}


@dataclass(frozen=True)
class Window:
    since: float
    until: float
    step: int | None
    """Seconds per point; 0 for raw samples; None to pick one for at most 1,000 points."""


def window(since: str | None, until: str | None, step: str | None, now: float) -> Window:
    """The options as a window, each wrong one named in a usage error."""
    end = _point("--until", until, now) if until is not None else now
    start = _point("--since", since, now) if since is not None else end - DEFAULT_WINDOW
    if start >= end:
        raise UsageError(f"--since ({iso(start)}) must be before --until ({iso(end)})")
    return Window(start, end, None if step is None else _step(step))


def _point(name: str, text: str, now: float) -> float:
    try:
        return parse_time_point(text, now)
    except ValueError as error:
        raise UsageError(f"{name}: {error}") from None


def _step(text: str) -> int:
    try:
        seconds = parse_duration(text)
    except ValueError as error:
        raise UsageError(f"--step: {error}") from None
    if seconds != int(seconds) or 0 < seconds < 1:
        raise UsageError(f"--step: must be 0s (raw samples) or whole seconds (got {text!r})")
    return int(seconds)


def read(conn: sqlite3.Connection, metric: str, labels: Labels, span: Window) -> list[history.Signal]:
    found = history.signals(conn, metric, labels, span.since, span.until, span.step)
    if not found:
        wanted = " ".join(f"{k}={v}" for k, v in labels)
        raise NotFoundError(
            f"no history of {metric} {wanted}".rstrip()
            + " (is [history] enabled, and has `watch` or `check` run? `alertctl metrics` lists the names)"
        )
    return found


def points_json(points: Sequence[history.Point]) -> list[dict[str, object]]:
    return [{"at": iso(p.at, "milliseconds"), "value": p.value, "min": p.min, "max": p.max} for p in points]


def signals_json(found: Sequence[history.Signal]) -> list[dict[str, object]]:
    return [
        {
            "metric": s.metric,
            "labels": dict(s.labels),
            "unit": unit_of(s.metric).value,
            "step": s.step,
            "points": points_json(s.points),
        }
        for s in found
    ]


def signals_csv(found: Sequence[history.Signal]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("metric", "labels", "unit", "step", "at", "value", "min", "max"))
    for s in found:
        labels = " ".join(f"{k}={v}" for k, v in s.labels)
        for p in s.points:
            writer.writerow(
                (s.metric, labels, unit_of(s.metric).value, s.step, iso(p.at, "milliseconds"), p.value, p.min, p.max)
            )
    return out.getvalue()


def charts(found: Sequence[history.Signal], span: Window, config: Config, width: int) -> list[RenderableType]:
    """A titled chart per series, with the levels of every rule that judges it."""
    from rich.text import Text

    from alertctl.cli.chart import draw

    out: list[RenderableType] = []
    for s in found:
        name = " ".join([s.metric, *(f"{k}={v}" for k, v in s.labels)])
        step = f"step {format_duration(s.step)}" if s.step else "raw samples"
        out.append(Text.assemble((name, "bold"), f" ({step}, {len(s.points)} points)"))
        out.append(draw(s.points, span.since, span.until, width, unit_of(s.metric), rule_thresholds(config, s)))
    return out


def rule_thresholds(config: Config, signal: history.Signal) -> list[Threshold]:
    """Every level of every rule that judges this series."""
    found = []
    for rule in config.rules:
        if rule.metric == signal.metric and set(rule.match) <= set(signal.labels):
            found += _levels(rule)
    return found


def _levels(rule: Rule) -> list[Threshold]:
    """A forecast rule's levels are time left: its line is the value it forecasts reaching."""
    from alertctl.cli.chart import Threshold

    if rule.forecast is not None:
        style = _SEVERITY_STYLE[rule.levels()[0][0]]
        return [Threshold(f"{rule.name} reaches {rule.forecast.reaches:g}", rule.forecast.reaches, style)]
    return [
        Threshold(f"{rule.name} {severity.label} {level.value:g}", level.value, _SEVERITY_STYLE[severity])
        for severity, level in rule.levels()
    ]


def alert_window(alert: Alert, now: float) -> Window:
    """From before the alert started to after it resolved (or now), a quarter of its length either side."""
    end = alert.resolved_at if alert.resolved_at is not None else now
    margin = max((end - alert.started_at) / 4, 600.0)
    return Window(alert.started_at - margin, min(end + margin, now), None)


def alert_chart(alert: Alert, signal: history.Signal | None, now: float, width: int) -> RenderableType:
    """The alert's metric around it, with its threshold; or why there is nothing to draw."""
    from rich.text import Text

    from alertctl.cli.chart import draw

    if signal is None:
        return Text(f"No history of {alert.metric} around this alert ([history] off, or pruned).", style="dim")
    span = alert_window(alert, now)
    lines = [] if alert.threshold is None else [_alert_line(alert)]
    step = f"step {format_duration(signal.step)}" if signal.step else "raw samples"
    title = Text.assemble(("Signal", "bold"), f" {alert.metric} ({step}, {len(signal.points)} points)\n")
    return Text.assemble(title, draw(signal.points, span.since, span.until, width, unit_of(alert.metric), lines))


def _alert_line(alert: Alert) -> Threshold:
    """The alert's threshold; for a forecast rule's alert (its threshold is time left), the value it forecast."""
    from alertctl.cli.chart import Threshold

    forecast = alert.context.get("forecast")
    if isinstance(forecast, dict) and isinstance(reaches := forecast.get("reaches"), int | float):
        return Threshold(f"reaches {reaches:g}", float(reaches), _SEVERITY_STYLE[alert.severity])
    assert alert.threshold is not None
    return Threshold(f"threshold {alert.threshold:g}", alert.threshold, _SEVERITY_STYLE[alert.severity])


def alert_signal(conn: sqlite3.Connection, alert: Alert, now: float) -> history.Signal | None:
    """The alert's own series around it; None when no history was kept for it."""
    span = alert_window(alert, now)
    labels = tuple(sorted(alert.series.items()))
    found = history.signals(conn, alert.metric, labels, span.since, span.until)
    return next((s for s in found if s.labels == labels), None)
