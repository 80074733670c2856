"""`alertctl watch --interval 1s` against Monit (`set daemon 1`), one after the other, same host.

Scenarios, each measured for both tools:

- idle: the host as it is;
- 1,000 processes: the same with 1,000 extra idle `sleep` processes started by this script;
- process check: the same 1,000 processes, and each tool also checks one process
  by pattern (alertctl: a `[[checks]] type = "process"`; Monit: `check process ... matching`).

Both watch the same things: CPU, memory, swap, load and the root file system (alertctl's
built-in rules; Monit's `check system` and `check filesystem`). Each runs for --warmup
seconds (not counted), then --seconds counted: CPU seconds (user + system) per minute
and peak RSS. Monit is Debian's `monit`, installed with apt-get when missing.

Measure a regular install of alertctl, as users get it (see bench/overhead.py):

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install -q .
    /tmp/bench-venv/bin/python bench/vs_monit.py [--seconds 30] [--warmup 5]

Targets (issue "Lighter than Monit"): with 1,000 processes alertctl's CPU at most 0.5x
Monit's, idle at most 1.0x, with a process check at most 1.0x; alertctl's peak RSS at
most 45 MiB. Exit status 0, 1 when --strict and a target is missed, 2 on a failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from _common import BenchError, cpu_seconds, find_alertctl, install_warnings, private_env

EXTRA_PROCESSES = 1000
PATTERN = "vs-monit-target"
MONIT_RC = """set daemon 1
set logfile {home}/monit.log
set idfile {home}/monit.id
set statefile {home}/monit.state
set pidfile {home}/monit.pid
check system {host}
  if loadavg (1min) per core > 3 then alert
  if memory usage > 95% then alert
  if swap usage > 80% then alert
  if cpu usage > 95% for 3 cycles then alert
check filesystem rootfs with path /
  if space usage > 95% then alert
  if inode usage > 95% then alert
"""
MONIT_PROCESS = f'check process target matching "{PATTERN}"\n'
ALERTCTL_PROCESS = f'[[checks]]\nname = "target"\ntype = "process"\npattern = "{PATTERN}"\n'


@dataclass(frozen=True)
class Figure:
    cpu_per_minute: float
    peak_rss: int


def _measure(command: list[str], env: dict[str, str], warmup: float, seconds: float, home: Path) -> Figure:
    err = (home / "stderr").open("wb")
    popen = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    proc = psutil.Process(popen.pid)
    peak = 0
    try:
        deadline = time.monotonic() + warmup
        while time.monotonic() < deadline:
            peak = max(peak, _rss(popen, proc, home))
            time.sleep(0.5)
        start_cpu, start = cpu_seconds(proc), time.monotonic()
        while time.monotonic() < start + seconds:
            peak = max(peak, _rss(popen, proc, home))
            time.sleep(0.5)
        used, span = cpu_seconds(proc) - start_cpu, time.monotonic() - start
    finally:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
        err.close()
    return Figure(used / span * 60, peak)


def _rss(popen: subprocess.Popen[bytes], proc: psutil.Process, home: Path) -> int:
    if popen.poll() is not None:
        raise BenchError(
            f"{popen.args[0]} exited early ({popen.returncode}): {(home / 'stderr').read_text(errors='replace')[-400:]}"
        )
    return proc.memory_info().rss


def _monit() -> str:
    found = shutil.which("monit")
    if found:
        return found
    done = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "monit"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    found = shutil.which("monit")
    if done.returncode != 0 or not found:
        raise BenchError(
            f"could not install Debian's monit (run `apt-get update` first?): {done.stderr.strip()[-300:]}"
        )
    return found


def _sleepers(count: int) -> list[subprocess.Popen[bytes]]:
    """Idle processes, one of which carries the pattern both process checks look for."""
    argv0 = ["bash", "-c", f"exec -a {PATTERN} sleep 3600"]
    first = subprocess.Popen(argv0)
    return [first, *(subprocess.Popen(["sleep", "3600"]) for _ in range(count - 1))]


def _scenario(
    name: str, alertctl: Path, monit: str, home: Path, args: argparse.Namespace, process_check: bool
) -> tuple[str, Figure, Figure]:
    folder = home / name.replace(" ", "-")
    folder.mkdir()
    env = private_env(folder)
    config = folder / "alertctl.toml"
    config.write_text(ALERTCTL_PROCESS if process_check else "")
    rc = folder / "monitrc"
    rc.write_text(MONIT_RC.format(home=folder, host=socket.gethostname()) + (MONIT_PROCESS if process_check else ""))
    rc.chmod(0o600)
    watch = [str(alertctl), "watch", "--interval", "1s", "-c", str(config), "--db", str(folder / "a.db")]
    ours = _measure(watch, env, args.warmup, args.seconds, folder)
    theirs = _measure([monit, "-I", "-c", str(rc)], env, args.warmup, args.seconds, folder)
    return name, ours, theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="counted seconds per run (default 30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="uncounted seconds first (default 5)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    for warning in install_warnings():
        print(warning, file=sys.stderr)
    try:
        alertctl, monit = find_alertctl(), _monit()
        rows = []
        with tempfile.TemporaryDirectory(prefix="alertctl-vs-monit-") as tmp:
            home = Path(tmp)
            rows.append(_scenario("idle", alertctl, monit, home, args, process_check=False))
            sleepers = _sleepers(EXTRA_PROCESSES)
            try:
                rows.append(_scenario("1000 processes", alertctl, monit, home, args, process_check=False))
                rows.append(_scenario("process check", alertctl, monit, home, args, process_check=True))
            finally:
                for sleeper in sleepers:
                    sleeper.kill()
                for sleeper in sleepers:
                    sleeper.wait()
    except BenchError as error:
        print(f"vs_monit: {error}", file=sys.stderr)
        return 2
    targets = {"idle": 1.0, "1000 processes": 0.5, "process check": 1.0}
    print(
        f"{'scenario':<16} {'alertctl CPU-s/min':>19} {'Monit CPU-s/min':>16} {'ratio':>6} {'target':>7} "
        f"{'alertctl RSS':>13} {'Monit RSS':>10}"
    )
    missed = False
    for name, ours, theirs in rows:
        ratio = ours.cpu_per_minute / theirs.cpu_per_minute if theirs.cpu_per_minute else float("inf")
        missed |= ratio > targets[name] or ours.peak_rss > 45 * 2**20
        print(
            f"{name:<16} {ours.cpu_per_minute:>19.2f} {theirs.cpu_per_minute:>16.2f} {ratio:>6.2f} "
            f"{targets[name]:>7.1f} {ours.peak_rss / 2**20:>10.1f} MiB {theirs.peak_rss / 2**20:>6.1f} MiB"
        )
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
