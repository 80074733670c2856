"""The console script: the `alertctl` group, its error boundary, and which commands a run builds.

typer turns every registered command's signature into click options at each start, and
each command module imports what it needs: a cron `alertctl check` that built all the
others would pay for commands it never runs (5 ms of its 110 ms, bench/coldstart.py).
So `check` builds only itself; any other first word gets the whole CLI (`app.py`).
"""

import sys

from alertctl.cli.hangup import catch_hangups

catch_hangups(sys.argv[1:])  # before the imports below: a SIGHUP while they run must not end `watch`

from typing import Annotated  # noqa: E402

import typer  # noqa: E402

from alertctl import __version__  # noqa: E402
from alertctl.nagios import ServiceState  # noqa: E402


def new_app() -> typer.Typer:
    """The `alertctl` group with its own options and no subcommand yet."""
    app = typer.Typer(
        name="alertctl",
        help="Watch this server, keep every alert as an incident, tell the right people.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        add_completion=True,
    )
    app.callback()(_main)
    return app


def _version(value: bool) -> None:
    if value:
        print(f"alertctl {__version__}")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """alertctl: thresholds on CPU, memory, disks and your own checks; alerts in SQLite; notices via Apprise."""


def built_for(args: list[str]) -> typer.Typer:
    """`check` alone when it is the first word (cron's every minute); otherwise every command.

    Only the first word: an option before it may be the group's own (`--version`), which
    the full CLI handles, and shell completion runs with no words at all.
    """
    if args[:1] == ["check"]:
        from alertctl.cli import check_cmd

        app = new_app()
        app.command("check")(check_cmd.check)
        return app
    from alertctl.cli.app import app as everything

    return everything


def main() -> None:
    """Run the CLI; a usage error (unknown option, bad choice) is one line on stderr and exit 2."""
    app = built_for(sys.argv[1:])
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
            code = ServiceState.UNKNOWN
    sys.exit(code or 0)
