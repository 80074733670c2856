"""Every schema version a file can be at migrates to the current one, its rows intact.

A database is built at each past version (the migrations up to it, then rows in every
table that version has), opened as alertctl opens it, and compared with a fresh one.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from alertctl.errors import StoreError
from alertctl.store import alerts, db
from alertctl.store.migrations import LEDGER, MIGRATIONS, apply, name_of

ROWS: dict[str, dict[str, dict[str, object]]] = {
    "m001_initial": {
        "alerts": {
            "rule": "disk",
            "metric": "disk.percent",
            "series": '{"mount":"/"}',
            "labels": '{"mount":"/"}',
            "host": "web-01",
            "severity": "warning",
            "peak_severity": "critical",
            "status": "acknowledged",
            "value": 91.5,
            "peak": 97.0,
            "threshold": 90.0,
            "message": "disk / at 91.5%",
            "started_at": 100.0,
            "last_seen_at": 160.0,
            "acked_at": 130.0,
            "acked_by": "ops",
            "ack_note": "a semicolon; inside",
            "occurrences": 7,
            "context": '{"mount":"/"}',
        },
        "tracks": {
            "rule": "disk",
            "series": '{"mount":"/"}',
            "warning_since": 100.0,
            "warning_count": 7,
            "critical_since": None,
            "critical_count": 0,
            "last_at": 160.0,
        },
        "state": {"key": "cpu_times", "value": '{"user": 1.0}'},
    },
    "m002_notifications": {
        "outbox": {
            "alert_id": 1,
            "channel": "ops",
            "kind": "opened",
            "reason": "first_notification",
            "title": "disk",
            "body": "disk / at 91.5%",
            "notify_type": "warning",
            "created_at": 100.0,
            "next_attempt_at": 105.0,
            "attempts": 1,
            "last_error": "refused",
        },
        "deliveries": {
            "outbox_id": 1,
            "alert_id": 1,
            "channel": "ops",
            "kind": "opened",
            "at": 100.0,
            "ok": 0,
            "error": "refused",
        },
        "muted": {"alert_id": 1, "kind": "escalated", "reason": "muted_no_channel", "at": 120.0},
    },
    "m003_silences": {
        "silences": {
            "rule": "disk",
            "labels": "{}",
            "starts_at": 90.0,
            "ends_at": 9000.0,
            "reason": "migration",
            "created_by": "ops",
        },
        "alert_events": {"alert_id": 1, "at": 130.0, "kind": "acked", "detail": "by ops"},
    },
    "m011_history": {
        "series": {"id": 1, "metric": "disk.percent", "labels": '{"mount":"/"}', "first_at": 100.0},
        "sample_hot": {"series": 1, "ts": 100_000, "value": 91.5},
        "sample_chunk": {
            "series": 1,
            "t0": 3600,
            "n": 2,
            "vmin": 1.0,
            "vmax": 2.0,
            "ts": b"\x00\x01",
            "vals": b"\x02\x03",
        },
        "sample_rollup": {"series": 1, "step": 300, "t0": 3600, "vmin": 1.0, "vmax": 2.0, "buckets": b"\x04"},
    },
}
"""Rows each migration's new tables can hold, written in the columns that version had."""


def _at_version(path: Path, count: int) -> sqlite3.Connection:
    """A file as an alertctl whose last migration was the `count`-th left it, with rows in every table."""
    old = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:count]:
        apply(old, step)
        for table, row in ROWS.get(name_of(step), {}).items():
            old.execute(
                f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
            )
    return old


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """sqlite_master without page numbers, each statement's spacing normalised."""
    found = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
    return [(kind, name, table, _spaced(sql)) for kind, name, table, sql in found]


def _spaced(sql: str) -> str:
    return re.sub(r"\s*([(),])\s*", r"\1", " ".join(sql.split()))


def _kept(conn: sqlite3.Connection, count: int) -> dict[str, dict[str, object]]:
    """What the rows written at that version read now, in the columns they were written in."""
    kept = {}
    for step in MIGRATIONS[:count]:
        for table, row in ROWS.get(name_of(step), {}).items():
            found = conn.execute(f"SELECT {', '.join(row)} FROM {table}").fetchall()
            assert len(found) == 1, table
            kept[table] = dict(zip(row, tuple(found[0])))
    return kept


@pytest.mark.parametrize("count", range(1, len(MIGRATIONS)), ids=lambda count: name_of(MIGRATIONS[count - 1]))
def test_a_database_at_every_past_version_reaches_the_current_schema_with_its_rows(tmp_path: Path, count: int) -> None:
    _at_version(tmp_path / "old.db", count).close()
    written = {table: row for step in MIGRATIONS[:count] for table, row in ROWS.get(name_of(step), {}).items()}

    upgraded = db.open_database(tmp_path / "old.db")

    assert [name for (name,) in upgraded.execute(f"SELECT name FROM {LEDGER} ORDER BY rowid")] == [
        name_of(step) for step in MIGRATIONS
    ]
    assert _schema(upgraded) == _schema(db.open_database(tmp_path / "fresh.db"))
    assert _kept(upgraded, count) == written
    alert = alerts.get(upgraded, 1)
    assert alert is not None and alert.ack_note == "a semicolon; inside" and alert.occurrences == 7


def test_every_version_is_covered_by_representative_rows() -> None:
    """A migration that adds a table adds its row here, so the upgrade test writes into it."""
    fresh = sqlite3.connect(":memory:")
    for step in MIGRATIONS:
        apply(fresh, step)
    tables = {name for (name,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables - {LEDGER, "sqlite_sequence"} == {table for rows in ROWS.values() for table in rows}


def test_migrations_are_numbered_in_the_order_they_run_and_never_twice() -> None:
    numbers = [int(match.group(1)) for step in MIGRATIONS if (match := re.fullmatch(r"m(\d{3})_\w+", name_of(step)))]
    assert len(numbers) == len(MIGRATIONS)
    assert numbers == sorted(set(numbers))


def test_a_migration_that_fails_leaves_the_file_at_the_version_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each migration is its own transaction: the ones before a failure stay, the failed one leaves no trace."""

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    _at_version(tmp_path / "old.db", len(MIGRATIONS) - 1).close()
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, m999_broken])
    with pytest.raises(StoreError, match="no such table: no_such_table"):
        db.open_database(tmp_path / "old.db")

    left = sqlite3.connect(tmp_path / "old.db")
    assert [name for (name,) in left.execute(f"SELECT name FROM {LEDGER} ORDER BY rowid")] == [
        name_of(step) for step in MIGRATIONS
    ]
    assert not left.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchall()


def test_a_database_from_a_newer_schema_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    newer = _at_version(path, len(MIGRATIONS))
    newer.execute(f"INSERT INTO {LEDGER} VALUES ('m999_from_the_future', 0)")
    newer.execute("PRAGMA journal_mode = WAL")  # as every alertctl leaves its files
    newer.close()
    before = path.read_bytes()
    ours = int(name_of(MIGRATIONS[-1])[1:4])
    with pytest.raises(StoreError, match=f"schema version 999 is newer than this alertctl's \\({ours}\\)"):
        db.open_database(path)
    assert path.read_bytes() == before
