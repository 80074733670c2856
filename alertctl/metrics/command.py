"""`type = "command"` checks: run a program, read the first number it prints.

No shell: `command` is an argv, so nothing in it is ever interpreted. The program
runs in its own session so that everything it started ends with it (on exit or
timeout: nothing it left in the background outlives the run), and its
output is read with a cap so a runaway command cannot exhaust our memory.
"""

from __future__ import annotations

import math
import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass

from alertctl.metrics.check_result import CheckResult, printable, seconds
from alertctl.model import CommandCheck
from alertctl.secrets import redact_argv

MAX_OUTPUT = 64 * 1024
"""Bytes kept per stream; the rest is read and dropped so the program is not blocked."""
CONTEXT_LINES = 10
CONTEXT_LINE_CHARS = 200
TRUNCATED = "[...]"
"""Marks the context where output was left out."""
POLL_SECONDS = 0.1
"""How often to notice that the program exited while a child it left keeps our pipes open."""
WAIT_SECONDS = 0.005
"""How often to look whether the program exited after closing its output."""

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
"""A number standing on its own: `-1.5e3`, `42`, `.5`; not the 1 in `sda1` or `v1`."""


@dataclass(frozen=True)
class Finished:
    stdout: bytes
    stderr: bytes
    exit_code: int | None
    """None when we killed it on timeout."""


def collect(check: CommandCheck) -> CheckResult:
    details: dict[str, object] = {
        "command": shlex.join(redact_argv(check.command)),
        "exit_code": None,
        "output": "",
        "error": None,
    }
    result = CheckResult(check.name, details)
    started = time.monotonic()
    try:
        finished = run(check.command, check.timeout)
    except OSError as exc:
        details["error"] = error = _cannot_run(redact_argv(check.command)[0], exc)
        result.lack(error, "value", "exit_code")
    else:
        _record(result, finished, check.timeout)
    result.add("duration", time.monotonic() - started)
    return result


def _record(result: CheckResult, finished: Finished, timeout: float) -> None:
    result.details["output"] = _context(finished)
    result.details["exit_code"] = finished.exit_code
    if finished.exit_code is None:
        result.details["error"] = error = f"timed out after {seconds(timeout)}"
        result.lack(error, "value", "exit_code")
        return
    result.add("exit_code", finished.exit_code)
    value = first_number(printable(finished.stdout.decode(errors="replace")))  # not the 31 of a colour
    if value is None:
        result.details["error"] = "no number on stdout"
        result.lack(_no_number(finished.exit_code), "value")
    else:
        result.add("value", value)


def _no_number(exit_code: int) -> str:
    """A failing program that printed nothing useful is the likelier story: say how it ended."""
    return "no number on stdout" + (f" (exit status {exit_code})" if exit_code else "")


def _cannot_run(program: str, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"not found: {program}"
    if isinstance(exc, PermissionError):
        return f"permission denied: {program}"
    return f"cannot run {program}: {exc.strerror or exc}"


def first_number(text: str) -> float | None:
    match = NUMBER.search(text)
    value = float(match.group()) if match else None
    return value if value is not None and math.isfinite(value) else None


def _context(finished: Finished) -> str:
    """The first lines of stdout then stderr, each cut short: enough to see what happened.

    Whatever is left out (the lines after the first CONTEXT_LINES - 1, a long line's
    tail) is marked, so nobody takes the context for the whole output.
    """
    streams = (finished.stdout, finished.stderr)
    text = printable("\n".join(stream.decode(errors="replace").strip() for stream in streams)).strip()
    lines = [_cut(line.rstrip()) for line in text.splitlines()]
    if len(lines) <= CONTEXT_LINES:
        return "\n".join(lines)
    left_out = len(lines) - CONTEXT_LINES + 1
    return "\n".join([*lines[: CONTEXT_LINES - 1], f"{TRUNCATED} ({left_out} more lines)"])


def _cut(line: str) -> str:
    if len(line) <= CONTEXT_LINE_CHARS:
        return line
    return line[: CONTEXT_LINE_CHARS - len(TRUNCATED)] + TRUNCATED


def run(argv: tuple[str, ...], timeout: float) -> Finished:
    """Run `argv` for at most `timeout` seconds, keeping at most MAX_OUTPUT bytes per stream.

    Whatever it started in the background is ended with it: a `sleep 300 &` left behind
    every cycle would pile up one process per run.
    """
    deadline = time.monotonic() + timeout
    stdout, stderr = bytearray(), bytearray()
    with subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as proc:
        try:
            _read(proc, deadline, stdout, stderr)
            exited = _wait_unreaped(proc, deadline)
        finally:
            _end_group(proc)
        return Finished(bytes(stdout), bytes(stderr), proc.returncode if exited else None)


def _read(proc: subprocess.Popen[bytes], deadline: float, *buffers: bytearray) -> None:
    """Fill the buffers until the pipes close, the program exits, or the deadline passes."""
    with selectors.DefaultSelector() as selector:
        for pipe, buffer in zip((proc.stdout, proc.stderr), buffers):
            selector.register(pipe, selectors.EVENT_READ, buffer)  # type: ignore[arg-type]
        while selector.get_map() and (remaining := deadline - time.monotonic()) > 0:
            events = selector.select(min(remaining, POLL_SECONDS))
            if not events and _exited(proc):
                break  # exited; a background child it left still holds the pipes
            for key, _ in events:
                _take(selector, key)


def _take(selector: selectors.BaseSelector, key: selectors.SelectorKey) -> None:
    chunk = os.read(key.fd, MAX_OUTPUT)
    if not chunk:
        selector.unregister(key.fileobj)
    buffer: bytearray = key.data
    buffer += chunk[: MAX_OUTPUT - len(buffer)]


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the program exited, leaving it unreaped: while it is a zombie its process group
    id cannot be taken by another process, so ending the group cannot hit a stranger."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _wait_unreaped(proc: subprocess.Popen[bytes], deadline: float) -> bool:
    """Wait for the program to exit until the deadline; False when it is still running."""
    while not _exited(proc):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(remaining, WAIT_SECONDS))
    return True


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the program's whole session group (its own run or a timeout), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
