"""Process checks against real processes spawned with a unique command line."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.metrics.check_result import CheckResult
from alertctl.metrics.process_check import ProcessWatcher
from alertctl.metrics.proctable import ProcessTable
from alertctl.model import ProcessCheck


class Watcher:
    """A process check as the collector runs it: on a fresh scan of a table kept across calls."""

    def __init__(self, check: ProcessCheck) -> None:
        self.watcher = ProcessWatcher(check)
        self.table = ProcessTable()

    def __call__(self) -> CheckResult:
        return self.watcher(self.table.scan(with_cmdline=True))


def values(watcher: Watcher) -> dict[str, float]:
    return {s.metric: s.value for s in watcher().samples}


@pytest.fixture
def token() -> str:
    return f"{random.randrange(10**8, 10**9)}"


def test_count_follows_a_process_from_start_to_end(token: str) -> None:
    argv = ["sleep", "30", f"0.{token}"]
    watcher = Watcher(ProcessCheck("sleeper", re.escape(" ".join(argv))))
    assert values(watcher) == {
        "sleeper.count": 0.0,
        "sleeper.cpu_percent": 0.0,
        "sleeper.rss": 0.0,
    }
    proc = subprocess.Popen(argv)
    try:
        first = watcher()
        second = values(watcher)  # now against the table's last scan: interval CPU %
    finally:
        proc.kill()
        proc.wait()
    assert first.details["pids"] == [proc.pid]
    assert {s.metric: s.value for s in first.samples}["sleeper.count"] == 1.0
    assert second["sleeper.count"] == 1.0 and second["sleeper.rss"] > 0.0
    assert 0.0 <= second["sleeper.cpu_percent"] < 50.0
    assert values(watcher)["sleeper.count"] == 0.0


def test_the_pattern_is_searched_in_the_process_name(tmp_path: Path, token: str) -> None:
    program = tmp_path / f"zz{token}"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", program)
    # anchored on both ends, the pattern can only match the bare name, not the command line
    watcher = Watcher(ProcessCheck("named", f"^zz{token}$"))
    proc = subprocess.Popen([str(program), "30"])
    try:
        assert values(watcher)["named.count"] == 1.0
    finally:
        proc.kill()
        proc.wait()


def test_alertctl_never_counts_itself() -> None:
    own_cmdline = Path("/proc/self/cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ")
    watcher = Watcher(ProcessCheck("me", re.escape(own_cmdline.decode())))
    assert os.getpid() not in watcher().details["pids"]  # type: ignore[operator]


@pytest.fixture
def spinner(token: str) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass", token])
    time.sleep(1.0)  # start times are only whole-second precise: let the age dwarf that
    yield proc
    proc.kill()
    proc.wait()


def test_first_sight_reports_the_lifetime_cpu_average(spinner: subprocess.Popen[bytes], token: str) -> None:
    watcher = Watcher(ProcessCheck("spin", f"while True: pass {token}"))
    first = values(watcher)
    time.sleep(0.3)
    second = values(watcher)
    assert first["spin.count"] == 1.0
    # a busy loop gets far more than this, both ways measured, even on 2 cores shared by 20 busy processes
    assert first["spin.cpu_percent"] > 2.0
    assert second["spin.cpu_percent"] > 2.0
