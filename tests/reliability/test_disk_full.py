"""The database's file system full: `watch` keeps sampling and notifying, and catches up.

A real size-limited tmpfs holds the database; a filler file takes the last free
bytes, exactly as a runaway log would. Needs root (mount); skipped otherwise.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from alertctl.config.runtime import Agent, AlertmanagerChannel, Config, Notify
from alertctl.loop import Runner
from alertctl.model import CommandCheck
from alertctl.store import alerts, silences
from alertctl.store.db import open_database, transaction
from alertctl.store.fallback import MemoryFallback
from alertctl.store.history import read
from tests.conftest import warned
from tests.notify.harness import q_rule
from tests.notify.receivers import http_receiver
from tests.reliability.watching import query, start_watch, write_config

pytestmark = [pytest.mark.root, pytest.mark.slow]

RULE = """
[[rules]]
name = "q-high"
metric = "q.value"
warning = 80
critical = 95
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Take every free byte, as a runaway log would."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:  # unbuffered: a partial write leaves nothing to flush at close
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def _wait(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_keeps_notifying_on_a_full_disk_and_writes_it_all_later(tmp_path: Path, small_disk: Path) -> None:
    value, db = tmp_path / "value", small_disk / "a.db"
    value.write_text("10\n")
    with http_receiver() as receiver:
        config = write_config(
            tmp_path / "c.toml",
            value,
            RULE,
            f"""
            [notify.channels.ops]
            urls = ["{receiver.url()}"]
            """,
        )
        watch = start_watch(config, db, "--interval", "0.2s")
        try:
            assert watch.stdout is not None and "watching" in watch.stdout.readline()
            time.sleep(0.6)
            filler = _fill(small_disk)
            value.write_text("90\n")
            assert receiver.wait_for(1, timeout=15), "no notice while the disk was full"
            assert "q-high" in receiver.titles()[0]
            value.write_text("97\n")
            assert receiver.wait_for(2, timeout=15), "no notice of the rise while the disk was full"
            assert query(db, "SELECT count(*) FROM alerts") == [(0,)]  # nothing could reach the file yet

            filler.unlink()
            assert _wait(lambda: query(db, "SELECT count(*) FROM alerts") == [(1,)]), "never caught up"
            value.write_text("10\n")
            assert receiver.wait_for(3, timeout=15)
            assert _wait(lambda: query(db, "SELECT status FROM alerts") == [("resolved",)])
        finally:
            watch.send_signal(signal.SIGTERM)
            out, err = watch.communicate(timeout=15)
    assert watch.returncode == 0, err
    assert "Traceback" not in err
    complaints = [line for line in err.splitlines() if "cannot be written" in line]
    assert len(complaints) == 1, err  # said once, not every cycle
    assert "database or disk is full" in complaints[0] and str(db) in complaints[0]
    assert "accepts writes again" in err
    sent = [line for line in out.splitlines() if "notice to ops delivered" in line]  # the event log
    assert [line.split(": ")[-1] for line in sent] == ["opened #1", "raised #1", "resolved #1"], out
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT rule, peak, status FROM alerts") == [("q-high", 97.0, "resolved")]
    kinds = [k for (k,) in query(db, "SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["opened", "raised", "resolved"]
    assert query(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == [(0,)]
    assert len(receiver.payloads) == 3  # each notice once: none re-sent after catching up


def test_check_on_a_full_disk_answers_unknown_in_one_line(tmp_path: Path, small_disk: Path) -> None:
    value, db = tmp_path / "value", small_disk / "a.db"
    value.write_text("10\n")
    config = write_config(tmp_path / "c.toml", value, RULE)
    where = ["-c", str(config), "--db", str(db)]
    first = subprocess.run(
        [sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True, timeout=60
    )
    assert first.returncode == 0, first.stderr
    filler = _fill(small_disk)
    value.write_text("90\n")
    done = subprocess.run(
        [sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert done.stdout.startswith("ALERTCTL UNKNOWN - ") and len(done.stdout.splitlines()) == 1
    assert len(done.stderr.splitlines()) == 1 and str(db) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    filler.unlink()
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    again = subprocess.run(
        [sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 1, again.stderr  # space again: the breach is recorded on the next run


def test_check_names_the_database_when_the_disk_fills_after_it_opened(tmp_path: Path, small_disk: Path) -> None:
    """The file opens (its write-ahead log and shared memory are kept by a reader), then the
    cycle's write fails: the error names the database, not only "database or disk is full"."""
    value, db = tmp_path / "value", small_disk / "a.db"
    value.write_text("10\n")
    where = ["-c", str(write_config(tmp_path / "c.toml", value, RULE)), "--db", str(db)]
    assert subprocess.run([sys.executable, "-m", "alertctl", "check", *where], capture_output=True).returncode == 0
    reader = sqlite3.connect(db)
    try:
        reader.execute("SELECT count(*) FROM alerts").fetchall()
        _fill_to_the_byte(small_disk / "filler")
        value.write_text("90\n")
        done = subprocess.run(
            [sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True, timeout=60
        )
    finally:
        reader.close()
    assert done.returncode == 3
    assert done.stdout.startswith(f"ALERTCTL UNKNOWN - {db}: "), done.stdout
    assert done.stderr.startswith(f"alertctl: {db}: ") and "full" in done.stderr, done.stderr


def _fill_to_the_byte(filler: Path) -> None:
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(descriptor)


@pytest.fixture
def read_only_view(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable folder, the same folder mounted read-only): the file system turns read-only."""
    real, view = tmp_path / "real", tmp_path / "view"
    real.mkdir()
    view.mkdir()
    if os.geteuid() != 0:
        pytest.skip("bind mounts need root")
    if subprocess.run(["mount", "--bind", str(real), str(view)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True, capture_output=True)
        yield real, view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_watch_started_on_a_read_only_file_system_keeps_its_history(
    tmp_path: Path, read_only_view: tuple[Path, Path]
) -> None:
    real, view = read_only_view
    value = tmp_path / "value"
    value.write_text("90\n")
    with http_receiver() as receiver:
        config = write_config(
            tmp_path / "c.toml",
            value,
            RULE,
            f"""
            [notify]
            dedup_window = "0s"
            [notify.channels.ops]
            urls = ["{receiver.url()}"]
            """,
        )
        where = ["-c", str(config), "--db", str(real / "a.db")]
        earlier = subprocess.run(
            [sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True, timeout=60
        )
        assert earlier.returncode == 1, earlier.stderr  # alert #1 on record, its notice sent
        value.write_text("10\n")
        assert receiver.wait_for(1)

        watch = start_watch(config, view / "a.db", "--interval", "0.2s")
        try:
            assert watch.stdout is not None and "watching" in watch.stdout.readline()
            assert receiver.wait_for(2, timeout=15), "the recovery was not announced from memory"
            value.write_text("97\n")
            assert receiver.wait_for(3, timeout=15), "the new alert was not announced from memory"
            subprocess.run(["mount", "-o", "remount,rw,bind", str(view)], check=True, capture_output=True)
            assert _wait(lambda: len(query(real / "a.db", "SELECT id FROM alerts")) == 2), "never caught up"
        finally:
            watch.send_signal(signal.SIGTERM)
            out, err = watch.communicate(timeout=15)
    assert watch.returncode == 0, err
    assert "Traceback" not in err
    assert sum("keeping alerts in memory" in line for line in err.splitlines()) == 1, err
    assert "accepts writes again" in err
    rows = query(real / "a.db", "SELECT id, status, peak FROM alerts ORDER BY id")
    assert rows == [(1, "resolved", 90.0), (2, "firing", 97.0)]
    assert len(receiver.payloads) == 3  # opened #1 (by check), resolved #1 and opened #2 (from memory)


def _free_some(filler: Path, size: int) -> None:
    os.truncate(filler, filler.stat().st_size - size)


def _runner_on(disk: Path, sample_buffer: int = 360) -> tuple[Runner, MemoryFallback]:
    value = disk / "value"
    value.write_text("90\n")
    config = Config(agent=Agent(host="web-01"), checks=(CommandCheck("q", ("cat", str(value))),), rules=(q_rule(),))
    conn = open_database(disk / "a.db")
    fallback = MemoryFallback(conn, disk / "a.db", sample_buffer)
    return Runner(config, conn, fallback=fallback), fallback


def test_an_operator_change_made_during_an_outage_is_carried_over_once(small_disk: Path) -> None:
    """A silence that ends during the outage is lifted once in memory: a later small write to the
    file (an ack fitting where a cycle did not) must not bring the silence's old state back."""
    runner, fallback = _runner_on(small_disk)
    t = 1_800_000_000.0
    runner.run_once(t)
    with transaction(runner.conn):
        silences.create(runner.conn, "q-high", (), t, t + 30, "maintenance", "op")
    runner.run_once(t + 5)
    runner.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = _fill(small_disk)
    runner.run_once(t + 7)
    assert fallback.engaged
    _free_some(filler, 64 * 1024)
    operator = open_database(small_disk / "a.db")
    with transaction(operator):
        alerts.acknowledge(operator, 1, "alice", "on it", t + 8)
    operator.close()
    _fill(small_disk)
    for i in range(2, 12):
        runner.run_once(t + 5 * i)
    assert fallback.engaged
    memory = fallback.conn
    assert memory.execute("SELECT acked_by FROM alerts WHERE id = 1").fetchone()[0] == "alice"
    lifted = memory.execute("SELECT count(*) FROM alert_events WHERE alert_id = 1 AND kind = 'unsuppressed'")
    assert lifted.fetchone()[0] == 1


def test_a_failed_write_back_leaves_freed_space_free(small_disk: Path) -> None:
    """Freed space too small for the whole copy is left alone, not swallowed by the log."""
    runner, fallback = _runner_on(small_disk)
    with transaction(runner.conn):
        for i in range(150):  # some 600 KB of history
            runner.conn.execute("INSERT INTO state(key, value) VALUES (?, ?)", (f"k{i}", '"' + "x" * 4000 + '"'))
    runner.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = _fill(small_disk)
    runner.run_once(1_800_000_000.0)
    assert fallback.engaged
    _free_some(filler, 400 * 1024)
    free_before = _free_bytes(small_disk)
    runner.run_once(1_800_000_005.0)
    assert fallback.engaged
    assert _free_bytes(small_disk) >= free_before - 64 * 1024
    filler.unlink()
    runner.run_once(1_800_000_010.0)
    assert not fallback.engaged
    assert (small_disk / "a.db-wal").stat().st_size < 64 * 1024  # the copy's pages handed back
    assert query(small_disk / "a.db", "SELECT count(*) FROM state WHERE key LIKE 'k%'") == [(150,)]


def _free_bytes(disk: Path) -> int:
    found = os.statvfs(disk)
    return found.f_bavail * found.f_frsize


def test_watch_stopped_during_an_outage_says_what_it_could_not_write(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runner, fallback = _runner_on(small_disk)
    runner.run_once(1_800_000_000.0)
    runner.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _fill(small_disk)
    (small_disk / "value").write_text("97\n")
    runner.run_once(1_800_000_005.0)
    fallback.stop()
    said = warned(caplog)
    assert "2 cycles kept in memory are lost" not in said[-1]
    assert said[-1].endswith("the next run)") and "1 cycles kept in memory are lost" in said[-1]


def test_alertmanager_hears_of_alerts_while_the_disk_is_full(small_disk: Path) -> None:
    """Alertmanager would time this host's alerts out (and never hear of new ones) otherwise."""
    with http_receiver() as receiver:
        runner, fallback = _runner_on(small_disk)
        am = AlertmanagerChannel("am", (f"http://127.0.0.1:{receiver.port}",), resend=60.0)
        runner.configure(replace(runner.config, notify=Notify(alertmanagers=(am,))))
        runner.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _fill(small_disk)
        runner.run_once(1_800_000_000.0)
        assert fallback.engaged
        [posted] = receiver.payloads
        assert [a["labels"]["alertname"] for a in posted] == ["q-high"]  # type: ignore[index]
        (small_disk / "value").write_text("10\n")
        runner.run_once(1_800_000_005.0)
        ended = receiver.payloads[-1][0]  # type: ignore[index]
        assert ended["endsAt"].startswith("2027-01-15T08:00:05")  # resolved then, said at once


def test_history_stays_on_disk_and_the_outage_s_samples_are_written_back(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The in-memory copy leaves the history out; the samples taken meanwhile wait in a bounded
    buffer and reach the history when the copy is written back, the oldest beyond it dropped."""
    runner, fallback = _runner_on(small_disk, sample_buffer=2)
    t = 1_800_000_000.0
    for at, value in ((t, "10"), (t + 1800, "20"), (t + 3600, "30")):  # the third seals an hour
        (small_disk / "value").write_text(value)
        runner.run_once(at)
    runner.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = _fill(small_disk)
    for at, value in ((t + 3605, "41"), (t + 3610, "42"), (t + 3615, "43")):
        (small_disk / "value").write_text(value)
        runner.run_once(at)
    assert fallback.engaged
    assert fallback.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 0
    filler.unlink()
    (small_disk / "value").write_text("50")
    runner.run_once(t + 3620)
    assert not fallback.engaged
    [signal] = read.signals(runner.conn, "q.value", (), t, t + 3620, step=0)
    assert [(p.at - t, p.value) for p in signal.points] == [
        (0, 10.0),
        (1800, 20.0),
        (3600, 30.0),
        (3610, 42.0),
        (3615, 43.0),
        (3620, 50.0),
    ]
    assert "the metric history misses the 1 oldest cycles' samples (only the last 2" in warned(caplog)[-1]
    assert query(small_disk / "a.db", "SELECT count(*) FROM sample_chunk") != [(0,)]
