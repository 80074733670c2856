"""`alertctl backtest` through the CLI, on a history written by the real store code."""

from __future__ import annotations

import hashlib
import json
import textwrap
import time
from pathlib import Path

from alertctl.config.runtime import History
from alertctl.model import Sample
from alertctl.store import history
from alertctl.store.db import open_database, transaction
from tests.conftest import run_cli, run_here

RULE = """
[[rules]]
name = "q-high"
metric = "q.value"
warning = 80
"""
CHECK = """
[[checks]]
name = "q"
type = "command"
command = ["cat", "/dev/null"]
"""


def record(db: Path, values: list[float], start: float, interval: float = 10.0) -> None:
    """As `watch` keeps samples: one transaction per cycle, through `store.history.record`."""
    conn = open_database(db)
    for n, value in enumerate(values):
        with transaction(conn):
            history.record(conn, [Sample("q.value", value)], start + n * interval, History())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def configs(tmp_path: Path, candidate_rule: str) -> tuple[Path, Path]:
    current = tmp_path / "current.toml"
    current.write_text(CHECK + RULE)
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(CHECK + textwrap.dedent(candidate_rule))
    return current, candidate


def fingerprint(db: Path) -> dict[str, tuple[str, int]]:
    """The database file and its companions (write-ahead log, shared memory): bytes and mtime."""
    return {
        path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(db.parent.glob(f"{db.name}*"))
    }


def flapping_then_long(now: float) -> tuple[list[float], float]:
    """Two hours ago: an hour at 50, 30 flaps around 80, then 20 minutes at 95, then 50 again."""
    values = [50.0] * 360 + [85.0, 75.0] * 30 + [95.0] * 120 + [50.0] * 60
    return values, now - len(values) * 10.0


def test_a_clear_level_cuts_the_flapping_and_misses_no_long_incident(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    values, start = flapping_then_long(time.time())
    record(db, values, start)
    current, candidate = configs(tmp_path, RULE + "clear = 60\n")
    before = fingerprint(db)

    result = run_cli("backtest", str(candidate), "--json", "-c", str(current), "--db", str(db), "--since", "1d")

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert set(found) >= {"since", "until", "samples", "rules"}
    assert found["samples"] == len(values)
    (rule,) = found["rules"]
    assert set(rule) >= {"rule", "current", "candidate", "missed", "added"}
    assert set(rule["current"]) >= {"alerts", "reopened", "notices", "seconds_in_alert"}
    assert (rule["current"]["alerts"], rule["current"]["reopened"]) == (1, 30)
    assert (rule["candidate"]["alerts"], rule["candidate"]["reopened"]) == (1, 0)
    assert rule["missed"] == [] and rule["added"] == []
    assert fingerprint(db) == before


def test_a_longer_for_misses_a_long_incident_and_says_when(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    values, start = flapping_then_long(time.time())
    record(db, values, start)
    current, candidate = configs(tmp_path, RULE + 'for = "30m"\n')

    result = run_here("backtest", str(candidate), "--json", "-c", str(current), "--db", str(db), "--since", "1d")

    (rule,) = json.loads(result.stdout)["rules"]
    assert rule["candidate"]["alerts"] == 0
    assert [m["seconds"] for m in rule["missed"]] == [(60 + 120) * 10.0]
    text = run_here("backtest", str(candidate), "-c", str(current), "--db", str(db), "--since", "1d").stdout
    assert "missed:" in text and "silences, acknowledgements and manual resolves are not replayed" in text


def test_a_bad_candidate_is_a_config_error_naming_the_file_and_key(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    record(db, [50.0] * 10, time.time() - 100)
    current, candidate = configs(tmp_path, RULE + "wraning = 3\n")

    result = run_here("backtest", str(candidate), "-c", str(current), "--db", str(db))

    assert result.returncode == 2
    assert str(candidate) in result.stderr and "wraning" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run_here("backtest", str(tmp_path / "nope.toml"), "-c", str(current), "--db", str(db))
    assert missing.returncode == 2 and "nope.toml" in missing.stderr


def test_an_unknown_rule_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    record(db, [50.0] * 10, time.time() - 100)
    current, _ = configs(tmp_path, RULE)

    result = run_here("backtest", "--rule", "q-hihg", "-c", str(current), "--db", str(db))

    assert result.returncode == 2
    assert "q-hihg" in result.stderr and "q-high" in result.stderr


def test_no_database_is_a_runtime_error_and_none_is_created(tmp_path: Path) -> None:
    current, _ = configs(tmp_path, RULE)

    result = run_here("backtest", "-c", str(current), "--db", str(tmp_path / "none.db"))

    assert result.returncode == 1 and "none.db" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_rules_without_history_and_gaps_are_said(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    now = time.time()
    record(db, [50.0] * 30, now - 3000)
    record(db, [50.0] * 30, now - 1000)
    current = tmp_path / "current.toml"
    current.write_text(CHECK + RULE + '\n[[rules]]\nname = "cpu-high"\nmetric = "cpu.percent"\nwarning = 90\n')

    result = run_here("backtest", "--json", "-c", str(current), "--db", str(db))

    found = json.loads(result.stdout)
    said = "\n".join(found["not_replayed"])
    assert "rule cpu-high: no history of cpu.percent" in said
    assert "rule q-high: 1 gap in the samples" in said
    (gap,) = found["rules"][0]["gaps"]
    assert gap["seconds"] == 1710.0


def test_while_another_process_writes_the_file_is_read_not_changed(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    values, start = flapping_then_long(time.time())
    record(db, values, start)
    writer = open_database(db)  # as a running `watch` holds it: the write-ahead log is there
    try:
        current, _ = configs(tmp_path, RULE)
        main = db.read_bytes(), db.stat().st_mtime_ns

        result = run_cli("backtest", "--json", "-c", str(current), "--db", str(db), "--since", "1d")

        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["rules"][0]["current"]["alerts"] == 1
        assert (db.read_bytes(), db.stat().st_mtime_ns) == main
    finally:
        writer.close()
