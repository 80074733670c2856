"""The real CLI on a real terminal: a pseudo-terminal of a given size, or a tmux pane whose
screen (after every cursor move and redraw) is captured as a person would see it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_pty(args: list[str], columns: int, rows: int = 24, timeout: float = 60) -> str:
    """`python -m alertctl ARGS` with stdout, stdin and stderr on a terminal of that size;
    returns what it wrote, colour codes removed, lines ending in \\n."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "alertctl", *args], stdin=child, stdout=child, stderr=child, env=env, close_fds=True
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child side is closed, all was read
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    proc.wait(timeout)
    return ANSI.sub("", b"".join(chunks).decode()).replace("\r\n", "\n")


@contextmanager
def tmux_pane(tmp_path: Path, args: list[str], columns: int = 80, rows: int = 24) -> Iterator[Callable[[], str]]:
    """`python -m alertctl ARGS` in a detached tmux pane of that size, on a server of its own;
    yields a function that returns the pane's screen as text. Afterwards the command gets
    SIGTERM (a SIGHUP from the closing pane would only make `watch` reload), then the
    server is ended."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    tmux = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    command = "exec " + " ".join(_quoted(part) for part in [sys.executable, "-m", "alertctl", *args])
    subprocess.run(
        [*tmux, "-f", os.devnull, "new-session", "-d", "-x", str(columns), "-y", str(rows), command],
        check=True,
        env=os.environ,
    )
    pane = subprocess.run([*tmux, "display-message", "-p", "#{pane_pid}"], capture_output=True, text=True, check=True)

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True, check=True).stdout

    try:
        yield screen
    finally:
        _end(int(pane.stdout))
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def _end(pid: int, timeout: float = 20) -> None:
    """SIGTERM, then wait until the process is gone (tmux, its parent, reaps it)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def wait_for(screen: Callable[[], str], ready: Callable[[str], bool], timeout: float = 60) -> str:
    """The screen once `ready` holds for it, or the last one seen when `timeout` passes."""
    deadline = time.monotonic() + timeout
    shown = screen()
    while not ready(shown) and time.monotonic() < deadline:
        time.sleep(0.2)
        shown = screen()
    return shown


def _quoted(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"
