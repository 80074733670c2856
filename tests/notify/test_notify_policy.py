"""The decisions alone: pure, named, without a database or a receiver."""

from __future__ import annotations

from dataclasses import replace

from alertctl.config.runtime import Channel, Notify
from alertctl.model import Alert, Change, NoticeLog, SeriesKey, Severity, Status, Transition
from alertctl.notice_reasons import Kind, Reason
from alertctl.notify.policy import Decision, decide, route
from tests.notify.harness import q_rule

NOTIFY = Notify(
    renotify=600.0,
    escalate_after=900.0,
    escalate_to=("pager",),
    channels=(Channel("ops", ("json://x",)), Channel("pager", ("json://y",), Severity.CRITICAL)),
)
RULES = {"q-high": q_rule()}
ALERT = Alert(
    id=1,
    rule="q-high",
    metric="q.value",
    labels={},
    series={},
    host="h",
    severity=Severity.CRITICAL,
    peak_severity=Severity.CRITICAL,
    status=Status.FIRING,
    resolution=None,
    value=99.0,
    peak=99.0,
    threshold=95.0,
    message="m",
    started_at=0.0,
    last_seen_at=0.0,
)
TOLD = NoticeLog(0.0, False, frozenset({"ops", "pager"}))


def _t(change: Change) -> Transition:
    return Transition(change, SeriesKey("q-high"), "q.value", Severity.CRITICAL, 10.0, alert_id=1)


def test_opening_goes_to_every_channel_that_admits_the_severity() -> None:
    assert decide([_t(Change.OPENED)], [ALERT], {}, {}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.FIRST_NOTIFICATION, ("ops", "pager"))
    ]


def test_routing_narrowed_by_the_rule() -> None:
    assert route(NOTIFY, q_rule(channels=("pager",)), Severity.CRITICAL) == ("pager",)
    assert route(NOTIFY, q_rule(channels=("pager",)), Severity.WARNING) == ()
    assert route(NOTIFY, None, Severity.WARNING) == ("ops",)


def test_recovery_only_to_channels_that_were_told() -> None:
    never = decide([_t(Change.RESOLVED)], [], {1: Status.FIRING}, {}, NOTIFY, RULES, 0.0)
    assert never == [Decision(1, Kind.RESOLVED, Reason.MUTED_NEVER_ANNOUNCED)]
    told = decide(
        [_t(Change.RESOLVED)],
        [],
        {1: Status.FIRING},
        {1: replace(TOLD, channels=frozenset({"ops"}))},
        NOTIFY,
        RULES,
        0.0,
    )
    assert told == [Decision(1, Kind.RESOLVED, Reason.RECOVERED, ("ops",))]


def test_escalation_then_repeats_and_acknowledging_stops_both() -> None:
    recent = replace(TOLD, last_notice_at=800.0)
    assert decide([], [ALERT], {}, {1: recent}, NOTIFY, RULES, 898.0) == []
    assert decide([], [ALERT], {}, {1: recent}, NOTIFY, RULES, 900.0) == [
        Decision(1, Kind.ESCALATED, Reason.ESCALATION_DUE, ("pager",))
    ]
    escalated = replace(TOLD, last_notice_at=900.0, escalated=True)
    assert decide([], [ALERT], {}, {1: escalated}, NOTIFY, RULES, 1500.0) == [
        Decision(1, Kind.RENOTIFY, Reason.REPEAT_INTERVAL_ELAPSED, ("ops", "pager"))
    ]
    acked = replace(ALERT, status=Status.ACKNOWLEDGED)
    assert decide([], [acked], {}, {1: TOLD}, NOTIFY, RULES, 99999.0) == []


def test_suppressed_and_reopened_are_named_not_sent() -> None:
    suppressed = replace(ALERT, status=Status.SUPPRESSED)
    assert decide([_t(Change.RAISED)], [suppressed], {}, {}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.RAISED, Reason.MUTED_SUPPRESSED)
    ]
    assert decide([_t(Change.REOPENED)], [ALERT], {}, {1: TOLD}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.MUTED_REOPENED_IN_DEDUP_WINDOW)
    ]


def test_a_suppression_past_its_time_no_longer_mutes() -> None:
    lapsed = replace(ALERT, status=Status.SUPPRESSED, suppressed_until=100.0)
    assert decide([_t(Change.RAISED)], [lapsed], {}, {}, NOTIFY, RULES, 50.0)[0].reason is Reason.MUTED_SUPPRESSED
    assert decide([_t(Change.RAISED)], [lapsed], {}, {}, NOTIFY, RULES, 150.0)[0].reason is Reason.SEVERITY_RAISED
