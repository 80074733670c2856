"""Four levels in the database: runs per level kept between `check`s, an upgrade that keeps the
two old ones, and the worst severity an alert reached."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alertctl.model import Change, Level, LevelTrack, Op, Rule, SeriesKey, Severity, Track, Transition
from alertctl.store import alerts, state
from alertctl.store.db import open_database, transaction
from alertctl.store.migrations import MIGRATIONS, apply, name_of

KEY = SeriesKey("q", (("mount", "/"),))


def test_every_level_s_run_survives_a_round_trip(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db")
    track = Track(KEY, LevelTrack(2.0, 2), LevelTrack(), 5.0, info=LevelTrack(1.0, 3), error=LevelTrack(4.0, 1))
    with transaction(conn):
        state.save_tracks(conn, {KEY: track})
    assert state.load_tracks(conn) == {KEY: track}


def test_a_database_from_before_m014_keeps_its_warning_and_critical_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for step in MIGRATIONS:
        if name_of(step) < "m014":
            apply(old, step)
    old.execute("""INSERT INTO tracks VALUES ('q', '{"mount": "/"}', 10.0, 3, 20.0, 1, 30.0)""")
    old.commit()
    old.close()

    tracks = state.load_tracks(open_database(path))

    assert tracks == {KEY: Track(KEY, LevelTrack(10.0, 3), LevelTrack(20.0, 1), 30.0)}


def test_the_worst_severity_reached_is_kept_as_it_rises_and_falls(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.db")
    rule = Rule("q", "q.value", Op.GT, warning=Level(70), critical=Level(95), info=Level(50), error=Level(85))
    worst = []
    alert_id = None
    for at, (change, severity) in enumerate(
        [
            (Change.OPENED, Severity.INFO),
            (Change.RAISED, Severity.ERROR),
            (Change.LOWERED, Severity.WARNING),
            (Change.RAISED, Severity.CRITICAL),
            (Change.LOWERED, Severity.INFO),
        ]
    ):
        t = Transition(
            change,
            SeriesKey("q"),
            "q.value",
            severity,
            float(at),
            value=1.0,
            peak=1.0,
            threshold=1.0,
            message="m",
            alert_id=alert_id,
        )
        with transaction(conn):
            (recorded,) = alerts.record(conn, [t], {"q": rule}, "h", {})
        alert_id = recorded.alert_id
        stored = alerts.get(conn, alert_id or 0)
        assert stored is not None
        worst.append((stored.severity.label, stored.peak_severity.label))
    assert worst == [
        ("info", "info"),
        ("error", "error"),
        ("warning", "error"),
        ("critical", "critical"),
        ("info", "critical"),
    ]
