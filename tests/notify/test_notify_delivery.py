"""Retries, giving up, digests and caps: nothing is lost, nothing floods a channel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from alertctl.config.runtime import Notify
from alertctl.notify.deliver import GIVE_UP_AFTER, retry_delay
from alertctl.notify.send import with_timeouts
from alertctl.store import alerts
from tests.notify.harness import Harness, channel, q_rule
from tests.notify.receivers import http_receiver


def test_backoff_starts_within_ten_seconds_doubles_and_caps_at_five_minutes() -> None:
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[0] <= 10
    assert delays[:4] == [5, 10, 20, 40]
    assert max(delays) == 300 and delays[-1] == 300


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("json://h/x", "json://h/x?cto=3&rto=5"),
        ("json://h/x?rto=1", "json://h/x?rto=1&cto=3"),
        ("json://h/x?cto=1&rto=2", "json://h/x?cto=1&rto=2"),
    ],
)
def test_every_url_gets_short_socket_timeouts_unless_set(url: str, expected: str) -> None:
    assert with_timeouts(url) == expected


def test_a_receiver_failing_twice_gets_the_notice_on_the_third_attempt(tmp_path: Path) -> None:
    with http_receiver([500, 500, 200]) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        h.deliver(1002.0)  # not due yet: nothing sent
        assert len(receiver.payloads) == 1
        h.deliver(1005.0)
        h.deliver(1015.0)
        assert len(receiver.payloads) == 3 and receiver.payloads[0] == receiver.payloads[2]
        outcomes = h.sql("SELECT at, ok, error FROM deliveries ORDER BY id")
        assert [(at, ok) for at, ok, _ in outcomes] == [(1000.0, 0), (1005.0, 0), (1015.0, 1)]
        assert "error=500" in outcomes[0][2]
        assert alerts.get(h.conn, 1).notifications == 1
        h.deliver(2000.0)
        assert len(receiver.payloads) == 3


def test_a_notice_failing_for_a_day_is_given_up_and_shown(tmp_path: Path) -> None:
    with http_receiver([500] * 1000) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        attempts = 1
        while True:
            ((due, given_up),) = h.sql("SELECT next_attempt_at, given_up_at FROM outbox")
            if given_up is not None:
                break
            h.deliver(due)
            attempts += 1
        assert given_up - 1000.0 <= GIVE_UP_AFTER
        assert attempts < 300
        kind, where, reason, state = h.notices()[0]
        assert state == "given up"


def test_many_alerts_at_once_go_out_as_one_digest_per_channel(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        rules = tuple(q_rule(f"q{i}-high" if i else "q-high", f"q{i}" if i else "q") for i in range(7))
        h = Harness(tmp_path, Notify(digest_after=5, channels=(channel("ops", receiver.url()),)), rules, checks=7)
        for name in h.files:
            h.set(99, name)
        h.step(1000.0)
        (digest,) = receiver.payloads
        assert digest["type"] == "failure" and "7 alert notices" in str(digest["title"])
        assert all(f"{rule.name} on web-01" in str(digest["message"]) for rule in rules)
        assert [a.notifications for a in alerts.current(h.conn)] == [1] * 7


def test_a_capped_channel_folds_the_waiting_notices_into_the_next_digest(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        rules = tuple(q_rule(f"q{i}-high" if i else "q-high", f"q{i}" if i else "q") for i in range(4))
        notify = Notify(max_per_minute=2, renotify=0.0, channels=(channel("ops", receiver.url()),))
        h = Harness(tmp_path, notify, rules, checks=4)
        h.set(90, "q")
        h.step(1000.0)
        h.set(90, "q1")
        h.step(1001.0)
        h.set(90, "q2")
        h.set(90, "q3")
        h.step(1002.0)
        assert len(receiver.payloads) == 2
        h.step(1030.0)
        assert len(receiver.payloads) == 2
        h.step(1061.0)
        assert len(receiver.payloads) == 3
        digest = receiver.payloads[2]
        assert "q2-high" in str(digest["message"]) and "q3-high" in str(digest["message"])
        assert h.sql("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")[0][0] == 0


def test_a_removed_channel_gives_its_pending_notices_up_with_a_reason(tmp_path: Path) -> None:
    from dataclasses import replace

    h = Harness(tmp_path, Notify(channels=(channel("ops", "json://127.0.0.1:9/x"),)))
    h.runner.notifiers = []
    h.step(1000.0, 90)
    h.runner.configure(replace(h.config, notify=Notify()))
    h.deliver(1001.0)
    assert h.sql("SELECT last_error FROM outbox WHERE given_up_at IS NOT NULL")[0][0] == (
        "channel ops is no longer configured"
    )


def test_an_m001_database_upgrades_in_place_and_keeps_its_alerts(tmp_path: Path) -> None:
    import sqlite3

    from alertctl.store.db import open_database
    from alertctl.store.migrations import MIGRATIONS, apply, name_of

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    apply(old, MIGRATIONS[0])
    old.execute(
        "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, message, "
        "started_at, last_seen_at) VALUES ('r', 'q.value', '{}', '{}', 'h', 'warning', 'warning', 'firing', "
        "'m', 1, 1)"
    )
    old.commit()
    old.close()
    conn = open_database(path)
    assert [r[0] for r in conn.execute("SELECT name FROM alertctl_migrations ORDER BY name")] == sorted(
        name_of(step) for step in MIGRATIONS
    )
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert alerts.get(conn, 1) is not None
    conn.close()
    assert open_database(path).execute("SELECT COUNT(*) FROM alertctl_migrations").fetchone()[0] == len(MIGRATIONS)


def test_a_recovery_never_overtakes_the_opening_notice_being_retried(tmp_path: Path) -> None:
    with http_receiver([500]) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        h.step(1001.0, 10)
        assert receiver.types() == ["warning"]  # the failed attempt; the recovery waits its turn
        h.deliver(1006.0)
        assert receiver.types() == ["warning", "warning", "success"]


def test_watch_gives_up_on_a_send_whose_plugin_ignores_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alertctl.notify import deliver
    from alertctl.notify.send import Sent

    h = Harness(tmp_path, Notify(channels=(channel("ops", "json://127.0.0.1:1/"),)))
    h.step(1000.0, 90)  # the first attempt is refused: due again at 1005
    release = threading.Event()

    def hanging(*args: object, **kwargs: object) -> Sent:
        release.wait(30)
        return Sent(True, None)

    deliverer = deliver.Deliverer(h.conn, lambda: h.runner.config, lambda: "web-01", sender=hanging)
    deliverer.pump(1010.0)  # the retry starts, and hangs
    monkeypatch.setattr(deliver, "SEND_TIMEOUT", 0.0)
    monkeypatch.setattr(deliver, "GRACE", 0.0)
    deliverer.pump(1011.0)  # past its time: recorded as failed, the channel free again
    errors = [error for (error,) in h.sql("SELECT error FROM deliveries ORDER BY id")]
    assert errors[-1] == "no answer within 0s"
    release.set()
