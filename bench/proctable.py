"""One scan of the process table: psutil against alertctl's direct /proc reads, same run.

For 0 and --extra (default 1,000) extra idle processes started by this script, the
median of --runs scans of:

- psutil, as alertctl used to: a `Process` per pid and `as_dict(["status"])`
  (what `processes.*` needs) and `as_dict(["name", "cmdline", "create_time"])`
  (what a `process` check needs);
- `ProcessTable.scan()` and `ProcessTable.scan(with_cmdline=True)`, the table kept
  across scans as `watch` keeps it.

    python3 bench/proctable.py [--extra 1000] [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alertctl.metrics.proctable import ProcessTable


def _psutil_scan(attrs: list[str]) -> Callable[[], object]:
    def scan() -> object:
        found = []
        for pid in psutil.pids():
            try:
                found.append(psutil.Process(pid).as_dict(attrs, ad_value=None))
            except psutil.NoSuchProcess:
                continue
        return found

    return scan


def _median_ms(scan: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        scan()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _row(label: str, runs: int) -> None:
    table, with_cmdline = ProcessTable(), ProcessTable()
    figures = {
        "psutil status": _median_ms(_psutil_scan(["status"]), runs),
        "table": _median_ms(table.scan, runs),
        "psutil name+cmdline": _median_ms(_psutil_scan(["name", "cmdline", "create_time"]), runs),
        "table +cmdline": _median_ms(lambda: with_cmdline.scan(with_cmdline=True), runs),
    }
    print(
        f"{label:<22} {len(psutil.pids()):>6}  "
        + "  ".join(f"{v:>8.2f}" for v in figures.values())
        + f"  {figures['psutil status'] / figures['table']:>6.1f}x"
        + f"  {figures['psutil name+cmdline'] / figures['table +cmdline']:>6.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1000, help="extra idle processes (default 1000)")
    parser.add_argument("--runs", type=int, default=21, help="scans per figure (default 21)")
    args = parser.parse_args()
    print(
        f"{'host':<22} {'procs':>6}  {'psutil':>8}  {'table':>8}  {'psutil+c':>8}  {'table+c':>8}"
        f"  {'ratio':>7}  {'ratio+c':>7}   (medians, ms)"
    )
    _row("as it is", args.runs)
    sleepers = [subprocess.Popen(["sleep", "3600"]) for _ in range(args.extra)]
    try:
        time.sleep(1.0)
        _row(f"+{args.extra} idle processes", args.runs)
    finally:
        for sleeper in sleepers:
            sleeper.kill()
        for sleeper in sleepers:
            sleeper.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
