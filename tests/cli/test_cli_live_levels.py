"""The live view with four levels: each named, coloured apart, worst first; a rule's levels in its line."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from alertctl.cli.live import layout
from alertctl.cli.live_screen import Screen, Watched, WatchState
from alertctl.model import Level, Op, Rule, Severity
from tests.alerts import open_alert

RULE = Rule("q", "q.value", Op.GT, warning=Level(70), critical=Level(95), info=Level(50), error=Level(85))


def _shown(color: bool) -> str:
    alerts = [open_alert(n, severity, rule=f"r-{severity.label}") for n, severity in enumerate(reversed(Severity), 1)]
    screen = Screen(
        "web-01", 1_000_000.0, 10.0, alerts, watched=[Watched(RULE, "q.value", (), 60.0, WatchState.FIRING)]
    )
    out = StringIO()
    Console(file=out, width=100, height=30, color_system="standard" if color else None, force_terminal=color).print(
        layout(screen, 100, 30)
    )
    return out.getvalue()


def test_every_level_is_named_worst_first_and_the_rule_lists_its_four_levels() -> None:
    lines = _shown(color=False).splitlines()
    rows = [line.split()[:2] for line in lines if line.startswith(" ") and line.split()[0].isdigit()]
    assert rows == [["1", "critical"], ["2", "error"], ["3", "warning"], ["4", "info"]]
    assert "info > 50, warn > 70, err > 85, crit > 95" in next(line for line in lines if line.startswith("q.value"))


def test_each_level_has_its_own_colour() -> None:
    text = _shown(color=True)
    assert all(
        f"\x1b[{code}m{label}" in text
        for code, label in [("36", "info"), ("33", "warning"), ("31", "error"), ("1;31", "critical")]
    )
