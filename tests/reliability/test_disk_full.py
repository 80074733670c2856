"""The database's file system full: `watch` keeps sampling and notifying, and catches up.

A real size-limited tmpfs holds the database; a filler file takes the last free
bytes, exactly as a runaway log would. Needs root (mount); skipped otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.notify.receivers import http_receiver
from tests.reliability.watching import query, start_watch, write_config

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
    with filler.open("wb") as handle:
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
        config = write_config(tmp_path / "c.toml", value, RULE, f"""
            [notify.channels.ops]
            urls = ["{receiver.url()}"]
            """)
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
    first = subprocess.run([sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    filler = _fill(small_disk)
    value.write_text("90\n")
    done = subprocess.run([sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 3
    assert done.stdout.startswith("ALERTCTL UNKNOWN - ") and len(done.stdout.splitlines()) == 1
    assert len(done.stderr.splitlines()) == 1 and str(db) in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    filler.unlink()
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    again = subprocess.run([sys.executable, "-m", "alertctl", "check", *where], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 1, again.stderr  # space again: the breach is recorded on the next run


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
        config = write_config(tmp_path / "c.toml", value, RULE, f"""
            [notify]
            dedup_window = "0s"
            [notify.channels.ops]
            urls = ["{receiver.url()}"]
            """)
        where = ["-c", str(config), "--db", str(real / "a.db")]
        earlier = subprocess.run([sys.executable, "-m", "alertctl", "check", *where], capture_output=True,
                                 text=True, timeout=60)
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
