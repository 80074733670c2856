"""History and report on a big database: 1,000,000 alerts over a year, timed as whole CLI runs.

Fills a database with alerts as the store writes them (in time order, every
index in place, one notice per alert in the outbox with its one delivery
attempt, 5% of them failed and given up), then times
`alertctl history --severity critical --since 7d --limit 50`,
`alertctl report --since 30d` and `alertctl report --since 365d` as whole
processes, the median of --runs runs each after one warm-up, and prints them
with the database size. Targets: history under 0.3 s, the 30-day report under
0.5 s, the whole year's under 2 s.

As a baseline measured in the same run on the same file, it also times the
report's queries in this process: the SQL before m013_report (kept in
tests/report/legacy_sql.py, this checkout) against the store's current SQL.

Measure a regular install, as users get it (see bench/coldstart.py):

    python3 -m venv /tmp/report-venv && /tmp/report-venv/bin/pip install -q .
    /tmp/report-venv/bin/python bench/report.py [--alerts 1000000] [--runs 5] [--keep PATH]

Exit status: 0, 1 when --strict and a target is missed, 2 on a failure.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from _common import REPO, BenchError, find_alertctl, install_warnings, private_env

YEAR = 365 * 86400.0
BATCH = 100_000
RULES = [
    ("disk-full", "disk.percent", '{"mount":"/"}'),
    ("disk-full", "disk.percent", '{"mount":"/var"}'),
    ("cpu-high", "cpu.percent", "{}"),
    ("memory-high", "memory.percent", "{}"),
    ("swap-high", "swap.percent", "{}"),
    ("load-high", "load.per_cpu", "{}"),
    ("inodes-full", "disk.inodes_percent", '{"mount":"/"}'),
    ("site-down", "site.up", "{}"),
    ("queue-backlog", "queue.value", "{}"),
    ("postgres-down", "postgres.up", "{}"),
]
TARGETS = {"history": 0.3, "report": 0.5, "report_year": 2.0}
_INSERT = (
    "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, resolution, value, "
    "peak, threshold, message, started_at, last_seen_at, acked_at, resolved_at, acked_by, occurrences, reopened, "
    "notifications, context) VALUES (?, ?, ?, ?, 'web-01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')"
)
_OUTBOX = (
    "INSERT INTO outbox (id, alert_id, channel, kind, reason, title, body, notify_type, created_at, next_attempt_at, "
    "attempts, delivered_at, given_up_at, last_error) VALUES (?, ?, ?, 'opened', 'first_notification', ?, ?, "
    "'warning', ?, ?, 1, ?, ?, ?)"
)
_DELIVERY = (
    "INSERT INTO deliveries (outbox_id, alert_id, channel, kind, at, ok, error) VALUES (?, ?, ?, 'opened', ?, ?, ?)"
)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000, help="alerts to write (default: 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (default: 5)")
    parser.add_argument("--keep", type=Path, help="write the database here and keep it (reused if it exists)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def _rows(count: int, now: float, seed: int = 5):  # type: ignore[no-untyped-def]
    """(alert row, delivery row) in time order; only the newest alert of each series stays open."""
    rng = random.Random(seed)
    step = YEAR / count
    open_from = count - len(RULES)
    for n in range(count):
        started = now - YEAR + n * step + rng.random() * step * 0.5
        rule, metric, series = RULES[n % len(RULES)] if n >= open_from else rng.choice(RULES)
        peak = "critical" if rng.random() < 0.3 else "warning"
        duration = rng.choice((30.0, 90.0, 300.0, 1800.0, 7200.0))
        acked = started + rng.random() * 600 if rng.random() < 0.6 else None
        resolved = None if n >= open_from else started + duration
        status = "firing" if resolved is None else "resolved"
        value = 97.0 if peak == "critical" else 88.0
        yield (
            (
                rule,
                metric,
                series,
                series,
                peak,
                peak,
                status,
                None if resolved is None else "recovered",
                value,
                value,
                95.0 if peak == "critical" else 85.0,
                f"{metric} is {value} on web-01",
                started,
                resolved or started,
                acked,
                resolved,
                "alice" if acked else None,
                3,
                rng.random() < 0.05,
                1,
            ),
            (started + 1, "ops" if rng.random() < 0.8 else "pager", started + 1, rng.random() >= 0.05),
        )


def fill(path: Path, count: int) -> float:
    """Seconds taken to write `count` alerts (and their deliveries) through the store's schema."""
    from alertctl.store.db import open_database

    start = time.perf_counter()
    conn = open_database(path)
    rows = _rows(count, time.time())
    first_id = 1
    while True:
        batch = [r for _, r in zip(range(BATCH), rows)]
        if not batch:
            break
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT, [a for a, _ in batch])
        conn.executemany(
            _OUTBOX,
            [
                (
                    first_id + i,
                    first_id + i,
                    ch,
                    f"[ALERT] {a[0]} on web-01",
                    a[11] + "\n" * 3 + "context ..." * 20,
                    at,
                    at,
                    at if ok else None,
                    None if ok else at,
                    None if ok else "timed out",
                )
                for i, (a, (_, ch, at, ok)) in enumerate(batch)
            ],
        )
        conn.executemany(
            _DELIVERY,
            [
                (first_id + i, first_id + i, ch, at, int(ok), None if ok else "timed out")
                for i, (_, (_, ch, at, ok)) in enumerate(batch)
            ],
        )
        conn.execute("COMMIT")
        first_id += len(batch)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - start


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return elapsed, done.stdout


