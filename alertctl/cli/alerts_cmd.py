"""history, show, ack, resolve, prune: reading and closing alerts by hand."""

import getpass
import sqlite3
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer

from alertctl.cli.common import (
    ConfigOption,
    DbOption,
    DebugOption,
    JsonOption,
    error_line,
    guarded,
    open_records,
    open_session,
    parse_labels,
)
from alertctl.cli.present import alert_dict, to_csv, to_json, to_tsv
from alertctl.durations import format_duration, iso, parse_duration, parse_time_point
from alertctl.engine import breached, cleared
from alertctl.errors import NotFoundError, UsageError
from alertctl.messages import level_crossing, still_breached
from alertctl.model import Alert, Rule, make_labels
from alertctl.store import alerts
from alertctl.store.db import transaction


class SeverityChoice(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"
    critical = "critical"


class StatusChoice(StrEnum):
    open = "open"
    firing = "firing"
    acknowledged = "acknowledged"
    suppressed = "suppressed"
    resolved = "resolved"


OPEN_STATUSES = ("firing", "acknowledged", "suppressed")
"""What `--status open` stands for: every alert not yet resolved."""


def _statuses(chosen: list[StatusChoice] | None) -> tuple[str, ...]:
    wanted = [s.value for s in chosen or ()]
    expanded = [status for s in wanted for status in (OPEN_STATUSES if s == "open" else (s,))]
    return tuple(dict.fromkeys(expanded))


MAX_ID = 2**63 - 1
"""SQLite's largest integer: anything bigger is a typo, and a clear usage error."""
IdsArgument = Annotated[
    list[int],
    typer.Argument(metavar="ID...", help="Alert ids, as `history` shows them.", show_default=False, min=1, max=MAX_ID),
]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why; kept on the alert.")]


def _time_option(name: str, text: str | None, now: float) -> float | None:
    if text is None:
        return None
    try:
        return parse_time_point(text, now)
    except ValueError as error:
        raise UsageError(f"{name}: {error}") from None


@guarded()
def history(
    severity: Annotated[
        list[SeverityChoice] | None, typer.Option("--severity", help="Worst severity reached (repeatable).")
    ] = None,
    status: Annotated[
        list[StatusChoice] | None,
        typer.Option("--status", help="Current status (repeatable); open = firing, acknowledged or suppressed."),
    ] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule.")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="KEY=VALUE, e.g. mount=/var (repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Started after: 2h, 7d or an ISO date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Started before: 2h, 7d or an ISO date.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_ID, help="At most this many.")] = 50,
    json_: JsonOption = False,
    csv_: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Alerts, newest first: one line each; into a pipe, tab-separated with a header line.

    Example: alertctl history --status open --since 7d
    """
    if json_ and csv_:
        raise UsageError("--json and --csv: choose one")
    now = time.time()
    wanted = alerts.HistoryFilter(
        severities=tuple(s.value for s in severity or ()),
        statuses=_statuses(status),
        rule=rule,
        labels=parse_labels(label),
        since=_time_option("--since", since, now),
        until=_time_option("--until", until, now),
        limit=limit,
    )
    found = [a.effective(now) for a in alerts.history(open_records(config, db)[0], wanted)]
    if json_:
        print(to_json([alert_dict(a) for a in found]))
    elif csv_:
        print(to_csv(found), end="")
    elif not sys.stdout.isatty():
        print(to_tsv(found), end="")
    elif not found:
        print("No alerts match.")
    else:
        from alertctl.cli.tables import console, history_lines

        out = console()
        for line in history_lines(found, out.width, now):
            out.print(line, no_wrap=True, crop=True, overflow="ellipsis")


@guarded()
def show(
    alert_id: Annotated[int, typer.Argument(metavar="ID", help="Alert id.", min=1, max=MAX_ID)],
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """One alert in full: values, times, operator notes, context, recommendations, and its metric around it.

    Example: alertctl show 42
    """
    from alertctl.cli import metric_history

    conn, _ = open_records(config, db)
    now = time.time()
    alert = _existing(conn, alert_id).effective(now)
    steps = timeline(conn, alert.id)
    signal = metric_history.alert_signal(conn, alert, now)
    if json_:
        drawn = {
            "step": signal.step if signal else 0,
            "points": metric_history.points_json(signal.points if signal else []),
        }
        print(to_json(alert_dict(alert) | notices_dict(conn, alert.id) | {"timeline": steps, "signal": drawn}))
        return
    from alertctl.cli.tables import alert_detail, console

    out = console()
    out.print(alert_detail(alert, steps, out.width), soft_wrap=True)
    out.print(metric_history.alert_chart(alert, signal, now, out.width))


def timeline(conn: sqlite3.Connection, alert_id: int) -> list[dict[str, object]]:
    """What happened to it, and every notice decided for it, oldest first: `{at, kind, detail}`."""
    from alertctl.store import events, outbox

    found = [(e["at"], 0, e["kind"], e["detail"]) for e in events.of(conn, alert_id)]
    for n in outbox.notices(conn, alert_id):
        found.append((n["at"], 1, "notice", _notice_text(n)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [{"at": iso(at), "kind": kind, "detail": detail} for at, _, kind, detail in found]


def _notice_text(n: sqlite3.Row) -> str:
    where = f" to {n['channel']}" if n["channel"] else ""
    why = f"{n['reason']}, {n['detail']}" if n["detail"] else n["reason"]
    tries = f" after {n['attempts']} attempts" if n["attempts"] > 1 else ""
    state = "retrying" if n["state"] == "pending" and n["attempts"] else n["state"]
    error = f"; last error: {n['last_error']}" if n["last_error"] and n["state"] != "delivered" else ""
    return f"{n['kind']}{where} ({why}): {state}{tries}{error}"


def notices_dict(conn: sqlite3.Connection, alert_id: int) -> dict[str, object]:
    """`deliveries`: every attempt; `notices`: every decision, sent or deliberately not, and why."""
    from alertctl.store import outbox

    return {
        "deliveries": [
            {
                "at": iso(d["at"]),
                "channel": d["channel"],
                "kind": d["kind"],
                "ok": bool(d["ok"]),
                "error": d["error"],
                "reason": d["reason"],
            }
            for d in outbox.deliveries(conn, alert_id)
        ],
        "notices": [
            {
                "at": iso(n["at"]),
                "kind": n["kind"],
                "channel": n["channel"],
                "reason": n["reason"],
                "state": n["state"],
                "attempts": n["attempts"],
                "last_error": n["last_error"],
                "notice_id": n["notice_id"],
            }
            for n in outbox.notices(conn, alert_id)
        ],
    }


def _existing(conn: sqlite3.Connection, alert_id: int) -> Alert:
    alert = alerts.get(conn, alert_id)
    if alert is None:
        raise NotFoundError(f"alert {alert_id}: no such alert (see `alertctl history`)")
    return alert


def _change_each(
    conn: sqlite3.Connection, alert_ids: list[int], change: Callable[[int, float], Alert | None]
) -> list[tuple[Alert, Alert]]:
    """All or nothing: every id must exist before any alert changes. Returns (before, after) pairs."""
    with transaction(conn):
        before = [_existing(conn, alert_id) for alert_id in alert_ids]
        return [(old, change(old.id, time.time()) or old) for old in before]


@guarded()
def ack(
    alert_ids: IdsArgument,
    by: Annotated[str | None, typer.Option("--by", help="Who (default: your login name).")] = None,
    note: NoteOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Acknowledge alerts: someone is on it; stops repeats and escalation.

    Example: alertctl ack 42 --note "on it"
    """
    who = by or getpass.getuser()
    conn, _ = open_records(config, db)
    changed = _change_each(conn, alert_ids, lambda alert_id, now: alerts.acknowledge(conn, alert_id, who, note, now))
    for _, alert in changed:
        state = "already resolved" if alert.resolved_at else f"acknowledged by {alert.acked_by}"
        print(f"#{alert.id} {alert.rule}: {state}")


@guarded()
def resolve(
    alert_ids: IdsArgument,
    note: NoteOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Close alerts by hand (resolution `manual`); a breach that goes on must qualify again to re-alert.

    Example: alertctl resolve 42 --note "fixed the cron job"
    """
    conn, settings = open_records(config, db)
    changed = _change_each(conn, alert_ids, lambda alert_id, now: alerts.resolve_by_hand(conn, alert_id, note, now))
    rules = {rule.name: rule for rule in settings.rules} if settings is not None else {}
    for before, alert in changed:
        how = "already resolved" if before.resolved_at else "resolved"
        print(f"#{alert.id} {alert.rule}: {how} ({alert.resolution.value if alert.resolution else ''})")
        if before.resolved_at is None and (warning := _reopens(before, rules.get(before.rule))):
            error_line(warning)


def _reopens(alert: Alert, rule: Rule | None) -> str | None:
    """A resolve that may not hold: the metric had not cleared at the last check, so the engine
    opens a new alert as soon as a level qualifies again."""
    if rule is None or alert.value is None or cleared(rule, alert.value):
        return None
    still = still_breached(rule, make_labels(alert.series), alert.value)
    if breached(rule, alert.value) is None:
        then = f"a new alert will open if it goes {level_crossing(rule, rule.levels()[0][0])} again"
    else:
        then = f"a new alert will open {_when_it_reopens(rule)}"
    scope = " ".join([f"--rule {alert.rule}", *(f"--label {k}={v}" for k, v in sorted(alert.series.items()))])
    return (
        f"warning: #{alert.id} {alert.rule}: {still}; {then}; to quiet it, `alertctl ack` that alert "
        f"or `alertctl suppress {scope} --for 1h --reason ...`"
    )


def _when_it_reopens(rule: Rule) -> str:
    """Resolving restarted the rule's `for` and `consecutive` count (see `alerts.resolve_by_hand`)."""
    wait = rule.for_level(rule.levels()[0][1])
    needs = [f"held for {format_duration(wait)}"] if wait else []
    needs += [f"lasted {rule.consecutive} checks"] if rule.consecutive > 1 else []
    return "once the breach has " + " and ".join(needs) if needs else "at the next check"


@guarded()
def prune(
    older_than: Annotated[str | None, typer.Option("--older-than", help="Default: [agent] retention.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete resolved alerts that resolved longer ago than this, and history past [history] keep_*.

    Example: alertctl prune --older-than 30d
    """
    from alertctl.store import history

    session = open_session(config, db)
    try:
        age = parse_duration(older_than) if older_than is not None else session.config.agent.retention
    except ValueError as error:
        raise UsageError(f"--older-than: {error}") from None
    now = time.time()
    before = now - age
    with transaction(session.conn):
        removed = alerts.prune(session.conn, before)
        kept = alerts.kept_for_notices(session.conn, before)
        samples = history.prune(session.conn, now, session.config.history)
    said = f"Pruned {removed} resolved alerts older than {older_than or 'the retention'}"
    if kept:
        said += f"; kept {len(kept)} whose notices are still being retried ({', '.join(f'#{i}' for i in kept)})"
    print(f"{said}.")
    print(
        f"Pruned metric history past [history] keep_*: {samples.chunks} hourly chunks, "
        f"{samples.rollups} rollup buckets, {samples.series} unused series."
    )
