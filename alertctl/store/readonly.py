"""Opening the database for reading only: `backtest` must never change the file it studies.

No migration, no WAL switch: SQLite's `mode=ro`. A file with no write-ahead log beside
it (no process has it open for writing: a writer in WAL mode always has one) is read
`immutable`, so that not even the empty `-wal` and `-shm` companions a reader would
create appear; a file whose log cannot be read here is read `immutable` too, without it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alertctl.errors import StoreError

_NEEDED = ("alerts", "series", "sample_chunk", "sample_hot", "silences")


def open_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise StoreError(f"{path}: no such database: nothing has been recorded there yet")
    quiet = not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    try:
        conn = _connect(path, "mode=ro&immutable=1" if quiet else "mode=ro")
        try:
            tables = _tables(conn)
        except sqlite3.OperationalError:
            conn.close()
            conn = _connect(path, "mode=ro&immutable=1")
            tables = _tables(conn)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot read the database: {error}") from None
    missing = [name for name in _NEEDED if name not in tables]
    if missing:
        raise StoreError(
            f"{path}: no metric history here (missing tables: {', '.join(missing)}); "
            "run `alertctl check` or `watch` with this alertctl first"
        )
    return conn


def _connect(path: Path, query: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only = ON")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@dataclass(frozen=True)
class OperatorActions:
    """What people did in a window that a replay cannot: they are not in the samples."""

    acknowledged: int
    resolved_by_hand: int
    suppressed: int
    silences: int


def operator_actions(conn: sqlite3.Connection, since: float, until: float) -> OperatorActions:
    acked, manual, suppressed = conn.execute(
        "SELECT SUM(acked_at BETWEEN :s AND :u), SUM(resolution = 'manual' AND resolved_at BETWEEN :s AND :u), "
        "SUM((silence_id IS NOT NULL OR suppress_reason IS NOT NULL) AND started_at BETWEEN :s AND :u) FROM alerts",
        {"s": since, "u": until},
    ).fetchone()
    silences = conn.execute(
        "SELECT count(*) FROM silences WHERE starts_at <= ? AND ends_at >= ?", (until, since)
    ).fetchone()[0]
    return OperatorActions(int(acked or 0), int(manual or 0), int(suppressed or 0), int(silences))
