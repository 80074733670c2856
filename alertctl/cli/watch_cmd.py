"""`watch`: the foreground loop, for systemd or tmux."""

import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alertctl import reported
from alertctl.cli.common import (
    ConfigOption,
    DbOption,
    DebugOption,
    config_and_database,
    error_line,
    explain,
    guarded,
)
from alertctl.cli.hangup import RELOAD
from alertctl.cli.present import event_line, replaced_note
from alertctl.config import load_config
from alertctl.config.runtime import Config
from alertctl.durations import iso, parse_duration
from alertctl.errors import AlertctlError, UsageError
from alertctl.loop import Cycle, Runner, run_forever
from alertctl.metrics.demand import families_for
from alertctl.model import Transition
from alertctl.notify.worker import BackgroundDelivery
from alertctl.store.fallback import open_or_keep_in_memory

if TYPE_CHECKING:
    from alertctl.cli.watch_export import Export


class EventLog:
    """A notifier that writes one plain line per event: the log under systemd or a pipe."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        for t in transitions:
            if t.notable:
                self.write(event_line(t))


class BlindLog:
    """One line when a rule loses its data, one when it has data again: not one per cycle."""

    def __init__(self, write: Callable[[str], None], configured: Callable[[], Collection[str]]) -> None:
        self.write = write
        self.configured = configured
        """The rules in the running config: one a reload removed has not found its data again."""
        self._blind: dict[str, str] = {}

    def __call__(self, cycle: Cycle) -> None:
        current = {rule: spell.reason for rule, spell in cycle.blind.items()}
        for rule, reason in current.items():
            if rule not in self._blind:
                self.write(f"{iso(cycle.at)} nodata {rule}: {reason}")
        for rule in sorted((self._blind.keys() - current.keys()) & set(self.configured())):
            self.write(f"{iso(cycle.at)} data {rule}: samples again")
        self._blind = current


def _say(line: str) -> None:
    print(line, flush=True)


@guarded()
def watch(
    interval: Annotated[
        str | None, typer.Option("--interval", help="Sampling interval (default: [agent] interval).")
    ] = None,
    cycles: Annotated[int | None, typer.Option("--cycles", min=1, help="Stop after this many cycles.")] = None,
    textfile: Annotated[
        Path | None,
        typer.Option(
            "--textfile",
            metavar="DIR",
            help="Write DIR/alertctl.prom every cycle, for node_exporter's textfile collector.",
            show_default=False,
        ),
    ] = None,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            metavar="HOST:PORT",
            help="Serve the same metrics on http://HOST:PORT/metrics.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Sample, evaluate, record and notify in a loop until SIGINT/SIGTERM; SIGHUP reloads the config.

    Example: alertctl watch --interval 5s --textfile /var/lib/prometheus/node-exporter
    """
    try:
        fixed_interval = parse_duration(interval) if interval is not None else None
    except ValueError as error:
        raise UsageError(f"--interval: {error}") from None
    if fixed_interval is not None and fixed_interval <= 0:
        raise UsageError("--interval: must be more than 0s")
    from alertctl.cli.watch_export import Export  # a cron `check` loads this module too, and never exports

    export = Export.from_options(textfile, listen)
    exporting = textfile is not None or listen is not None
    settings, db_path = config_and_database(config, db)
    live = sys.stdout.isatty()
    if not live:  # what the delivery thread sends joins the event lines
        from alertctl.cli.logs import activity_on_stdout

        activity_on_stdout()
    database = open_or_keep_in_memory(db_path)
    stop, reload_wanted = threading.Event(), RELOAD  # a SIGHUP during start-up is a reload owed
    _install_signals(stop, reload_wanted)
    say = _say if not live else (lambda line: None)

    def running() -> Config:
        """The config in force, which a SIGHUP replaces: the runner's (read once it runs)."""
        return runner.config

    def every() -> float:
        return fixed_interval or running().agent.interval

    delivery = BackgroundDelivery(
        db_path, running, lambda: running().agent.hostname, paused=lambda: database.engaged, interval=every
    )
    runner = Runner(
        settings,
        database.conn,
        [delivery] if live else [EventLog(_say), delivery],
        fallback=database,
        families=families_for(settings.rules, exporting),
    )

    def reload_if_asked() -> None:
        if reload_wanted.is_set():
            reload_wanted.clear()
            _reload(runner, config, say, exporting)

    say(
        f"{iso(_now())} watching {runner.policy.host}: {len(runner.config.rules)} rules, "
        f"{len(runner.config.checks)} checks, every {every():g}s (sampling {', '.join(sorted(runner.families))}), "
        f"database {db_path}{replaced_note(runner.config.rules)}"
    )
    failing = (reported.scope(), "cycle")
    report = _reporter(debug, failing, lambda: export.cycle_failed(runner))
    delivery.start()
    export.start()
    try:
        if live:
            from alertctl.cli.live import LiveView

            with LiveView(runner, every) as view:
                on_cycle = _recovering(_exporting(_costing(view.update, debug), export, runner), failing)
                run_forever(runner, every, on_cycle, stop, reload_if_asked, cycles, report)
        else:
            on_cycle = _recovering(
                _exporting(_costing(BlindLog(_say, lambda: runner.rules), debug), export, runner), failing
            )
            done = run_forever(runner, every, on_cycle, stop, reload_if_asked, cycles, report)
            say(f"{iso(_now())} stopped after {done} cycles")
    finally:
        export.stop()
        database.stop()
        if not delivery.stop():
            error_line("notification delivery still busy at exit; what it did not send is kept for the next run")


