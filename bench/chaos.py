"""Chaos: `kill -9` of `watch` during deliveries, beside concurrent `check`s and operator commands.

Everything shares one database file, as in the README's own set-up (a `watch`
under systemd, cron `check`s, an operator). Two command checks print values that
a thread of this script changes at random (10, 90 or 99; rules warn above 80,
are critical above 95) and linger a little after printing, so a slow `check`
can commit a sample after a newer one. Two channels point at a receiver on
127.0.0.1: `slow` answers after SLOW_ANSWER seconds, `fast` at once. Each round
starts `watch`, runs a few `check`s, `ack`s, `suppress`es and `history`s beside
it, and kills the `watch` with SIGKILL, most often while a notice is being
answered. At the end the values clear and one last `watch` drains the outbox.

Printed figures:
- integrity errors: `PRAGMA integrity_check` after every kill and at the end;
- notices: queued (the outbox), received, lost (queued, never received) and
  duplicated (received more often than queued: a kill between send and record);
- phantom reopens: a series that resolved and then (re)opened on a sample older
  than the recovery, or on values that never breached;
- doubled recoveries: "resolved" twice in a row in a series' timeline;
- out of order: an event of the engine (opened, raised, resolved, ...) on a sample
  older than the series' previous one (a recovery on a value from before the
  opening is as wrong as a reopen on a value from before the recovery);
- process errors: a traceback, "database is locked", or an unexpected exit status.

Bounded: --kills rounds (default 50), at most --max-seconds in all; loopback only.
Runs the alertctl of this checkout (or of --source DIR) as `python -m alertctl`.
From the repository root: python3 bench/chaos.py [--kills 50] [--seed N] [--json]
Targets (issue 11): 0 lost, 0 phantom reopens, 0 integrity errors over at least 50 kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLOW_ANSWER = 0.3
SERIES = ("q0", "q1")
VALUES = (10.0, 90.0, 99.0)
WARNING = 80.0
READ_SLACK = 2.5
"""Seconds between a sample's time (read before sampling) and its command reading the value file."""
JUDGED = ("opened", "reopened", "raised", "lowered", "resolved")
"""Events the engine records at the time of the sample that caused them."""


@dataclass
class Figures:
    seed: int
    kills: int = 0
    checks: int = 0
    operator_commands: int = 0
    integrity_errors: int = 0
    queued: int = 0
    received: int = 0
    lost: int = 0
    duplicated: int = 0
    phantom_reopens: int = 0
    out_of_order: int = 0
    doubled_recoveries: int = 0
    process_errors: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.integrity_errors
            or self.lost
            or self.phantom_reopens
            or self.doubled_recoveries
            or self.out_of_order
            or self.process_errors
        )


class Receiver:
    """json:// endpoint: the path names the channel; `slow` answers late. Counts a notice on receipt."""

    def __init__(self) -> None:
        self.arrivals: list[dict[str, object]] = []
        self.answering = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                channel = self.path.strip("/")
                message = str(payload.get("message") or "")
                with receiver.lock:
                    receiver.arrivals += [{"channel": channel, "notice": notice} for notice in _notice_ids(message)]
                if channel == "slow":
                    receiver.answering.set()
                    time.sleep(SLOW_ANSWER)
                    receiver.answering.clear()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, channel: str) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/{channel}"


