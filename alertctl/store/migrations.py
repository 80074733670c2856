"""Schema changes as Python functions, append-only: never edit, reorder or renumber a shipped one.

Each is `def mNNN_topic(db)` registered by `@migration` in the order written here; its
name is what the ledger (`alertctl_migrations`) records, and its number the schema version
(`m013_report` is version 13). `store.db` applies those a file lacks on every open, each in
its own transaction with the ledger row that records it. One statement per `db.execute`:
nothing splits SQL text, so a trigger's body or a `;` in a string literal is safe.

To add one: append a function named for the next number given, with `@migration` above it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

LEDGER = "alertctl_migrations"
"""Which migrations a file has had, by name: the schema version is the highest number in it."""

MIGRATIONS: list[Migration] = []


def migration(step: Migration) -> Migration:
    """Register `step` as the next migration (the order of this file is the order they run in)."""
    MIGRATIONS.append(step)
    return step


def name_of(step: Migration) -> str:
    return step.__name__


def apply(db: sqlite3.Connection, step: Migration) -> None:
    """Run one migration and record it, inside the caller's transaction (the ledger is created on first use)."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {LEDGER} (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    step(db)
    db.execute(f"INSERT INTO {LEDGER} VALUES (?, ?)", (name_of(step), time.time()))


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rule TEXT NOT NULL,
            metric TEXT NOT NULL,
            series TEXT NOT NULL,
            labels TEXT NOT NULL,
            host TEXT NOT NULL,
            severity TEXT NOT NULL,
            peak_severity TEXT NOT NULL,
            status TEXT NOT NULL,
            resolution TEXT,
            value REAL,
            peak REAL,
            threshold REAL,
            message TEXT NOT NULL,
            started_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            acked_at REAL,
            resolved_at REAL,
            suppressed_until REAL,
            acked_by TEXT,
            ack_note TEXT,
            suppress_reason TEXT,
            resolve_note TEXT,
            occurrences INTEGER NOT NULL DEFAULT 0,
            reopened INTEGER NOT NULL DEFAULT 0,
            notifications INTEGER NOT NULL DEFAULT 0,
            context TEXT NOT NULL DEFAULT '{}'
        )
    """)
    db.execute("CREATE UNIQUE INDEX alerts_one_open ON alerts(rule, series) WHERE status != 'resolved'")
    db.execute("CREATE INDEX alerts_started ON alerts(started_at)")
    db.execute("CREATE INDEX alerts_severity_started ON alerts(peak_severity, started_at)")
    db.execute("CREATE INDEX alerts_status_started ON alerts(status, started_at)")
    db.execute("CREATE INDEX alerts_rule_started ON alerts(rule, started_at)")
    db.execute("CREATE INDEX alerts_resolved_at ON alerts(resolved_at) WHERE resolved_at IS NOT NULL")
    db.execute("""
        CREATE TABLE tracks (
            rule TEXT NOT NULL,
            series TEXT NOT NULL,
            warning_since REAL,
            warning_count INTEGER NOT NULL,
            critical_since REAL,
            critical_count INTEGER NOT NULL,
            last_at REAL,
            PRIMARY KEY (rule, series)
        ) WITHOUT ROWID
    """)
    db.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


@migration
def m002_notifications(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            notify_type TEXT NOT NULL,
            created_at REAL NOT NULL,
            next_attempt_at REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            delivered_at REAL,
            given_up_at REAL,
            last_error TEXT
        )
    """)
    db.execute("CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL AND given_up_at IS NULL")
    db.execute("CREATE INDEX outbox_alert ON outbox(alert_id, created_at)")
    db.execute("""
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            outbox_id INTEGER NOT NULL,
            alert_id INTEGER,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            at REAL NOT NULL,
            ok INTEGER NOT NULL,
            error TEXT
        )
    """)
    db.execute("CREATE INDEX deliveries_alert ON deliveries(alert_id, at)")
    db.execute("CREATE INDEX deliveries_channel_at ON deliveries(channel, at)")
    db.execute("""
        CREATE TABLE muted (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            at REAL NOT NULL
        )
    """)
    db.execute("CREATE INDEX muted_alert ON muted(alert_id, at)")


