"""When notices go out, and to whom: a real Runner, a real database, a real HTTP receiver."""

from __future__ import annotations

import json
from pathlib import Path

from alertctl.config.runtime import Notify
from alertctl.model import Level, Severity
from alertctl.store import alerts
from tests.notify.harness import Harness, channel, q_rule
from tests.notify.receivers import http_receiver


def test_one_notice_per_open_not_one_per_check(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        for now in (1000.0, 1010.0, 1020.0, 1030.0):
            h.step(now, 90)
        assert receiver.types() == ["warning"]
        (payload,) = receiver.payloads
        assert "q-high" in str(payload["title"]) and "[WARNING]" in str(payload["title"])
        assert "q.value is 90 (warning above 80, exceeded by 12.5%) on web-01" in str(payload["message"])
        assert h.notices() == [("opened", "ops", "first_notification", "delivered")]
        assert alerts.get(h.conn, 1).notifications == 1


def test_rise_and_recovery_each_send_one_notice_with_their_type(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        for now, value in ((1000.0, 90), (1010.0, 99), (1020.0, 99), (1030.0, 10), (1040.0, 10)):
            h.step(now, value)
        assert receiver.types() == ["warning", "failure", "success"]
        assert all("q-high" in title for title in receiver.titles())
        assert receiver.titles()[2].startswith("[RESOLVED] q-high on web-01")
        assert [n[2] for n in h.notices()] == ["first_notification", "severity_raised", "recovered"]


def test_no_recovery_notice_when_resolved_is_off(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(resolved=False, channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        h.step(1010.0, 10)
        assert receiver.types() == ["warning"]
        assert h.notices()[-1] == ("resolved", None, "muted_resolved_disabled", "not sent")


def test_renotify_repeats_while_firing_until_acknowledged(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(renotify=60.0, channels=(channel("ops", receiver.url()),)))
        for now in (1000.0, 1030.0, 1061.0, 1090.0, 1122.0):
            h.step(now, 90)
        assert [p["type"] for p in receiver.payloads] == ["warning"] * 3
        assert [n[0] for n in h.notices()] == ["opened", "renotify", "renotify"]
        assert "still firing" in receiver.titles()[1]
        alerts.acknowledge(h.conn, 1, "alice", None, 1125.0)
        for now in (1190.0, 1300.0):
            h.step(now, 90)
        assert len(receiver.payloads) == 3


def test_renotify_zero_never_repeats(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(renotify=0.0, channels=(channel("ops", receiver.url()),)))
        for now in (1000.0, 5000.0, 9000.0):
            h.step(now, 90)
        assert len(receiver.payloads) == 1


def test_escalation_reaches_escalate_to_once_unless_acknowledged(tmp_path: Path) -> None:
    with http_receiver() as ops, http_receiver() as pager:
        notify = Notify(
            escalate_after=300.0,
            escalate_to=("pager",),
            renotify=0.0,
            channels=(channel("ops", ops.url()), channel("pager", pager.url(), "critical")),
        )
        rules = (q_rule(channels=("ops",)), q_rule("q1-high", "q1", channels=("ops",)))
        h = Harness(tmp_path, notify, rules, checks=2)
        h.set(99, "q1")
        h.step(1000.0, 99)
        assert ops.types() == ["failure", "failure"] and pager.payloads == []
        alerts.acknowledge(h.conn, 2, "alice", None, 1100.0)
        h.step(1200.0)
        assert pager.payloads == []
        h.step(1301.0)
        h.step(1400.0)
        assert pager.types() == ["failure"]
        assert "escalated" in pager.titles()[0] and "q-high" in pager.titles()[0]
        assert ("escalated", "pager", "escalation_due", "delivered") in h.notices(1)


def test_min_severity_routes_warnings_and_criticals_apart(tmp_path: Path) -> None:
    with http_receiver() as ops, http_receiver() as pager:
        notify = Notify(channels=(channel("ops", ops.url()), channel("pager", pager.url(), "critical")))
        h = Harness(tmp_path, notify)
        h.step(1000.0, 90)
        assert ops.types() == ["warning"] and pager.payloads == []
        h.step(1010.0, 99)
        assert ops.types() == ["warning", "failure"] and pager.types() == ["failure"]
        h.step(1020.0, 10)
        assert ops.types()[-1] == "success" and pager.types()[-1] == "success"


def test_rule_channels_narrow_the_routing(tmp_path: Path) -> None:
    with http_receiver() as ops, http_receiver() as team:
        notify = Notify(channels=(channel("ops", ops.url()), channel("team", team.url())))
        rules = (q_rule(channels=("team",)), q_rule("q1-high", "q1"))
        h = Harness(tmp_path, notify, rules, checks=2)
        h.set(90, "q1")
        h.step(1000.0, 90)
        assert [t.split(" on ")[0] for t in team.titles()] == ["[WARNING] q-high", "[WARNING] q1-high"]
        assert [t.split(" on ")[0] for t in ops.titles()] == ["[WARNING] q1-high"]


def test_suppressed_alerts_are_not_notified_and_say_why(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(renotify=60.0, channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        h.conn.execute("UPDATE alerts SET status = 'suppressed', suppressed_until = 99999 WHERE id = 1")
        for now, value in ((1010.0, 99), (1200.0, 99), (1300.0, 10)):
            h.step(now, value)
        assert receiver.types() == ["warning"]
        assert [n[2] for n in h.notices()] == ["first_notification", "muted_suppressed", "muted_suppressed"]


def test_a_reopen_inside_the_dedup_window_is_not_announced_again(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(dedup_window=300.0, channels=(channel("ops", receiver.url()),)))
        for now, value in ((1000.0, 90), (1010.0, 10), (1020.0, 90)):
            h.step(now, value)
        assert receiver.types() == ["warning", "success"]
        assert h.notices()[-1] == ("opened", None, "muted_reopened_in_dedup_window", "not sent")


def test_templates_shape_title_and_body(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        notify = Notify(
            channels=(channel("ops", receiver.url()),),
            title_template="{severity}/{rule}/{host}/{nonsense}",
            body_template="{value} vs {threshold}",
        )
        h = Harness(tmp_path, notify)
        h.step(1000.0, 90)
        assert receiver.payloads[0]["title"] == "warning/q-high/web-01/{nonsense}"
        body, notice_id = str(receiver.payloads[0]["message"]).split("\n\nNotice id: ")
        assert body == "90 vs 80" and len(notice_id) == 16  # the id always ends the body


def test_show_json_lists_deliveries_and_notices(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from alertctl.cli.app import app

    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        (tmp_path / "c.toml").write_text("")
        result = CliRunner().invoke(app, ["show", "1", "--json", "--db", str(h.db), "-c", str(tmp_path / "c.toml")])
        document = json.loads(result.stdout)
        (delivery,) = document["deliveries"]
        assert {k: delivery[k] for k in ("channel", "kind", "ok", "error")} == {
            "channel": "ops",
            "kind": "opened",
            "ok": True,
            "error": None,
        }
        assert document["notifications"] == 1
        text = CliRunner().invoke(app, ["show", "1", "--db", str(h.db), "-c", str(tmp_path / "c.toml")])
        assert "opened to ops (first_notification): delivered" in " ".join(text.stdout.split())


def test_escalate_severity_error_escalates_an_unacknowledged_error_alert(tmp_path: Path) -> None:
    """At the default (`critical`) an error alert never escalates; lowered to `error`, it does."""
    for escalate, expected in ((Severity.CRITICAL, []), (Severity.ERROR, ["failure"])):
        with http_receiver() as ops, http_receiver() as pager:
            notify = Notify(
                escalate_after=300.0,
                escalate_to=("pager",),
                escalate_severity=escalate,
                renotify=0.0,
                channels=(channel("ops", ops.url()), channel("pager", pager.url(), "critical")),
            )
            rule = q_rule(channels=("ops",), error=Level(90))
            root = tmp_path / escalate.label
            root.mkdir()
            h = Harness(root, notify, (rule,))
            h.step(1000.0, 92)
            h.step(1301.0)
            h.step(1400.0)
            assert ops.types() == ["failure"], escalate
            assert pager.types() == expected, escalate
