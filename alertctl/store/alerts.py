"""Alert rows: one per incident, written from the engine's transitions, read by the CLI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from alertctl.model import Alert, Change, OpenAlert, Rule, SeriesKey, Severity, Transition
from alertctl.store import events, state
from alertctl.store.codec import alert_from_row, labels_from_json, labels_json


def _rank(column: str) -> str:
    """SQL for a stored severity label's order, so the worst one reached is kept."""
    return f"CASE {column} " + " ".join(f"WHEN '{s.label}' THEN {s.value}" for s in Severity) + " END"


_BREACH_UPDATE = f"""
    UPDATE alerts SET severity = :severity,
        peak_severity = CASE WHEN {_rank(":severity")} > {_rank("peak_severity")} THEN :severity ELSE peak_severity END,
        value = :value, peak = :peak, threshold = :threshold, message = :message,
        last_seen_at = :at, occurrences = occurrences + :breaches,
        acked_at = CASE WHEN :clears_ack AND status = 'acknowledged' THEN NULL ELSE acked_at END,
        acked_by = CASE WHEN :clears_ack AND status = 'acknowledged' THEN NULL ELSE acked_by END,
        ack_note = CASE WHEN :clears_ack AND status = 'acknowledged' THEN NULL ELSE ack_note END,
        status = CASE WHEN :clears_ack AND status = 'acknowledged' THEN 'firing' ELSE status END
    WHERE id = :id
"""
_REOPEN = """
    UPDATE alerts SET status = 'firing', resolution = NULL, resolved_at = NULL, resolve_note = NULL,
        acked_at = NULL, acked_by = NULL, ack_note = NULL, reopened = reopened + 1
    WHERE id = :id
"""
_CLOSE = """
    UPDATE alerts SET status = 'resolved', resolution = :resolution, resolved_at = :at,
        value = COALESCE(:value, value), message = :message, suppressed_until = NULL,
        last_seen_at = CASE WHEN :value IS NULL THEN last_seen_at ELSE :at END
    WHERE id = :id
"""
_INSERT = """
    INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status,
        value, peak, threshold, message, started_at, last_seen_at, occurrences, context, nodata)
    VALUES (:rule, :metric, :series, :labels, :host, :severity, :severity, 'firing',
        :value, :peak, :threshold, :message, :at, :at, :breaches, :context, :nodata)
"""
_OPEN_COLUMNS = "id, rule, series, nodata, metric, severity, peak, last_seen_at"


def open_alerts(conn: sqlite3.Connection) -> dict[SeriesKey, OpenAlert]:
    rows = conn.execute(f"SELECT {_OPEN_COLUMNS} FROM alerts WHERE status != 'resolved'")
    return {_key(row): _open_alert(row) for row in rows}


def recently_recovered(conn: sqlite3.Connection, since: float) -> dict[SeriesKey, OpenAlert]:
    """Alerts that recovered after `since`: a re-fire reopens them instead of opening a new one."""
    rows = conn.execute(
        f"SELECT {_OPEN_COLUMNS} FROM alerts WHERE resolved_at >= ? AND resolution = 'recovered' ORDER BY resolved_at",
        (since,),
    )
    return {_key(row): _open_alert(row) for row in rows}


def _key(row: sqlite3.Row) -> SeriesKey:
    return SeriesKey(row["rule"], labels_from_json(row["series"]), bool(row["nodata"]))


def _open_alert(row: sqlite3.Row) -> OpenAlert:
    return OpenAlert(
        row["id"], _key(row), row["metric"], Severity.parse(row["severity"]), row["peak"], row["last_seen_at"]
    )


