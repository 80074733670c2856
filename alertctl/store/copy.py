"""Copying the database between its file and `watch`'s in-memory copy, history left out.

The copy is what `watch` records into while the file refuses writes (see `fallback.py`).
Metric history is most of the file and none of what alerting needs, so it stays on
disk: the copy has the history tables, empty, and writing the copy back replaces every
other table's rows in one transaction, leaving the file's history as it was.
"""

from __future__ import annotations

import sqlite3

from alertctl.store.history import TABLES as HISTORY_TABLES
from alertctl.store.migrations import LEDGER as _LEDGER

_SEQUENCE = "sqlite_sequence"


def copy_without_history(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Schema and rows of `source` into an empty `target`; the history tables' rows stay behind."""
    schema = source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY type = 'index'"  # tables before the indexes on them
    ).fetchall()
    target.execute("BEGIN")
    try:
        for (statement,) in schema:
            target.execute(statement)
        for name in _tables(source):
            if name not in HISTORY_TABLES:
                _copy_rows(source, target, name)
    except BaseException:
        target.execute("ROLLBACK")  # all or nothing, so the caller can try another way to read
        raise
    target.execute("COMMIT")


def write_back(memory: sqlite3.Connection, disk: sqlite3.Connection) -> None:
    """Every table but the history ones (and the migrations ledger) made equal to the copy's.

    Runs inside the caller's transaction on `disk`.
    """
    for name in _tables(memory):
        if name in HISTORY_TABLES or name == _LEDGER:
            continue
        disk.execute(f'DELETE FROM "{name}"')
        _copy_rows(memory, disk, name)


def _tables(conn: sqlite3.Connection) -> list[str]:
    """Ordinary tables, and SQLite's AUTOINCREMENT counters, so ids keep counting where they were."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    return [name for (name,) in rows if not name.startswith("sqlite_") or name == _SEQUENCE]


def _copy_rows(source: sqlite3.Connection, target: sqlite3.Connection, name: str) -> None:
    rows = source.execute(f'SELECT * FROM "{name}"')
    holes = ", ".join("?" * len(rows.description))
    target.executemany(f'INSERT INTO "{name}" VALUES ({holes})', rows)
