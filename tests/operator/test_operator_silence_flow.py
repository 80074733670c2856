"""Silences and suppressions through a real Runner, database and HTTP receiver."""

from __future__ import annotations

from pathlib import Path

from alertctl.config.runtime import Notify
from alertctl.model import Silence, SilenceState, Status, make_labels
from alertctl.store import alerts, silences
from tests.notify.harness import channel
from tests.notify.receivers import http_receiver
from tests.operator.scripted import Disks

T0 = 1_000_000.0


def _notify(url: str) -> Notify:
    return Notify(channels=(channel("ops", url),), renotify=0.0)


def test_a_silence_mutes_the_matching_mount_only_and_is_recorded_not_notified(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", make_labels({"mount": "/var"}), T0, T0 + 3600, "migration", "ops")
        d.step(T0 + 10)
        d.step(T0 + 20)
        var, root = d.alert_id("/var"), d.alert_id("/")
        assert alerts.get(d.conn, var).status is Status.SUPPRESSED
        assert alerts.get(d.conn, var).silence_id == 1
        assert alerts.get(d.conn, root).status is Status.FIRING
        assert d.notices(root) == [("opened", "ops", "first_notification", "delivered")]
        assert d.notices(var) == [("opened", None, "muted_silenced", "not sent")]
        detail = d.conn.execute("SELECT detail FROM muted WHERE alert_id = ?", (var,)).fetchone()[0]
        assert detail == "silence #1"
        assert receiver.wait_for(1) and len(receiver.payloads) == 1
        assert "/var" not in str(receiver.payloads[0]["title"]) + str(receiver.payloads[0]["message"])


def test_a_rise_under_a_silence_stays_quiet(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", make_labels({"mount": "/var"}), T0, T0 + 3600, "migration", "ops")
        d.step(T0 + 10, root=1)
        d.step(T0 + 20, var=95)
        var = d.alert_id("/var")
        assert [n[2] for n in d.notices(var)] == ["muted_silenced", "muted_silenced"]
        assert alerts.get(d.conn, var).status is Status.SUPPRESSED


def test_when_a_silence_expires_the_alert_fires_again_and_is_announced_once(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", make_labels({"mount": "/var"}), T0, T0 + 60, "short", "ops")
        d.step(T0 + 10)
        var = d.alert_id("/var")
        d.step(T0 + 70)  # the silence is over
        d.step(T0 + 80)
        d.step(T0 + 90)
        assert alerts.get(d.conn, var).status is Status.FIRING
        assert d.notices(var) == [
            ("opened", None, "muted_silenced", "not sent"),
            ("renotify", "ops", "silence_ended", "delivered"),
        ]
        assert receiver.wait_for(2) and len(receiver.payloads) == 2


def test_a_silence_lifted_early_announces_what_it_held_back(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", make_labels({"mount": "/var"}), T0, T0 + 3600, "m", "ops")
        d.step(T0 + 10)
        with d.write():
            silences.lift(d.conn, 1, T0 + 15)
        assert silences.get(d.conn, 1).state(T0 + 16) is SilenceState.LIFTED
        assert alerts.get(d.conn, d.alert_id("/var")).effective(T0 + 16).status is Status.FIRING
        d.step(T0 + 20)
        d.step(T0 + 30)
        assert [n[2] for n in d.notices(d.alert_id("/var"))] == ["muted_silenced", "silence_ended"]
        assert len(silences.every(d.conn)) == 1  # kept for the record


def test_an_alert_resolving_under_a_silence_sends_nothing(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", (), T0, T0 + 3600, "everything", "ops")
        d.step(T0 + 10)
        d.collector.values = {}
        d.collector.values = {"/": -1.0, "/var": -1.0}
        d.step(T0 + 20)
        for mount in ("/", "/var"):
            assert alerts.get(d.conn, d.alert_id(mount)).status is Status.RESOLVED
        assert receiver.payloads == []


def test_one_alert_suppressed_then_back_to_firing_by_time_or_by_hand(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        d.step(T0)
        root, var = d.alert_id("/"), d.alert_id("/var")
        with d.write():
            silences.suppress_alert(d.conn, root, T0 + 100, "known", T0 + 1)
            silences.suppress_alert(d.conn, var, T0 + 1000, None, T0 + 1)
        d.step(T0 + 10, root=95)
        assert d.notices(root)[-1] == ("raised", None, "muted_suppressed", "not sent")
        d.step(T0 + 110)
        assert alerts.get(d.conn, root).status is Status.FIRING
        with d.write():
            assert silences.unsuppress_alert(d.conn, var, T0 + 120)
            assert not silences.unsuppress_alert(d.conn, var, T0 + 121)
        assert alerts.get(d.conn, var).status is Status.FIRING


def test_silence_state_is_a_function_of_time() -> None:
    s = Silence(1, "r", (), starts_at=100.0, ends_at=200.0, reason="x", created_by="me")
    assert [s.state(t) for t in (50.0, 100.0, 199.9, 200.0)] == [
        SilenceState.PENDING,
        SilenceState.ACTIVE,
        SilenceState.ACTIVE,
        SilenceState.EXPIRED,
    ]
    lifted = Silence(1, "r", (), 100.0, 200.0, "x", "me", lifted_at=150.0)
    assert [lifted.state(t) for t in (120.0, 150.0, 250.0)] == [
        SilenceState.ACTIVE,
        SilenceState.LIFTED,
        SilenceState.LIFTED,
    ]


def test_a_silence_matches_its_rule_and_a_subset_of_labels() -> None:
    s = Silence(1, "disk", make_labels({"mount": "/var"}), 0.0, 1.0, "x", "me")
    assert s.matches("disk", {"mount": "/var", "team": "web"})
    assert not s.matches("disk", {"mount": "/"})
    assert not s.matches("cpu", {"mount": "/var"})


def test_an_alert_unsuppressed_by_hand_is_not_muted_again_by_the_same_silence(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        with d.write():
            silences.create(d.conn, "disk-any", make_labels({"mount": "/var"}), T0, T0 + 3600, "m", "ops")
        d.step(T0 + 10)
        var = d.alert_id("/var")
        with d.write():
            silences.unsuppress_alert(d.conn, var, T0 + 15)
        d.step(T0 + 20)
        assert alerts.get(d.conn, var).status is Status.FIRING


def test_a_rise_to_critical_keeps_the_context_at_the_peak(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        d = Disks(tmp_path, _notify(receiver.url()))
        d.step(T0)
        d.step(T0 + 10, var=97)
        context = alerts.get(d.conn, d.alert_id("/var")).context
        assert context["mount"] == {"disk.percent": 50.0}
        assert context["at_peak"] == {"value": 97.0, "mount": {"disk.percent": 97.0}}
