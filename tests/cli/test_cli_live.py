"""`watch`'s live view: alerts on top, pending rules, then the watched metrics; fits the terminal."""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from alertctl import engine
from alertctl.cli.live import layout
from alertctl.cli.live_screen import Cost, Pending, Screen, Watched, WatchState, screen_of
from alertctl.cli.recent import Recent, sparkline
from alertctl.config import load_config
from alertctl.loop import Cycle
from alertctl.metrics.collector import Reading
from alertctl.model import Alert, Rule, Sample, Severity, Status, Trend, Unavailable
from alertctl.store import alerts
from alertctl.store.db import open_database, transaction
from tests.terminal import tmux_pane, wait_for

AT = 1_000_000.0
MOUNTS = {"/srv/a": ("disk.percent", 97.0), "/srv/b": ("disk.percent", 88.0), "/srv/c": ("disk.inodes_percent", 99.0)}
"""Three open alerts of the built-in disk rules, on mounts this machine does not have:
nothing samples them, so they stay open while a test watches (`expire_after` is 10 minutes)."""


def _builtin_rules() -> dict[str, Rule]:
    return {rule.name: rule for rule in load_config(None).rules}


def _alert(
    number: int, rule: str, mount: str, severity: Severity, started: float, status: Status = Status.FIRING
) -> Alert:
    metric, value = MOUNTS[mount]
    return Alert(
        id=number,
        rule=rule,
        metric=metric,
        labels={"mount": mount},
        series={"mount": mount},
        host="web-01",
        severity=severity,
        peak_severity=severity,
        status=status,
        resolution=None,
        value=value,
        peak=value,
        threshold=95.0,
        message=f"{metric} {mount} is {value:g} ({severity.label} above 95) on web-01",
        started_at=started,
        last_seen_at=AT,
    )


OPEN = [
    _alert(1, "disk-full", "/srv/b", Severity.WARNING, AT - 3600),
    _alert(2, "inodes-full", "/srv/c", Severity.CRITICAL, AT - 600, Status.ACKNOWLEDGED),
    _alert(3, "disk-full", "/srv/a", Severity.CRITICAL, AT - 60),
]


def _screen(**changes: object) -> Screen:
    rules = _builtin_rules()
    watched = [Watched(rules["cpu-high"], "cpu.percent", (), 91.3, WatchState.PENDING)] + [
        Watched(rule, rule.metric, (("mount", f"/m{i}"),) if "disk" in rule.metric else (), 12.5, WatchState.OK)
        for i in range(3)
        for rule in rules.values()
    ]
    pending = [Pending(rules["cpu-high"], (), Severity.WARNING, 91.3, AT - 30, 3)]
    fields: dict[str, object] = {
        "host": "web-01",
        "at": AT,
        "interval": 10.0,
        "alerts": OPEN[::-1],
        "pending": pending,
        "watched": watched,
        "cost": Cost(0.3, 42e6),
    }
    return Screen(**(fields | changes))  # type: ignore[arg-type]


