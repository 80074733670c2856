"""The `alertctl` command: every subcommand joined here, nothing else.

Subcommand modules import their heavy parts (rich, apprise, pydantic) inside the
functions that need them, so `alertctl check` starts cold in cron quickly. They
also leave out `from __future__ import annotations`: typer builds every command's
options at each start and would `eval` each string annotation (7 ms of a 120 ms
`check`, measured with bench/coldstart.py).
"""

import sys

from alertctl.cli.hangup import catch_hangups

catch_hangups(sys.argv[1:])  # before the imports below: a SIGHUP while they run must not end `watch`

from typing import Annotated  # noqa: E402

import typer  # noqa: E402

from alertctl import __version__  # noqa: E402
from alertctl.cli import alerts_cmd, check_cmd, config_cmd, metrics_cmd, notify_cmd, report_cmd, watch_cmd  # noqa: E402
from alertctl.cli import backtest_cmd, silence_cmd  # noqa: E402
from alertctl.nagios import State  # noqa: E402

app = typer.Typer(
    name="alertctl",
    help="Watch this server, keep every alert as an incident, tell the right people.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        print(f"alertctl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """alertctl: thresholds on CPU, memory, disks and your own checks; alerts in SQLite; notices via Apprise."""


app.command("watch")(watch_cmd.watch)
app.command("check")(check_cmd.check)
app.command("metrics")(metrics_cmd.metrics)
app.command("history")(alerts_cmd.history)
app.command("show")(alerts_cmd.show)
app.command("ack")(alerts_cmd.ack)
app.command("resolve")(alerts_cmd.resolve)
app.command("prune")(alerts_cmd.prune)
app.command("suppress")(silence_cmd.suppress)
app.command("silences")(silence_cmd.silences_)
app.command("unsuppress")(silence_cmd.unsuppress)
app.command("report")(report_cmd.report)
app.command("backtest")(backtest_cmd.backtest)
app.add_typer(config_cmd.app, name="config")
app.add_typer(notify_cmd.app, name="notify")


def main() -> None:
    """Run the CLI; a usage error (unknown option, bad choice) is one line on stderr and exit 2."""
    try:
        code = app(standalone_mode=False)
    except Exception as error:
        if not (hasattr(error, "format_message") and hasattr(error, "exit_code")):
            raise
        context = getattr(error, "ctx", None)
        where = context.command_path if context is not None else "alertctl"
        print(f"{where}: {error.format_message()} (see --help)", file=sys.stderr)
        code = error.exit_code
        if where.endswith(" check"):  # a Nagios plugin answers UNKNOWN to bad arguments too
            print(f"ALERTCTL UNKNOWN - {error.format_message()}")
            code = State.UNKNOWN
    sys.exit(code or 0)
