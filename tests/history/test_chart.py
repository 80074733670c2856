"""The terminal chart, rendered at a fixed width without colour."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from alertctl.cli.chart import HEIGHT, Threshold, draw
from alertctl.model import Unit
from alertctl.store.history.read import Point


def _render(points: list[Point], since: float, until: float, thresholds: list[Threshold] = ()) -> list[str]:  # type: ignore[assignment]
    out = StringIO()
    Console(file=out, width=60, color_system=None).print(draw(points, since, until, 60, Unit.PERCENT, thresholds))
    return out.getvalue().splitlines()


def test_value_axis_and_threshold_are_labelled() -> None:
    points = [Point(float(t), float(t), float(t), float(t)) for t in range(30)]
    lines = _render(points, 0, 37, [Threshold("warning 80", 80.0, "yellow")])  # 37 columns: one point each
    assert len(lines) == HEIGHT + 2
    assert lines[0].startswith("       80% ┤") and lines[0].endswith("─ warning 80")  # the threshold is the top
    assert lines[HEIGHT - 1].startswith("        0% ┤●")
    assert "░" not in "".join(lines)  # one raw sample per column: no band


def test_a_column_holding_many_samples_shows_their_range_as_a_band() -> None:
    points = [Point(float(t), 50.0, 0.0, 100.0) for t in range(0, 3600, 60)]
    lines = _render(points, 0, 3600)
    plot = [line[12:] for line in lines[:HEIGHT]]
    assert all(row[0] in "░●" for row in plot)  # the first column spans the whole range
    assert plot[HEIGHT // 2 - 1][0] == "●" or plot[HEIGHT // 2][0] == "●"


def test_an_empty_window_says_so() -> None:
    assert _render([], 0, 10) == ["no samples in this window"]
