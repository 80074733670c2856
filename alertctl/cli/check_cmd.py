"""`check`: one cycle for cron, answering as a Nagios plugin."""

from collections.abc import Sequence
from typing import Annotated

import typer

from alertctl.cli.common import (
    ConfigOption,
    DbOption,
    DebugOption,
    JsonOption,
    Session,
    error_line,
    guarded,
    open_session,
)
from alertctl.cli.present import alert_dict, to_json
from alertctl.engine import breached
from alertctl.errors import shown
from alertctl.loop import Cycle, Runner
from alertctl.model import Rule, make_labels
from alertctl.nagios import ServiceState, state_of, status_line
from alertctl.notify import Notifier


def _answer_unknown(message: str, arguments: dict[str, object]) -> None:
    """Nagios reads stdout: say UNKNOWN there too, not only on stderr."""
    if arguments.get("json_"):
        print(
            to_json(
                {
                    "status": ServiceState.UNKNOWN.name,
                    "exit_code": int(ServiceState.UNKNOWN),
                    "error": shown(message, keep="\n"),
                    "alerts": [],
                    "rules": [],
                }
            )
        )
    else:
        first = message.split("\n")[0]
        print(f"ALERTCTL UNKNOWN - {shown(first)}")


@guarded(failure_exit=ServiceState.UNKNOWN, announce=_answer_unknown)
def check(
    json_: JsonOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Evaluate and report, but write and send nothing.")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Sample once, evaluate, record and notify; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

    Example (cron): * * * * * alertctl check >/dev/null
    """
    session = open_session(config, db, dry_run=dry_run)
    runner = Runner(session.config, session.conn, _notifiers(session), dry_run=dry_run)
    cycle = runner.run_once()
    blind = watched_blind(session.config.rules, cycle)
    state = state_of(cycle.open_alerts, blind)
    if json_:
        print(
            to_json(
                {
                    "status": state.name,
                    "exit_code": int(state),
                    "alerts": [alert_dict(a) for a in cycle.open_alerts],
                    "rules": rule_states(session.config.rules, cycle),
                }
            )
        )
    else:
        samples = [*cycle.reading.samples, *cycle.derived]
        print(status_line(state, cycle.open_alerts, samples, session.config.rules, blind, cycle.warming))
    raise typer.Exit(int(state))


def _notifiers(session: Session) -> list[Notifier]:
    """Send what is due (this run's notices, and earlier runs' retries) within a bounded time;
    each failed attempt is a line on stderr (cron mails it; a `${VARIABLE}` that is not set is one
    too, so it is not said twice), the exit status stays Nagios'."""
    from alertctl.notify.worker import sending_from

    return sending_from(session.conn, lambda: session.config, failed=error_line)


def watched_blind(rules: Sequence[Rule], cycle: Cycle) -> dict[str, str]:
    """Rules without data that make `check` UNKNOWN, with why: all but those with `nodata = "ignore"`."""
    return {
        rule.name: cycle.blind[rule.name].reason
        for rule in rules
        if rule.name in cycle.blind and rule.nodata is not None
    }


def rule_states(rules: Sequence[Rule], cycle: Cycle) -> list[dict[str, object]]:
    """Per rule and label set: ok, pending (breached, waiting on `for`/`consecutive`) or firing;
    a rule without a sample is one entry, `nodata`, with the reason (and, once its no-data
    alert is open, that alert's severity); a forecast rule's series with too short a history
    yet is `warming`, with the reason (or `firing` while an alert it held stays open)."""
    firing = {(a.rule, make_labels(a.series)): a for a in cycle.open_alerts if not a.nodata}
    unseen = {a.rule: a.severity.label for a in cycle.open_alerts if a.nodata}
    states: list[dict[str, object]] = []
    for rule in rules:
        if rule.name in cycle.blind:
            states.append(
                {
                    "rule": rule.name,
                    "state": "nodata",
                    "severity": unseen.get(rule.name),
                    "value": None,
                    "labels": dict(rule.match),
                    "reason": cycle.blind[rule.name].reason,
                }
            )
            continue
        for sample in (s for s in [*cycle.reading.samples, *cycle.derived] if rule.selects(s)):
            alert = firing.get((rule.name, sample.labels))
            severity = alert.severity if alert else breached(rule, sample.value)
            states.append(
                {
                    "rule": rule.name,
                    "state": "firing" if alert else ("pending" if severity else "ok"),
                    "severity": severity.label if severity else None,
                    "value": sample.value,
                    "labels": dict(sample.labels),
                }
            )
        for early in (w for w in cycle.warming if w.rule == rule.name):
            held = firing.get((rule.name, early.labels))
            states.append(
                {
                    "rule": rule.name,
                    "state": "firing" if held else "warming",
                    "severity": held.severity.label if held else None,
                    "value": None,
                    "labels": dict(early.labels),
                    "reason": early.reason,
                }
            )
    return states
