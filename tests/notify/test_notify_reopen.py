"""A reopen inside the dedup window is the same incident, but never hides a worse severity."""

from __future__ import annotations

from pathlib import Path

from alertctl.config.runtime import Notify
from alertctl.model import Change, NoticeLog, SeriesKey, Severity, Transition
from alertctl.notice_reasons import Kind, Reason
from alertctl.notify.policy import Decision, decide
from tests.conftest import run_here
from tests.notify.harness import channel, q_rule
from tests.notify.receivers import http_receiver
from tests.notify.test_notify_policy import ALERT, NOTIFY, RULES
from tests.notify.test_notify_process import _config


def test_a_reopen_at_a_higher_severity_reaches_the_pager_through_check(tmp_path: Path) -> None:
    """The issue's run (warning 50 / critical 90; 70, 10, 99, 99, 99) on this config's levels, 80 / 95."""
    with http_receiver() as ops, http_receiver() as pager:
        pager_channel = f'[notify.channels.pager]\nurls = ["{pager.url()}"]\nmin_severity = "critical"'
        config, db = _config(tmp_path, ops.url(), pager_channel)
        codes = []
        for value in (90, 10, 99, 99, 99):
            (tmp_path / "value").write_text(f"{value}\n")
            codes.append(run_here("check", "-c", str(config), "--db", str(db)).returncode)
        assert codes == [1, 0, 2, 2, 2]
        assert pager.types() == ["failure"] and "[CRITICAL] q-high" in pager.titles()[0]
        assert ops.types() == ["warning", "success", "failure"]
        shown = run_here("show", "1", "--json", "--db", str(db), "-c", str(config))
        assert '"reason": "reopened_severity_raised"' in shown.stdout


def _reopen(severity: Severity) -> Transition:
    return Transition(Change.REOPENED, SeriesKey("q-high"), "q.value", severity, 10.0, alert_id=1)


def _told(**last: Severity) -> NoticeLog:
    return NoticeLog(0.0, False, frozenset(last), last)


def test_a_reopen_is_announced_only_to_channels_last_told_less() -> None:
    at_warning = _told(ops=Severity.WARNING)
    assert decide([_reopen(Severity.WARNING)], [ALERT], {}, {1: at_warning}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.MUTED_REOPENED_IN_DEDUP_WINDOW)
    ]
    assert decide([_reopen(Severity.CRITICAL)], [ALERT], {}, {1: at_warning}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.REOPENED_SEVERITY_RAISED, ("ops", "pager"))
    ]
    both_critical = _told(ops=Severity.CRITICAL, pager=Severity.CRITICAL)
    assert decide([_reopen(Severity.CRITICAL)], [ALERT], {}, {1: both_critical}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.MUTED_REOPENED_IN_DEDUP_WINDOW)
    ]
    pager_only = _told(ops=Severity.CRITICAL)
    assert decide([_reopen(Severity.CRITICAL)], [ALERT], {}, {1: pager_only}, NOTIFY, RULES, 0.0) == [
        Decision(1, Kind.OPENED, Reason.REOPENED_SEVERITY_RAISED, ("pager",))
    ]


def test_a_rule_narrowed_to_one_channel_reopens_only_there() -> None:
    notify = Notify(channels=(channel("ops", "json://x"), channel("pager", "json://y", "critical")))
    rules = {"q-high": q_rule(channels=("ops",))}
    assert decide([_reopen(Severity.CRITICAL)], [ALERT], {}, {1: _told(ops=Severity.WARNING)}, notify, rules, 0.0) == [
        Decision(1, Kind.OPENED, Reason.REOPENED_SEVERITY_RAISED, ("ops",))
    ]


def test_notices_queued_before_m005_keep_the_severity_their_type_implies_and_get_an_id(tmp_path: Path) -> None:
    """An upgrade in the middle of an incident: what each channel heard is not forgotten."""
    import sqlite3

    from alertctl.store.db import open_database
    from alertctl.store.migrations import MIGRATIONS, apply
    from alertctl.store.outbox import notice_logs

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for step in MIGRATIONS[:4]:
        apply(old, step)
    for channel_name, notify_type in (("ops", "warning"), ("pager", "failure")):
        old.execute(
            "INSERT INTO outbox (alert_id, channel, kind, reason, title, body, notify_type, created_at, "
            "next_attempt_at) VALUES (1, ?, 'opened', 'first_notification', 't', 'b', ?, 1, 1)",
            (channel_name, notify_type),
        )
    old.commit()
    old.close()
    conn = open_database(path)
    log = notice_logs(conn, [1])[1]
    assert log.last_severity == {"ops": Severity.WARNING, "pager": Severity.CRITICAL}
    ids = [row[0] for row in conn.execute("SELECT notice_id FROM outbox")]
    assert len(set(ids)) == 2 and all(len(i) == 16 for i in ids)  # and each its id, for a retry


def test_the_latest_announcement_to_a_channel_is_the_one_a_reopen_is_compared_with(tmp_path: Path) -> None:
    """Opened at warning, raised to critical, repeated at warning after a lowering: last told warning."""
    from alertctl.store.db import open_database
    from alertctl.store.outbox import NewNotice, enqueue, notice_logs

    conn = open_database(tmp_path / "a.db")
    said = [
        ("opened", Severity.WARNING),
        ("raised", Severity.CRITICAL),
        ("renotify", Severity.WARNING),
        ("resolved", Severity.WARNING),
    ]
    for at, (kind, severity) in enumerate(said):
        enqueue(conn, [NewNotice(1, "ops", kind, "r", "t", "b", "warning", severity)], float(at))
    enqueue(conn, [NewNotice(1, "pager", "raised", "r", "t", "b", "failure", Severity.CRITICAL)], 1.0)
    log = notice_logs(conn, [1])[1]
    assert log.last_severity == {"ops": Severity.WARNING, "pager": Severity.CRITICAL}
    assert (log.last_notice_at, log.channels) == (2.0, frozenset({"ops", "pager"}))
