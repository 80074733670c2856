"""A corrupt or foreign database file: a clear one-line error, and the file is never written."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

COMMANDS = [["watch", "--cycles", "1"], ["check"], ["history"], ["ack", "1"], ["report"]]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _garbage(path: Path) -> Path:
    path.write_bytes(b"not a database at all\n" * 400)
    return path


def _torn(path: Path) -> Path:
    """A real alertctl database whose table pages were overwritten (a bad disk, a careless dd)."""
    assert run_cli("check", "--db", str(path)).returncode in (0, 1, 2)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):
        data[start : start + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("make", [_garbage, _torn], ids=["garbage", "torn pages"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_refused_in_one_line_and_left_alone(tmp_path: Path, make, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "a.db")
    before = _digest(path)

    result = run_cli(*command, "--db", str(path))

    assert "Traceback" not in result.stderr + result.stdout
    if command[0] == "check":
        assert result.returncode == 3
        assert result.stdout.startswith("ALERTCTL UNKNOWN - ") and str(path) in result.stdout
    else:
        assert result.returncode == 1, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert str(path) in line
    assert "keeping alerts in memory" not in result.stderr  # corrupt is not "full": no fallback over it
    assert _digest(path) == before
