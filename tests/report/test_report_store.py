"""The report's SQL: served by the covering index, and fed by real `check` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alertctl.store import report as store_report
from alertctl.store.db import open_database
from alertctl.store.migrations import MIGRATIONS
from tests.cli.conftest import Rig


@pytest.mark.parametrize(("rule", "index"), [(None, "alerts_started"), ("disk-root", "alerts_rule_started")])
def test_alert_aggregates_search_a_range_of_an_index(tmp_path: Path, rule: str | None, index: str) -> None:
    conn = open_database(tmp_path / "a.db")
    clause, params = store_report.Window(0.0, 1.0, rule).where()
    for key in ("peak_severity", "strftime('%H', started_at, 'unixepoch', 'localtime')"):
        plan = " ".join(str(tuple(r)) for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT {key}, COUNT(*) FROM alerts WHERE {clause} GROUP BY 1", params))
        assert "SEARCH alerts USING" in plan and f"INDEX {index} (" in plan
        assert "SCAN alerts" not in plan


def test_the_report_adds_no_migration() -> None:
    assert [name for name, _ in MIGRATIONS][:2] == ["m001_initial", "m002_notifications"]
    assert not any("report" in name for name, _ in MIGRATIONS)


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def test_report_of_alerts_made_by_check(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(99)
    assert rig.invoke("check").exit_code == 2  # opens critical
    rig.set_value(85)
    assert rig.invoke("check").exit_code == 1  # falls to warning; worst stays critical
    rig.set_value(0)
    assert rig.invoke("check").exit_code == 0  # recovers
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1  # reopened inside dedup_window
    rig.set_value(0)
    assert rig.invoke("check").exit_code == 0
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1  # reopened again: flapping
    [alert] = rig.alerts()
    result = rig.invoke("report", "--json", "--since", "1h")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    started, resolved = rig.sql("SELECT started_at, resolved_at FROM alerts")[0]
    assert resolved is None
    assert (got["total"], got["by_severity"], got["by_rule"]) == (1, {"warning": 0, "critical": 1}, {"q-high": 1})
    assert got["by_status"]["firing"] == 1
    assert got["flapping"] == [{"rule": "q-high", "reopened": 2}]
    assert alert["reopened"] == 2
    from datetime import datetime

    assert got["hourly"][datetime.fromtimestamp(started).hour] == 1 and sum(got["hourly"]) == 1
    assert (got["mtta_seconds"], got["mttr_seconds"]) == (None, None)
    assert rig.invoke("ack", "1").exit_code == 0
    got = json.loads(rig.invoke("report", "--json", "--since", "1h").stdout)
    acked = rig.sql("SELECT acked_at - started_at FROM alerts")[0][0]
    assert got["mtta_seconds"] == round(acked, 3)
    assert got["by_status"]["acknowledged"] == 1
