"""alertctl against the real Alertmanager: alerts arrive with their labels, end on resolve,
survive an outage, and Alertmanager's own silences leave alertctl's history alone."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.cli.conftest import Rig
from tests.integration.alertmanagers import Alertmanager, Forwarder, free_port, require_binaries

pytestmark = pytest.mark.integration

RULE = """
[[rules]]
name = "queue-backlog"
metric = "q.value"
warning = 80
critical = 95
runbook = "https://wiki.example.com/queue"
recommendations = ["Drain the queue", "Add a worker"]
labels = { team = "db", "service-name" = "jobs" }
"""


def preamble(*urls: str, resend: str = "1m") -> str:
    listed = ", ".join(f'"{url}"' for url in urls)
    return f"""
    [agent]
    host = "web-01"

    [notify.channels.am]
    alertmanager = [{listed}]
    resend = "{resend}"
    """


@pytest.fixture
def am(tmp_path: Path) -> Iterator[Alertmanager]:
    require_binaries()
    instance = Alertmanager(tmp_path / "am").start()
    yield instance
    instance.stop()


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def firing(am: Alertmanager) -> list[dict[str, object]]:
    return [a for a in am.alerts() if a["labels"]["alertname"] == "queue-backlog"]  # type: ignore[index]


def test_an_opened_alert_arrives_with_its_labels_and_ends_on_resolve(am: Alertmanager, rig: Rig) -> None:
    rig.configure(RULE, preamble(am.url))
    rig.set_value(90)
    assert rig.check().returncode == 1
    [alert] = firing(am)
    assert alert["labels"] == {
        "alertname": "queue-backlog",
        "host": "web-01",
        "severity": "warning",
        "team": "db",
        "service_name": "jobs",
    }
    annotations = alert["annotations"]
    assert annotations["runbook_url"] == "https://wiki.example.com/queue"  # type: ignore[index]
    assert annotations["recommendations"] == "Drain the queue\nAdd a worker"  # type: ignore[index]
    assert annotations["status"] == "firing" and annotations["alertctl_id"] == "1"  # type: ignore[index]
    assert annotations["summary"].startswith("q.value is 90 (warning above 80")  # type: ignore[index]
    [queried] = am.queried()
    assert queried["labels"]["severity"] == "warning"  # type: ignore[index]

    rig.set_value(99)
    assert rig.check().returncode == 2
    assert [a["labels"]["severity"] for a in firing(am)] == ["critical"]  # type: ignore[index]

    rig.set_value(0)
    assert rig.check().returncode == 0
    assert firing(am) == []
    assert am.queried() == []


def test_watch_keeps_alertmanager_in_sync(am: Alertmanager, rig: Rig) -> None:
    rig.configure(RULE, preamble(am.url))
    rig.set_value(90)
    opened = rig.run("watch", "--interval", "200ms", "--cycles", "3")
    assert opened.returncode == 0, opened.stderr
    assert [a["labels"]["host"] for a in firing(am)] == ["web-01"]  # type: ignore[index]
    assert "alertmanager am at " + am.url in opened.stdout
    rig.set_value(0)
    assert rig.run("watch", "--interval", "200ms", "--cycles", "3").returncode == 0
    assert firing(am) == []


def test_watch_with_a_longer_interval_than_the_config_keeps_the_alert_open_between_posts(
    am: Alertmanager, rig: Rig
) -> None:
    """`--interval 5m` overrides the config's 10 s: `endsAt` must outlast several 5 min gaps, not 1 min ones."""
    rig.configure(RULE, preamble(am.url))
    rig.set_value(90)
    started = time.time()
    watched = rig.run("watch", "--interval", "5m", "--cycles", "1")
    assert watched.returncode == 0, watched.stderr
    [alert] = firing(am)
    ends_at = datetime.fromisoformat(str(alert["endsAt"])).timestamp()
    assert ends_at >= started + 4 * 300


def test_a_silence_in_alertmanager_leaves_local_history_alone(am: Alertmanager, rig: Rig) -> None:
    rig.configure(RULE, preamble(am.url))
    am.amtool("silence", "add", "alertname=queue-backlog", "--comment=maintenance", "--author=test", "--duration=1h")
    rig.set_value(90)
    assert rig.check().returncode == 1
    [alert] = firing(am)
    assert alert["status"]["state"] == "suppressed"  # type: ignore[index]

    assert rig.run("ack", "1", "--note", "on it").returncode == 0
    assert rig.check().returncode == 1
    [alert] = firing(am)
    assert alert["annotations"]["status"] == "acknowledged"  # type: ignore[index]
    shown = json.loads(rig.run("show", "1", "--json").stdout)
    assert shown["status"] == "acknowledged" and shown["acked_by"]

    rig.set_value(0)
    assert rig.check().returncode == 0
    assert firing(am) == []
    history = json.loads(rig.run("history", "--json").stdout)
    assert [(a["rule"], a["status"]) for a in history] == [("queue-backlog", "resolved")]
    assert rig.run("report").returncode == 0


def test_every_instance_is_posted_to_and_one_that_was_down_is_retried(
    am: Alertmanager, rig: Rig, tmp_path: Path
) -> None:
    later = Alertmanager(tmp_path / "am2", free_port())
    rig.configure(RULE, preamble(am.url, later.url, resend="1s"))
    rig.set_value(90)
    first = rig.check()
    assert first.returncode == 1
    assert len(firing(am)) == 1
    assert f"alertmanager am at {later.url}: " in first.stderr and "will retry" in first.stderr
    later.start()
    try:
        time.sleep(1.1)
        again = rig.check()
        assert "accepting alerts again after 1 failed attempts" in again.stderr
        assert len(firing(later)) == 1
    finally:
        later.stop()


def test_a_resolve_waits_out_an_outage(am: Alertmanager, rig: Rig) -> None:
    forwarder = Forwarder(am.port).start()
    try:
        rig.configure(RULE, preamble(forwarder.url, resend="2s"))
        rig.set_value(90)
        assert rig.check().returncode == 1
        assert len(firing(am)) == 1

        forwarder.stop()
        rig.set_value(0)
        resolved = rig.check()
        assert resolved.returncode == 0
        assert "will retry" in resolved.stderr
        time.sleep(2.1)
        still_down = rig.check()
        assert still_down.stderr == ""  # an outage is reported once, not every run
        assert len(firing(am)) == 1  # Alertmanager has not heard yet

        forwarder.start()
        time.sleep(2.1)
        back = rig.check()
        assert "accepting alerts again after 2 failed attempts" in back.stderr
        assert firing(am) == []
    finally:
        forwarder.stop()


def test_an_alert_suppressed_in_alertctl_is_withdrawn_and_comes_back(am: Alertmanager, rig: Rig) -> None:
    """Suppressing means telling no one: Alertmanager would notify an alert still posted."""
    rig.configure(RULE, preamble(am.url))
    rig.set_value(90)
    assert rig.check().returncode == 1
    [alert] = firing(am)
    assert rig.run("suppress", "1", "--for", "1h", "--reason", "deploy").returncode == 0
    rig.check()
    assert firing(am) == []
    assert rig.run("unsuppress", "1").returncode == 0
    assert rig.check().returncode == 1
    [back] = firing(am)
    assert back["labels"] == alert["labels"] and back["startsAt"] == alert["startsAt"]
