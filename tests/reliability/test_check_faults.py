"""Checks that misbehave cost their own timeout, no more: commands that hang, flood or
leave children behind, servers that never answer or drip, processes that come and go.

`tests/metrics/` has each check type's ordinary failures (a non-zero exit, an http
server that never answers or sends garbage, a refused port); these are the hostile
cases, and the bounds are measured with generous margins (timeout + 2 s).
"""

from __future__ import annotations

import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from alertctl.metrics import command, http, tcp
from alertctl.metrics.check_result import CheckResult
from alertctl.metrics.process_check import ProcessWatcher
from alertctl.metrics.proctable import ProcessTable
from alertctl.model import CommandCheck, HttpCheck, ProcessCheck, TcpCheck
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

MARGIN = 5.0
"""Room for a busy machine: every hang set up here would cost far more (a 10 s drip, a 30 s sleep)."""


def timed(action: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    outcome = action()
    return outcome, time.monotonic() - started


def assert_gone(pid: int) -> None:
    """Not running: gone, or a zombie waiting for init to reap it."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    psutil.Process(pid).kill()
    pytest.fail(f"process {pid} outlived its check")


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(body)
    return path


# -- command checks, through the real CLI ----------------------------------------------


def test_neither_a_list_nor_a_string_command_meets_a_shell(tmp_path: Path) -> None:
    """A string is split like a shell would split it (shlex), then run without one."""
    config = write_config(
        tmp_path,
        """
[[checks]]
name = "listed"
type = "command"
command = ["echo", "$HOME;", "|", "x", "7"]

[[checks]]
name = "written"
type = "command"
command = 'echo "$HOME;" | x `id` 8'

[[rules]]
name = "listed-seen"
metric = "listed.value"
warning = 1
critical = 2

[[rules]]
name = "written-seen"
metric = "written.value"
warning = 1
critical = 2
""",
    )
    result = run_cli("check", "--json", "-c", str(config), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2, result.stderr
    outputs = {a["rule"]: a["context"]["check"]["output"] for a in json.loads(result.stdout)["alerts"]}
    assert outputs == {"listed-seen": "$HOME; | x 7", "written-seen": "$HOME; | x `id` 8"}


def test_a_hanging_command_and_its_children_are_killed_at_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild"
    config = write_config(
        tmp_path,
        f"""
[[checks]]
name = "hang"
type = "command"
command = ["sh", "-c", "sleep 30 & echo $! > {pid_file}; wait"]
timeout = "1s"
""",
    )
    cli_start = timed(lambda: run_cli("--version"))[1]
    result, elapsed = timed(lambda: run_cli("check", "-c", str(config), "--db", str(tmp_path / "a.db")))
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert "hang.duration=" in result.stdout and "hang.value" not in result.stdout  # type: ignore[attr-defined]
    assert elapsed <= cli_start + 1.0 + MARGIN
    assert_gone(int(pid_file.read_text()))


@pytest.mark.parametrize("flood", [("head", "-c", "100M", "/dev/zero"), ("yes",)], ids=["100M-zeros", "yes"])
def test_a_flood_is_read_up_to_the_cap_in_bounded_memory_and_time(flood: tuple[str, ...]) -> None:
    """In a child process, so its peak memory is the check's own: VmHWM, which starts afresh at
    exec, not ru_maxrss, which Linux carries over from the forking process (a pytest worker that
    had grown past 150 MiB failed this test with a check that had read 64 KiB)."""
    code = f"""
import time
from alertctl.metrics import command
from alertctl.model import CommandCheck
started = time.monotonic()
result = command.collect(CommandCheck("flood", {flood!r}, 2.0))
print(time.monotonic() - started)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
print(repr(result.details["output"]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    elapsed, peak_kib, output = result.stdout.splitlines()
    assert float(elapsed) <= 2.0 + MARGIN
    assert int(peak_kib) < 150 * 1024  # the flood itself is 100 MiB, or endless
    assert command.TRUNCATED in output and len(output) < 2 * command.CONTEXT_LINES * command.CONTEXT_LINE_CHARS


def test_the_context_says_where_output_was_cut() -> None:
    long_line = "x" * 500
    many = "\n".join(str(n) for n in range(25))
    result = command.collect(CommandCheck("talk", ("sh", "-c", f"echo {long_line}; printf '{many}'"), 5.0))
    lines = str(result.details["output"]).splitlines()
    assert lines[0] == "x" * (command.CONTEXT_LINE_CHARS - len(command.TRUNCATED)) + command.TRUNCATED
    assert lines[1:9] == [str(n) for n in range(8)]
    assert lines[-1] == f"{command.TRUNCATED} (17 more lines)" and len(lines) == command.CONTEXT_LINES


# -- http and tcp against hostile servers -----------------------------------------------


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


Behaviour = Callable[[socket.socket, threading.Event], None]
"""What a hostile server does with its one connection, until the event says stop."""


@pytest.fixture
def hostile() -> Iterator[Callable[[Behaviour], int]]:
    """One-connection servers on 127.0.0.1 that behave as told; each call returns a port.
    All of them stop when the test ends (no thread keeps sleeping into later tests)."""
    stop = threading.Event()
    servers: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def serve(behave: Behaviour) -> int:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(10)
        servers.append(server)

        def handle() -> None:
            try:
                conn, _ = server.accept()
                with conn:
                    behave(conn, stop)
            except OSError:
                pass  # the check gave up and hung up: expected

        threads.append(threading.Thread(target=handle, daemon=True))
        threads[-1].start()
        return server.getsockname()[1]

    yield serve
    stop.set()
    for server in servers:
        server.close()
    for thread in threads:
        thread.join(5)


def drip(prefix: bytes, then: bytes) -> Behaviour:
    def behave(conn: socket.socket, stop: threading.Event) -> None:
        conn.recv(4096)
        conn.sendall(prefix)
        for _ in range(100 if then else 0):  # 10 s at most, should the check never give up
            if stop.wait(0.1):
                return
            conn.sendall(then)

    return behave


def silent(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(4096)
    stop.wait(10)


def http_check(port: int, timeout: float = 1.0) -> tuple[dict[str, float], dict[str, object], float]:
    result, elapsed = timed(lambda: http.collect(HttpCheck("web", f"http://127.0.0.1:{port}/", timeout)))
    return {s.metric: s.value for s in result.samples}, result.details, elapsed  # type: ignore[attr-defined]


def test_http_headers_dripped_a_byte_at_a_time_are_cut_off_at_the_timeout(hostile) -> None:  # type: ignore[no-untyped-def]
    """Each byte arrives well within the socket timeout; only a deadline for the whole request stops it."""
    values, details, elapsed = http_check(hostile(drip(b"HTTP/1.1 200 OK\r\n", b"X")))
    assert values == {"web.up": 0.0}
    assert details["error"] == "timed out after 1s"
    assert elapsed <= 1.0 + MARGIN


def test_http_a_huge_body_dripped_slowly_is_not_waited_for(hostile) -> None:  # type: ignore[no-untyped-def]
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n"
    values, details, elapsed = http_check(hostile(drip(head, b"x" * 1000)))
    assert values["web.up"] == 1.0 and details["status"] == 200
    assert elapsed <= 1.0 + MARGIN


def test_tcp_a_port_that_accepts_and_never_speaks_is_up_at_once(hostile) -> None:  # type: ignore[no-untyped-def]
    port = hostile(silent)
    result, elapsed = timed(lambda: tcp.collect(TcpCheck("db", "127.0.0.1", port, 1.0)))
    assert {s.metric: s.value for s in result.samples}["db.up"] == 1.0  # type: ignore[attr-defined]
    assert elapsed <= 1.0 + MARGIN


# -- process checks while processes come and go ------------------------------------------


def test_a_process_check_while_processes_start_and_exit_rapidly() -> None:
    token = f"churn{random.randrange(10**8, 10**9)}"
    stop = threading.Event()
    started: list[int] = []

    def churn() -> None:
        while not stop.is_set():
            # The token is the shell's $0, so it stays in the command line the check reads;
            # the `:` after `sleep` keeps the shell from exec'ing into it.
            batch = [subprocess.Popen(["sh", "-c", "sleep 0.05; :", token]) for _ in range(5)]
            started.extend(p.pid for p in batch)
            for proc in batch:
                if random.random() < 0.5:
                    proc.kill()
                proc.wait()

    steady = subprocess.Popen(["sh", "-c", "sleep 60; :", token])  # alive throughout: every scan counts it
    workers = [threading.Thread(target=churn, daemon=True) for _ in range(3)]
    for worker in workers:
        worker.start()
    check = ProcessWatcher(ProcessCheck("churn", re.escape(token)))
    table = ProcessTable()

    def watcher() -> CheckResult:
        return check(table.scan(with_cmdline=True))

    counts, slowest = [], 0.0
    try:  # scans are counted, not timed: a loaded machine makes them slower, not fewer
        while (len(counts) < 10 or len(started) < 50) and all(worker.is_alive() for worker in workers):
            result, elapsed = timed(watcher)
            slowest = max(slowest, elapsed)
            counts.append({s.metric: s.value for s in result.samples}["churn.count"])  # type: ignore[attr-defined]
    finally:
        stop.set()
        for worker in workers:
            worker.join(10)
        steady.kill()
        steady.wait()
    assert len(started) >= 50 and len(counts) >= 10
    # at most 15 shells, each with a child forked but not yet exec'd into `sleep` (it still carries
    # the shell's command line), and the steady one
    assert all(1 <= count <= 31 for count in counts), counts
    assert slowest <= check.check.timeout + MARGIN
    assert {s.metric: s.value for s in watcher().samples}["churn.count"] == 0.0


# -- the loop goes on --------------------------------------------------------------------


def test_watch_finishes_its_cycles_while_a_command_check_hangs(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    config = write_config(
        tmp_path,
        f"""
[[checks]]
name = "hang"
type = "command"
command = ["sh", "-c", "sleep 30 & echo $! >> {pid_file}; wait"]
timeout = "1s"
""",
    )
    result, elapsed = timed(
        lambda: run_cli(
            "watch", "--cycles", "3", "--interval", "1s", "-c", str(config), "--db", str(tmp_path / "a.db"), timeout=60
        )
    )
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    assert result.stdout.splitlines()[-1].endswith("stopped after 3 cycles")  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert elapsed <= 3 * (1.0 + 1.0) + 1.0 + MARGIN  # three cycles of interval + timeout, start-up
    pids = [int(line) for line in pid_file.read_text().split()]
    assert len(pids) == 3
    for pid in pids:
        assert_gone(pid)
