"""A `watch`, a cron `check` every second and operators' `ack`/`suppress`/`history`, all at once
on one database for 20 seconds (a minute under ALERTCTL_THOROUGH=1, or ALERTCTL_SOAK_SECONDS):
no "database is locked", no lost acknowledgement, every process exits with its normal status.

On a busy machine the run lasts until each side has done its minimum of work (MIN_CHECKS,
MIN_ACKS) rather than asserting a rate, up to SECONDS + 120 s."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import thorough
from tests.reliability.watching import query, start_watch, write_config

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("ALERTCTL_SOAK_SECONDS") or thorough(20, 60))
MIN_CHECKS = 10
MIN_ACKS = 5
RULES = """
[[rules]]
name = "q-high"
metric = "q.value"
warning = 80

[[rules]]
name = "q-low"
metric = "q.value"
op = "<"
warning = 20
"""


@dataclass
class Tally:
    """What each side did and saw; every failure message kept for the report."""

    runs: int = 0
    problems: list[str] = field(default_factory=list)
    acks: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    """At least SECONDS; past that only while a side still owes its minimum, and never past `cap`."""

    until: float
    cap: float

    def going(self, owed: bool) -> bool:
        now = time.monotonic()
        return now < self.until or (owed and now < self.cap)


def _cli(where: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alertctl", *args, *where], capture_output=True, text=True, timeout=120
    )


def _judge(tally: Tally, done: subprocess.CompletedProcess[str], allowed: set[int]) -> None:
    tally.runs += 1
    if done.returncode not in allowed or "locked" in done.stderr or "Traceback" in done.stderr:
        tally.problems.append(f"{done.args[3:5]} exit {done.returncode}: {done.stderr.strip()[:300]}")


def _cron(where: list[str], span: Span, tally: Tally) -> None:
    while span.going(tally.runs < MIN_CHECKS):
        started = time.monotonic()
        _judge(tally, _cli(where, "check"), {0, 1, 2})
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def _operator(where: list[str], span: Span, tally: Tally) -> None:
    for turn in itertools.count():
        if not span.going(len(tally.acks) < MIN_ACKS):
            return
        listed = _cli(where, "history", "--json", "--limit", "20")
        _judge(tally, listed, {0})
        open_ids = [a["id"] for a in json.loads(listed.stdout or "[]") if a["status"] != "resolved"]
        if not open_ids:
            time.sleep(0.2)
            continue
        target = open_ids[turn % len(open_ids)]
        if turn % 3 == 2:
            done = _cli(where, "suppress", str(target), "--for", "2s", "--reason", f"soak {turn}")
            raced = done.returncode == 2 and "already resolved" in done.stderr  # the watch resolved it first
            _judge(tally, done, {0, 2} if raced else {0})
        else:
            note = f"soak ack {turn}"
            done = _cli(where, "ack", str(target), "--by", "soak", "--note", note)
            _judge(tally, done, {0})
            if "acknowledged by soak" in done.stdout:  # not "already resolved": the alert won that race
                tally.acks.append((target, note))


def _flip(value: Path, stop: threading.Event) -> None:
    """Breach one rule, then the other, then neither: alerts open and resolve all the time."""
    for number in itertools.cycle(["90", "50", "10", "50"]):
        value.write_text(f"{number}\n")
        if stop.wait(2.5):
            return


def test_twenty_seconds_of_everyone_at_once(tmp_path: Path) -> None:
    value, db = tmp_path / "value", tmp_path / "a.db"
    value.write_text("50\n")
    config = write_config(tmp_path / "c.toml", value, RULES, '[notify]\ndedup_window = "0s"\n')
    where = ["-c", str(config), "--db", str(db)]
    watch = start_watch(config, db, "--interval", "1s")
    assert watch.stdout is not None and "watching" in watch.stdout.readline()

    started = time.monotonic()
    span = Span(started + SECONDS, started + SECONDS + 120)
    cron, operator, stop = Tally(), Tally(), threading.Event()
    flipper = threading.Thread(target=_flip, args=(value, stop))
    sides = [
        threading.Thread(target=_cron, args=(where, span, cron)),
        threading.Thread(target=_operator, args=(where, span, operator)),
    ]
    for thread in [flipper, *sides]:
        thread.start()
    for thread in sides:
        thread.join(SECONDS + 240)
    stop.set()
    flipper.join()
    watch.send_signal(signal.SIGTERM)
    out, err = watch.communicate(timeout=30)

    assert watch.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err and "cycle failed" not in err, err
    assert cron.problems == [] and operator.problems == []
    assert cron.runs >= MIN_CHECKS  # each a fresh process
    assert len(operator.acks) >= MIN_ACKS
    for alert_id, note in operator.acks:
        recorded = query(
            db,
            "SELECT count(*) FROM alert_events WHERE alert_id = ? AND kind = 'acknowledged' AND detail = ?",
            alert_id,
            f"by soak: {note}",
        )
        assert recorded == [(1,)], f"ack of #{alert_id} with {note!r} was lost"
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    doubled = query(db, "SELECT rule FROM alerts WHERE status != 'resolved' GROUP BY rule, series HAVING count(*) > 1")
    assert doubled == []
    print(
        f"soak {time.monotonic() - started:.0f}s: {cron.runs} checks, {operator.runs} operator commands, "
        f"{len(operator.acks)} acks, {query(db, 'SELECT count(*) FROM alerts')[0][0]} alerts"
    )
