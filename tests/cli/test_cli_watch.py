"""`alertctl watch` as systemd runs it: plain log lines, SIGTERM, SIGHUP reloads."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from alertctl.loop import run_forever
from tests.cli.conftest import Rig


class Watcher:
    """A `watch` child process whose stdout and stderr lines are collected as they come."""

    def __init__(self, rig: Rig, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "alertctl", "watch", *args, "-c", str(rig.config), "--db", str(rig.db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        self.lines: dict[str, queue.Queue[str]] = {"stdout": queue.Queue(), "stderr": queue.Queue()}
        self.seen: dict[str, list[str]] = {"stdout": [], "stderr": []}
        for name in self.lines:
            threading.Thread(target=self._pump, args=(name,), daemon=True).start()

    def _pump(self, name: str) -> None:
        for line in getattr(self.proc, name):
            self.lines[name].put(line.rstrip("\n"))

    def wait_for(self, pattern: str, stream: str = "stdout", timeout: float = 60) -> str:
        """The first line (not yet consumed) matching `pattern`; fails after `timeout`, a guard
        against a line that never comes, not a bound: a busy machine may start `watch` slowly."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines[stream].get(timeout=left)
            except queue.Empty:
                break
            self.seen[stream].append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no {stream} line matching {pattern!r} in {timeout}s; saw {self.seen[stream]}")

    def drain(self) -> None:
        for name, lines in self.lines.items():
            while not lines.empty():
                self.seen[name].append(lines.get())

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.05)  # let the pumps reach EOF
        self.drain()
        return code


@pytest.fixture
def watchers() -> Iterator[list[Watcher]]:
    started: list[Watcher] = []
    yield started
    for watcher in started:
        if watcher.proc.poll() is None:
            watcher.proc.kill()
            watcher.proc.wait(timeout=5)


def test_cycles_without_a_tty_log_one_plain_line_per_event(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)

    result = rig.run("watch", "--cycles", "2", "--interval", "0.2s")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(r"^\S+ watching \S+: 1 rules, 1 checks, every 0.2s \(sampling alertctl\), database ", lines[0])
    events = [line for line in lines if " opened " in line]
    assert len(events) == 1  # the second cycle is ongoing: not an event
    assert re.match(r"^\d{4}-\d\d-\d\dT\S+ opened #1 q-high warning: q\.value is 90 \(warning above 80", events[0])
    assert re.match(r"^\S+ stopped after 2 cycles$", lines[-1])
    assert "\x1b[" not in result.stdout  # no colour or live view off a terminal
    (alert,) = rig.alerts()
    assert alert["occurrences"] == 2


def test_events_of_a_whole_incident_are_logged(rig: Rig, watchers: list[Watcher]) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    watcher = Watcher(rig, "--interval", "0.2s")
    watchers.append(watcher)

    watcher.wait_for(r" opened #1 q-high warning")
    rig.set_value(99)
    watcher.wait_for(r" raised #1 q-high critical")
    rig.set_value(10)
    watcher.wait_for(r" resolved #1 q-high")

    assert watcher.stop() == 0


def test_sigterm_finishes_the_cycle_and_exits_0_promptly(rig: Rig, watchers: list[Watcher]) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    watcher = Watcher(rig, "--interval", "60s")
    watchers.append(watcher)
    watcher.wait_for(r" opened #1 q-high")

    sent = time.monotonic()
    code = watcher.stop(timeout=50)

    assert code == 0
    assert time.monotonic() - sent < 30  # it did not sleep out its 60 s interval
    assert any(re.search(r"stopped after 1 cycles", line) for line in watcher.seen["stdout"])
    assert watcher.seen["stderr"] == []
    assert rig.open_alerts()[0]["rule"] == "q-high"  # the cycle's work was committed


