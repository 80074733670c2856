"""Command checks run real programs: parsing, exit codes, missing binaries, timeouts, floods."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from alertctl.metrics import command
from alertctl.model import CommandCheck


def run_check(*argv: str, timeout: float = 5.0) -> tuple[dict[str, float], dict[str, object]]:
    result = command.collect(CommandCheck("job", tuple(argv), timeout))
    return {s.metric: s.value for s in result.samples}, result.details


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42\n", 42.0),
        ("jobs: -1.5e3 pending", -1500.0),
        ("ratio .5 of 3", 0.5),
        ("2.5E-3", 0.0025),
        ("+7 new", 7.0),
        ("sda1 is 73% full", 73.0),  # the 1 in a device name is not the number
        ("version v2 says 8", 8.0),
        ("OK, nothing to report", None),
        ("", None),
    ],
)
def test_first_number(text: str, expected: float | None) -> None:
    assert command.first_number(text) == expected


def test_value_exit_code_and_duration_of_a_failing_command() -> None:
    values, details = run_check("sh", "-c", "echo queue 17 jobs; echo warn >&2; exit 3")
    assert values["job.value"] == 17.0
    assert values["job.exit_code"] == 3.0
    assert 0.0 < values["job.duration"] < 5.0
    assert details == {
        "command": "sh -c 'echo queue 17 jobs; echo warn >&2; exit 3'",
        "exit_code": 3,
        "output": "queue 17 jobs\nwarn",
        "error": None,
    }


def test_arguments_are_never_given_to_a_shell() -> None:
    values, details = run_check("echo", "5; exit 9", "$(false)")
    assert values["job.exit_code"] == 0.0 and values["job.value"] == 5.0
    assert details["output"] == "5; exit 9 $(false)"


def test_a_number_on_stderr_only_is_no_value() -> None:
    values, details = run_check("sh", "-c", "echo 99 >&2; echo nothing here")
    assert "job.value" not in values
    assert values["job.exit_code"] == 0.0
    assert details["error"] == "no number on stdout"
    assert details["output"] == "nothing here\n99"


def test_a_missing_program_gives_only_a_duration() -> None:
    values, details = run_check("alertctl-test-no-such-program", "--flag")
    assert set(values) == {"job.duration"}
    assert details["error"] == "not found: alertctl-test-no-such-program"
    assert details["exit_code"] is None


def test_a_program_that_may_not_be_run(tmp_path: Path) -> None:
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\necho 1\n")
    values, details = run_check(str(script))
    assert set(values) == {"job.duration"}
    assert details["error"] == f"permission denied: {script}"


def test_a_timeout_kills_the_program_and_everything_it_started() -> None:
    started = time.monotonic()
    # prints a number (the background pid) but must not yield a value: it timed out
    values, details = run_check("sh", "-c", "sleep 30 & echo $!; wait", timeout=0.5)
    assert time.monotonic() - started < 15  # far below the 30 s of waiting for the child
    assert set(values) == {"job.duration"} and values["job.duration"] >= 0.5
    assert details["error"] == "timed out after 0.5s" and details["exit_code"] is None
    assert_ends(int(str(details["output"])))


def assert_ends(pid: int) -> None:
    """The grandchild is gone, or a zombie waiting for init: either way not running."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    pytest.fail(f"background child {pid} survived the timeout")


def test_a_child_left_holding_the_output_does_not_stall_the_check() -> None:
    started = time.monotonic()
    values, details = run_check("sh", "-c", "echo 5; sleep 20 &", timeout=60)
    assert time.monotonic() - started < 10  # far below the 20 s the child holds the output
    assert values["job.value"] == 5.0 and values["job.exit_code"] == 0.0


def test_a_flood_of_output_is_capped_but_the_result_kept() -> None:
    flood = "import sys; print(42); print('x' * 5_000_000); sys.stderr.write('y' * 500_000)"
    finished = command.run((sys.executable, "-c", flood), timeout=10)
    assert finished.exit_code == 0
    assert len(finished.stdout) == len(finished.stderr) == command.MAX_OUTPUT
    values, details = run_check(sys.executable, "-c", flood, timeout=10)
    assert values["job.value"] == 42.0 and values["job.exit_code"] == 0.0
    lines = str(details["output"]).splitlines()
    assert lines[0] == "42" and len(lines) <= command.CONTEXT_LINES
    assert max(map(len, lines)) <= command.CONTEXT_LINE_CHARS


def test_an_endless_flood_is_stopped_by_the_timeout() -> None:
    finished = command.run(("yes",), timeout=0.5)
    assert finished.exit_code is None
    assert len(finished.stdout) == command.MAX_OUTPUT
