"""`history` as an operator reads it (one line per alert on a terminal) and pipes it (tab-separated)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import replace
from io import StringIO

import pytest
from rich.console import Console

from alertctl.cli.present import short_time
from alertctl.cli.tables import history_lines
from alertctl.model import Severity, Status
from tests.alerts import open_alert
from tests.cli.conftest import Rig
from tests.terminal import run_in_pty

LONG_RULE = "queue-backlog-of-the-nightly-import"
_TOML = f"""
[agent]
host = "batch-worker-07.eu-central.example.internal"

[notify]
dedup_window = "0s"

[[rules]]
name = "{LONG_RULE}"
metric = "q.value"
warning = 80
critical = 95

[[rules]]
name = "q-mid"
metric = "q.value"
warning = 50
"""


@pytest.fixture
def incidents(rig: Rig) -> Rig:
    """Three alerts of LONG_RULE (two resolved, one open, critical) and three of q-mid."""
    rig.configure(_TOML)
    start = time.time() - 10  # cycles as `check` runs them, without sampling the CPU each time
    for n, value in enumerate((99, 10, 85, 10, 99)):
        rig.set_value(value)
        rig.cycle_at(start + n)
    assert [a["rule"] for a in rig.alerts()].count(LONG_RULE) == 3
    return rig


def test_piped_history_has_one_line_per_alert_so_grep_counts_them(incidents: Rig) -> None:
    where = f"-c {shlex.quote(str(incidents.config))} --db {shlex.quote(str(incidents.db))}"
    count = subprocess.run(
        f"{shlex.quote(sys.executable)} -m alertctl history {where} | grep -c {LONG_RULE}",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    )

    assert count.stdout.strip() == "3"
    piped = incidents.run("history")
    header, *rows = piped.stdout.splitlines()
    assert header.startswith("id\tstarted_at\t") and len(rows) == 6
    messages = {a["id"]: a["message"] for a in incidents.alerts()}
    assert all(row.split("\t")[-1] == messages[int(row.split("\t")[0])] for row in rows)  # nothing cut


def test_status_open_means_firing_acknowledged_or_suppressed(incidents: Rig) -> None:
    alerts = incidents.alerts()
    open_ids = sorted(a["id"] for a in alerts if a["status"] != "resolved")
    assert incidents.invoke("ack", str(open_ids[0])).exit_code == 0
    assert incidents.invoke("suppress", str(open_ids[1]), "--for", "1h").exit_code == 0

    shown = incidents.invoke("history", "--status", "open")

    statuses = {row.split("\t")[4] for row in shown.stdout.splitlines()[1:]}
    assert statuses == {"acknowledged", "suppressed"} | ({"firing"} if len(open_ids) > 2 else set())
    assert sorted(int(row.split("\t")[0]) for row in shown.stdout.splitlines()[1:]) == open_ids


@pytest.mark.parametrize("columns", [80, 120, 50])
def test_in_a_terminal_each_alert_is_one_line_and_no_word_is_split(incidents: Rig, columns: int) -> None:
    alerts = incidents.alerts()

    shown = run_in_pty(["history", "-c", str(incidents.config), "--db", str(incidents.db)], columns)

    header, *rows = shown.rstrip("\n").split("\n")
    assert header.split()[:4] == ["ID", "Started", "Worst", "Status"]
    assert len(rows) == len(alerts) and all(len(line) <= columns for line in [header, *rows])
    assert [row.split()[0] for row in rows] == [str(alert["id"]) for alert in alerts]
    if columns < 80:
        return  # narrower than 80, the message may be down to its "…"
    for row, alert in zip(rows, alerts, strict=True):
        start = row.index(alert["message"][:6])
        cell = row[start:]
        assert cell == alert["message"] or (cell.endswith("…") and alert["message"].startswith(cell[:-1]))


def test_in_a_terminal_nothing_matching_says_so(incidents: Rig) -> None:
    shown = run_in_pty(["history", "--rule", "nope", "-c", str(incidents.config), "--db", str(incidents.db)], 80)

    assert shown.strip() == "No alerts match."


def test_the_table_at_80_columns_without_colour() -> None:
    long = open_alert(12, Severity.CRITICAL, rule="queue-backlog-of-the-nightly-import", labels={"mount": "/var"})
    alerts = [
        replace(
            long,
            message="disk.percent /var is 97.5 (critical above 95, exceeded by 2.6%) on web-01",
            value=97.5,
            status=Status.ACKNOWLEDGED,
            started_at=1_000_000.0,
        ),
        replace(open_alert(3, Severity.WARNING, rule="cpu"), started_at=1_000_000.0 - 86400),
    ]
    out = StringIO()
    screen = Console(file=out, width=80, color_system=None)
    for line in history_lines(alerts, 80, 1_000_000.0):
        screen.print(line, no_wrap=True, crop=True)

    assert out.getvalue().splitlines() == [
        "ID  Started      Worst     Status        Rule              Value  Message",
        f"12  {_short(1_000_000.0):<11}  critical  acknowledged  queue-backlog-o…  97.5%  disk.percent …",
        f" 3  {_short(1_000_000.0 - 86400)}  warning   firing        cpu                  1%",
    ]


def _short(epoch: float) -> str:
    return short_time(epoch, 1_000_000.0)
