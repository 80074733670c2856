"""`watch`'s in-memory copy leaves the history on disk, and writing it back leaves the history be."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alertctl.config.runtime import History
from alertctl.model import Sample
from alertctl.store import history, state
from alertctl.store.copy import copy_without_history, write_back
from alertctl.store.db import open_copy, open_database, transaction

T = 1_800_000_000.0


def _disk(tmp_path: Path) -> sqlite3.Connection:
    disk = open_database(tmp_path / "a.db")
    with transaction(disk):
        for hour in range(3):
            history.record(disk, [Sample("load.1", float(hour))], T + 3600 * hour, History())
        disk.execute("INSERT INTO alert_events (alert_id, at, kind) VALUES (1, 0, 'opened')")
        state.set_value(disk, "k", "before")
    return disk


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_copy_has_everything_but_the_history_rows(tmp_path: Path) -> None:
    disk = _disk(tmp_path)
    memory = sqlite3.connect(":memory:", isolation_level=None)
    copy_without_history(disk, memory)
    assert [_count(memory, t) for t in history.TABLES] == [0, 0, 0, 0]
    assert _count(memory, "alert_events") == 1 and state.get_value(memory, "k") == "before"
    assert _count(memory, "alertctl_migrations") == _count(disk, "alertctl_migrations")
    read_only = open_copy(tmp_path / "a.db")
    assert _count(read_only, "sample_chunk") == 0 and _count(read_only, "alert_events") == 1


def test_writing_back_keeps_the_file_s_history_and_the_id_counters(tmp_path: Path) -> None:
    disk = _disk(tmp_path)
    chunks = disk.execute("SELECT * FROM sample_chunk").fetchall()
    memory = sqlite3.connect(":memory:", isolation_level=None)
    copy_without_history(disk, memory)
    memory.execute("INSERT INTO alert_events (alert_id, at, kind) VALUES (2, 1, 'opened')")
    memory.execute("INSERT INTO alert_events (alert_id, at, kind) VALUES (3, 1, 'opened')")
    memory.execute("DELETE FROM alert_events WHERE id = 3")  # AUTOINCREMENT never gives 3 again
    state.set_value(memory, "k", "after")
    with transaction(disk):
        write_back(memory, disk)
    assert disk.execute("SELECT * FROM sample_chunk").fetchall() == chunks
    assert state.get_value(disk, "k") == "after"
    with transaction(disk):
        disk.execute("INSERT INTO alert_events (alert_id, at, kind) VALUES (3, 2, 'opened')")
    assert [row[0] for row in disk.execute("SELECT id FROM alert_events ORDER BY id")] == [1, 2, 4]
