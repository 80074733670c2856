"""suppress, silences, unsuppress: muting one alert, or a rule's alerts by labels, for a while."""

import getpass
import time
from typing import Annotated

import typer

from alertctl.cli.alerts_cmd import MAX_ID
from alertctl.cli.common import (
    ConfigOption,
    DbOption,
    DebugOption,
    JsonOption,
    guarded,
    open_records,
    open_session,
    parse_labels,
)
from alertctl.cli.present import alert_dict, to_json
from alertctl.config.runtime import Config
from alertctl.durations import format_duration, iso, parse_duration
from alertctl.errors import NotFoundError, UsageError, shown
from alertctl.model import Silence
from alertctl.store import alerts, silences
from alertctl.store.db import transaction


@guarded()
def suppress(
    alert_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="One alert to mute.", min=1, max=MAX_ID)
    ] = None,
    for_: Annotated[
        str | None, typer.Option("--for", help="How long: 30m, 2h, 1d (at most [notify] max_silence).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why; required for a silence.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Silence this rule's alerts instead of one alert.")] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="KEY=VALUE the alerts must carry (repeatable).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Silence a rule the config does not have (yet).")] = False,
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Mute one alert, or silence a rule's alerts (by labels), for a while; both still get recorded.

    Example: alertctl suppress 42 --for 2h --reason "disk swap planned"

    Example: alertctl suppress --rule disk-full --label mount=/var --for 1d --reason "migration"
    """
    if (alert_id is None) == (rule is None):
        raise UsageError("suppress: give an alert ID or --rule NAME, not both and not neither")
    if alert_id is not None and label:
        raise UsageError("--label: only with --rule (a silence); one alert is named by its ID")
    labels = parse_labels(label)
    session = open_session(config, db)
    if rule is not None and not force:
        _check_rule_name(rule, session.config)
    seconds = _duration(for_, session.config.notify.max_silence)
    reason = (reason or "").strip() or None
    now = time.time()
    with transaction(session.conn):
        if alert_id is None:
            assert rule is not None
            if reason is None:
                raise UsageError('--reason: a silence needs a reason, e.g. --reason "planned maintenance"')
            made = silences.create(session.conn, rule, labels, now, now + seconds, reason, getpass.getuser())
            _say_silence(made, silences.open_matches(session.conn, made), json_, now)
            return
        alert = alerts.get(session.conn, alert_id)
        if alert is None:
            raise NotFoundError(f"alert {alert_id}: no such alert (see `alertctl history`)")
        if alert.resolved_at is not None:
            raise UsageError(f"alert {alert_id}: already resolved; nothing to suppress")
        silences.suppress_alert(session.conn, alert_id, now + seconds, reason, now)
        after = alerts.get(session.conn, alert_id)
    if json_ and after is not None:
        print(to_json(alert_dict(after)))
    else:
        print(f"#{alert_id} {alert.rule}: suppressed until {iso(now + seconds)}")


def _duration(text: str | None, longest: float) -> float:
    if text is None:
        raise UsageError("--for: required, e.g. --for 2h")
    try:
        seconds = parse_duration(text)
    except ValueError as error:
        raise UsageError(f"--for: {error}") from None
    if seconds <= 0:
        raise UsageError(f"--for {text}: must be more than zero")
    if seconds > longest:
        raise UsageError(f"--for {text}: longer than [notify] max_silence ({format_duration(longest)})")
    return seconds


def _check_rule_name(rule: str, config: Config) -> None:
    """A silence for a misspelt rule matches nothing, and says nothing: refuse it, name the likely one."""
    names = [r.name for r in config.rules]
    if rule in names:
        return
    import difflib  # not at the top: `check` starts cold through this module too

    close = difflib.get_close_matches(rule, names, n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(
        f"--rule {shown(rule)}: no such rule in {config.source} ({guess}rules: {', '.join(names)}); --force silences it anyway"
    )


def _say_silence(silence: Silence, matches: int, json_: bool, now: float) -> None:
    if json_:
        print(to_json(silence_dict(silence, now, with_active=False) | {"open_alerts_matched": matches}))
        return
    print(
        f"silence #{silence.id} {_scope(silence)}: until {iso(silence.ends_at)}; matches {matches} open "
        f"alert{'' if matches == 1 else 's'} now" + (" (muted from the next check)" if matches else "")
    )


def _scope(silence: Silence) -> str:
    return " ".join([silence.rule, *(f"{k}={v}" for k, v in silence.labels)])


def silence_dict(silence: Silence, now: float, with_active: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "id": silence.id,
        "rule": silence.rule,
        "labels": dict(silence.labels),
        "starts_at": iso(silence.starts_at),
        "ends_at": iso(silence.ends_at),
        "reason": silence.reason,
        "created_by": silence.created_by,
    }
    if with_active:
        data["active"] = silence.active(now)
    return data


@guarded()
def silences_(
    all_: Annotated[bool, typer.Option("--all", help="Also lifted and expired ones.")] = False,
    json_: JsonOption = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Silences in force (with --all, every one ever made, newest last).

    Example: alertctl silences --all --json
    """
    conn, _ = open_records(config, db)
    now = time.time()
    found = silences.every(conn) if all_ else silences.not_over(conn, now)
    if json_:
        print(to_json([silence_dict(s, now, with_active=all_) for s in found]))
    elif not found:
        print("No silences." if all_ else "No active silences.")
    else:
        for s in found:
            ended = s.lifted_at if s.lifted_at is not None and s.lifted_at < s.ends_at else s.ends_at
            print(
                f"#{s.id} {s.state(now).value} {_scope(s)} {iso(s.starts_at)} .. {iso(ended)} "
                f"by {s.created_by}: {s.reason}"
            )


@guarded()
def unsuppress(
    alert_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="The alert to unmute.", min=1, max=MAX_ID)
    ] = None,
    silence: Annotated[
        int | None, typer.Option("--silence", metavar="SID", help="Lift this silence now.", min=1, max=MAX_ID)
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Lift a suppression early: one alert goes back to firing; a silence ends now and is kept.

    Example: alertctl unsuppress 42

    Example: alertctl unsuppress --silence 3
    """
    if (alert_id is None) == (silence is None):
        raise UsageError("unsuppress: give an alert ID or --silence SID, not both and not neither")
    conn, _ = open_records(config, db)
    now = time.time()
    with transaction(conn):
        if silence is not None:
            found = silences.get(conn, silence)
            if found is None:
                raise NotFoundError(f"silence {silence}: no such silence (see `alertctl silences --all`)")
            silences.lift(conn, silence, now)
            was = found.state(now).value
            print(
                f"silence #{silence} {_scope(found)}: "
                + ("lifted" if was in ("active", "pending") else f"already {was}")
            )
            return
        assert alert_id is not None
        alert = alerts.get(conn, alert_id)
        if alert is None:
            raise NotFoundError(f"alert {alert_id}: no such alert (see `alertctl history`)")
        lifted = silences.unsuppress_alert(conn, alert_id, now)
        after = alerts.get(conn, alert_id)
    state = after.status.value if after is not None else "?"
    print(f"#{alert_id} {alert.rule}: {'now ' + state if lifted else 'not suppressed (' + state + ')'}")