class Values:
    """Changes each series' value file at random, atomically, and remembers when."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.files = {name: root / f"{name}.value" for name in SERIES}
        self.history: dict[str, list[tuple[float, float]]] = {name: [] for name in SERIES}
        self.rng = rng
        self.stop = threading.Event()
        for name in SERIES:
            self.set(name, 10.0)

    def set(self, name: str, value: float) -> None:
        self.history[name].append((time.time(), value))
        spare = self.files[name].with_suffix(".next")
        spare.write_text(f"{value}\n")
        os.replace(spare, self.files[name])

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(0.2, 1.0)):
            self.set(self.rng.choice(SERIES), self.rng.choice(VALUES))

    def possible(self, name: str, at: float) -> set[float]:
        """Values a sample taken at `at` may have read: the one in effect, and any written just after."""
        history = self.history[name]
        before = [v for t, v in history if t <= at]
        return set(before[-1:]) | {v for t, v in history if at < t <= at + READ_SLACK}


def write_config(path: Path, values: Values, receiver: Receiver, linger: bool) -> Path:
    """`linger`: each command waits 0 to 1.9 s after printing (the cron `check`s' config), so it
    commits its sample late; `watch` samples without."""
    text = '[notify]\nrenotify = "0"\ndedup_window = "0s"\nmax_per_minute = 1000\ndigest_after = 1000\n\n'
    for channel in ("slow", "fast"):
        text += f'[notify.channels.{channel}]\nurls = ["{receiver.url(channel)}"]\n\n'
    for name, file in values.files.items():
        after = "; sleep $(( $$ % 2 )).$(( $$ % 10 ))" if linger else ""
        text += (
            f'[[checks]]\nname = "{name}"\ntype = "command"\n'
            f'command = ["sh", "-c", "cat {file}{after}"]\n\n'
            f'[[rules]]\nname = "{name}-high"\nmetric = "{name}.value"\nwarning = {WARNING:g}\ncritical = 95\n\n'
        )
    path.write_text(text)
    return path


class Chaos:
    def __init__(self, root: Path, source: Path, rng: random.Random, figures: Figures) -> None:
        self.root, self.rng, self.figures = root, rng, figures
        self.db = root / "chaos.db"
        self.receiver = Receiver()
        self.values = Values(root, rng)
        self.configs = {
            "watch": write_config(root / "watch.toml", self.values, self.receiver, linger=False),
            "other": write_config(root / "cron.toml", self.values, self.receiver, linger=True),
        }
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ALERTCTL_")},
            "PYTHONPATH": str(source),
            "HOME": str(root),
            "XDG_CACHE_HOME": str(root / "cache"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_CONFIG_HOME": str(root / "config"),
        }

    def start(self, *args: str) -> subprocess.Popen[str]:
        config = self.configs["watch" if args[0] == "watch" else "other"]
        return subprocess.Popen(
            [sys.executable, "-m", "alertctl", *args, "-c", str(config), "--db", str(self.db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=self.root,
        )  # not the caller's folder: `-m` would import from there first

    def round(self) -> None:
        """One `watch`, killed mid-flight, with checks and operator commands beside it."""
        watch = self.start("watch", "--interval", "0.2s")
        assert watch.stdout is not None
        if "watching" not in watch.stdout.readline():
            self.finish(watch, "watch", {0})
            return
        others = []
        until = time.monotonic() + self.rng.uniform(1.0, 3.0)
        while time.monotonic() < until:  # cron `check`s and an operator, at random moments of its life
            time.sleep(self.rng.uniform(0.1, 0.6))
            others.append((self.start("check"), "check", {0, 1, 2}) if self.rng.random() < 0.6 else self.operator())
        self.figures.checks += sum(1 for _, what, _ in others if what == "check")
        self.figures.operator_commands += sum(1 for _, what, _ in others if what != "check")
        self.receiver.answering.wait(1.0)  # most often while the slow channel is being answered
        time.sleep(self.rng.uniform(0.0, SLOW_ANSWER))
        os.kill(watch.pid, signal.SIGKILL)
        self.figures.kills += 1
        self.finish(watch, "watch", {-signal.SIGKILL})
        for proc, what, codes in others:
            self.finish(proc, what, codes)
        self.check_integrity()

    def operator(self) -> tuple[subprocess.Popen[str], str, set[int]]:
        open_ids = [row[0] for row in self.query("SELECT id FROM alerts WHERE status != 'resolved'")]
        what = self.rng.choice(("ack", "suppress", "history")) if open_ids else "history"
        if what == "history":
            return self.start("history", "--json", "--limit", "20"), what, {0}
        alert = str(self.rng.choice(open_ids))
        if what == "ack":
            return self.start("ack", alert, "--by", "chaos"), what, {0, 1}
        return self.start("suppress", alert, "--for", "1s", "--reason", "chaos"), what, {0, 1, 2}  # 2: resolved since

    def finish(self, proc: subprocess.Popen[str], what: str, codes: set[int]) -> None:
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            self.problem(f"{what} did not finish within 60 s")
            return
        if proc.returncode not in codes or "Traceback" in err or "locked" in err:
            self.problem(f"{what} exited {proc.returncode}: {err.strip()[-300:]}")

    def problem(self, text: str) -> None:
        self.figures.process_errors += 1
        self.figures.problems.append(text)

    def check_integrity(self) -> None:
        if self.db.exists() and self.query("PRAGMA integrity_check") != [("ok",)]:
            self.figures.integrity_errors += 1

    def drain(self, timeout: float = 90.0) -> None:
        """Clear every value, then one last `watch` until nothing is open or owed."""
        self.values.stop.set()
        for name in SERIES:
            self.values.set(name, 10.0)
        watch = self.start("watch", "--interval", "0.2s")
        assert watch.stdout is not None
        watch.stdout.readline()  # "watching ...": its signal handlers are in place
        deadline = time.monotonic() + timeout
        owed = (
            "SELECT (SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL)"
            " + (SELECT count(*) FROM alerts WHERE status != 'resolved')"
        )
        while time.monotonic() < deadline and (not self.db.exists() or self.query(owed) != [(0,)]):
            time.sleep(0.2)
        watch.send_signal(signal.SIGTERM)
        self.finish(watch, "final watch", {0})
        self.check_integrity()

    def query(self, statement: str) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(self.db, timeout=60)
        try:
            return conn.execute(statement).fetchall()
        finally:
            conn.close()


def count_notices(chaos: Chaos) -> None:
    """Lost and duplicated, by notice id: the outbox says what was owed, the receiver what came
    (each notice's body ends with its id; a digest lists the ids it covers)."""
    queued = Counter(notice_id for (notice_id,) in chaos.query("SELECT notice_id FROM outbox"))
    with chaos.receiver.lock:
        received = Counter(arrival["notice"] for arrival in chaos.receiver.arrivals)
    figures = chaos.figures
    figures.queued, figures.received = sum(queued.values()), sum(received.values())
    figures.lost = sum((queued - received).values())
    figures.duplicated = sum((received - queued).values())


def _notice_ids(message: str) -> list[str]:
    """The ids a body carries: a digest's covered ones, else its own (`Notice id: ...`)."""
    found = {}
    for line in message.splitlines():
        name, _, value = line.partition(": ")
        if name in ("Notice id", "Covers notice ids"):
            found[name] = value.split()
    return found.get("Covers notice ids") or found.get("Notice id") or []


def count_timelines(chaos: Chaos) -> None:
    """Per series, the engine's events over all its alerts in commit order: what came out of order,
    and what opened after a recovery, and why."""
    rows = chaos.query(
        "SELECT a.rule, a.series, e.kind, e.at FROM alert_events e JOIN alerts a ON a.id = e.alert_id "
        f"WHERE e.kind IN ({', '.join(repr(k) for k in JUDGED)}) ORDER BY e.id"
    )
    last: dict[tuple[object, object], tuple[str, float]] = {}
    for rule, series, kind, at in rows:
        taken = float(at)  # type: ignore[arg-type]
        previous = last.get((rule, series))
        last[(rule, series)] = (str(kind), taken)
        if previous is None:
            continue
        chaos.figures.out_of_order += taken < previous[1]
        if previous[0] != "resolved":
            continue
        if kind == "resolved":
            chaos.figures.doubled_recoveries += 1
        elif taken < previous[1] or not _justified(chaos.values, str(rule).removesuffix("-high"), taken):
            chaos.figures.phantom_reopens += 1


def _justified(values: Values, series: str, at: float) -> bool:
    """Whether a sample taken at `at` can have read a value that breaches."""
    return max(values.possible(series, at), default=0.0) > WARNING


def run(kills: int, seed: int, source: Path, max_seconds: float, root: Path) -> Figures:
    rng = random.Random(seed)
    figures = Figures(seed)
    chaos = Chaos(root, source, rng, figures)
    flipper = threading.Thread(target=chaos.values.run, daemon=True)
    started = time.monotonic()
    flipper.start()
    while figures.kills < kills and time.monotonic() - started < max_seconds:
        chaos.round()
    chaos.drain()
    time.sleep(SLOW_ANSWER)  # the last answer in flight
    count_notices(chaos)
    count_timelines(chaos)
    figures.seconds = round(time.monotonic() - started, 1)
    chaos.receiver.server.shutdown()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop starting rounds after this long")
    parser.add_argument("--source", type=Path, default=REPO, help="folder holding the alertctl package to run")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the database and config here")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="alertctl-chaos-") as scratch:
        root = options.workdir or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        figures = run(options.kills, seed, options.source.resolve(), options.max_seconds, root)
    if options.json:
        print(json.dumps(asdict(figures)))
    else:
        for name, value in asdict(figures).items():
            if name != "problems":
                print(f"{name.replace('_', ' '):>20}: {value}")
        for problem in figures.problems[:10]:
            print(f"problem: {problem}")
    return 0 if figures.clean else 1


if __name__ == "__main__":
    sys.exit(main())