def record(
    conn: sqlite3.Connection,
    transitions: Sequence[Transition],
    rules: Mapping[str, Rule],
    host: str,
    contexts: Mapping[SeriesKey, dict[str, object]],
    keep_ack_on_rise: bool = False,
) -> list[Transition]:
    """Write every transition; returns them with `alert_id` set (new rows get theirs here)."""
    recorded = []
    for transition in transitions:
        params = _params(transition, keep_ack_on_rise)
        if transition.change is Change.OPENED:
            rule = rules[transition.key.rule]
            params |= {
                "rule": rule.name,
                "metric": rule.metric,
                "series": labels_json(transition.key.labels),
                "labels": labels_json(dict(transition.key.labels) | dict(rule.labels)),
                "host": host,
                "context": json.dumps(contexts.get(transition.key, {})),
                "nodata": transition.key.nodata,
            }
            transition = replace(transition, alert_id=conn.execute(_INSERT, params).lastrowid)
        elif transition.change in (Change.RESOLVED, Change.EXPIRED):
            resolution = "recovered" if transition.change is Change.RESOLVED else "expired"
            conn.execute(_CLOSE, params | {"resolution": resolution})
        else:
            if transition.change is Change.REOPENED:
                conn.execute(_REOPEN, params)
            conn.execute(_BREACH_UPDATE, params)
            if transition.change is Change.RAISED:
                _keep_peak_context(conn, transition, contexts.get(transition.key, {}))
        if transition.notable and transition.alert_id is not None:
            events.add(conn, transition.alert_id, transition.at, transition.change.value, _event_detail(transition))
        recorded.append(transition)
    return recorded


_VOLATILE = ("top_processes", "mount", "check")
"""The parts of a context that change while an alert is open (rules' text does not)."""


def _keep_peak_context(conn: sqlite3.Connection, t: Transition, context: Mapping[str, object]) -> None:
    """`context.at_peak`: what was true when it rose to a worse level (the latest rise wins)."""
    peak = {key: context[key] for key in _VOLATILE if key in context}
    if peak:
        conn.execute(
            "UPDATE alerts SET context = json_set(context, '$.at_peak', json(?)) WHERE id = ?",
            (json.dumps({"value": t.value, **peak}), t.alert_id),
        )


def _event_detail(t: Transition) -> str:
    if t.change in (Change.RESOLVED, Change.EXPIRED):
        return t.message
    return f"{t.severity.label}: {t.message}" if t.message else t.severity.label


def _params(t: Transition, keep_ack_on_rise: bool = False) -> dict[str, object]:
    return {
        "id": t.alert_id,
        "severity": t.severity.label,
        "value": t.value,
        "peak": t.peak,
        "threshold": t.threshold,
        "message": t.message,
        "at": t.at,
        "breaches": t.breaches,
        "clears_ack": t.change is Change.RAISED and not keep_ack_on_rise,
    }


def get(conn: sqlite3.Connection, alert_id: int) -> Alert | None:
    row = conn.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
    return None if row is None else alert_from_row(row)


def current(conn: sqlite3.Connection) -> list[Alert]:
    rows = conn.execute("SELECT * FROM alerts WHERE status != 'resolved' ORDER BY id")
    return [alert_from_row(row) for row in rows]


@dataclass(frozen=True)
class HistoryFilter:
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    rule: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    since: float | None = None
    until: float | None = None
    limit: int | None = 50


def history(conn: sqlite3.Connection, wanted: HistoryFilter) -> list[Alert]:
    """Newest first; severity filters by the worst severity an alert reached."""
    clauses: list[str] = []
    params: list[object] = []
    if wanted.severities:
        clauses.append(f"peak_severity IN ({','.join('?' * len(wanted.severities))})")
        params += wanted.severities
    if wanted.statuses:
        clauses.append(f"status IN ({','.join('?' * len(wanted.statuses))})")
        params += wanted.statuses
    if wanted.rule:
        clauses.append("rule = ?")
        params.append(wanted.rule)
    for key, value in wanted.labels:
        clauses.append("json_extract(labels, ?) = ?")
        params += [f'$."{key}"', value]
    if wanted.since is not None:
        clauses.append("started_at >= ?")
        params.append(wanted.since)
    if wanted.until is not None:
        clauses.append("started_at <= ?")
        params.append(wanted.until)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    limit = "" if wanted.limit is None else f"LIMIT {int(wanted.limit)}"
    rows = conn.execute(f"SELECT * FROM alerts {where} ORDER BY started_at DESC, id DESC {limit}", params)
    return [alert_from_row(row) for row in rows]