def test_sigterm_in_the_middle_of_a_cycle_lets_it_finish_and_record(rig: Rig, watchers: list[Watcher]) -> None:
    started = rig.root / "started"
    rig.config.write_text(f"""
[[checks]]
name = "q"
type = "command"
command = ["sh", "-c", "touch {started}; sleep 1; cat {rig.value_file}"]
{rig.q_rule()}
""")
    rig.set_value(90)
    watcher = Watcher(rig, "--interval", "60s")
    watchers.append(watcher)
    watcher.wait_for(r" watching ")
    deadline = time.monotonic() + 60  # a guard: the first cycle runs the slow check at once
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)

    watcher.proc.send_signal(signal.SIGTERM)  # the first cycle is now waiting on the slow check

    assert watcher.proc.wait(timeout=50) == 0
    time.sleep(0.05)
    watcher.drain()
    assert any(" opened #1 q-high" in line for line in watcher.seen["stdout"])
    assert re.search(r"stopped after 1 cycles$", watcher.seen["stdout"][-1])
    assert [a["rule"] for a in rig.open_alerts()] == ["q-high"]


def test_sigint_stops_it_too(rig: Rig, watchers: list[Watcher]) -> None:
    rig.configure(rig.q_rule())
    watcher = Watcher(rig, "--interval", "60s")
    watchers.append(watcher)
    watcher.wait_for(r" watching ")

    watcher.proc.send_signal(signal.SIGINT)

    assert watcher.proc.wait(timeout=50) == 0  # well before its 60 s interval is out
    assert "Traceback" not in watcher.proc.stderr.read()  # type: ignore[union-attr]


def test_sighup_with_a_broken_config_keeps_running_then_a_good_one_applies(rig: Rig, watchers: list[Watcher]) -> None:
    rig.configure(rig.q_rule() + rig.q_rule("q-extra", warning=95, critical=98))
    rig.set_value(90)
    watcher = Watcher(rig, "--interval", "0.2s")
    watchers.append(watcher)
    watcher.wait_for(r" opened #1 q-high warning")

    rig.config.write_text(rig.config.read_text() + "\nthis is = not [ toml\n")
    watcher.proc.send_signal(signal.SIGHUP)
    error = watcher.wait_for(r"config reload failed", stream="stderr")
    assert "not valid TOML" in error and str(rig.config) in error
    time.sleep(0.5)
    assert watcher.proc.poll() is None  # still running, on the old config

    rig.configure(rig.q_rule() + rig.q_rule("q-extra", warning=85, critical=98, extra="# lowered"))
    watcher.proc.send_signal(signal.SIGHUP)
    watcher.wait_for(r"config reloaded from .*: 2 rules, 1 checks")
    watcher.wait_for(r" opened #2 q-extra warning")

    assert watcher.stop() == 0
    by_rule = {a["rule"]: a for a in rig.alerts()}
    assert by_rule["q-high"]["id"] == 1  # unchanged rule: same open alert
    assert by_rule["q-high"]["status"] == "firing"
    assert by_rule["q-extra"]["status"] == "firing"
    assert len(rig.alerts()) == 2
    assert not any(" opened #3" in line for line in watcher.seen["stdout"])


def test_a_bad_interval_is_a_usage_error(rig: Rig) -> None:
    rig.configure(rig.q_rule())

    for bad in ("soon", "0s"):
        result = rig.run("watch", "--interval", bad, "--cycles", "1")
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert "--interval" in line
    assert not rig.db.exists()


def test_watch_with_a_bad_config_exits_2(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="bogus = 1"))

    result = rig.run("watch", "--cycles", "1")

    assert result.returncode == 2
    assert "rules[0].bogus" in result.stderr


def test_a_stop_signal_handled_by_another_thread_still_ends_the_sleep_promptly() -> None:
    """The kernel may deliver SIGTERM to any thread; CPython runs the handler only in the main
    thread, when it wakes. Sent to a helper thread here, as the kernel sometimes does to the
    delivery thread: the loop must not sleep out its interval."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGUSR1, lambda *_: stop.set())
    first_cycle = threading.Event()

    def signal_from_another_thread() -> None:
        first_cycle.wait(30)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)

    helper = threading.Thread(target=signal_from_another_thread)
    helper.start()
    try:
        started = time.monotonic()
        done = run_forever(_Idle(), lambda: 60.0, lambda cycle: first_cycle.set(), stop)  # type: ignore[arg-type]
        took = time.monotonic() - started
    finally:
        helper.join()
        signal.signal(signal.SIGUSR1, previous)
    assert done == 1
    assert took < 30  # far below the 60 s interval it would otherwise sleep out


class _Idle:
    """A runner whose cycle does nothing: the test is about the sleep between cycles."""

    def run_once(self) -> object:
        return object()
