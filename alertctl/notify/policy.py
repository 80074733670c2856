"""Who hears of what, and why (or why not): pure decisions with named reasons.

Input: the cycle's recorded transitions, the open alerts, what the outbox says
each alert was already told, the `[notify]` config and `now`. Output: one
`Decision` per notice (or deliberate silence), each carrying the reason that
`alertctl show` prints. Like Alertmanager's `FirstNotification`,
`RepeatIntervalElapsed`, `DoNotNotify`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alertctl.config.runtime import AlertmanagerChannel, Channel, Notify
from alertctl.model import Alert, Change, NoticeLog, Rule, Severity, Status, Transition
from alertctl.notice_reasons import Kind, Reason

SLACK = 1.0
"""Seconds a repeat or escalation may come early: cron's minute is not exact."""


@dataclass(frozen=True)
class Decision:
    alert_id: int
    kind: Kind
    reason: Reason
    channels: tuple[str, ...] = ()
    """Empty when muted: nothing is sent, the reason is still recorded."""
    detail: str = ""
    """What the reason refers to, e.g. `silence #3`."""

    @property
    def muted(self) -> bool:
        return not self.channels


def decide(
    transitions: Sequence[Transition],
    open_alerts: Sequence[Alert],
    status_before: Mapping[int, Status],
    logs: Mapping[int, NoticeLog],
    notify: Notify,
    rules: Mapping[str, Rule],
    now: float,
    unsilenced: Mapping[int, int] | None = None,
) -> list[Decision]:
    """Every notice this cycle calls for; transitions first, then silences that ended
    (`unsilenced`: alert id -> silence id, lifted this cycle), then repeats and escalations."""
    by_id = {alert.id: alert for alert in open_alerts}
    decisions: list[Decision] = []
    for t in transitions:
        assert t.alert_id is not None
        alert = by_id.get(t.alert_id)
        found = _on_change(
            t, alert and _effective(alert, now), status_before.get(t.alert_id), logs.get(t.alert_id), notify, rules
        )
        if found is not None:
            decisions.append(found)
    touched = {d.alert_id for d in decisions}
    for alert_id, silence_id in (unsilenced or {}).items():
        alert = by_id.get(alert_id)
        if alert_id not in touched and alert is not None and alert.status is Status.FIRING:
            decisions.append(_silence_ended(alert, silence_id, notify, rules))
            touched.add(alert_id)
    for alert in open_alerts:
        if alert.id not in touched:
            decisions += _on_time(_effective(alert, now), logs.get(alert.id), notify, rules, now)
    return decisions


def _effective(alert: Alert, now: float) -> Alert:
    """A suppression whose time has passed no longer mutes, whether or not a run has lifted it yet."""
    return alert.effective(now)


def _silence_ended(alert: Alert, silence_id: int, notify: Notify, rules: Mapping[str, Rule]) -> Decision:
    """Still firing when its silence ended: say so once, as a repeat would."""
    channels = route(notify, rules.get(alert.rule), alert.severity)
    detail = f"silence #{silence_id}"
    if not channels:
        return Decision(alert.id, Kind.RENOTIFY, Reason.MUTED_NO_CHANNEL, detail=detail)
    return Decision(alert.id, Kind.RENOTIFY, Reason.SILENCE_ENDED, channels, detail)


def route(notify: Notify, rule: Rule | None, severity: Severity) -> tuple[str, ...]:
    """Channels whose min_severity admits `severity`, narrowed to the rule's `channels` if it names any."""
    return tuple(c.name for c in notify.channels if admits(c, rule, severity))


def admits(channel: Channel | AlertmanagerChannel, rule: Rule | None, severity: Severity) -> bool:
    """The one routing rule, shared by Apprise and Alertmanager channels."""
    wanted = rule.channels if rule is not None and rule.channels else None
    return severity >= channel.min_severity and (wanted is None or channel.name in wanted)


