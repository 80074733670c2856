"""What every command shares: the --config/--db/--debug options, the session, the error boundary
(within which the package's log records go where `logs.py` sends them)."""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer

from alertctl import reported
from alertctl.config import load_config, locate
from alertctl.config.runtime import Config
from alertctl.errors import AlertctlError, ConfigError, UsageError, shown

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="Config file (default: $ALERTCTL_CONFIG, ./alertctl.toml, ...).", show_default=False
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Database file (default: $ALERTCTL_DB, [agent] database, ~/.local/state/...).", show_default=False
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")]

P = ParamSpec("P")
R = TypeVar("R")

_DATABASE: ContextVar[Path | None] = ContextVar("database", default=None)
"""The database file the running command uses, for a SQLite error to name (a full disk)."""

_TAB = "\t"


def error_line(message: str) -> None:
    print(f"alertctl: {shown(message, keep=_TAB)}", file=sys.stderr)


def _handlers() -> Callable[[], None]:
    """The command's log handlers (`logs.py`), once its first record comes."""
    from alertctl.cli.logs import install

    return install()


def guarded(
    failure_exit: int | None = None, announce: Callable[[str, dict[str, object]], None] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn expected errors into one line and an exit status; tracebacks only with --debug.

    `failure_exit` overrides every failure's status, and `announce` also gets the message with
    the command's arguments: `check` answers UNKNOWN (3) on stdout, as Nagios reads it.
    """

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            debug = bool(kwargs.get("debug")) or os.environ.get("ALERTCTL_DEBUG", "") not in ("", "0", "false")
            database = _DATABASE.set(None)
            try:
                with reported.routed(_handlers):
                    return command(*args, **kwargs)
            except (typer.Exit, typer.Abort):
                raise
            except BrokenPipeError:
                _quiet_after_closed_pipe(failure_exit or 0)
            except Exception as error:
                if debug:
                    _list_every_problem(error)
                    raise
                message, code = explain(error)
                if announce is not None:
                    announce(message, kwargs)
                _fail(message, failure_exit or code)
            finally:
                _DATABASE.reset(database)

        return wrapper

    return decorate


def _list_every_problem(error: Exception) -> None:
    """Under --debug a config error shows every problem, not only the first and a count."""
    if isinstance(error, ConfigError) and len(error.problems) > 1:
        for problem in error.problems:
            error_line(problem)


def _quiet_after_closed_pipe(code: int) -> NoReturn:
    """`alertctl history --json | head`: the reader has all it wanted; no noise at exit.

    `check` still exits UNKNOWN: its verdict was not read, so it must not pass for OK.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(code)


def explain(error: Exception) -> tuple[str, int]:
    if isinstance(error, AlertctlError):
        return str(error), error.exit_code
    if isinstance(error, UnicodeEncodeError):  # an argument with bytes that are not UTF-8: $'\xff'
        return f"{error.object[error.start : error.end]!r} is not UTF-8 text (check the arguments' encoding)", 2
    if isinstance(error, sqlite3.Error):
        where = _DATABASE.get()
        return f"{where}: database error: {error}" if where else f"database error: {error}", 1
    if isinstance(error, OSError):
        return f"{error.filename or 'system error'}: {error.strerror or error}", 1
    return f"internal error: {type(error).__name__} (rerun with --debug for details)", 1


def _fail(message: str, code: int) -> NoReturn:
    for line in message.rstrip("\n").split("\n"):
        error_line(line)
    raise typer.Exit(code)


@dataclass
class Session:
    config: Config
    conn: sqlite3.Connection
    db_path: Path


def load_checked(explicit: Path | None, *, use_cache: bool = True) -> Config:
    """The config, and a warning on stderr when anyone on the machine may read a secret in it.

    Once per command: `watch` reloading on SIGHUP calls `load_config` itself.
    """
    from alertctl.config.exposure import exposure_warning

    config = load_config(explicit, use_cache=use_cache)
    warning = exposure_warning(locate.config_path(explicit), config)
    if warning is not None:
        error_line(warning)
    return config


def config_and_database(config_path: Path | None, db_path: Path | None) -> tuple[Config, Path]:
    config = load_checked(config_path)
    path = locate.database_path(db_path, config.agent.database)
    _DATABASE.set(path)
    return config, path


def open_session(config_path: Path | None, db_path: Path | None, *, dry_run: bool = False) -> Session:
    """Config plus an open database; a dry run on a database not yet created uses a scratch one."""
    from alertctl.store.db import open_database

    config, path = config_and_database(config_path, db_path)
    if dry_run and not path.exists():
        return Session(config, open_database(":memory:"), path)
    return Session(config, open_database(path), path)


def open_records(config_path: Path | None, db_path: Path | None) -> tuple[sqlite3.Connection, Config | None]:
    """The database an operator command (ack, history, ...) uses, even when the config fails to load.

    Mid-incident a typo in the config must not stand between the operator and `ack`: the
    problem is said once on stderr, and the database is the one the command would have
    used (--db, $ALERTCTL_DB, else the [agent] database as far as it can be read, else the
    default). The config is None then.
    """
    from alertctl.store.db import open_database

    try:
        config, path = config_and_database(config_path, db_path)
    except ConfigError as error:
        path = locate.database_path(db_path, locate.database_of_unloadable(config_path))
        error_line(f"warning: config not loaded, using database {path}: {str(error).splitlines()[0]}")
        return open_database(path), None
    return open_database(path), config


def parse_labels(pairs: list[str] | None) -> tuple[tuple[str, str], ...]:
    labels = []
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--label {pair!r}: expected KEY=VALUE, e.g. --label mount=/var")
        labels.append((key.strip(), value))
    return tuple(labels)
