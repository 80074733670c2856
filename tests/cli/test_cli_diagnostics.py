"""Warnings raised deep down (Alertmanager sync, the delivery thread) reach the operator:
stderr of the real CLI, `watch`'s live view, once for a lasting problem. (A collector that
raises is tested on the collector, tests/metrics/test_collector.py: no valid config makes
one raise.)"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import cast

import pytest

from alertctl import reported
from alertctl.cli import watch_cmd
from alertctl.loop import Cycle
from tests.conftest import run_cli, run_here
from tests.notify.receivers import http_receiver
from tests.notify.test_notify_process import _config as notify_config
from tests.terminal import tmux_pane, wait_for

BROKEN = (
    "alertctl: alertmanager am at http://127.0.0.1:9: [Errno 111] Connection refused "
    "(will retry; open alerts and resolves are kept until it answers)"
)
"""An Alertmanager that refuses connections, said once when the outage starts."""


def _config(tmp_path: Path) -> Path:
    """One alert open from the first cycle, for an Alertmanager channel nobody listens to."""
    value = tmp_path / "value"
    value.write_text("90\n")
    config = tmp_path / "c.toml"
    config.write_text(
        '[notify.channels.am]\nalertmanager = ["http://127.0.0.1:9"]\n\n'
        f'[[checks]]\nname = "q"\ntype = "command"\ncommand = ["cat", "{value}"]\n\n'
        '[[rules]]\nname = "q-high"\nmetric = "q.value"\nwarning = 80\n'
    )
    return config


def test_check_says_an_alertmanager_outage_on_stderr(tmp_path: Path) -> None:
    result = run_cli("check", "-c", str(_config(tmp_path)), "--db", str(tmp_path / "a.db"))
    assert result.stderr == BROKEN + "\n"
    assert result.stdout.startswith("ALERTCTL ")


def test_watch_on_a_pipe_says_it_once_on_stderr_not_in_its_event_log(tmp_path: Path) -> None:
    args = (
        "watch",
        "--cycles",
        "3",
        "--interval",
        "0.05s",
        "-c",
        str(_config(tmp_path)),
        "--db",
        str(tmp_path / "a.db"),
    )
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [BROKEN]
    assert "Connection refused" not in result.stdout and "stopped after 3 cycles" in result.stdout


def test_the_delivery_thread_s_warning_reaches_stderr_and_its_log_line_stdout(tmp_path: Path) -> None:
    """`watch` sends from a thread of its own: a channel URL needing a variable that is not set."""
    config, db = notify_config(tmp_path, "json://127.0.0.1:9/${HOOK_PATH_UNSET}")
    config.chmod(0o600)
    result = run_cli("watch", "--cycles", "2", "--interval", "0.05s", "-c", str(config), "--db", str(db))
    assert result.returncode == 0, result.stderr
    unset = "alertctl: notify.channels.ops.urls: ${HOOK_PATH_UNSET} is not set in the environment"
    assert result.stderr.splitlines() == [unset]  # one attempt: the retry is 5 s away
    [failed] = [line for line in result.stdout.splitlines() if "notice to ops failed" in line]
    assert failed.endswith("(channel ops failing; further failures are not logged until it recovers)")


def test_a_command_run_in_process_twice_says_it_each_time(tmp_path: Path) -> None:
    """The handlers are set up per command: a second command in the same process (typer's
    test runner) neither loses the warning nor says it twice."""
    config = _config(tmp_path)
    for run in range(2):  # each on a database of its own, where the outage is news
        result = run_here("check", "-c", str(config), "--db", str(tmp_path / f"{run}.db"))
        assert result.stderr == BROKEN + "\n"


def test_the_live_view_shows_it_above_the_screen(tmp_path: Path) -> None:
    args = [
        "watch",
        "--interval",
        "0.2s",
        "--cycles",
        "300",
        "-c",
        str(_config(tmp_path)),
        "--db",
        str(tmp_path / "a.db"),
    ]
    said = BROKEN.split(" (will retry")[0]  # the pane may be narrower than the line: the rest wraps
    with tmux_pane(tmp_path, args, 120, 30) as screen:
        first = wait_for(screen, lambda text: "Watched metrics" in text and said in text)
        drawn_at = _clock(first)
        shown = wait_for(screen, lambda text: _clock(text) not in ("", drawn_at))  # redrawn since
    lines = shown.splitlines()
    assert [line for line in lines if said in line] == [lines[0]], shown  # once, and the redraws keep it
    assert lines[0].startswith(said) and any(line.startswith("alertctl watch on ") for line in lines[1:3]), shown
    assert " · every 0.2s" in shown  # a sub-second interval as it was given, not rounded to 0s


def _clock(screen: str) -> str:
    """The time in the live view's header (`alertctl watch on HOST · 14:02:07 · every 0.2s`)."""
    header = next((line for line in screen.splitlines() if line.startswith("alertctl watch on ")), "")
    return header.split(" · ")[1] if " · " in header else ""


def test_a_failed_cycle_is_said_once_per_streak(caplog: pytest.LogCaptureFixture) -> None:
    """The same failure every second is one line; after a cycle that went through it is news again."""
    failing = (reported.scope(), "cycle")
    report = watch_cmd._reporter(False, failing, lambda: None)
    shown: list[object] = []
    went_through = watch_cmd._recovering(shown.append, failing)
    locked = sqlite3.OperationalError("database is locked")

    with caplog.at_level(logging.WARNING):
        report(locked)
        report(locked)
        went_through(cast(Cycle, "a cycle"))
        report(locked)

    said = [record.getMessage() for record in caplog.records]
    assert said == ["cycle failed, still watching: database error: database is locked"] * 2
    assert shown == ["a cycle"]


@pytest.mark.slow  # waits out an Alertmanager that never answers
def test_watch_says_when_it_exits_with_delivery_still_busy(tmp_path: Path) -> None:
    """A sync that outlasts the last delivery pass: the notices left in the outbox are not a secret."""
    with http_receiver(hang=True) as silent:
        config = _config(tmp_path)
        config.write_text(config.read_text().replace("http://127.0.0.1:9", f"http://127.0.0.1:{silent.port}"))
        result = run_cli(
            "watch", "--cycles", "2", "--interval", "0.1s", "-c", str(config), "--db", str(tmp_path / "a.db")
        )
        silent.released.set()
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "alertctl: notification delivery still busy at exit; what it did not send is kept for the next run"
    )
