"""report: what the alert history says about this server."""

import time
from datetime import datetime
from typing import Annotated

import typer

from alertctl.cli.common import ConfigOption, DbOption, DebugOption, JsonOption, guarded, open_records
from alertctl.durations import parse_time_point
from alertctl.errors import UsageError

DEFAULT_SINCE = "7d"


def _point(name: str, text: str, now: float) -> float:
    """A window end that is also a calendar date: the daily table lists every date in between."""
    try:
        point = parse_time_point(text, now)
        datetime.fromtimestamp(point)
    except (ValueError, OverflowError, OSError) as error:
        raise UsageError(f"{name}: {error}") from None
    return point


def window(since: str | None, until: str | None, what: str) -> tuple[float, float]:
    """`--since` (default 7 days ago) to `--until` (default now), in epoch seconds; `what` for the error."""
    now = time.time()
    start = _point("--since", since or DEFAULT_SINCE, now)
    end = now if until is None else _point("--until", until, now)
    if start > end:
        raise UsageError(f"--since ({since or DEFAULT_SINCE}) is after --until ({until or 'now'}): nothing to {what}")
    return start, end


@guarded()
def report(
    since: Annotated[str | None, typer.Option("--since", help="Window start: 7d (default), 2h or an ISO date.")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Window end: now (default), a duration ago or an ISO date.")
    ] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule.")] = None,
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Pattern report: when alerts come, which rules are noise, how fast people respond.

    Counts the alerts that started inside the window (default: the last 7 days).

    Example: alertctl report --since 30d
    """
    start, end = window(since, until, "report")
    from alertctl import report as reporting
    from alertctl.store.report import Window, aggregates

    conn, settings = open_records(config, db)
    built = reporting.build(aggregates(conn, Window(start, end, rule)), start, end, rule)
    if settings is not None and any(s.kind in ("flapping", "blips") for s in built.suggestions):
        from alertctl.backtest.advice import with_replays

        built = with_replays(built, conn, settings)
    if json_:
        from alertctl.cli.present import to_json

        print(to_json(reporting.to_dict(built)))
        return
    from alertctl.cli.report_view import print_report
    from alertctl.cli.tables import console

    print_report(console(), built)
