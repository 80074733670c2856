"""Retention never deletes a notice that is still owed: an alert waits for its last notice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from alertctl.config.runtime import Notify
from alertctl.store import alerts
from tests.conftest import run_here
from tests.notify.harness import Harness, channel
from tests.notify.receivers import http_receiver
from tests.notify.test_notify_process import _config


def test_an_alert_resolved_while_its_channel_fails_outlives_a_short_retention(tmp_path: Path) -> None:
    with http_receiver([500, 500]) as receiver:
        h = Harness(tmp_path, Notify(dedup_window=0.0, channels=(channel("ops", receiver.url()),)))
        h.runner.configure(replace(h.config, agent=replace(h.config.agent, retention=20.0)))
        h.step(1000.0, 90)  # opened: 500, retried at 1005
        h.step(1001.0, 10)  # resolved: queued behind the opening notice
        h.step(1030.0, 10)  # past retention; the opening notice fails again (500)
        assert alerts.get(h.conn, 1) is not None
        h.step(1060.0, 10)  # the channel is back: both go out, in order
        assert receiver.types() == ["warning", "warning", "warning", "success"]
        assert [n[3] for n in h.notices()] == ["delivered", "delivered"]
        h.step(1100.0, 10)  # nothing owed any more: pruned as usual
        assert alerts.get(h.conn, 1) is None
        assert h.sql("SELECT COUNT(*) FROM outbox")[0][0] == 0


def test_prune_keeps_and_names_the_alerts_whose_notices_are_still_retried(tmp_path: Path) -> None:
    with http_receiver([500] * 10) as receiver:
        config, db = _config(tmp_path, receiver.url())
        value = tmp_path / "value"
        for reading, code in (("90", 1), ("10", 0)):
            value.write_text(reading)
            assert run_here("check", "-c", str(config), "--db", str(db)).returncode == code
        pruned = run_here("prune", "--older-than", "0s", "-c", str(config), "--db", str(db))
        assert pruned.returncode == 0, pruned.stderr
        assert pruned.stdout.splitlines()[0] == (
            "Pruned 0 resolved alerts older than 0s; kept 1 whose notices are still being retried (#1)."
        )
        shown = run_here("show", "1", "-c", str(config), "--db", str(db))
        assert shown.returncode == 0 and "pending" in shown.stdout
