"""Every file alertctl creates is 0600 and every folder it creates 0700, whatever the umask:
the config, its cache and the database all hold channel tokens."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

UMASKS = [0o022, 0o000]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(umask: int, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI (or a snippet of Python) in a child process started under `umask`."""
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "alertctl", *args]
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=60, preexec_fn=lambda: os.umask(umask), check=False
    )


def modes_below(root: Path, top: Path) -> dict[str, int]:
    """`top` and everything under it, by path relative to `root`."""
    found = {str(top.relative_to(root)): mode(top)}
    found.update({str(path.relative_to(root)): mode(path) for path in top.rglob("*")})
    return found


@pytest.mark.parametrize("umask", UMASKS, ids=["umask-022", "umask-000"])
def test_the_default_database_and_the_config_cache(isolated_home: Path, tmp_path: Path, umask: int) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[checks]]\nname = "q"\ntype = "command"\ncommand = ["echo", "1"]\n')
    result = run(umask, "check", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert modes_below(isolated_home, isolated_home / ".local") == {
        ".local": 0o700,
        ".local/state": 0o700,
        ".local/state/alertctl": 0o700,
        ".local/state/alertctl/alertctl.db": 0o600,
    }
    cache = modes_below(isolated_home, isolated_home / ".cache")
    assert cache.pop(".cache") == cache.pop(".cache/alertctl") == 0o700
    assert list(cache.values()) == [0o600]  # the one cached config


@pytest.mark.parametrize("umask", UMASKS, ids=["umask-022", "umask-000"])
def test_config_init_writes_0600_in_new_0700_folders(isolated_home: Path, umask: int) -> None:
    result = run(umask, "config", "init")
    assert result.returncode == 0, result.stderr
    assert modes_below(isolated_home, isolated_home / ".config") == {
        ".config": 0o700,
        ".config/alertctl": 0o700,
        ".config/alertctl/config.toml": 0o600,
    }


def test_config_init_force_makes_an_existing_file_private(tmp_path: Path) -> None:
    target = tmp_path / "shared.toml"
    target.write_text("# was world-readable\n")
    target.chmod(0o644)
    assert run(0o022, "config", "init", str(target), "--force").returncode == 0
    assert mode(target) == 0o600 and "[agent]" in target.read_text()


@pytest.mark.parametrize("umask", UMASKS, ids=["umask-022", "umask-000"])
def test_the_database_journal_files_while_open(tmp_path: Path, umask: int) -> None:
    """`-wal` and `-shm` exist only while a connection is open: look from inside one."""
    database = tmp_path / "new" / "deeper" / "a.db"
    code = f"""
import os, stat
from alertctl.store.db import open_database, transaction
conn = open_database({str(database)!r})
with transaction(conn):
    conn.execute("CREATE TABLE probe (x)")
for suffix in ("", "-wal", "-shm"):
    print(suffix or "db", oct(stat.S_IMODE(os.stat({str(database)!r} + suffix).st_mode)))
"""
    result = run(umask, code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db", "0o600", "-wal", "0o600", "-shm", "0o600"]
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "deeper") == 0o700


def test_folders_that_already_exist_are_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    result = run(0o000, "history", "--db", str(shared / "a.db"))
    assert result.returncode == 0, result.stderr
    assert mode(shared) == 0o755 and mode(shared / "a.db") == 0o600


@pytest.mark.parametrize("umask", UMASKS, ids=["umask-022", "umask-000"])
def test_a_database_reached_through_a_dangling_symlink_is_created_0600(tmp_path: Path, umask: int) -> None:
    """`--db link` where `link -> data/alerts.db` does not exist yet: the file lands at the target
    (SQLite alone would create it with the umask's mode)."""
    config = tmp_path / "c.toml"
    config.write_text('[[checks]]\nname = "q"\ntype = "command"\ncommand = ["echo", "1"]\n')
    link, target = tmp_path / "link.db", tmp_path / "data" / "alerts.db"
    target.parent.mkdir(mode=0o700)
    link.symlink_to(target)
    result = run(umask, "check", "-c", str(config), "--db", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and mode(target) == 0o600
