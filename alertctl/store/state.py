"""What the engine must remember between runs: rule tracks and small named values.

Kept in the database, not in memory, so that cron-driven `check` runs honour
`for` and `consecutive` exactly as a long-running `watch` does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from alertctl.model import Blind, LevelTrack, SeriesKey, Severity, Track
from alertctl.store.codec import labels_from_json, labels_json


def load_tracks(conn: sqlite3.Connection) -> dict[SeriesKey, Track]:
    tracks = {}
    for row in conn.execute("SELECT * FROM tracks"):
        key = SeriesKey(row["rule"], labels_from_json(row["series"]))
        tracks[key] = Track(
            key,
            last_at=row["last_at"],
            **{s.label: LevelTrack(row[f"{s.label}_since"], row[f"{s.label}_count"]) for s in Severity},
        )
    return tracks


def save_tracks(conn: sqlite3.Connection, tracks: Mapping[SeriesKey, Track]) -> None:
    conn.execute("DELETE FROM tracks")
    columns = [f"{s.label}_{part}" for s in Severity for part in ("since", "count")]
    conn.executemany(
        f"INSERT INTO tracks (rule, series, last_at, {', '.join(columns)}) VALUES ({', '.join('?' * (3 + len(columns)))})",
        [
            (
                key.rule,
                labels_json(key.labels),
                t.last_at,
                *(value for s in Severity for value in (t.of(s).since, t.of(s).count)),
            )
            for key, t in tracks.items()
        ],
    )


_BLIND = "nodata"


def load_blind(conn: sqlite3.Connection) -> dict[str, Blind]:
    """Rules without a sample, since when: a cron `check` counts `nodata_after` as `watch` does."""
    saved = get_value(conn, _BLIND)
    if not isinstance(saved, dict):
        return {}
    return {
        rule: Blind(float(times[0]), float(times[1]))
        for rule, times in saved.items()
        if isinstance(times, list) and len(times) == 2 and all(isinstance(t, int | float) for t in times)
    }


def save_blind(conn: sqlite3.Connection, blind: Mapping[str, Blind]) -> None:
    set_value(conn, _BLIND, {rule: [b.since, b.last_at] for rule, b in blind.items()})


def forget_blind(conn: sqlite3.Connection, rule: str) -> None:
    """A no-data alert resolved by hand must wait `nodata_after` again before it reopens."""
    saved = load_blind(conn)
    if saved.pop(rule, None) is not None:
        save_blind(conn, saved)


def get_value(conn: sqlite3.Connection, key: str) -> object | None:
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def set_value(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute(
        "INSERT INTO state VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )
