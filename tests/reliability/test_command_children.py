"""A command check's background children end with each run, not only on timeout."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import time
import uuid
from pathlib import Path

from alertctl.metrics import command
from tests.conftest import run_cli


def _with_child(token: str) -> list[str]:
    """A command that prints 5 and leaves `python -c 'sleep 300' TOKEN` running in the background."""
    child = (
        f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', {token!r}])"
    )
    return [sys.executable, "-c", f"{child}; print(5)"]


def _running(token: str) -> list[int]:
    """Processes (not zombies) with `token` in their argv."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if token.encode() in argv and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _survivors(token: str) -> list[int]:
    """Any still running once a SIGKILL sent to them has had time to land (at most 5 s); then killed."""
    deadline = time.monotonic() + 5
    while (found := _running(token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in found:
        os.kill(pid, signal.SIGKILL)
    return found


def test_watch_leaves_no_background_child_of_a_command_check(tmp_path: Path) -> None:
    token = f"alertctl-orphan-{uuid.uuid4().hex}"
    config = tmp_path / "c.toml"
    config.write_text(
        textwrap.dedent(f"""
        [[checks]]
        name = "job"
        type = "command"
        command = {json.dumps(_with_child(token))}

        [[rules]]
        name = "job-high"
        metric = "job.value"
        warning = 80
    """)
    )
    done = run_cli("watch", "--cycles", "3", "--interval", "0.1s", "-c", str(config), "--db", str(tmp_path / "a.db"))
    assert done.returncode == 0, done.stderr
    assert "stopped after 3 cycles" in done.stdout
    assert _survivors(token) == []


def test_a_finished_run_ends_what_it_started() -> None:
    token = f"alertctl-orphan-{uuid.uuid4().hex}"
    finished = command.run(tuple(_with_child(token)), timeout=10)
    assert finished.exit_code == 0 and finished.stdout.strip() == b"5"
    assert _survivors(token) == []
