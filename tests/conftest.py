"""Every test gets its own home: config, state and cache folders under tmp_path."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

THOROUGH = os.environ.get("ALERTCTL_THOROUGH") == "1"
"""ALERTCTL_THOROUGH=1: the slow tier's long versions (a minute of soak, fifty kills, full property searches)."""


def thorough(quick: int, full: int) -> int:
    """How many kills, seconds or examples: `quick` in the everyday suite, `full` under ALERTCTL_THOROUGH=1."""
    return full if THOROUGH else quick


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for variable in list(os.environ):
        if variable.startswith("ALERTCTL_"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, for golden text with times in it."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def warned(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the package logged as warnings or errors so far (what a command shows on stderr)."""
    return [r.getMessage() for r in caplog.records if r.name.startswith("alertctl") and r.levelno >= logging.WARNING]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real `alertctl` in a child process, with the test's environment."""
    return subprocess.run(
        [sys.executable, "-m", "alertctl", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def run_here(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script's `main` in this process, answered as `run_cli` answers.

    For what is about a command's output and exit status, not about the process (signals, a
    cold start, a fresh interpreter, the environment it inherits): a fraction of the cost of a
    child process, which pays the imports every time. Signal handlers (`watch` sets them) and
    sys.argv are put back afterwards.
    """
    from typer.testing import CliRunner

    from alertctl.cli.app import main

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    argv = sys.argv
    with CliRunner().isolation(env=env) as (out, err, _):
        sys.argv = ["alertctl", *args]
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.argv = argv
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        return subprocess.CompletedProcess(["alertctl", *args], code, out.getvalue().decode(), err.getvalue().decode())