def _exporting(show: Callable[[Cycle], None], export: "Export", runner: Runner) -> Callable[[Cycle], None]:
    """Show the cycle, then publish it: the live view never waits on a slow disk."""

    def on_cycle(cycle: Cycle) -> None:
        show(cycle)
        export.cycle_done(runner, cycle)

    return on_cycle


def _costing(show: Callable[[Cycle], None], debug: bool) -> Callable[[Cycle], None]:
    """With `--debug`, one stderr line per cycle: what each collector and the write lock cost."""
    if not debug:
        return show

    def show_with_costs(cycle: Cycle) -> None:
        show(cycle)
        costs = ", ".join(f"{name} {seconds * 1000:.1f}ms" for name, seconds in cycle.reading.costs.items())
        error_line(f"cycle costs: {costs}; write lock {cycle.lock_seconds * 1000:.1f}ms")

    return show_with_costs


def _recovering(show: Callable[[Cycle], None], failing: Hashable) -> Callable[[Cycle], None]:
    """A cycle that went through ends a streak of failed ones: the next failure is news again."""

    def on_cycle(cycle: Cycle) -> None:
        show(cycle)
        reported.settle(failing)

    return on_cycle


def _reporter(debug: bool, failing: Hashable, also: Callable[[], None]) -> Callable[[Exception], None]:
    """Say what broke a cycle once per streak (not every second while the disk stays full); keep watching."""

    def report(error: Exception) -> None:
        if debug:
            traceback.print_exc()
        message, _ = explain(error)
        reported.logger(__name__).warning("cycle failed, still watching: %s", message, extra={"on_change": failing})
        also()

    return report


def _now() -> float:
    return time.time()


def _install_signals(stop: threading.Event, reload_wanted: threading.Event) -> None:
    """Signals only set flags: the cycle in progress always finishes (and commits) first."""
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: reload_wanted.set())


def _reload(runner: Runner, config: Path | None, say: Callable[[str], None], exporting: bool) -> None:
    try:
        fresh = load_config(config)
    except AlertctlError as error:
        first = str(error).splitlines()[0]
        error_line(f"config reload failed, keeping the running config: {first}")
        return
    runner.configure(fresh, families_for(fresh.rules, exporting))
    say(
        f"{iso(_now())} config reloaded from {fresh.source}: {len(fresh.rules)} rules, {len(fresh.checks)} checks"
        f"{replaced_note(fresh.rules)}"
    )
