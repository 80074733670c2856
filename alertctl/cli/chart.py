"""A metric's history drawn in the terminal: value axis, thresholds, and a min-max band.

Pure: points in, a rich `Text` out, so it is tested at a fixed width without colour.
One column per slice of the window; a column that holds more than one sample (the
step, or the terminal, is coarser than the samples) shows their range as a band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from alertctl.model import Unit
from alertctl.store.history.read import Point
from alertctl.units import human

HEIGHT = 12
_AXIS = 11
"""Characters left of the plot for the value labels."""
_VALUE, _BAND, _LINE = "●", "░", "─"


@dataclass(frozen=True)
class Threshold:
    """A horizontal line across the chart: a rule's level, or the alert's threshold."""

    name: str
    value: float
    style: str


@dataclass(frozen=True)
class Column:
    value: float
    low: float
    high: float


def draw(
    points: Sequence[Point], since: float, until: float, width: int, unit: Unit, thresholds: Sequence[Threshold] = ()
) -> Text:
    """The chart as text `width` characters wide; empty columns are time without samples."""
    room = max((len(t.name) + 1 for t in thresholds), default=0)
    columns = _columns(points, since, until, max(width - _AXIS - 1 - room, 10))
    known = [c for c in columns if c is not None]
    if not known:
        return Text("no samples in this window", style="dim")
    low, high = _value_range(known, thresholds)
    grid = [[(" ", "")] * len(columns) for _ in range(HEIGHT)]
    for threshold in thresholds:
        row = _row(threshold.value, low, high)
        grid[row] = [(_LINE, threshold.style)] * len(columns)
    for x, column in enumerate(columns):
        if column is None:
            continue
        for y in range(_row(column.high, low, high), _row(column.low, low, high) + 1):
            grid[y][x] = (_BAND, "cyan")
        grid[_row(column.value, low, high)][x] = (_VALUE, "bold cyan")
    return _render(grid, low, high, unit, thresholds, since, until)


def _columns(points: Sequence[Point], since: float, until: float, count: int) -> list[Column | None]:
    """Each point into the column its time falls in; a column's value is its points' average."""
    span = max(until - since, 1e-9)
    found: list[list[Point]] = [[] for _ in range(count)]
    for point in points:
        found[min(max(int((point.at - since) / span * count), 0), count - 1)].append(point)
    return [
        Column(sum(p.value for p in group) / len(group), min(p.min for p in group), max(p.max for p in group))
        if group
        else None
        for group in found
    ]


def _value_range(columns: Sequence[Column], thresholds: Sequence[Threshold]) -> tuple[float, float]:
    low = min([c.low for c in columns] + [t.value for t in thresholds])
    high = max([c.high for c in columns] + [t.value for t in thresholds])
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def _row(value: float, low: float, high: float) -> int:
    return round((high - value) / (high - low) * (HEIGHT - 1))


def _render(
    grid: list[list[tuple[str, str]]],
    low: float,
    high: float,
    unit: Unit,
    thresholds: Sequence[Threshold],
    since: float,
    until: float,
) -> Text:
    labels = {0: human(high, unit), HEIGHT // 2: human((high + low) / 2, unit), HEIGHT - 1: human(low, unit)}
    named = {_row(t.value, low, high): t for t in thresholds}
    out = Text(no_wrap=True, overflow="crop")
    for y, cells in enumerate(grid):
        out.append(f"{labels.get(y, ''):>{_AXIS - 1}} ┤", style="dim")
        for char, style in cells:
            out.append(char, style=style)
        if y in named:
            out.append(f" {named[y].name}", style=named[y].style)
        out.append("\n")
    out.append(" " * _AXIS + "└" + "─" * len(grid[0]) + "\n", style="dim")
    start, end = _when(since, until), _when(until, since)
    out.append(" " * (_AXIS + 1) + start + end.rjust(max(len(grid[0]) - len(start), len(end) + 1)), style="dim")
    return out


def _when(at: float, other: float) -> str:
    """Local time; with the date when the window is longer than a day."""
    moment = datetime.fromtimestamp(at)
    return moment.strftime("%Y-%m-%d %H:%M" if abs(other - at) > 86400 else "%H:%M:%S")
