"""The report's SQL: served by the covering index, and fed by real `check` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alertctl.store import report as store_report
from alertctl.store.db import open_database
from alertctl.store.migrations import MIGRATIONS, name_of
from tests.cli.conftest import Rig


@pytest.mark.parametrize("rule", [None, "disk-root"])
def test_the_report_reads_only_index_ranges_and_sorts_no_duration(
    tmp_path: Path, rule: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_report, "SORTED_UP_TO", 0)  # as over more alerts than one
    conn = open_database(tmp_path / "a.db")
    conn.execute(
        "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, message, "
        "started_at, last_seen_at, acked_at, resolved_at) "
        "VALUES ('disk-root', 'm', 's', '{}', 'h', 'warning', 'warning', 'resolved', 'x', 0.5, 0.5, 0.6, 0.9)"
    )
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    store_report.aggregates(conn, store_report.Window(0.0, 1.0, rule))
    conn.set_trace_callback(None)
    plans = {sql: " ".join(str(r[3]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in ran}
    for sql, plan in plans.items():
        assert "SCAN alerts" not in plan and "SCAN deliveries" not in plan, sql
        assert "SEARCH alerts USING INDEX" not in plan, sql  # every alerts index used covers the query
        assert "TEMP B-TREE FOR ORDER BY" not in plan, sql  # medians walk an index in duration order
    medians = [plan for sql, plan in plans.items() if "LIMIT" in sql]
    assert len(medians) == (3 if rule is None else 2)  # per rule, time to ack, time to resolve (one rule: its own)
    grouped = [sql for sql, plan in plans.items() if "TEMP B-TREE FOR GROUP BY" in plan]
    assert all("/ 900" in sql for sql in grouped)  # only the quarter-hour buckets may be sorted


def test_the_report_adds_one_migration_for_its_indexes() -> None:
    assert [name_of(step) for step in MIGRATIONS if "report" in name_of(step)] == ["m013_report"]


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
    assert (got["total"], got["by_severity"], got["by_rule"]) == (
        1,
        {"info": 0, "warning": 0, "error": 0, "critical": 1},
        {"q-high": 1},
    )
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
