"""One cycle end to end: a real command check, a real database, a recording notifier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alertctl.config.runtime import Agent, Config
from alertctl.loop import Runner
from alertctl.model import Change, CommandCheck, Level, Op, Rule, Transition
from alertctl.store import alerts
from alertctl.store.db import open_database, transaction


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[Transition]] = []

    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        self.calls.append(list(transitions))


def _config(value_file: Path, retention: float = 86400.0) -> Config:
    return Config(
        agent=Agent(host="web-01", retention=retention),
        checks=(CommandCheck("q", ("cat", str(value_file))),),
        rules=(Rule("q-high", "q.value", Op.GT, warning=Level(80)),),
    )


def test_notifier_hears_each_change_once_with_its_alert_id(tmp_path: Path) -> None:
    value = tmp_path / "value"
    recorder = Recorder()
    runner = Runner(_config(value), open_database(tmp_path / "a.db"), notifiers=[recorder])
    for number, now in (("90", 1000.0), ("91", 1010.0), ("10", 1020.0)):
        value.write_text(number)
        runner.run_once(now)
    notable = [[(t.change, t.alert_id) for t in call if t.notable] for call in recorder.calls]
    assert notable == [[(Change.OPENED, 1)], [], [(Change.RESOLVED, 1)]]


def test_each_cycle_prunes_past_the_retention(tmp_path: Path) -> None:
    value = tmp_path / "value"
    conn = open_database(tmp_path / "a.db")
    runner = Runner(_config(value, retention=100.0), conn)
    value.write_text("90")
    runner.run_once(1000.0)
    value.write_text("10")
    runner.run_once(1010.0)
    runner.run_once(1100.0)
    assert alerts.get(conn, 1) is not None
    runner.run_once(1111.0)
    assert alerts.get(conn, 1) is None


def test_dry_run_records_nothing_and_notifies_nobody(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("90")
    conn = open_database(tmp_path / "a.db")
    recorder = Recorder()
    cycle = Runner(_config(value), conn, notifiers=[recorder], dry_run=True).run_once(1000.0)
    assert [a.rule for a in cycle.open_alerts] == ["q-high"]
    with transaction(conn):
        assert alerts.current(conn) == []
    assert recorder.calls == []


def _rising_config(value_file: Path, keep_ack: bool) -> Config:
    from alertctl.config.runtime import Notify

    return Config(
        agent=Agent(host="web-01"),
        notify=Notify(ack_survives_rise=keep_ack),
        checks=(CommandCheck("q", ("cat", str(value_file))),),
        rules=(Rule("q-high", "q.value", Op.GT, warning=Level(80), critical=Level(95)),),
    )


def test_a_rise_to_critical_needs_a_new_ack_unless_configured(tmp_path: Path) -> None:
    for keep_ack, expected in ((False, "firing"), (True, "acknowledged")):
        value = tmp_path / f"value-{keep_ack}"
        conn = open_database(tmp_path / f"{keep_ack}.db")
        runner = Runner(_rising_config(value, keep_ack), conn)
        value.write_text("90")
        runner.run_once(1000.0)
        with transaction(conn):
            alerts.acknowledge(conn, 1, "ops", "on it", 1001.0)
        value.write_text("99")
        runner.run_once(1010.0)
        alert = alerts.get(conn, 1)
        assert alert is not None and (alert.severity.label, alert.status.value) == ("critical", expected)


def test_disk_and_check_context_carry_their_values(tmp_path: Path) -> None:
    value = tmp_path / "value"
    value.write_text("90")
    conn = open_database(tmp_path / "a.db")
    Runner(_config(value), conn).run_once(1000.0)
    alert = alerts.get(conn, 1)
    assert alert is not None
    check = alert.context["check"]
    assert isinstance(check, dict) and check["q.value"] == 90 and "q.duration" in check
