"""Steady cost of `alertctl watch`, against a plain Python loop sampling the same psutil data.

Runs, side by side for --seconds (default 60):

- `alertctl watch --interval 1s -c sample-configs/default.toml --db <tmp>`,
  stdout to a file (not a TTY, so the plain event log, no live view);
- a baseline: a `python -c` loop (same interpreter) that every second reads
  cpu_times, virtual_memory, swap_memory, getloadavg, disk_partitions with
  disk_usage and statvfs of each, and every process's status, then writes one
  row to its own SQLite file (WAL, synchronous=NORMAL, like alertctl) in a
  transaction.

For each it reports CPU seconds (user + system, its own and its children's,
read just before stopping it) per minute of its lifetime, start-up included,
and the peak RSS of the process, polled every 0.5 s. A second line gives the
CPU per minute after the first few seconds, without start-up. Both are stopped
with SIGTERM; alertctl must exit 0. Target: CPU ratio at most 3.

Measure a regular install, as users get it: with PYTHONDONTWRITEBYTECODE=1 (set
on the build machines) an editable install recompiles alertctl at every start.
From the repository root:

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install -q .
    # after changing the code or its dependency pins:
    /tmp/bench-venv/bin/pip install -q --force-reinstall --no-deps . && /tmp/bench-venv/bin/pip install -q .
    /tmp/bench-venv/bin/python bench/overhead.py [--seconds 60]

The `alertctl` next to the interpreter (the venv's bin) is used, else the one on
PATH. Cache, state and config folders and both databases live in a temporary
directory; ALERTCTL_* variables are dropped. Exit status: 0, 1 when --strict
and the CPU ratio is above the target, 2 on a failure.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from _common import BenchError, cpu_seconds, find_alertctl, install_warnings, private_env, sample_config

STOP_TIMEOUT_SECONDS = 15.0
STARTUP_SECONDS = 5.0
"""The steady-state figure counts CPU from the first poll after this many seconds."""

BASELINE_LOOP = r"""
import os, signal, sqlite3, sys, threading, time
import psutil

stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
interval = float(sys.argv[2])
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS samples (at REAL, cpu_busy REAL, mem REAL, swap REAL, "
             "load1 REAL, disk_percent REAL, inodes REAL, procs INTEGER, zombies INTEGER)")

def sample():
    cpu = psutil.cpu_times()
    memory, swap = psutil.virtual_memory(), psutil.swap_memory()
    load1, _, _ = psutil.getloadavg()
    disk_percent = inodes = 0.0
    for part in psutil.disk_partitions(all=False):
        try:
            usage, vfs = psutil.disk_usage(part.mountpoint), os.statvfs(part.mountpoint)
        except OSError:
            continue
        disk_percent = max(disk_percent, usage.percent)
        if vfs.f_files:
            inodes = max(inodes, (vfs.f_files - vfs.f_ffree) / vfs.f_files * 100)
    statuses = [p.info["status"] for p in psutil.process_iter(["status"])]
    busy = sum(cpu) - cpu.idle - getattr(cpu, "iowait", 0.0)
    return (time.time(), busy, memory.percent, swap.percent, load1, disk_percent, inodes,
            len(statuses), statuses.count(psutil.STATUS_ZOMBIE))

cycles = 0
next_start = time.monotonic()
while not stop.is_set():
    row = sample()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    conn.execute("COMMIT")
    cycles += 1
    next_start = max(next_start + interval, time.monotonic())
    stop.wait(next_start - time.monotonic())