def acknowledge(conn: sqlite3.Connection, alert_id: int, by: str, note: str | None, now: float) -> Alert | None:
    """Open alerts become acknowledged; acknowledging again only updates who and why."""
    conn.execute(
        "UPDATE alerts SET status = CASE WHEN status = 'firing' THEN 'acknowledged' ELSE status END, "
        "acked_at = COALESCE(acked_at, ?), acked_by = ?, ack_note = COALESCE(?, ack_note) "
        "WHERE id = ? AND status != 'resolved'",
        (now, by, note, alert_id),
    )
    found = get(conn, alert_id)
    if found is not None and found.resolved_at is None:
        events.add(conn, alert_id, now, "acknowledged", f"by {by}" + (f": {note}" if note else ""))
    return found


def resolve_by_hand(conn: sqlite3.Connection, alert_id: int, note: str | None, now: float) -> Alert | None:
    """Close it, and restart the rule's `for`/`consecutive` count (or its `nodata_after` wait): a
    breach or a blind spell that goes on must qualify again before a new alert opens, instead of
    reopening on the very next sample. The count restarts at `now`, so a sample taken before the
    operator closed it (a slow `check` committing late) is older than the series' last judgement
    and is not applied."""
    found = get(conn, alert_id)
    if found is not None and found.nodata and found.resolved_at is None:
        state.forget_blind(conn, found.rule)
    runs = ", ".join(f"{s.label}_since = NULL, {s.label}_count = 0" for s in Severity)
    conn.execute(
        f"UPDATE tracks SET {runs}, "
        "last_at = MAX(COALESCE(last_at, :now), :now) WHERE (rule, series) IN "
        "(SELECT rule, series FROM alerts WHERE id = :id AND status != 'resolved' AND nodata = 0)",
        {"now": now, "id": alert_id},
    )
    conn.execute(
        "UPDATE alerts SET status = 'resolved', resolution = 'manual', resolved_at = ?, resolve_note = ?, "
        "suppressed_until = NULL WHERE id = ? AND status != 'resolved'",
        (now, note, alert_id),
    )
    if conn.execute("SELECT changes()").fetchone()[0]:
        events.add(conn, alert_id, now, "resolved", "manual" + (f": {note}" if note else ""))
    return get(conn, alert_id)


_OWED = (
    "EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = alerts.id AND o.delivered_at IS NULL AND o.given_up_at IS NULL)"
)
"""A notice of the alert is still being retried (until delivered, or given up after 24 h)."""
_OLD = "status = 'resolved' AND resolved_at < ?"
_PRUNABLE = f"{_OLD} AND NOT {_OWED}"
"""Resolved before the cut-off and owing no notice: pruning an alert deletes its notices too."""


def prune(conn: sqlite3.Connection, before: float) -> int:
    """Runs every cycle, so the usual case (nothing old enough) is one indexed probe."""
    if not conn.execute(f"SELECT 1 FROM alerts WHERE {_PRUNABLE} LIMIT 1", (before,)).fetchone():
        return 0
    from alertctl.store.outbox import forget_alerts

    gone = f"(SELECT id FROM alerts WHERE {_PRUNABLE})"
    forget_alerts(conn, gone, before)
    events.forget_before(conn, gone, before)
    return conn.execute(f"DELETE FROM alerts WHERE {_PRUNABLE}", (before,)).rowcount


def kept_for_notices(conn: sqlite3.Connection, before: float) -> list[int]:
    """Alerts old enough to prune that `prune` keeps because a notice of theirs is still owed."""
    return [row[0] for row in conn.execute(f"SELECT id FROM alerts WHERE {_OLD} AND {_OWED} ORDER BY id", (before,))]