def _alert_ids(lines: list[str]) -> list[str]:
    """The ids of the alert lines: the rows after the "Open alerts" title and its column header."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Open alerts")) + 2
    block = lines[start:]
    return [line.split()[0] for line in block[: block.index("") if "" in block else len(block)]]


def _shown(screen: Screen, width: int = 80, height: int = 24) -> list[str]:
    out = StringIO()
    Console(file=out, width=width, height=height, color_system=None).print(layout(screen, width, height))
    return out.getvalue().splitlines()


def test_at_80_by_24_the_header_counts_then_every_alert_then_pending_then_metrics() -> None:
    lines = _shown(_screen(nodata=2, failing_channels=("pager",)))

    assert len(lines) <= 23 and max(len(line) for line in lines) <= 80
    assert lines[0].startswith("alertctl watch on web-01 ·") and "alertctl 0.3% CPU, 40.1 MiB" in lines[0]
    assert lines[1] == "2 firing, 1 acked, 0 suppressed, 1 pending, 2 no data, 1 failing channel: pager"
    assert _alert_ids(lines) == ["3", "2", "1"]  # worst first, then newest
    first = next(line for line in lines if line.startswith(" 3 "))
    assert first.split()[:6] == ["3", "critical", "firing", "disk-full", "/srv/a", "97%"] and " 1m " in first
    sections = [line for line in lines if line and line[0].isupper() and "(" in line]
    assert sections == ["Open alerts (3)", "Pending (1)", "Watched metrics (8 of 22)"]
    assert any(line.startswith("cpu-high  warning  91.3%        30s  2m") for line in lines)
    metric = next(line for line in lines if line.startswith("cpu.percent"))
    assert "pending" in metric and "warn > 85%, crit > 95%" in metric


@pytest.mark.parametrize(
    ("height", "sections"),
    [
        (24, ["Open alerts (3)", "Pending (1)", "Watched metrics (8 of 22)"]),
        (17, ["Open alerts (3)", "Pending (1)", "Watched metrics (1 of 22)"]),
        (16, ["Open alerts (3)", "Pending (1)"]),
        (12, ["Open alerts (3)"]),
    ],
)
def test_a_short_terminal_drops_metrics_first_then_pending_never_alerts(height: int, sections: list[str]) -> None:
    lines = _shown(_screen(), height=height)

    assert len(lines) <= height - 1
    assert [line for line in lines if line and line[0].isupper() and "(" in line] == sections
    assert _alert_ids(lines) == ["3", "2", "1"]


def test_more_alerts_than_rows_says_how_many_more() -> None:
    many = [_alert(n, "disk-full", "/srv/a", Severity.WARNING, AT - n) for n in range(1, 31)]
    lines = _shown(_screen(alerts=many))

    assert len(lines) == 23
    assert lines[-1].startswith("… ") and "more open alerts" in lines[-1] and "--status open" in lines[-1]


def test_at_40_columns_each_alert_is_still_one_line() -> None:
    lines = _shown(_screen(), width=40)

    assert max(len(line) for line in lines) <= 40
    assert _alert_ids(lines) == ["3", "2", "1"]


def test_no_open_alerts_says_so() -> None:
    assert "No open alerts." in _shown(_screen(alerts=[]))


def test_the_screen_of_a_cycle_sorts_alerts_and_finds_pending_rules() -> None:
    rules = _builtin_rules()
    cpu = rules["cpu-high"]
    samples = [
        Sample("cpu.percent", 90.0),
        Sample("memory.percent", 20.0),
        Sample("disk.percent", 97.0, (("mount", "/srv/a"),)),
    ]
    first = engine.evaluate(list(rules.values()), samples, {}, {}, {}, AT - 30, engine.Judging("web-01"))
    second = engine.evaluate(list(rules.values()), samples, first.tracks, {}, {}, AT, engine.Judging("web-01"))
    cycle = Cycle(AT, Reading(samples), [], OPEN, tracks=second.tracks)

    screen = screen_of(cycle, list(rules.values()), "web-01", 10.0)

    assert [a.id for a in screen.alerts] == [3, 2, 1]
    pending = {p.rule.name: p for p in screen.pending}
    assert set(pending) == {"cpu-high"}  # disk-full /srv/a is open as #3: not pending
    assert (pending["cpu-high"].severity, pending["cpu-high"].since, pending["cpu-high"].count) == (
        Severity.WARNING,
        AT - 30,
        2,
    )
    states = {(w.rule.name, w.labels): w.state for w in screen.watched}
    assert states[(cpu.name, ())] is WatchState.PENDING and states[("memory-high", ())] is WatchState.OK
    assert states[("disk-full", (("mount", "/srv/a"),))] is WatchState.FIRING


def test_the_header_counts_rules_without_data_and_failing_channels_from_the_cycle() -> None:
    rules = _builtin_rules()
    unseen = [Unavailable("swap.percent", "memory: OSError: no /proc/swaps")]
    samples = [Sample("cpu.percent", 10.0), Sample("alertctl.cpu_percent", 1.5), Sample("alertctl.rss", 30e6)]
    outcome = engine.evaluate(list(rules.values()), samples, {}, {}, {}, AT, engine.Judging("web-01"), unseen)
    cycle = Cycle(AT, Reading(samples, unavailable=unseen), [], [], tracks=outcome.tracks, blind=outcome.blind)

    screen = screen_of(cycle, list(rules.values()), "web-01", 10.0, ["pager"])

    assert set(outcome.blind) >= {"swap-high"} and screen.nodata == len(outcome.blind)
    assert screen.failing_channels == ["pager"] and screen.cost == Cost(1.5, 30e6)
    header = _shown(screen)[:2]
    assert "1 failing channel: pager" in "\n".join(header) and f"{screen.nodata} no data" in "\n".join(header)


def _seed_open_alerts(db: Path) -> None:
    """Three alerts opened by the real engine and store, as a `watch` with the built-in rules records them."""
    rules = _builtin_rules()
    samples = [Sample(metric, value, (("mount", mount),)) for mount, (metric, value) in MOUNTS.items()]
    now = time.time()
    outcome = engine.evaluate(list(rules.values()), samples, {}, {}, {}, now, engine.Judging("web-01"))
    conn = open_database(db)
    with transaction(conn):
        alerts.record(conn, outcome.transitions, rules, "web-01", {})
    conn.close()


def test_in_a_real_80x24_terminal_every_open_alert_is_on_the_screen(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    _seed_open_alerts(db)

    with tmux_pane(tmp_path, ["watch", "--db", str(db), "--interval", "1s", "--cycles", "300"], 80, 24) as screen:
        shown = wait_for(screen, lambda text: "Watched metrics" in text or "Pending (" in text)

    lines = shown.rstrip("\n").splitlines()
    assert "Open alerts (3)" in shown, shown
    assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
    start = lines.index("Open alerts (3)") + 2
    assert [line.split()[:5] for line in lines[start : start + 4]] == [
        ["3", "critical", "firing", "inodes-full", "/srv/c"],
        ["1", "critical", "firing", "disk-full", "/srv/a"],
        ["2", "warning", "firing", "disk-full", "/srv/b"],
        [],
    ], shown
    assert lines[1].startswith("3 firing, 0 acked, 0 suppressed"), shown


# -- sparklines: recent values from memory -------------------------------------------


def test_the_recent_values_are_bounded_per_series_and_a_vanished_series_is_dropped() -> None:
    recent = Recent(kept=4)
    for i in range(10):
        recent.feed(
            [Sample("cpu.percent", float(i)), *([Sample("disk.percent", 50.0, (("mount", "/x"),))] if i < 3 else [])]
        )

    assert recent.trail("cpu.percent", ()) == (6.0, 7.0, 8.0, 9.0)
    assert recent.trail("disk.percent", (("mount", "/x"),)) == ()  # unmounted 7 cycles ago
    assert len(recent) == 1


def test_a_forecasts_derived_seconds_are_not_kept_as_a_series() -> None:
    recent = Recent()
    recent.feed(
        [
            Sample("disk.percent", 3600.0, (("mount", "/"),), Trend("disk-filling", 1.0)),
            Sample("disk.percent", 71.0, (("mount", "/"),)),
        ]
    )
    assert recent.trail("disk.percent", (("mount", "/"),)) == (71.0,)


@pytest.mark.parametrize(
    ("values", "drawn"),
    [
        ([], ""),
        ([5.0, 5.0, 5.0], "▁▁▁"),
        ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], "▁▂▃▄▅▆▇█"),
        ([10.0, 90.0, 10.0], "▁█▁"),
        ([0.0, 0.0, 0.0], "▁▁▁"),
        ([21.6, 21.6, 21.7, 21.6], "▁▁▂▁"),  # a tick of 0.1 on a disk at 21.6 %: nearly flat
    ],
)
def test_a_sparkline_scales_from_the_lowest_to_the_highest_value_shown(values: list[float], drawn: str) -> None:
    assert sparkline(values) == drawn


def test_the_live_view_draws_each_watched_metric_from_the_fed_buffer() -> None:
    """Cycles feed the buffer as `watch` does; the screen is built and drawn without any database."""
    rules = _builtin_rules()
    recent = Recent()
    cycle = None
    for i in range(14):  # two more than are kept: the oldest two are gone
        samples = [
            Sample("cpu.percent", 10.0 * i),
            Sample("memory.percent", 40.0),
            Sample("disk.percent", 71.0 + i, (("mount", "/srv/a"),)),
        ]
        recent.feed(samples)
        outcome = engine.evaluate(list(rules.values()), samples, {}, {}, {}, AT + i, engine.Judging("web-01"))
        cycle = Cycle(AT + i, Reading(samples), [], [], tracks=outcome.tracks)
    assert cycle is not None

    lines = _shown(screen_of(cycle, list(rules.values()), "web-01", 10.0, recent=recent), width=100, height=40)

    rows = {line.split()[0]: line for line in lines if line.startswith(("cpu.percent", "memory.percent"))}
    assert "▁▂▂▃▄▄▅▅▆▇▇█" in rows["cpu.percent"]  # 20 % to 130 %, twelve values
    assert "▁" * 12 in rows["memory.percent"]  # flat
    disk = next(line for line in lines if line.startswith("disk.percent /srv/a") and "disk-full" in line)
    assert "▁▂▂▃▄▄▅▅▆▇▇█" in disk
    assert lines[next(i for i, line in enumerate(lines) if line.startswith("Watched metrics")) + 1].split()[:3] == [
        "Metric",
        "Value",
        "Recent",
    ]