def _on_change(
    t: Transition,
    alert: Alert | None,
    before: Status | None,
    log: NoticeLog | None,
    notify: Notify,
    rules: Mapping[str, Rule],
) -> Decision | None:
    alert_id = t.alert_id
    assert alert_id is not None
    if t.change in (Change.OPENED, Change.RAISED, Change.REOPENED):
        kind = Kind.RAISED if t.change is Change.RAISED else Kind.OPENED
        if alert is not None and alert.status is Status.SUPPRESSED:
            if alert.silence_id is not None:
                return Decision(alert_id, kind, Reason.MUTED_SILENCED, detail=f"silence #{alert.silence_id}")
            return Decision(alert_id, kind, Reason.MUTED_SUPPRESSED)
        channels = route(notify, rules.get(t.key.rule), t.severity)
        if t.change is Change.REOPENED:
            return _reopened(alert_id, t.severity, channels, log)
        reason = Reason.FIRST_NOTIFICATION if t.change is Change.OPENED else Reason.SEVERITY_RAISED
        return (
            Decision(alert_id, kind, reason, channels)
            if channels
            else Decision(alert_id, kind, Reason.MUTED_NO_CHANNEL)
        )
    if t.change is Change.RESOLVED:
        return _recovery(alert_id, before, log, notify)
    return None


def _reopened(alert_id: int, severity: Severity, routed: tuple[str, ...], log: NoticeLog | None) -> Decision:
    """Re-fired within the dedup window: the same incident, so quiet, except to a channel whose
    last announcement of it was milder (or that never heard of it): a worse severity is news."""
    told = log.last_severity if log is not None else {}
    heard = log.channels if log is not None else frozenset()
    news = tuple(c for c in routed if c not in heard or (c in told and severity > told[c]))
    if news:
        return Decision(alert_id, Kind.OPENED, Reason.REOPENED_SEVERITY_RAISED, news)
    return Decision(alert_id, Kind.OPENED, Reason.MUTED_REOPENED_IN_DEDUP_WINDOW)


def _recovery(alert_id: int, before: Status | None, log: NoticeLog | None, notify: Notify) -> Decision:
    """Only to the channels that heard of the alert: a recovery nobody was told of is noise."""
    if before is Status.SUPPRESSED:
        return Decision(alert_id, Kind.RESOLVED, Reason.MUTED_SUPPRESSED)
    if not notify.resolved:
        return Decision(alert_id, Kind.RESOLVED, Reason.MUTED_RESOLVED_DISABLED)
    configured = {c.name for c in notify.channels}
    told = tuple(sorted(log.channels & configured)) if log is not None else ()
    if not told:
        return Decision(alert_id, Kind.RESOLVED, Reason.MUTED_NEVER_ANNOUNCED)
    return Decision(alert_id, Kind.RESOLVED, Reason.RECOVERED, told)


def _on_time(
    alert: Alert, log: NoticeLog | None, notify: Notify, rules: Mapping[str, Rule], now: float
) -> list[Decision]:
    """Repeats and escalation: only for firing alerts that were announced (acked or suppressed: quiet)."""
    if alert.status is not Status.FIRING or log is None or log.last_notice_at is None:
        return []
    if (
        alert.severity >= notify.escalate_severity
        and notify.escalate_to
        and not log.escalated
        and now - alert.started_at >= notify.escalate_after - SLACK
    ):
        return [Decision(alert.id, Kind.ESCALATED, Reason.ESCALATION_DUE, notify.escalate_to)]
    if notify.renotify > 0 and now - log.last_notice_at >= notify.renotify - SLACK:
        channels = route(notify, rules.get(alert.rule), alert.severity)
        if log.escalated:
            channels += tuple(c for c in notify.escalate_to if c not in channels)
        if channels:
            return [Decision(alert.id, Kind.RENOTIFY, Reason.REPEAT_INTERVAL_ELAPSED, channels)]
    return []
