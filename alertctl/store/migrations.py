"""Schema changes, append-only: never edit a shipped one, add the next.

Each runs once, in order, inside the transaction that records it.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "m001_initial",
        """
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
        );
        CREATE UNIQUE INDEX alerts_one_open ON alerts(rule, series) WHERE status != 'resolved';
        CREATE INDEX alerts_started ON alerts(started_at);
        CREATE INDEX alerts_severity_started ON alerts(peak_severity, started_at);
        CREATE INDEX alerts_status_started ON alerts(status, started_at);
        CREATE INDEX alerts_rule_started ON alerts(rule, started_at);
        CREATE INDEX alerts_resolved_at ON alerts(resolved_at) WHERE resolved_at IS NOT NULL;
        CREATE TABLE tracks (
            rule TEXT NOT NULL,
            series TEXT NOT NULL,
            warning_since REAL,
            warning_count INTEGER NOT NULL,
            critical_since REAL,
            critical_count INTEGER NOT NULL,
            last_at REAL,
            PRIMARY KEY (rule, series)
        ) WITHOUT ROWID;
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        """,
    ),
    (
        "m002_notifications",
        """
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
        );
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL AND given_up_at IS NULL;
        CREATE INDEX outbox_alert ON outbox(alert_id, created_at);
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            outbox_id INTEGER NOT NULL,
            alert_id INTEGER,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            at REAL NOT NULL,
            ok INTEGER NOT NULL,
            error TEXT
        );
        CREATE INDEX deliveries_alert ON deliveries(alert_id, at);
        CREATE INDEX deliveries_channel_at ON deliveries(channel, at);
        CREATE TABLE muted (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX muted_alert ON muted(alert_id, at)
        """,
    ),
    (
        "m003_silences",
        """
        CREATE TABLE silences (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            rule TEXT NOT NULL,
            labels TEXT NOT NULL,
            starts_at REAL NOT NULL,
            ends_at REAL NOT NULL,
            reason TEXT NOT NULL,
            created_by TEXT NOT NULL,
            lifted_at REAL
        );
        CREATE INDEX silences_ends ON silences(ends_at);
        ALTER TABLE alerts ADD COLUMN silence_id INTEGER;
        ALTER TABLE muted ADD COLUMN detail TEXT;
        CREATE TABLE alert_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX alert_events_alert ON alert_events(alert_id, at)
        """,
    ),
    (
        "m004_claims",
        """
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        CREATE INDEX outbox_claimed ON outbox(claimed_by) WHERE claimed_by IS NOT NULL
        """,
    ),
    (
        "m005_notice_severity_and_id",
        """
        ALTER TABLE outbox ADD COLUMN severity TEXT;
        UPDATE outbox SET severity = CASE notify_type WHEN 'failure' THEN 'critical' WHEN 'warning' THEN 'warning' END;
        ALTER TABLE outbox ADD COLUMN notice_id TEXT;
        UPDATE outbox SET notice_id = lower(hex(randomblob(8)))
        """,
    ),
    (
        "m008_nodata",
        """
        ALTER TABLE alerts ADD COLUMN nodata INTEGER NOT NULL DEFAULT 0;
        DROP INDEX alerts_one_open;
        CREATE UNIQUE INDEX alerts_one_open ON alerts(rule, series, nodata) WHERE status != 'resolved'
        """,
    ),
    (
        "m011_history",
        """
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            metric TEXT NOT NULL,
            labels TEXT NOT NULL,
            first_at REAL NOT NULL,
            UNIQUE (metric, labels)
        );
        CREATE TABLE sample_hot (
            series INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (series, ts)
        ) WITHOUT ROWID;
        CREATE TABLE sample_chunk (
            series INTEGER NOT NULL,
            t0 INTEGER NOT NULL,
            n INTEGER NOT NULL,
            vmin REAL NOT NULL,
            vmax REAL NOT NULL,
            ts BLOB NOT NULL,
            vals BLOB NOT NULL,
            PRIMARY KEY (series, t0)
        ) WITHOUT ROWID;
        CREATE TABLE sample_rollup (
            series INTEGER NOT NULL,
            step INTEGER NOT NULL,
            t0 INTEGER NOT NULL,
            vmin REAL NOT NULL,
            vmax REAL NOT NULL,
            buckets BLOB NOT NULL,
            PRIMARY KEY (series, step, t0)
        ) WITHOUT ROWID
        """,
    ),
    (
        "m013_report",
        """
        ALTER TABLE alerts ADD COLUMN ack_seconds REAL;
        ALTER TABLE alerts ADD COLUMN resolve_seconds REAL;
        UPDATE alerts SET ack_seconds = acked_at - started_at, resolve_seconds = resolved_at - started_at;
        CREATE TRIGGER alerts_seconds_insert AFTER INSERT ON alerts BEGIN
            UPDATE alerts SET ack_seconds = NEW.acked_at - NEW.started_at,
                              resolve_seconds = NEW.resolved_at - NEW.started_at WHERE id = NEW.id;
        END;
        CREATE TRIGGER alerts_seconds_update AFTER UPDATE OF started_at, acked_at, resolved_at ON alerts BEGIN
            UPDATE alerts SET ack_seconds = NEW.acked_at - NEW.started_at,
                              resolve_seconds = NEW.resolved_at - NEW.started_at WHERE id = NEW.id;
        END;
        CREATE INDEX alerts_report ON alerts(rule, started_at, peak_severity, status, reopened, ack_seconds,
                                             resolve_seconds);
        DROP INDEX alerts_rule_started;
        CREATE INDEX alerts_rule_resolve_seconds ON alerts(rule, resolve_seconds, started_at)
            WHERE resolve_seconds IS NOT NULL;
        CREATE INDEX alerts_resolve_seconds ON alerts(resolve_seconds, started_at, rule) WHERE resolve_seconds IS NOT NULL;
        CREATE INDEX alerts_ack_seconds ON alerts(ack_seconds, started_at, rule) WHERE ack_seconds IS NOT NULL;
        CREATE INDEX deliveries_channel_report ON deliveries(channel, at, ok, outbox_id)
        """,
    ),
    (
        "m014_four_severities",
        """
        ALTER TABLE tracks ADD COLUMN info_since REAL;
        ALTER TABLE tracks ADD COLUMN info_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tracks ADD COLUMN error_since REAL;
        ALTER TABLE tracks ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0
        """,
    ),
]
