"""What alertctl posts to Alertmanager, and when: plain values in, plain values out."""

from __future__ import annotations

from alertctl.model import Alert, Severity, Status
from alertctl.notify import am_payload
from alertctl.notify.alertmanager import Instance

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def alert(**changes: object) -> Alert:
    fields: dict[str, object] = dict(
        id=7,
        rule="disk-full",
        metric="disk.used_percent",
        labels={"mount": "/var", "team": "ops"},
        series={"mount": "/var"},
        host="web-01",
        severity=Severity.WARNING,
        peak_severity=Severity.WARNING,
        status=Status.FIRING,
        resolution=None,
        value=91.0,
        peak=91.0,
        threshold=90.0,
        message="disk.used_percent is 91% on web-01",
        started_at=T0,
        last_seen_at=T0,
        context={
            "description": "A filesystem is filling up",
            "runbook": "https://wiki/disk",
            "recommendations": ["Clean /var/log", "Grow the volume"],
        },
    )
    return Alert(**(fields | changes))  # type: ignore[arg-type]


def test_labels_carry_rule_host_severity_and_the_metric_and_rule_labels() -> None:
    assert am_payload.labels(alert()) == {
        "alertname": "disk-full",
        "host": "web-01",
        "severity": "warning",
        "mount": "/var",
        "team": "ops",
    }


def test_label_names_are_made_valid_and_reserved_ones_win() -> None:
    labels = am_payload.labels(alert(labels={"service-name": "jobs", "9lives": "x", "severity": "low", "empty": ""}))
    assert labels == {
        "alertname": "disk-full",
        "host": "web-01",
        "severity": "warning",
        "service_name": "jobs",
        "_9lives": "x",
    }
    assert am_payload.label_name("a.b/c d") == "a_b_c_d"
    assert am_payload.label_name("") == "_"


def test_annotations_describe_the_alert_and_its_status() -> None:
    assert am_payload.annotations(alert(status=Status.ACKNOWLEDGED)) == {
        "summary": "disk.used_percent is 91% on web-01",
        "description": "A filesystem is filling up",
        "status": "acknowledged",
        "alertctl_id": "7",
        "runbook_url": "https://wiki/disk",
        "recommendations": "Clean /var/log\nGrow the volume",
    }


def test_without_a_description_the_message_is_the_description() -> None:
    annotations = am_payload.annotations(alert(context={}))
    assert annotations["description"] == annotations["summary"]
    assert "runbook_url" not in annotations and "recommendations" not in annotations


def test_an_open_alert_ends_four_resends_from_now_and_a_slow_interval_stretches_it() -> None:
    assert am_payload.open_until(T0, resend=60, interval=10) == T0 + 240
    assert am_payload.open_until(T0, resend=60, interval=120) == T0 + 480
    posted = am_payload.payload(alert(), am_payload.open_until(T0 + 30, 60, 10))
    assert posted["startsAt"] == "2027-01-15T08:00:00.000Z"
    assert posted["endsAt"] == "2027-01-15T08:04:30.000Z"


def test_an_ended_payload_keeps_its_identity_and_says_when() -> None:
    posted = am_payload.payload(alert(), T0 + 240)
    over = am_payload.ended(posted, T0 + 5.5)
    assert over["labels"] == posted["labels"] and am_payload.identity(over) == am_payload.identity(posted)
    assert over["endsAt"] == "2027-01-15T08:00:05.500Z"
    assert am_payload.alert_id(over) == 7


def current(*alerts: Alert) -> dict[str, am_payload.Payload]:
    payloads = [am_payload.payload(a, T0 + 240) for a in alerts]
    return {am_payload.identity(p): p for p in payloads}


def test_an_instance_is_posted_to_on_a_change_or_when_resend_passed() -> None:
    now = current(alert())
    fresh = Instance()
    assert fresh.due(now, T0, resend=60)
    synced = fresh.accepted(now, T0)
    assert not synced.due(now, T0 + 30, resend=60)
    assert synced.due(now, T0 + 60, resend=60)
    assert synced.due(current(alert(status=Status.ACKNOWLEDGED)), T0 + 1, resend=60)
    assert synced.due(current(alert(severity=Severity.CRITICAL)), T0 + 1, resend=60)
    assert synced.due({}, T0 + 1, resend=60)  # an end to post
    assert not synced.due(current(alert(message="now 95%")), T0 + 1, resend=60)  # rides the next re-post
    assert not Instance().due({}, T0, resend=60)  # nothing open, nothing owed: silence


def test_a_refused_post_keeps_what_is_owed_and_backs_off() -> None:
    before = Instance().accepted(current(alert()), T0)
    raised = current(alert(severity=Severity.CRITICAL))
    failed = before.refused(raised, T0 + 10, resend=60)
    assert set(failed.sent) == set(before.sent) | set(raised)
    assert (failed.failures, failed.retry_at, failed.synced_at) == (1, T0 + 15, T0)
    assert not failed.due(raised, T0 + 14, resend=60)
    assert failed.due(raised, T0 + 15, resend=60)
    assert failed.refused(raised, T0 + 15, resend=60).retry_at == T0 + 25
    assert failed.refused(raised, T0 + 15, resend=3).retry_at == T0 + 18  # never longer apart than resend
    assert Instance.from_json(failed.to_json()) == failed


def test_a_no_data_alert_is_told_apart_from_the_rules_breach_alert() -> None:
    assert am_payload.labels(alert(nodata=True))["nodata"] == "true"
    assert "nodata" not in am_payload.labels(alert())
