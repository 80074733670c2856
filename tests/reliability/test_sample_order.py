"""Samples committed out of order: a slow `check` must not undo what a later sample decided.

`check` A takes its sample, then its command lingers; meanwhile the value drops and
`check` B resolves the alert. A's older sample must not reopen it (and the next
check must not announce a second recovery). The command waits on a gate file the
test creates, so the order of events is fixed, not timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alertctl.config.runtime import Agent, Channel, Config, Notify
from alertctl.loop import Cycle, Runner
from alertctl.model import CommandCheck, Level, Op, Rule, SeriesKey, Severity
from alertctl.store.db import open_database
from tests.notify.receivers import http_receiver
from tests.reliability.watching import query

pytestmark = pytest.mark.slow  # runners and `check` processes racing on one database

RULE = Rule("q-high", "q.value", Op.GT, warning=Level(80), critical=Level(95))


class Gate:
    """A command that prints the value file, says it has, then waits until the test opens the gate."""

    def __init__(self, root: Path) -> None:
        self.value, self.taken, self.open_file = root / "value", root / "taken", root / "gate"

    def command(self) -> tuple[str, ...]:
        return (
            "sh",
            "-c",
            f"cat {self.value}; touch {self.taken}; while [ ! -e {self.open_file} ]; do sleep 0.01; done",
        )

    def wait_taken(self) -> None:
        deadline = time.monotonic() + 30
        while not self.taken.exists():
            assert time.monotonic() < deadline, "the slow check never took its sample"
            time.sleep(0.01)

    def open(self) -> None:
        self.open_file.touch()


def _config(command: tuple[str, ...]) -> Config:
    channel = Channel("ops", ("json://127.0.0.1:9/hook",), Severity.WARNING)
    return Config(
        agent=Agent(host="web-01"),
        notify=Notify(channels=(channel,), dedup_window=0.0),
        checks=(CommandCheck("q", command, timeout=30.0),),
        rules=(RULE,),
    )


def test_two_runners_on_one_file_apply_samples_in_the_order_they_were_taken(tmp_path: Path) -> None:
    gate = Gate(tmp_path)
    db = tmp_path / "a.db"
    fast = Runner(_config(("cat", str(gate.value))), open_database(db))
    gate.value.write_text("99\n")
    fast.run_once(100.0)  # opens

    late: list[Cycle] = []

    def slow_cycle() -> None:  # a connection of its own, in its own thread: another process
        late.append(Runner(_config(gate.command()), open_database(db)).run_once(110.0))

    worker = threading.Thread(target=slow_cycle)
    worker.start()
    gate.wait_taken()  # the slow one holds 99, taken at 110
    gate.value.write_text("10\n")
    resolved = fast.run_once(120.0)
    gate.open()
    worker.join(30)
    quiet = fast.run_once(130.0)

    assert [t.change.value for t in resolved.transitions] == ["resolved"]
    (cycle,) = late
    assert cycle.transitions == [] and cycle.open_alerts == []
    assert cycle.superseded == [SeriesKey("q-high")]
    assert quiet.transitions == []
    assert query(db, "SELECT kind FROM alert_events WHERE alert_id = 1 ORDER BY id") == [("opened",), ("resolved",)]
    assert query(db, "SELECT status, reopened FROM alerts") == [("resolved", 0)]
    assert query(db, "SELECT kind FROM outbox ORDER BY id") == [("opened",), ("resolved",)]
    assert query(db, "SELECT last_at FROM tracks") == [(130.0,)]


def _write_config(path: Path, command: tuple[str, ...], url: str) -> Path:
    path.write_text(
        f'[notify]\ndedup_window = "0s"\n[notify.channels.ops]\nurls = ["{url}"]\n\n'
        f'[[checks]]\nname = "q"\ntype = "command"\ncommand = {json.dumps(list(command))}\ntimeout = "30s"\n\n'
        '[[rules]]\nname = "q-high"\nmetric = "q.value"\nwarning = 80\ncritical = 95\n'
    )
    return path


def _check(config: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alertctl", "check", "-c", str(config), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def test_a_slow_check_committing_an_older_sample_neither_reopens_nor_resolves_twice(tmp_path: Path) -> None:
    gate = Gate(tmp_path)
    db = tmp_path / "a.db"
    with http_receiver() as receiver:
        fast = _write_config(tmp_path / "fast.toml", ("cat", str(gate.value)), receiver.url())
        slow = _write_config(tmp_path / "slow.toml", gate.command(), receiver.url())
        gate.value.write_text("100\n")
        assert _check(fast, db).returncode == 2

        a = subprocess.Popen(
            [sys.executable, "-m", "alertctl", "check", "-c", str(slow), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        gate.wait_taken()  # A holds 100
        gate.value.write_text("10\n")
        b = _check(fast, db)  # B resolves and sends RESOLVED
        gate.open()
        a_out, a_err = a.communicate(timeout=60)
        c = _check(fast, db)

    assert b.returncode == 0, b.stderr
    assert a.returncode == 0, a_err  # its 100 is older than B's 10: nothing is open
    assert a_out.startswith("ALERTCTL OK")
    assert c.returncode == 0, c.stderr
    assert receiver.types() == ["failure", "success"]  # one opening, one recovery
    assert query(db, "SELECT kind FROM alert_events ORDER BY id") == [("opened",), ("resolved",)]
    assert query(db, "SELECT count(*), sum(reopened) FROM alerts") == [(1, 0)]


def test_a_sample_taken_before_a_manual_resolve_does_not_open_a_new_alert(tmp_path: Path) -> None:
    from alertctl.store import alerts
    from alertctl.store.db import transaction

    gate = Gate(tmp_path)
    db = tmp_path / "a.db"
    fast = Runner(_config(("cat", str(gate.value))), open_database(db))
    gate.value.write_text("99\n")
    fast.run_once(100.0)

    late: list[Cycle] = []

    def slow_cycle() -> None:
        late.append(Runner(_config(gate.command()), open_database(db)).run_once(110.0))

    worker = threading.Thread(target=slow_cycle)
    worker.start()
    gate.wait_taken()  # 99, taken at 110
    with transaction(fast.conn):
        alerts.resolve_by_hand(fast.conn, 1, "fixed it", 115.0)
    gate.open()
    worker.join(30)

    (cycle,) = late
    assert cycle.transitions == [] and cycle.superseded == [SeriesKey("q-high")]
    assert query(db, "SELECT id, resolution FROM alerts") == [(1, "manual")]
    (reopened,) = fast.run_once(120.0).transitions  # the breach goes on after the resolve: a new incident
    assert (reopened.change.value, reopened.at) == ("opened", 120.0)
