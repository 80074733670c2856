"""The live view `watch` shows on a terminal: metrics, open alerts, recent events."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from alertctl.cli.present import event_line
from alertctl.cli.tables import alerts_table, metrics_table
from alertctl.durations import iso
from alertctl.loop import Cycle, Runner
from alertctl.metrics import catalog
from alertctl.model import Transition


class LiveView:
    """Also the notifier in TTY mode, so events land in the view instead of scrolling past."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.events: deque[str] = deque(maxlen=8)
        self.live = Live(Text("sampling ..."), auto_refresh=False, screen=False)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        for t in transitions:
            if t.notable:
                self.events.append(event_line(t))

    def update(self, cycle: Cycle) -> None:
        checks = {c.name: c.type for c in self.runner.config.checks}
        specs = {s.metric: spec for s in cycle.reading.samples if (spec := catalog.find(s.metric, checks))}
        parts = [
            Text(f"alertctl watch - {self.runner.policy.host} - {iso(cycle.at)} - Ctrl-C to stop", style="bold"),
            metrics_table(cycle.reading.samples, specs, cycle.reading.unavailable),
            alerts_table(cycle.open_alerts, title="Open alerts") if cycle.open_alerts else Text("No open alerts.", style="green"),
            Panel("\n".join(self.events) or "none yet", title="Recent events"),
        ]
        self.live.update(Group(*parts), refresh=True)