def median_of(command: list[str], env: dict[str, str], runs: int) -> tuple[float, str]:
    _, out = timed(command, env)  # warm-up: config cache, page cache
    return statistics.median(timed(command, env)[0] for _ in range(runs)), out


def in_process(db: Path, runs: int) -> tuple[dict[int, float], dict[int, float]]:
    """Seconds the report's aggregates take over the last 30 and 365 days, by the SQL before
    m013_report and by the store's: the baseline, on the same file in the same run."""
    sys.path.insert(0, str(REPO))
    from alertctl.store import report as store_report
    from alertctl.store.db import open_database
    from tests.report import legacy_sql

    conn = open_database(db)
    until = conn.execute("SELECT MAX(started_at) FROM alerts").fetchone()[0]
    old, new = {}, {}
    for days in (30, 365):
        window = store_report.Window(until - days * 86400, until)
        old[days] = _median_call(partial(legacy_sql.aggregates, conn, window), runs)
        new[days] = _median_call(partial(store_report.aggregates, conn, window), runs)
    conn.close()
    return old, new


def _median_call(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    args = _parse_args()
    for warning in install_warnings():
        print(warning, file=sys.stderr)
    alertctl = find_alertctl()
    with tempfile.TemporaryDirectory(prefix="alertctl-report-bench-") as tmp:
        db = args.keep or Path(tmp) / "big.db"
        if not db.exists():
            print(f"filling {db} with {args.alerts:,} alerts over a year ...", flush=True)
            print(f"filled in {fill(db, args.alerts):.1f} s", flush=True)
        env = private_env(Path(tmp) / "home")
        base = [str(alertctl)]
        where = ["--db", str(db)]
        history, out = median_of(
            [*base, "history", "--severity", "critical", "--since", "7d", "--limit", "50", "--json", *where],
            env,
            args.runs,
        )
        shown = len(json.loads(out))
        report, out = median_of([*base, "report", "--since", "30d", "--json", *where], env, args.runs)
        total = json.loads(out)["total"]
        report_tty, _ = median_of([*base, "report", "--since", "30d", *where], env | {"COLUMNS": "80"}, args.runs)
        year, out = median_of([*base, "report", "--since", "365d", "--json", *where], env, args.runs)
        year_total = json.loads(out)["total"]
        old, new = in_process(db, args.runs)
        size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
        print(f"database: {args.alerts:,} alerts, {size / 2**20:.0f} MiB ({db})")
        print(
            f"history --severity critical --since 7d --limit 50: {history:.3f} s median of {args.runs} "
            f"({shown} alerts; target < {TARGETS['history']} s)"
        )
        print(
            f"report --since 30d --json: {report:.3f} s median of {args.runs} ({total:,} alerts in the window; "
            f"target < {TARGETS['report']} s)"
        )
        print(f"report --since 30d (terminal, 80 columns): {report_tty:.3f} s median of {args.runs}")
        print(
            f"report --since 365d --json: {year:.3f} s median of {args.runs} ({year_total:,} alerts in the window; "
            f"target < {TARGETS['report_year']} s)"
        )
        for days in (30, 365):
            print(
                f"baseline, the report's queries over {days} days in this process: before m013_report "
                f"{old[days]:.3f} s, now {new[days]:.3f} s (median of {args.runs})"
            )
        missed = (
            history >= TARGETS["history"]
            or max(report, report_tty) >= TARGETS["report"]
            or year >= TARGETS["report_year"]
        )
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench/report.py: {error}", file=sys.stderr)
        sys.exit(2)
