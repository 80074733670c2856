"""The writer on its own: which connection a cycle's work goes to, and what a dry run keeps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from alertctl.clock import Instant
from alertctl.config.runtime import History
from alertctl.model import Sample
from alertctl.store import state
from alertctl.store.db import open_database
from alertctl.store.fallback import MemoryFallback
from alertctl.writer import Writer
from tests.conftest import warned

SAMPLES = [Sample("q.value", 90.0)]


def _mark(conn: sqlite3.Connection) -> str:
    state.set_value(conn, "mark", "written")
    return "recorded"


def test_a_dry_run_returns_the_work_and_keeps_none_of_it_nor_the_clock_reading(tmp_path: Path) -> None:
    writer = Writer(open_database(tmp_path / "a.db"), dry_run=True)

    result, held = writer.write(_mark, Instant(1000.0, 50.0, "boot-1"))
    writer.keep_samples(writer.conn, SAMPLES, 1000.0, History())

    assert result == "recorded" and held >= 0
    reread = open_database(tmp_path / "a.db")
    assert state.get_value(reread, "mark") is None and state.get_value(reread, "clock") is None
    assert reread.execute("SELECT count(*) FROM sample_hot").fetchone()[0] == 0


def test_a_step_of_the_wall_clock_is_followed_and_said_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    writer = Writer(open_database(tmp_path / "a.db"))
    for wall, since_boot in ((1000.0, 50.0), (4610.0, 60.0), (4620.0, 70.0)):
        writer.write(_mark, Instant(wall, since_boot, "boot-1"))
    assert warned(caplog) == ["the wall clock was set +3600s; open alerts and pending timers keep their durations"]


def test_while_the_file_refuses_writes_the_work_goes_to_the_copy_and_samples_to_the_buffer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    disk = open_database(tmp_path / "a.db")
    writer = Writer(disk, MemoryFallback(disk, tmp_path / "a.db"))
    disk.execute("PRAGMA query_only = ON")  # every write to the file now fails as SQLITE_READONLY

    for now in (1000.0, 1010.0):
        writer.write(_mark, None)
        writer.keep_samples(writer.conn, SAMPLES, now, History())

    assert writer.fallback is not None and writer.in_memory and writer.conn is writer.fallback.memory
    assert state.get_value(writer.conn, "mark") == "written" and state.get_value(disk, "mark") is None
    assert [at for at, _, _ in writer.fallback.samples] == [1000.0, 1010.0]
    assert writer.history_of(writer.conn) is None
    said = warned(caplog)
    assert len(said) == 1 and "cannot be written" in said[0]
