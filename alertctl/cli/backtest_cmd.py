"""backtest: replay the recorded samples through the engine for the config in use and a candidate."""

from pathlib import Path
from typing import Annotated

import typer

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, JsonOption, config_and_database, guarded
from alertctl.cli.report_cmd import window
from alertctl.config.runtime import Config
from alertctl.durations import parse_duration
from alertctl.errors import UsageError


def _duration(name: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise UsageError(f"{name}: {error}") from None


def _candidate(path: Path) -> Config:
    """The candidate file, validated as `config validate` would (its errors exit 2 naming file and key)."""
    from alertctl.config.load import validate

    return validate(path)


@guarded()
def backtest(
    candidate: Annotated[
        Path | None, typer.Argument(help="A config file to compare with the one in use.", show_default=False)
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Window start: 7d (default), 2h or an ISO date.")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Window end: now (default), a duration ago or an ISO date.")
    ] = None,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Only this rule (repeatable).")] = None,
    incident: Annotated[
        str, typer.Option("--incident", help="The shortest incident that `missed` and `added` count.")
    ] = "10m",
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Replay the recorded samples through the engine and notification policy `watch` runs.

    For the config in use and, when given, the CANDIDATE file: alerts, reopens, notices,
    time in alert and blips per rule, and the incidents of 10 minutes or more one raises
    and the other does not. Reads the database only: nothing is written or sent.

    Example: alertctl backtest new.toml --since 30d --rule cpu-high
    """
    start, end = window(since, until, "replay")
    from alertctl.backtest.run import run
    from alertctl.store.readonly import open_read_only

    current, path = config_and_database(config, db)
    other = _candidate(candidate) if candidate is not None else None
    conn = open_read_only(path)
    try:
        found = run(conn, current, other, start, end, rule or (), shortest=_duration("--incident", incident))
    finally:
        conn.close()
    from alertctl.cli.backtest_view import lines, to_dict

    if json_:
        from alertctl.cli.present import to_json

        print(to_json(to_dict(found)))
        return
    print("\n".join(lines(found)))