print(f"stopped after {cycles} cycles", flush=True)
"""


@dataclass
class Child:
    """One measured process and what was seen of it."""

    label: str
    popen: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    started: float
    proc: psutil.Process = field(init=False)
    peak_rss: int = 0
    cpu_at_warm: tuple[float, float] | None = None
    """(monotonic time, CPU seconds) at the first poll after STARTUP_SECONDS."""
    cpu_total: float = 0.0
    lifetime: float = 0.0

    def __post_init__(self) -> None:
        self.proc = psutil.Process(self.popen.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc)

    def poll(self, now: float) -> None:
        if self.popen.poll() is not None:
            raise BenchError(f"{self.label} exited early ({self.popen.returncode}): {self.tail()}")
        self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
        if self.cpu_at_warm is None and now - self.started >= STARTUP_SECONDS:
            self.cpu_at_warm = (now, self.cpu_seconds())

    def tail(self) -> str:
        text = self.stderr.read_text(errors="replace").strip() or self.stdout.read_text(errors="replace").strip()
        return text[-500:]

    def per_minute(self) -> float:
        return self.cpu_total / self.lifetime * 60

    def steady_per_minute(self) -> float | None:
        if self.cpu_at_warm is None:
            return None
        at, cpu = self.cpu_at_warm
        span = self.started + self.lifetime - at
        return (self.cpu_total - cpu) / span * 60 if span > 0 else None


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long both run (default: 60, at most 240)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between cycles, both (default: 1)")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between RSS readings (default: 0.5)")
    parser.add_argument("--config", type=Path, help="config to watch with (default: sample-configs/default.toml)")
    parser.add_argument("--target", type=float, default=3.0, help="highest acceptable CPU ratio (default: 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the CPU ratio is above the target")
    args = parser.parse_args(argv)
    if not 2 <= args.seconds <= 240:
        parser.error("--seconds: between 2 and 240")
    if not 0.05 <= args.interval <= args.seconds:
        parser.error("--interval: between 0.05 and --seconds")
    if not 0.05 <= args.poll <= 5:
        parser.error("--poll: between 0.05 and 5")
    return args


def _spawn(label: str, command: list[str], env: dict[str, str], home: Path) -> Child:
    stdout, stderr = home / f"{label}.out", home / f"{label}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.monotonic()
        popen = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    return Child(label, popen, stdout, stderr, started)


def _stop(child: Child) -> int:
    """CPU read just before SIGTERM; the exit status after it."""
    child.cpu_total = child.cpu_seconds()
    child.lifetime = time.monotonic() - child.started
    child.popen.send_signal(signal.SIGTERM)
    try:
        return child.popen.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        child.popen.kill()
        child.popen.wait()
        raise BenchError(f"{child.label} did not stop within {STOP_TIMEOUT_SECONDS:g} s of SIGTERM") from None


def run(args: argparse.Namespace, home: Path) -> tuple[Child, Child, str | None]:
    alertctl = find_alertctl()
    env = private_env(home)
    config, note = (args.config, None) if args.config else sample_config(alertctl, home, env)
    watch = [
        str(alertctl),
        "watch",
        "--interval",
        f"{args.interval:g}s",
        "-c",
        str(config),
        "--db",
        str(home / "alertctl.db"),
    ]
    loop = [sys.executable, "-c", BASELINE_LOOP, str(home / "baseline.db"), str(args.interval)]
    children = [_spawn("alertctl", watch, env, home), _spawn("baseline", loop, env, home)]
    try:
        deadline = time.monotonic() + args.seconds
        while (now := time.monotonic()) < deadline:
            for child in children:
                child.poll(now)
            time.sleep(min(args.poll, max(0.0, deadline - time.monotonic())))
        codes = [_stop(child) for child in children]
    finally:
        for child in children:
            if child.popen.poll() is None:
                child.popen.kill()
                child.popen.wait()
    for child, code in zip(children, codes):
        if code != 0:
            raise BenchError(f"{child.label} exited {code} after SIGTERM: {child.tail()}")
    return children[0], children[1], note


def _cycles(child: Child) -> str:
    lines = child.stdout.read_text(errors="replace").splitlines()
    last = next((line for line in reversed(lines) if "stopped after" in line), "")
    return last.rsplit("stopped after", 1)[-1].split()[0] if last else "?"


def report(watch: Child, base: Child, args: argparse.Namespace) -> float:
    mib = 1024 * 1024
    cpu_ratio = watch.per_minute() / base.per_minute()
    print(f"alertctl watch: {watch.per_minute():.2f} CPU s/min, peak RSS {watch.peak_rss / mib:.1f} MiB")
    print(f"baseline loop: {base.per_minute():.2f} CPU s/min, peak RSS {base.peak_rss / mib:.1f} MiB")
    print(f"CPU ratio {cpu_ratio:.2f} (target <= {args.target:g}), RSS ratio {watch.peak_rss / base.peak_rss:.2f}")
    steady_watch, steady_base = watch.steady_per_minute(), base.steady_per_minute()
    if steady_watch is not None and steady_base:
        print(
            f"without start-up (from {STARTUP_SECONDS:g} s): alertctl {steady_watch:.2f}, baseline "
            f"{steady_base:.2f} CPU s/min, ratio {steady_watch / steady_base:.2f}"
        )
    print(f"cycles: alertctl {_cycles(watch)}, baseline {_cycles(base)} in {args.seconds:g} s at {args.interval:g} s")
    return cpu_ratio


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    for warning in install_warnings():
        print(warning, file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="alertctl-overhead-") as scratch:
            watch, base, note = run(args, Path(scratch))
            if note:
                print(note)
            cpu_ratio = report(watch, base, args)
    except (BenchError, OSError, psutil.Error) as error:
        print(f"overhead: {error}", file=sys.stderr)
        return 2
    return 1 if args.strict and cpu_ratio > args.target else 0


if __name__ == "__main__":
    sys.exit(main())
