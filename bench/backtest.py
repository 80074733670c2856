"""What `alertctl backtest` costs: 30 days of 10 s history replayed, as whole CLI runs.

The history is written through the real store code (`alertctl.store.history.record`):
about 30 series as a quiet server gives them (`Server`: daily CPU cycle, a few short
bursts a day, a 15-minute CPU incident every few days, one memory incident in the
month; the same names and precision as bench/history.py), plus one series,
`busy.value`, above its rule's threshold about half the time (stretches of 10 to 60
minutes, flapping at their edges). Printed, with the issue's targets:

- `alertctl backtest --since 30d --json` with the built-in rules, as a whole CLI run
  (median of 3, wall clock) ≤ 3 s;
- `alertctl backtest --since 30d --rule busy-high --json` (a rule in breach half the
  time) ≤ 5 s;
- `disk-filling`, the contract's forecast rule, on the four mounts (no target given);
- the baseline: the same replays in this process with and without jumping over quiet
  hours (CPU time), and their ratio, over the last `--compare-days` (2 by default: a
  month without skipping takes a quarter of an hour, mostly the forecast rule's fits).

The code measured is this checkout's (first on sys.path, and on PYTHONPATH for the CLI).
Run from the repository root:

    python3 bench/backtest.py [--days 30] [--compare-days 2] [--keep FILE | --reuse FILE]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from alertctl.backtest.run import run  # noqa: E402
from alertctl.config.load import defaults, validate  # noqa: E402
from alertctl.config.runtime import Config, History  # noqa: E402
from alertctl.model import Sample, make_labels  # noqa: E402
from alertctl.store import history  # noqa: E402
from alertctl.store.db import open_database, transaction  # noqa: E402
from alertctl.store.readonly import open_read_only  # noqa: E402

INTERVAL = 10.0
MOUNTS = ("/", "/var", "/home", "/boot")
BATCH = 360
"""Cycles per transaction while filling (one hour): the write code is the real one, the fill faster."""
TARGETS = {"builtin_s": 3.0, "busy_s": 5.0}
BUSY_RULE = """
[[checks]]
name = "busy"
type = "command"
command = ["true"]

