"""`watch`: the foreground loop, for systemd or tmux."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, error_line, guarded, open_session
from alertctl.config import load_config
from alertctl.durations import iso, parse_duration
from alertctl.errors import AlertctlError, UsageError
from alertctl.loop import Runner, run_forever
from alertctl.model import Transition


class EventLog:
    """A notifier that writes one plain line per event: the log under systemd or a pipe."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        for t in transitions:
            if t.notable:
                self.write(f"{iso(t.at)} {t.change.value} #{t.alert_id} {t.key.rule} {t.severity.label}: {t.message}")


def _say(line: str) -> None:
    print(line, flush=True)


@guarded()
def watch(
    interval: Annotated[str | None, typer.Option("--interval", help="Sampling interval (default: [agent] interval).")] = None,
    cycles: Annotated[int | None, typer.Option("--cycles", min=1, help="Stop after this many cycles.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Sample, evaluate, record and notify in a loop until SIGINT/SIGTERM; SIGHUP reloads the config.

    Example: alertctl watch --interval 5s
    """
    try:
        fixed_interval = parse_duration(interval) if interval is not None else None
    except ValueError as error:
        raise UsageError(f"--interval: {error}") from None
    if fixed_interval is not None and fixed_interval <= 0:
        raise UsageError("--interval: must be more than 0s")
    session = open_session(config, db)
    stop, reload_wanted = threading.Event(), threading.Event()
    _install_signals(stop, reload_wanted)
    live = sys.stdout.isatty()
    log = _say if not live else (lambda line: None)
    runner = Runner(session.config, session.conn, notifiers=[] if live else [EventLog(_say)], warn=error_line)

    def every() -> float:
        return fixed_interval or runner.config.agent.interval

    def reload_if_asked() -> None:
        if reload_wanted.is_set():
            reload_wanted.clear()
            _reload(runner, config, log)

    log(f"{iso(_now())} watching {runner.policy.host}: {len(runner.config.rules)} rules, "
        f"{len(runner.config.checks)} checks, every {every():g}s, database {session.db_path}")
    if live:
        from alertctl.cli.live import LiveView

        with LiveView(runner) as view:
            runner.notifiers = [view]
            run_forever(runner, every, view.update, stop, reload_if_asked, cycles)
    else:
        done = run_forever(runner, every, lambda cycle: None, stop, reload_if_asked, cycles)
        log(f"{iso(_now())} stopped after {done} cycles")


def _now() -> float:
    return time.time()


def _install_signals(stop: threading.Event, reload_wanted: threading.Event) -> None:
    """Signals only set flags: the cycle in progress always finishes (and commits) first."""
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: reload_wanted.set())


def _reload(runner: Runner, config: Path | None, log: Callable[[str], None]) -> None:
    try:
        fresh = load_config(config)
    except AlertctlError as error:
        first = str(error).splitlines()[0]
        error_line(f"config reload failed, keeping the running config: {first}")
        return
    runner.configure(fresh)
    log(f"{iso(_now())} config reloaded from {fresh.source}: {len(fresh.rules)} rules, {len(fresh.checks)} checks")
