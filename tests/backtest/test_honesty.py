"""The backtest is honest: replaying what `watch` recorded gives the alerts `watch` raised.

`watch --interval 1s` samples a command check whose value the test sets in lock-step with
the recorded samples (each value held until the history shows it), flapping around the
threshold and then holding above it; then `backtest` of the config in use must match
`history --json`, and a candidate with a `clear` level must raise fewer alerts and miss
none of the long ones.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import run_cli

INTERVAL = 1.0
RULES = """
[notify]
dedup_window = "0s"

[[rules]]
name = "q-high"
metric = "q.value"
warning = 80
"""


def write_config(path: Path, value_file: Path, rules: str) -> None:
    path.write_text(f'[[checks]]\nname = "q"\ntype = "command"\ncommand = ["cat", "{value_file}"]\n' + rules)


class Driver:
    """Sets the value `q` prints, and waits until `watch` has recorded it."""

    def __init__(self, db: Path, value_file: Path) -> None:
        self.db, self.value_file = db, value_file

    def hold(self, value: float, cycles: int, timeout: float = 60.0) -> None:
        """Write `value`, then wait for `cycles` samples taken after the write (all of them carry it)."""
        staged = self.value_file.with_suffix(".new")
        staged.write_text(f"{value}\n")
        tick = math.ceil(time.time() * 10) + 1  # stored ticks are rounded: one taken before the write is below
        os.replace(staged, self.value_file)
        deadline = time.monotonic() + timeout
        while self._taken_since(tick) < cycles:
            assert time.monotonic() < deadline, f"watch recorded no {cycles} samples of {value} in {timeout}s"
            time.sleep(0.05)

    def _taken_since(self, tick: int) -> int:
        try:
            conn = sqlite3.connect(self.db, timeout=30)
            try:
                return conn.execute(
                    "SELECT count(*) FROM sample_hot h JOIN series s ON s.id = h.series "
                    "WHERE s.metric = 'q.value' AND h.ts >= ?",
                    (tick,),
                ).fetchone()[0]
            finally:
                conn.close()
        except sqlite3.OperationalError:  # not created yet
            return 0


@pytest.mark.slow
def test_replay_of_the_config_in_use_reproduces_what_watch_recorded(tmp_path: Path) -> None:
    value_file, db = tmp_path / "value", tmp_path / "a.db"
    value_file.write_text("50\n")
    current, candidate = tmp_path / "current.toml", tmp_path / "candidate.toml"
    write_config(current, value_file, RULES)
    write_config(candidate, value_file, RULES + "clear = 60\n")
    watch = subprocess.Popen(
        [sys.executable, "-m", "alertctl", "watch", "--interval", "1s", "-c", str(current), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        drive = Driver(db, value_file)
        drive.hold(50, 2)
        for _ in range(3):
            drive.hold(85, 1)
            drive.hold(75, 1)
        drive.hold(95, 8)
        drive.hold(50, 2)
    finally:
        watch.send_signal(signal.SIGTERM)
        _, errors = watch.communicate(timeout=30)
    assert watch.returncode == 0, errors

    recorded = json.loads(run_cli("history", "--json", "--limit", "1000", "-c", str(current), "--db", str(db)).stdout)
    result = run_cli("backtest", str(candidate), "--json", "--incident", "5s", "-c", str(current), "--db", str(db))
    assert result.returncode == 0, result.stderr
    (rule,) = json.loads(result.stdout)["rules"]

    replayed = rule["alerts"]["current"]
    assert len(recorded) == rule["current"]["alerts"] == len(replayed) == 4
    exact = [row[0] for row in sqlite3.connect(db).execute("SELECT started_at FROM alerts ORDER BY started_at")]
    starts = [datetime.fromisoformat(a["started_at"]).timestamp() for a in replayed]
    assert all(abs(a - b) <= INTERVAL for a, b in zip(starts, exact, strict=True)), (starts, exact)
    assert rule["candidate"]["alerts"] == 1 < rule["current"]["alerts"]
    assert rule["missed"] == []
    assert rule["detect"]["both"] >= 1
