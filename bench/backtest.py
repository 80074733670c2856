"""What `alertctl backtest` costs: 30 days of 10 s history replayed, as whole CLI runs.

The history is written through the real store code (`alertctl.store.history.record`,
the same signals as bench/history.py: about 30 series as a server gives them) plus one
series, `busy.value`, that is above its rule's threshold about half the time (stretches
of 10 to 60 minutes, flapping at their edges). Printed, with the issue's targets:

- `alertctl backtest --since 30d --json` with the built-in rules, as a whole CLI run
  (median of 3, wall clock) ≤ 3 s;
- `alertctl backtest --since 30d --rule busy-high --json` (a rule in breach half the
  time) ≤ 5 s;
- the baseline: the same replays in this process with and without jumping over quiet
  hours (CPU time), and their ratio.

The code measured is this checkout's (first on sys.path, and on PYTHONPATH for the CLI).
Run from the repository root:

    python3 bench/backtest.py [--days 30] [--keep FILE | --reuse FILE]
"""

from __future__ import annotations

import argparse
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
from alertctl.model import Sample  # noqa: E402
from alertctl.store import history  # noqa: E402
from alertctl.store.db import open_database, transaction  # noqa: E402
from alertctl.store.readonly import open_read_only  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from history import Signals  # noqa: E402

INTERVAL = 10.0
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
    keep, source, busy, jitter = History(), Signals(), Busy(), random.Random(1)
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
            done = subprocess.run([sys.executable, "-m", "alertctl", "backtest", *args], env=env,
                                  capture_output=True, text=True, timeout=600)
            walls.append(time.perf_counter() - began)
            cpus.append(_children_cpu() - used)
            if done.returncode != 0:
                raise SystemExit(f"backtest failed ({done.returncode}): {done.stderr.strip()}")
    return statistics.median(walls[1:]), statistics.median(cpus[1:])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(db: Path, config: Config, days: float, rules: tuple[str, ...]) -> tuple[float, float]:
    """CPU seconds of the replay with and without jumping over quiet hours (reading included)."""
    timings = []
    for skip in (True, False):
        conn = open_read_only(db)
        began = time.process_time()
        now = time.time()
        run(conn, config, None, now - days * 86400, now, rules, skip=skip)
        timings.append(time.process_time() - began)
        conn.close()
    return timings[0], timings[1]


def line(name: str, value: float, target: float, detail: str = "") -> str:
    verdict = "ok" if value <= target else "OVER"
    return f"{name:<48} {value:>7.3f} s (target ≤ {target:g} s: {verdict}){detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
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
        print(line(f"backtest --since {since} (built-in rules)", wall, TARGETS["builtin_s"],
                   f"  [wall clock; {cpu:.3f} s CPU]"))
        wall, cpu = cli_seconds(["--since", since, "--json", "--db", str(db), "-c", str(busy_config)])
        print(line(f"backtest --since {since} (busy-high, in breach ~50%)", wall, TARGETS["busy_s"],
                   f"  [wall clock; {cpu:.3f} s CPU]"))
        for name, config in (("built-in rules", defaults()), ("busy-high", validate(busy_config))):
            fast, full = in_process(db, config, args.days, ())
            print(f"{'replay in process, ' + name:<48} {fast:>7.3f} s CPU skipping quiet hours, "
                  f"{full:.3f} s without: {full / fast:.1f}x")
        print(f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        if args.keep:
            args.keep.write_bytes(db.read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
