"""The database file: private, migrated once, never mistaken for someone else's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from alertctl.errors import StoreError
from alertctl.model import Change, Level, Op, Rule, SeriesKey, Severity, Transition, make_labels
from alertctl.store import alerts
from alertctl.store.db import open_copy, open_database, transaction
from alertctl.store.migrations import MIGRATIONS, apply, name_of
from tests.conftest import warned


def test_created_private_with_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "alertctl.db"
    open_database(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_migrations_are_recorded_and_run_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_database(path).close()
    conn = open_database(path)
    names = [row[0] for row in conn.execute("SELECT name FROM alertctl_migrations")]
    assert names == [name_of(step) for step in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_foreign_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE customers (name TEXT)")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an alertctl database"):
        open_database(path)
    assert path.read_bytes() == before


def test_garbage_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="cannot use the database"):
        open_database(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with pytest.raises(StoreError, match="cannot create the database"):
        open_database(blocked / "a.db")


def _opened(rule: Rule, value: float, at: float) -> Transition:
    return Transition(
        Change.OPENED,
        SeriesKey(rule.name, make_labels({"mount": "/"})),
        rule.metric,
        Severity.WARNING,
        at,
        value=value,
        peak=value,
        threshold=80,
        message="m",
        breaches=1,
    )


def test_one_open_alert_per_series_is_enforced_by_the_schema(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db")
    rule = Rule("disk", "disk.percent", Op.GT, warning=Level(80), labels=make_labels({"team": "ops"}))
    with transaction(conn):
        (recorded,) = alerts.record(conn, [_opened(rule, 90, 1.0)], {"disk": rule}, "h", {})
    stored = alerts.get(conn, recorded.alert_id or 0)
    assert stored is not None and stored.labels == {"mount": "/", "team": "ops"}
    with pytest.raises(sqlite3.IntegrityError), transaction(conn):
        alerts.record(conn, [_opened(rule, 91, 2.0)], {"disk": rule}, "h", {})
    assert len(alerts.current(conn)) == 1


def test_dry_run_transaction_leaves_nothing(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db")
    rule = Rule("disk", "disk.percent", Op.GT, warning=Level(80))
    with transaction(conn, commit=False):
        alerts.record(conn, [_opened(rule, 90, 1.0)], {"disk": rule}, "h", {})
    assert alerts.current(conn) == []


def test_a_second_connection_in_one_process_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    """Regression: re-opening the file outside SQLite dropped this process's POSIX locks, so
    another process took the database for unused, reset its log, and stopped seeing writes."""
    import subprocess
    import sys

    from alertctl.store import state
    from alertctl.store.db import transaction

    path = tmp_path / "a.db"
    writer = open_database(path)
    open_database(path)  # as watch's delivery thread does
    reader = [
        sys.executable,
        "-c",
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute(\"SELECT value FROM state WHERE key = 'n'\").fetchone()); c.close()",
        str(path),
    ]
    for n in range(3):
        with transaction(writer):
            state.set_value(writer, "n", n)
        seen = subprocess.run(reader, capture_output=True, text=True, timeout=30).stdout.strip()
        assert seen == f"('{n}',)"


def test_a_copy_includes_commits_still_in_the_write_ahead_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A crash leaves commits in `-wal`; the copy `watch` starts from on a read-only disk keeps them."""
    path = tmp_path / "a.db"
    writer = open_database(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with transaction(writer):
        writer.execute("INSERT INTO state(key, value) VALUES ('kept', '1')")
    copy = open_copy(path)
    writer.close()
    assert [tuple(row) for row in copy.execute("SELECT value FROM state WHERE key = 'kept'")] == [("1",)]
    assert warned(caplog) == []


def test_a_database_from_before_m008_upgrades_and_a_no_data_alert_opens_beside_a_breach(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for step in MIGRATIONS[:4]:
        apply(old, step)
    old.commit()
    old.close()
    conn = open_database(path)
    rule = Rule("disk", "disk.percent", Op.GT, warning=Level(80), mount="/")
    with transaction(conn):
        (breach,) = alerts.record(conn, [_opened(rule, 90, 1.0)], {"disk": rule}, "h", {})
    blind = Transition(
        Change.OPENED,
        SeriesKey("disk", make_labels({"mount": "/"}), nodata=True),
        rule.metric,
        Severity.WARNING,
        2.0,
        message="no data for disk.percent /: disk: / is not mounted on h",
    )
    with transaction(conn):
        (opened,) = alerts.record(conn, [blind], {"disk": rule}, "h", {})
    assert set(alerts.open_alerts(conn)) == {breach.key, blind.key}
    stored = alerts.get(conn, opened.alert_id or 0)
    assert stored is not None and stored.nodata and stored.value is None
    earlier = alerts.get(conn, breach.alert_id or 0)
    assert earlier is not None and not earlier.nodata
    with pytest.raises(sqlite3.IntegrityError), transaction(conn):
        alerts.record(conn, [blind], {"disk": rule}, "h", {})
    conn.close()
    assert open_database(path).execute("SELECT COUNT(*) FROM alertctl_migrations").fetchone()[0] == len(MIGRATIONS)


def test_a_database_from_before_m013_gets_its_durations_and_keeps_them_as_the_store_writes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for step in MIGRATIONS[:-1]:
        apply(old, step)
    for started, acked, resolved in ((10.0, 12.5, 70.25), (20.0, None, None)):
        old.execute(
            "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, message, "
            "started_at, last_seen_at, acked_at, resolved_at) VALUES "
            "('disk', 'disk.percent', ?, '{}', 'h', 'warning', 'warning', 'firing', 'x', ?, ?, ?, ?)",
            (f"s{started}", started, started, acked, resolved),
        )
    old.commit()
    old.close()
    conn = open_database(path)
    durations = "SELECT ack_seconds, resolve_seconds FROM alerts WHERE id = ?"
    assert [tuple(conn.execute(durations, (i,)).fetchone()) for i in (1, 2)] == [(2.5, 60.25), (None, None)]
    rule = Rule("disk", "disk.percent", Op.GT, warning=Level(80), mount="/")
    with transaction(conn):
        (opened,) = alerts.record(conn, [_opened(rule, 90, 100.0)], {"disk": rule}, "h", {})
    new_id = opened.alert_id or 0
    assert tuple(conn.execute(durations, (new_id,)).fetchone()) == (None, None)
    with transaction(conn):
        alerts.acknowledge(conn, new_id, "alice", None, 130.0)
        alerts.resolve_by_hand(conn, new_id, None, 400.0)
    assert tuple(conn.execute(durations, (new_id,)).fetchone()) == (30.0, 300.0)
