"""Claim owners: alive exactly while the claiming process runs, whatever the wall clock does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.notify.claims import is_alive, this_process


def _start_ticks(pid: int) -> int:
    """Field 22 of /proc/PID/stat, counted from the known command name (which may hold ") (")."""
    name = Path(f"/proc/{pid}/comm").read_text().rstrip("\n")
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.removeprefix(f"{pid} ({name}) ").split()[19])


def _boot_id() -> str:
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip()


def _token(pid: int, ticks: int) -> str:
    return f"{pid}:{ticks}:{_boot_id()}"


@pytest.fixture
def child(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A running process whose command name holds a space and parentheses."""
    name = "a) (b c"
    (tmp_path / name).symlink_to(shutil.which("sleep") or "/bin/sleep")
    proc = subprocess.Popen([str(tmp_path / name), "60"])
    comm = Path(f"/proc/{proc.pid}/comm")
    while comm.read_text().rstrip("\n") != name:  # until it has exec'd
        time.sleep(0.01)
    yield proc
    proc.kill()
    proc.wait()


def test_the_token_is_start_ticks_since_boot_and_boot_id_not_a_wall_clock_time() -> None:
    pid = os.getpid()
    assert this_process() == _token(pid, _start_ticks(pid))
    assert is_alive(this_process())


def test_a_live_process_is_alive_and_a_reused_pid_or_another_boot_is_not(
    child: subprocess.Popen[bytes],
) -> None:
    ticks = _start_ticks(child.pid)
    assert is_alive(_token(child.pid, ticks))
    assert not is_alive(_token(child.pid, ticks + 1))  # same pid, started at another time: reused
    assert not is_alive(f"{child.pid}:{ticks}:another-boot")


def test_a_process_that_exited_is_dead() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    ticks = _start_ticks(proc.pid)
    proc.wait()
    assert not is_alive(_token(proc.pid, ticks))
    assert not is_alive("not-a-pid:1:x")
