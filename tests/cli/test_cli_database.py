"""Where the database lives, how it is created, and what alertctl refuses to touch."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Rig
from tests.conftest import run_here


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_database_is_created_private_with_its_folders(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.db = rig.root / "deep" / "er" / "a.db"

    result = rig.here("check")

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(rig.db.stat().st_mode) == 0o600
    assert rig.here("check").returncode == 0  # a second run on the same file is fine


def test_default_database_is_under_xdg_state_home(isolated_home: Path) -> None:
    result = run_here("history")

    assert result.returncode == 0, result.stderr
    db = isolated_home / ".local" / "state" / "alertctl" / "alertctl.db"
    assert db.is_file()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_database_from_the_environment_and_from_the_config(rig: Rig, tmp_path: Path) -> None:
    rig.configure(rig.q_rule(), preamble=f'[agent]\ndatabase = "{tmp_path / "from-config.db"}"\n')
    rig.set_value(90)

    from_config = run_here("check", "-c", str(rig.config))
    from_env = run_here("check", "-c", str(rig.config), env={"ALERTCTL_DB": str(tmp_path / "from-env.db")})

    assert (from_config.returncode, from_env.returncode) == (1, 1)
    assert (tmp_path / "from-config.db").is_file()
    assert (tmp_path / "from-env.db").is_file()
    with sqlite3.connect(tmp_path / "from-env.db") as conn:
        assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (1,)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "customers.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("command", [["history"], ["ack", "1"], ["prune"], ["watch", "--cycles", "1"]])
def test_a_foreign_sqlite_file_is_refused_and_left_alone(foreign: Path, command: list[str]) -> None:
    before = digest(foreign)

    result = run_here(*command, "--db", str(foreign))

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert str(foreign) in line and "not an alertctl database" in line
    assert digest(foreign) == before
    assert sorted(p.name for p in foreign.parent.iterdir() if p.name.startswith("customers")) == ["customers.db"]


def test_check_on_a_foreign_file_is_unknown(foreign: Path) -> None:
    before = digest(foreign)

    result = run_here("check", "--db", str(foreign))

    assert result.returncode == 3
    assert result.stdout.startswith("ALERTCTL UNKNOWN - ")
    assert "not an alertctl database" in result.stdout
    assert digest(foreign) == before


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a database\n" * 20)

    result = run_here("history", "--db", str(notes))

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert str(notes) in line
    assert "Traceback" not in result.stderr
    assert notes.read_text() == "these are my notes, not a database\n" * 20


def test_a_database_that_cannot_be_created_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("")

    result = run_here("history", "--db", str(blocker / "a.db"))

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert str(blocker / "a.db") in line
    assert "Traceback" not in result.stderr


def test_a_database_from_a_newer_alertctl_is_refused_naming_both_versions(rig: Rig) -> None:
    from alertctl.store.migrations import MIGRATIONS, name_of

    rig.configure(rig.q_rule())
    assert rig.check().returncode == 0
    rig.sql("INSERT INTO alertctl_migrations VALUES ('m999_from_the_future', 0)")
    before = digest(rig.db)
    ours = int(name_of(MIGRATIONS[-1])[1:4])
    said = f"{rig.db}: schema version 999 is newer than this alertctl's ({ours})"

    check = rig.check()
    assert check.returncode == 3 and check.stdout.startswith(f"ALERTCTL UNKNOWN - {said}"), check.stdout
    history = rig.run("history")
    assert history.returncode == 1 and history.stderr.startswith(f"alertctl: {said}"), history.stderr
    assert digest(rig.db) == before


def test_a_database_from_an_older_alertctl_is_migrated(rig: Rig) -> None:
    from alertctl.store.migrations import MIGRATIONS, apply, name_of

    rig.configure(rig.q_rule())
    old = sqlite3.connect(rig.db)
    apply(old, MIGRATIONS[0])
    old.commit()
    old.close()

    assert rig.here("check").returncode == 0
    assert sorted(name for (name,) in rig.sql("SELECT name FROM alertctl_migrations")) == sorted(
        name_of(step) for step in MIGRATIONS
    )
