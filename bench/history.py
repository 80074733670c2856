"""What metric history costs: bytes, file size, time per cycle, the hourly seal, a 30-day query.

30 series sampled every 10 s (jittered by up to 50 ms) for --days simulated days
(default 30), ending now, are written in time order through the real store code
(`alertctl.store.history.record`, one transaction per cycle, as `watch` does) into a
fresh database file (WAL, synchronous=NORMAL). The values have the precision their
sources give: percentages to one decimal, bytes as integers, load to two decimals,
response times to the microsecond, up/down and status codes as integers.

Printed figures, with the issue's targets:

- raw bytes per day (the sealed chunks' payload, and the file's growth per day) ≤ 0.5 MB;
- the file with the default retention (32 d raw, 90 d 5-minute, 2 y hourly): measured
  per table with SQLite's dbstat, extrapolated to a full 2 years of hourly rollups, ≤ 25 MB;
- added CPU per cycle: two `Runner`s (the real cycle: engine, alerts, tracks, state)
  with the same 30 samples each cycle, one with history and one without, interleaved
  for --cycles cycles in the same run; median of the difference ≤ 0.5 ms;
- the hourly seal: CPU of the cycles that sealed an hour during the fill (median and worst) ≤ 50 ms;
- `alertctl metrics cpu.percent --since 30d --json` as a whole CLI run (median of 5) ≤ 0.5 s,
  wall clock (and its CPU).

Times inside this process are CPU time (`time.process_time`): on a shared machine
wall-clock figures measure the neighbours; the load average is printed with them.

The code measured is this checkout's (it is put first on sys.path, and on PYTHONPATH
for the CLI run), not an installed alertctl. Run from the repository root:

    python3 bench/history.py [--days 30] [--cycles 2000] [--keep FILE]
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

from alertctl.config.load import defaults  # noqa: E402
from alertctl.config.runtime import History  # noqa: E402
from alertctl.loop import Runner  # noqa: E402
from alertctl.metrics.collector import Reading  # noqa: E402
from alertctl.model import Sample, make_labels  # noqa: E402
from alertctl.store import history  # noqa: E402
from alertctl.store.db import open_database, transaction  # noqa: E402
from alertctl.store.history.size import estimate  # noqa: E402

INTERVAL = 10.0
MOUNTS = ("/", "/var", "/home", "/boot")
TARGETS = {"raw_mb_per_day": 0.5, "file_mb": 25.0, "cycle_ms": 0.5, "seal_ms": 50.0, "cli_s": 0.5}


class Signals:
    """30 series as a server gives them: slow random walks, at their sources' precision."""

    def __init__(self, seed: int = 16) -> None:
        self.random = random.Random(seed)
        self.level = {"cpu": 20.0, "mem": 40.0, "load": 1.0, "disk": 50.0, "rt": 0.02}

    def _walk(self, name: str, step: float, low: float, high: float) -> float:
        self.level[name] = min(high, max(low, self.level[name] + self.random.gauss(0, step)))
        return self.level[name]

    def next(self) -> list[Sample]:
        r = self.random
        cpu = round(min(100.0, max(0.0, self._walk("cpu", 2, 0, 100) + r.gauss(0, 5))), 1)
        mem = round(self._walk("mem", 0.05, 5, 95), 1)
        load = self._walk("load", 0.05, 0, 8)
        out = [
            Sample("cpu.percent", cpu),
            Sample("cpu.iowait", round(abs(r.gauss(0, 0.5)), 1)),
            Sample("memory.percent", mem),
            Sample("memory.available", float(int((100 - mem) * 1.6e8) // 4096 * 4096)),
            Sample("swap.percent", 0.0),
            Sample("load.1", round(load, 2)),
            Sample("load.5", round(load * 0.9, 2)),
            Sample("load.15", round(load * 0.8, 2)),
            Sample("load.per_cpu", round(round(load, 2) / 4, 3)),
            Sample("processes.total", float(180 + r.randint(-3, 3))),
            Sample("processes.zombie", 0.0),
        ]
        disk = self._walk("disk", 0.001, 10, 90)
        for index, mount in enumerate(MOUNTS):
            labels = make_labels({"mount": mount})
            percent = round(disk / (index + 1), 1)
            out += [
                Sample("disk.percent", percent, labels),
                Sample("disk.free", float(int((100 - percent) * 1e9) // 4096 * 4096), labels),
                Sample("disk.inodes_percent", round(percent / 7, 1), labels),
            ]
        rt = round(self._walk("rt", 0.001, 0.001, 0.5), 6)
        out += [
            Sample("site.up", 1.0),
            Sample("site.status", 200.0),
            Sample("site.response_time", rt),
            Sample("db.up", 1.0),
            Sample("db.connect_time", round(rt / 10, 6)),
            Sample("queue.value", float(r.randint(0, 20))),
            Sample("queue.exit_code", 0.0),
        ]
        return out


def fill(path: Path, days: float, end: float) -> tuple[list[float], int]:
    """`days` of cycles ending at `end`; the seconds of each cycle that sealed an hour, and the cycles."""
    conn = open_database(path)
    keep = History()
    source = Signals()
    jitter = random.Random(1)
    cycles = int(days * 86400 / INTERVAL)
    start = end - cycles * INTERVAL
    seals = []
    for n in range(cycles):
        at = start + n * INTERVAL + jitter.uniform(0, 0.05)
        samples = source.next()
        sealing = int(at // 3600) != int((at - INTERVAL) // 3600)
        began = time.process_time()
        with transaction(conn):
            history.record(conn, samples, at, keep)
        if sealing and n:
            seals.append(time.process_time() - began)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return seals, cycles


def table_bytes(path: Path) -> dict[str, int]:
    conn = open_database(path)
    try:
        return {row[0]: row[1] for row in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")}
    finally:
        conn.close()


def payload(path: Path) -> tuple[int, int]:
    """Bytes of the chunks' two blobs, and the points they hold."""
    conn = open_database(path)
    try:
        row = conn.execute("SELECT sum(length(ts) + length(vals)), sum(n) FROM sample_chunk").fetchone()
        return int(row[0] or 0), int(row[1] or 0)
    finally:
        conn.close()


def rows_and_blobs(path: Path) -> dict[str, tuple[int, int]]:
    """Per tier: rows, and bytes of their blobs."""
    conn = open_database(path)
    try:
        found = {
            "raw": tuple(conn.execute("SELECT count(*), sum(length(ts) + length(vals)) FROM sample_chunk").fetchone())
        }
        for step, name in ((300, "5m"), (3600, "1h")):
            found[name] = tuple(
                conn.execute(
                    "SELECT count(*), sum(length(buckets)) FROM sample_rollup WHERE step = ?", (step,)
                ).fetchone()
            )
        return {k: (int(v[0] or 0), int(v[1] or 0)) for k, v in found.items()}
    finally:
        conn.close()


def settled_size(path: Path, series: int) -> tuple[float, dict[str, float]]:
    """The file once every tier is full: bytes per row of each tier (its share of its table's
    pages) times the rows the default retention keeps, plus the open hour and the rest."""
    tables = table_bytes(path)
    tiers = rows_and_blobs(path)
    per_row = {"raw": tables.get("sample_chunk", 0) / max(tiers["raw"][0], 1)}
    rollup_blobs = max(tiers["5m"][1] + tiers["1h"][1], 1)
    for name in ("5m", "1h"):
        share = tables.get("sample_rollup", 0) * tiers[name][1] / rollup_blobs
        per_row[name] = share / max(tiers[name][0], 1)
    kept_rows = {"raw": series * 24 * 32, "5m": series * 24 * 90, "1h": series * 730}
    others = sum(size for name, size in tables.items() if name not in ("sample_chunk", "sample_rollup"))
    return sum(per_row[t] * kept_rows[t] for t in kept_rows) + others, per_row


class Scripted:
    """A collector that hands the runner the same kind of reading `watch` gets, without psutil."""

    def __init__(self, source: Signals) -> None:
        self.source = source
        self.cpu_baseline = None
        self.reading = Reading(source.next())

    def collect(self) -> Reading:
        return self.reading

    def advance(self) -> None:
        self.reading = Reading(self.source.next())

    def top_processes(self, wanted: object, reading: Reading) -> dict[str, list[dict[str, object]]]:
        return {}  # no process table: the scripted values never breach a rule that wants one


def cycle_cost(with_history: Path, without: Path, cycles: int, start: float) -> tuple[float, float]:
    """Median seconds per cycle, with and without history, interleaved in this run."""
    config = defaults()
    runners: list[tuple[Runner, list[float]]] = []
    source = Signals(seed=7)
    scripted = Scripted(source)
    for path, enabled in ((with_history, True), (without, False)):
        runner = Runner(config, open_database(path))
        rules = config.rules if enabled else tuple(r for r in config.rules if r.forecast is None)  # as when loaded
        runner.configure(config.__class__(**{**config.__dict__, "history": History(enabled=enabled), "rules": rules}))
        runner.collector = scripted  # type: ignore[assignment]
        runners.append((runner, []))
    for n in range(cycles):
        scripted.advance()
        at = start + n * INTERVAL
        for runner, times in runners if n % 2 else reversed(runners):
            began = time.process_time()
            runner.run_once(at)
            times.append(time.process_time() - began)
    return statistics.median(runners[0][1]), statistics.median(runners[1][1])


def cli_seconds(db: Path, runs: int = 5) -> tuple[float, float]:
    """Median wall-clock and CPU (user + system) seconds of one whole CLI run."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ALERTCTL_")}
    env["PYTHONPATH"] = str(REPO)
    with tempfile.TemporaryDirectory() as home:
        env.update(XDG_CACHE_HOME=f"{home}/cache", XDG_CONFIG_HOME=f"{home}/config", XDG_STATE_HOME=f"{home}/state")
        command = [
            sys.executable,
            "-m",
            "alertctl",
            "metrics",
            "cpu.percent",
            "--since",
            "30d",
            "--json",
            "--db",
            str(db),
        ]
        walls, cpus = [], []
        for _ in range(runs + 1):  # the first run also fills the config cache
            began, used = time.perf_counter(), _children_cpu()
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
            walls.append(time.perf_counter() - began)
            cpus.append(_children_cpu() - used)
            if done.returncode != 0:
                raise SystemExit(f"metrics failed ({done.returncode}): {done.stderr.strip()}")
    return statistics.median(walls[1:]), statistics.median(cpus[1:])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def line(name: str, value: float, unit: str, target: float, detail: str = "") -> str:
    verdict = "ok" if value <= target else "OVER"
    return f"{name:<38} {value:>9.3f} {unit:<6} (target ≤ {target:g} {unit}: {verdict}){detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--cycles", type=int, default=2000, help="cycles of the with/without comparison")
    parser.add_argument("--keep", type=Path, help="keep the filled database at this path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "history.db"
        end = time.time()
        print(f"filling {args.days:g} days of 30 series at {INTERVAL:g}s through the store ...", flush=True)
        began = time.perf_counter()
        seals, cycles = fill(db, args.days, end)
        print(f"  {cycles} cycles in {time.perf_counter() - began:.0f}s")
        report(db, args.days, seals, cycles)
        wall, cpu = cli_seconds(db)
        print(
            line(
                "metrics cpu.percent --since 30d --json",
                wall,
                "s",
                TARGETS["cli_s"],
                f"  [wall clock; {cpu:.3f} s CPU]",
            )
        )
        without = Path(folder) / "without.db"
        open_database(without).close()
        with_cost, without_cost = cycle_cost(db, without, args.cycles, end + INTERVAL)
        added = (with_cost - without_cost) * 1000
        print(
            line(
                "added CPU per cycle (median)",
                added,
                "ms",
                TARGETS["cycle_ms"],
                f"  [cycle {with_cost * 1000:.3f} ms with, {without_cost * 1000:.3f} ms without]",
            )
        )
        print(
            f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs (times are CPU time where marked, so less sensitive to it)"
        )
        if args.keep:
            args.keep.write_bytes(db.read_bytes())
    return 0


def report(db: Path, days: float, seals: list[float], cycles: int) -> None:
    size = db.stat().st_size
    blob_bytes, points = payload(db)
    settled, per_row = settled_size(db, 30)
    print(
        line(
            "raw bytes per day (chunk payload)",
            blob_bytes / (points / 30 * INTERVAL / 86400) / 1e6,
            "MB",
            TARGETS["raw_mb_per_day"],
            f"  [{blob_bytes / max(points, 1):.2f} B/point, {points} points sealed]",
        )
    )
    print(
        line(
            "raw tier per day (its table's pages)",
            per_row["raw"] * 30 * 24 / 1e6,
            "MB",
            TARGETS["raw_mb_per_day"],
            f"  [{per_row['raw']:.0f} B per chunk row of 360 points]",
        )
    )
    print(
        line(
            "file with default retention",
            settled / 1e6,
            "MB",
            TARGETS["file_mb"],
            f"  [32 d raw, 90 d of 5 min ({per_row['5m']:.0f} B per hour row), "
            f"2 y hourly ({per_row['1h']:.0f} B per day row); {size / 1e6:.1f} MB after {days:g} days]",
        )
    )
    guess = estimate(30, INTERVAL, History()).total
    print(f"{'  config show estimates':<38} {guess / 1e6:>9.1f} MB  [{guess / settled - 1:+.0%} against this run]")
    print(
        line(
            "hourly seal, median CPU",
            statistics.median(seals) * 1000,
            "ms",
            TARGETS["seal_ms"],
            f"  [worst {max(seals) * 1000:.1f} ms over {len(seals)} seals; the whole sealing cycle, 30 series]",
        )
    )
    print(f"{'cycles written':<38} {cycles:>9}")


if __name__ == "__main__":
    sys.exit(main())