[[rules]]
name = "busy-high"
metric = "busy.value"
warning = 80
critical = 95
for = "1m"
"""


FORECAST_RULE = """
[[rules]]
name = "disk-filling"
metric = "disk.percent"
forecast = { reaches = 100, window = "6h", confirm = "24h", from = 60 }
warning = "24h"
clear = "36h"
for = "30m"
"""


class Server:
    """About 30 series as a quiet server gives them, with what makes alerts: a few CPU bursts a
    day (under a minute and a half, the rule's `for` is 2m), a 15-minute CPU incident every
    few days, one memory incident in the month, load following the CPU."""

    def __init__(self, seed: int = 16) -> None:
        self.random = random.Random(seed)
        self.n = 0
        self.burst = 0
        self.incident = 0
        self.memory = 0

    def _cpu(self) -> float:
        r = self.random
        if self.burst <= 0 and self.incident <= 0:
            if r.random() < 6 / 8640:  # ~6 bursts a day
                self.burst = r.randint(2, 8)
            elif r.random() < 1 / (5 * 8640):  # an incident every ~5 days
                self.incident = 90
        if self.burst > 0 or self.incident > 0:
            self.burst, self.incident = self.burst - 1, self.incident - 1
            return round(min(100.0, r.uniform(90, 100)), 1)
        day = math.sin(self.n * INTERVAL / 86400 * 2 * math.pi)
        return round(min(100.0, max(0.0, 25 + 10 * day + r.gauss(0, 5))), 1)

    def next(self) -> list[Sample]:
        r = self.random
        self.n += 1
        cpu = self._cpu()
        if self.memory <= 0 and r.random() < 1 / (30 * 8640):
            self.memory = 120
        self.memory -= 1
        mem = round(92.0 + r.gauss(0, 1) if self.memory > 0 else 55 + 3 * math.sin(self.n / 5000) + r.gauss(0, 0.3), 1)
        load = round(cpu / 100 * 4 * r.uniform(0.8, 1.2), 2)
        out = [
            Sample("cpu.percent", cpu),
            Sample("cpu.iowait", round(abs(r.gauss(0, 0.5)), 1)),
            Sample("memory.percent", mem),
            Sample("memory.available", float(int((100 - mem) * 1.6e8) // 4096 * 4096)),
            Sample("swap.percent", round(abs(r.gauss(1, 0.2)), 1)),
            Sample("load.1", load),
            Sample("load.5", round(load * 0.9, 2)),
            Sample("load.15", round(load * 0.8, 2)),
            Sample("load.per_cpu", round(load / 4, 3)),
            Sample("processes.total", float(180 + r.randint(-3, 3))),
            Sample("processes.zombie", 0.0),
        ]
        for index, mount in enumerate(MOUNTS):
            labels = make_labels({"mount": mount})
            percent = round(60 / (index + 1) + self.n / 259200 * 5, 1)
            out += [
                Sample("disk.percent", percent, labels),
                Sample("disk.free", float(int((100 - percent) * 1e9) // 4096 * 4096), labels),
                Sample("disk.inodes_percent", round(percent / 7, 1), labels),
            ]
        out += [
            Sample("site.up", 1.0),
            Sample("site.status", 200.0),
            Sample("site.response_time", 0.02),
            Sample("db.up", 1.0),
            Sample("db.connect_time", 0.002),
            Sample("queue.value", float(r.randint(0, 20))),
            Sample("queue.exit_code", 0.0),
        ]
        return out


class Busy:
    """Above 80 about half the time: stretches of 10 to 60 minutes, noisy at the threshold."""

    def __init__(self, seed: int = 17) -> None:
        self.random = random.Random(seed)
        self.left = 0
        self.high = False

    def next(self) -> Sample:
        if self.left <= 0:
            self.high = not self.high
            self.left = self.random.randint(60, 360)
        self.left -= 1
        centre = 88.0 if self.high else 60.0
        return Sample("busy.value", round(centre + self.random.gauss(0, 6), 1))


def fill(path: Path, days: float, end: float) -> int:
    conn = open_database(path)
    keep, source, busy, jitter = History(), Server(), Busy(), random.Random(1)
    cycles = int(days * 86400 / INTERVAL)
    start = end - cycles * INTERVAL
    for first in range(0, cycles, BATCH):
        with transaction(conn):
            for n in range(first, min(first + BATCH, cycles)):
                at = start + n * INTERVAL + jitter.uniform(0, 0.05)
                history.record(conn, [*source.next(), busy.next()], at, keep)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return cycles


def cli_seconds(args: list[str], runs: int = 3) -> tuple[float, float]:
    """Median wall-clock and CPU (user + system) seconds of a whole `alertctl backtest` run
    (a first, unmeasured one fills the config cache)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ALERTCTL_")}
    env["PYTHONPATH"] = str(REPO)
    with tempfile.TemporaryDirectory() as home:
        env.update(XDG_CACHE_HOME=f"{home}/cache", XDG_CONFIG_HOME=f"{home}/config", XDG_STATE_HOME=f"{home}/state")
        walls, cpus = [], []
        for _ in range(runs + 1):
            began, used = time.perf_counter(), _children_cpu()
            done = subprocess.run(
                [sys.executable, "-m", "alertctl", "backtest", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            walls.append(time.perf_counter() - began)
            cpus.append(_children_cpu() - used)
            if done.returncode != 0:
                raise SystemExit(f"backtest failed ({done.returncode}): {done.stderr.strip()}")
    return statistics.median(walls[1:]), statistics.median(cpus[1:])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(db: Path, config: Config, days: float) -> tuple[float, float, str]:
    """CPU seconds of the replay with and without jumping over quiet hours (reading included),
    and what it found (so the figures say what kind of month was replayed)."""
    timings, said = [], ""
    for skip in (True, False):
        conn = open_read_only(db)
        began = time.process_time()
        now = time.time()
        found = run(conn, config, None, now - days * 86400, now, skip=skip)
        timings.append(time.process_time() - began)
        conn.close()
        said = ", ".join(
            f"{r.rule} {r.current.alerts} alerts ({r.current.seconds_in_alert / 3600:.1f} h)"
            for r in found.rules
            if r.current is not None
        )
    return timings[0], timings[1], said


def line(name: str, value: float, target: float, detail: str = "") -> str:
    verdict = "ok" if value <= target else "OVER"
    return f"{name:<48} {value:>7.3f} s (target ≤ {target:g} s: {verdict}){detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument(
        "--compare-days",
        type=float,
        default=2.0,
        help="days replayed in process with and without skipping (the baseline)",
    )
    parser.add_argument("--keep", type=Path, help="keep the filled database at this path")
    parser.add_argument("--reuse", type=Path, help="a database an earlier run kept (--keep), instead of filling one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "history.db"
        busy_config = Path(folder) / "busy.toml"
        busy_config.write_text(BUSY_RULE)
        if args.reuse:
            db.write_bytes(args.reuse.read_bytes())
            print(f"reusing {args.reuse} (its last {args.days:g} days)")
        else:
            print(f"filling {args.days:g} days of 31 series at {INTERVAL:g}s through the store ...", flush=True)
            began = time.perf_counter()
            cycles = fill(db, args.days, time.time())
            print(f"  {cycles} cycles in {time.perf_counter() - began:.0f}s")
        since = f"{args.days:g}d"
        wall, cpu = cli_seconds(["--since", since, "--json", "--db", str(db)])
        print(
            line(
                f"backtest --since {since} (built-in rules)",
                wall,
                TARGETS["builtin_s"],
                f"  [wall clock; {cpu:.3f} s CPU]",
            )
        )
        wall, cpu = cli_seconds(["--since", since, "--json", "--db", str(db), "-c", str(busy_config)])
        print(
            line(
                f"backtest --since {since} (busy-high, in breach ~50%)",
                wall,
                TARGETS["busy_s"],
                f"  [wall clock; {cpu:.3f} s CPU]",
            )
        )
        forecast_config = Path(folder) / "forecast.toml"
        forecast_config.write_text(FORECAST_RULE)
        wall, cpu = cli_seconds(["--since", since, "--json", "--db", str(db), "-c", str(forecast_config)], runs=1)
        print(
            f"{'backtest --since ' + since + ' (disk-filling, 4 mounts)':<48} {wall:>7.3f} s "
            f"(no target: a forecast rule, the contract's example)  [wall clock; {cpu:.3f} s CPU]"
        )
        for name, config in (("built-in rules", defaults()), ("busy-high", validate(busy_config))):
            fast, full, said = in_process(db, config, args.compare_days)
            print(
                f"{'replay in process, ' + name + f' ({args.compare_days:g} days)':<48} {fast:>7.3f} s CPU skipping, "
                f"{full:.3f} s without: {full / fast:.1f}x\n    replayed: {said}"
            )
        print(f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        if args.keep:
            args.keep.write_bytes(db.read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
