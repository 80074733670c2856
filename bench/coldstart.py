"""Cold start of a cron `alertctl check`, against starting Python with its bare necessities.

Times `alertctl check --dry-run -c sample-configs/default.toml` and
`python -c "import psutil, sqlite3, tomllib"` (same interpreter) in alternating
rounds of one run, so both see the same machine load, and prints their medians
and ratio (target: alertctl at most 3 times the baseline).

Measure a regular install, as users get it: with PYTHONDONTWRITEBYTECODE=1 (set
on the build machines) an editable install recompiles alertctl at every start.
From the repository root:

    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install -q .
    # after changing the code or its dependency pins:
    /tmp/bench-venv/bin/pip install -q --force-reinstall --no-deps . && /tmp/bench-venv/bin/pip install -q .
    /tmp/bench-venv/bin/python bench/coldstart.py [--runs 21]

The `alertctl` next to the interpreter (the venv's bin) is used, else the one on
PATH. Cache, state and config folders point into a temporary directory, kept
across the rounds so that the warm-up run's config cache serves all of them, as
it does for cron; ALERTCTL_* variables are dropped. The warm-up is a real
`alertctl check`, leaving the state database (with its stored CPU reading) that
a cron check finds every minute after its first. With --first-run there is no
state database, so every timed run pays the 0.1 s CPU sample a first-ever check
takes. The timed command is the same either way. `check` exits 0, 1 or 2 by
the machine's state, all accepted; 3 (UNKNOWN) stops the benchmark. Exit status:
0, 1 when --strict and the ratio is above the target, 2 on a failure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BenchError, find_alertctl, install_warnings, private_env, sample_config

BASELINE_CODE = "import psutil, sqlite3, tomllib"
RUN_TIMEOUT_SECONDS = 30.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each command (default: 21)")
    parser.add_argument("--config", type=Path, help="config to check (default: sample-configs/default.toml)")
    parser.add_argument("--target", type=float, default=3.0, help="highest acceptable ratio (default: 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio is above the target")
    parser.add_argument(
        "--first-run", action="store_true", help="no state database: time a first-ever check (pays a 0.1 s CPU sample)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 500:
        parser.error("--runs: between 1 and 500")
    return args


def timed(command: list[str], env: dict[str, str], ok_codes: range) -> float:
    """Wall seconds of one run; a BenchError when its exit status is not in `ok_codes`."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok_codes:
        output = (done.stdout.strip() + " " + done.stderr.strip()).strip()
        raise BenchError(f"{' '.join(command)} exited {done.returncode}: {output[-500:]}")
    return elapsed


def measure(
    alertctl: Path, config: Path, env: dict[str, str], runs: int, state: bool
) -> tuple[list[float], list[float]]:
    """Interleaved timings (alertctl, baseline); which goes first alternates each round."""
    check = ([str(alertctl), "check", "--dry-run", "-c", str(config)], range(3))
    baseline = ([sys.executable, "-c", BASELINE_CODE], range(1))
    commands = (check, baseline)
    warm_check = [part for part in check[0] if part != "--dry-run"] if state else check[0]
    timed(warm_check, env, check[1])  # warm-up: fills the config cache (and state) and the OS caches
    timed(baseline[0], env, baseline[1])
    times: tuple[list[float], list[float]] = ([], [])
    for round_ in range(runs):
        for which in (0, 1) if round_ % 2 == 0 else (1, 0):
            command, ok_codes = commands[which]
            times[which].append(timed(command, env, ok_codes))
    return times


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    for warning in install_warnings():
        print(warning, file=sys.stderr)
    try:
        alertctl = find_alertctl()
        with tempfile.TemporaryDirectory(prefix="alertctl-coldstart-") as scratch:
            home = Path(scratch)
            env = private_env(home)
            config, note = (args.config, None) if args.config else sample_config(alertctl, home, env)
            if note:
                print(note)
            check_times, base_times = measure(alertctl, config, env, args.runs, not args.first_run)
    except (BenchError, subprocess.TimeoutExpired, OSError) as error:
        print(f"coldstart: {error}", file=sys.stderr)
        return 2
    check_ms = statistics.median(check_times) * 1000
    base_ms = statistics.median(base_times) * 1000
    ratio = check_ms / base_ms
    print(f"alertctl: {alertctl}")
    state = ", first-ever run: no state database" if args.first_run else ", state database from a warm-up check"
    print(f"alertctl check --dry-run: median {check_ms:.1f} ms ({args.runs} runs{state})")
    print(f'python -c "{BASELINE_CODE}": median {base_ms:.1f} ms')
    print(f"ratio: {ratio:.2f} (target <= {args.target:g})")
    return 1 if args.strict and ratio > args.target else 0


if __name__ == "__main__":
    sys.exit(main())
