"""Deciding and queueing a cycle's notices, inside the cycle's own transaction.

Called by the loop after the alert rows are written and before the commit, so
an alert change and the notices it causes are saved together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from alertctl.config.runtime import Config
from alertctl.model import Alert, Change, Rule, Status, Transition
from alertctl.notice_text import compose
from alertctl.notify.policy import decide
from alertctl.store import alerts, outbox


def queue_notices(
    conn: sqlite3.Connection,
    config: Config,
    rules: Mapping[str, Rule],
    transitions: Sequence[Transition],
    open_alerts: Sequence[Alert],
    status_before: Mapping[int, Status],
    now: float,
    unsilenced: Mapping[int, int] | None = None,
) -> list[str]:
    """Write this cycle's decisions: notices to the outbox, deliberate silences to `muted`.

    A template that cannot be rendered for an alert never costs the alert (this runs inside
    the cycle's transaction): the built-in wording is used, and the problems are returned for
    the caller to say (once: the same template fails every notice alike)."""
    notable = [t for t in transitions if t.notable and t.change is not Change.LOWERED]
    ids = [a.id for a in open_alerts] + [t.alert_id for t in notable if t.change is Change.RESOLVED]
    logs = outbox.notice_logs(conn, [i for i in ids if i is not None])
    decisions = decide(notable, open_alerts, status_before, logs, config.notify, rules, now, unsilenced)
    by_id = {a.id: a for a in open_alerts}
    notify = config.notify
    problems: list[str] = []
    for decision in decisions:
        if decision.muted:
            outbox.record_muted(conn, decision.alert_id, decision.kind, decision.reason, now, decision.detail)
            continue
        alert = by_id.get(decision.alert_id) or alerts.get(conn, decision.alert_id)
        if alert is None:
            continue
        shown = compose(alert, decision.kind, decision.reason, notify.title_template, notify.body_template)
        problems += [problem for problem in shown.problems if problem not in problems]
        outbox.enqueue(
            conn,
            [
                outbox.NewNotice(
                    alert.id,
                    channel,
                    decision.kind,
                    decision.reason,
                    shown.title,
                    shown.body,
                    shown.notify_type,
                    alert.severity,
                )
                for channel in decision.channels
            ],
            now,
        )
    return problems