@migration
def m003_silences(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE silences (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rule TEXT NOT NULL,
            labels TEXT NOT NULL,
            starts_at REAL NOT NULL,
            ends_at REAL NOT NULL,
            reason TEXT NOT NULL,
            created_by TEXT NOT NULL,
            lifted_at REAL
        )
    """)
    db.execute("CREATE INDEX silences_ends ON silences(ends_at)")
    db.execute("ALTER TABLE alerts ADD COLUMN silence_id INTEGER")
    db.execute("ALTER TABLE muted ADD COLUMN detail TEXT")
    db.execute("""
        CREATE TABLE alert_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )
    """)
    db.execute("CREATE INDEX alert_events_alert ON alert_events(alert_id, at)")


@migration
def m004_claims(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")
    db.execute("CREATE INDEX outbox_claimed ON outbox(claimed_by) WHERE claimed_by IS NOT NULL")


@migration
def m005_notice_severity_and_id(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE outbox ADD COLUMN severity TEXT")
    db.execute(
        "UPDATE outbox SET severity = CASE notify_type WHEN 'failure' THEN 'critical' WHEN 'warning' THEN 'warning' END"
    )
    db.execute("ALTER TABLE outbox ADD COLUMN notice_id TEXT")
    db.execute("UPDATE outbox SET notice_id = lower(hex(randomblob(8)))")


@migration
def m008_nodata(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE alerts ADD COLUMN nodata INTEGER NOT NULL DEFAULT 0")
    db.execute("DROP INDEX alerts_one_open")
    db.execute("CREATE UNIQUE INDEX alerts_one_open ON alerts(rule, series, nodata) WHERE status != 'resolved'")


@migration
def m011_history(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            metric TEXT NOT NULL,
            labels TEXT NOT NULL,
            first_at REAL NOT NULL,
            UNIQUE (metric, labels)
        )
    """)
    db.execute("""
        CREATE TABLE sample_hot (
            series INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (series, ts)
        ) WITHOUT ROWID
    """)
    db.execute("""
        CREATE TABLE sample_chunk (
            series INTEGER NOT NULL,
            t0 INTEGER NOT NULL,
            n INTEGER NOT NULL,
            vmin REAL NOT NULL,
            vmax REAL NOT NULL,
            ts BLOB NOT NULL,
            vals BLOB NOT NULL,
            PRIMARY KEY (series, t0)
        ) WITHOUT ROWID
    """)
    db.execute("""
        CREATE TABLE sample_rollup (
            series INTEGER NOT NULL,
            step INTEGER NOT NULL,
            t0 INTEGER NOT NULL,
            vmin REAL NOT NULL,
            vmax REAL NOT NULL,
            buckets BLOB NOT NULL,
            PRIMARY KEY (series, step, t0)
        ) WITHOUT ROWID
    """)


@migration
def m013_report(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE alerts ADD COLUMN ack_seconds REAL")
    db.execute("ALTER TABLE alerts ADD COLUMN resolve_seconds REAL")
    db.execute("UPDATE alerts SET ack_seconds = acked_at - started_at, resolve_seconds = resolved_at - started_at")
    db.execute("""
        CREATE TRIGGER alerts_seconds_insert AFTER INSERT ON alerts BEGIN
            UPDATE alerts SET ack_seconds = NEW.acked_at - NEW.started_at,
                              resolve_seconds = NEW.resolved_at - NEW.started_at WHERE id = NEW.id;
        END
    """)
    db.execute("""
        CREATE TRIGGER alerts_seconds_update AFTER UPDATE OF started_at, acked_at, resolved_at ON alerts BEGIN
            UPDATE alerts SET ack_seconds = NEW.acked_at - NEW.started_at,
                              resolve_seconds = NEW.resolved_at - NEW.started_at WHERE id = NEW.id;
        END
    """)
    db.execute("""
        CREATE INDEX alerts_report ON alerts(rule, started_at, peak_severity, status, reopened, ack_seconds,
                                             resolve_seconds)
    """)
    db.execute("DROP INDEX alerts_rule_started")
    db.execute("""
        CREATE INDEX alerts_rule_resolve_seconds ON alerts(rule, resolve_seconds, started_at)
            WHERE resolve_seconds IS NOT NULL
    """)
    db.execute(
        "CREATE INDEX alerts_resolve_seconds ON alerts(resolve_seconds, started_at, rule) WHERE resolve_seconds IS NOT NULL"
    )
    db.execute("CREATE INDEX alerts_ack_seconds ON alerts(ack_seconds, started_at, rule) WHERE ack_seconds IS NOT NULL")
    db.execute("CREATE INDEX deliveries_channel_report ON deliveries(channel, at, ok, outbox_id)")


@migration
def m014_four_severities(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE tracks ADD COLUMN info_since REAL")
    db.execute("ALTER TABLE tracks ADD COLUMN info_count INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE tracks ADD COLUMN error_since REAL")
    db.execute("ALTER TABLE tracks ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0")
