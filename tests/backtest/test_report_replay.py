"""`report` backs its flapping suggestion with a replay: the change, its numbers, the TOML line."""

from __future__ import annotations

import json
import time
from pathlib import Path

from alertctl.config.load import validate
from alertctl.loop import Runner
from alertctl.store.db import open_database
from tests.conftest import run_here

STEP = 10.0


def config_file(tmp_path: Path, value: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[[checks]]\nname = "q"\ntype = "command"\ncommand = ["cat", "{value}"]\n\n'
        '[[rules]]\nname = "q-high"\nmetric = "q.value"\nwarning = 80\n'
    )
    return path


def test_a_flapping_rule_gets_the_clear_level_a_replay_proves(tmp_path: Path) -> None:
    value = tmp_path / "value"
    config = config_file(tmp_path, value)
    db = tmp_path / "a.db"
    flapping = [85.0, 75.0] * 90  # 30 minutes hovering at 80
    values = flapping + [95.0] * 90 + [50.0] * 60 + flapping
    runner = Runner(validate(config), open_database(db), families=())
    start = time.time() - len(values) * STEP - 60
    for n, number in enumerate(values):
        value.write_text(f"{number}\n")
        runner.run_once(start + n * STEP)
    runner.conn.close()

    result = run_here("report", "--json", "-c", str(config), "--db", str(db))

    assert result.returncode == 0, result.stderr
    (flap,) = [s for s in json.loads(result.stdout)["suggestions"] if s["kind"] == "flapping"]
    replayed = flap["evidence"]["backtest"]
    assert replayed["toml"] == "clear = 72"
    assert replayed["current"]["reopened"] == flap["evidence"]["reopened"] > 100
    assert replayed["candidate"]["reopened"] == 0
    assert (replayed["missed"], replayed["incidents"]) == (0, 2)
    assert {t["change"] for t in replayed["tried"]} == {
        "clear = 76",
        "clear = 72",
        'for = "2m"',
        'for = "5m"',
        "consecutive = 3",
    }
    assert flap["text"].endswith(
        f"by replay, `clear = 72` in rule q-high would have cut {replayed['current']['reopened']} reopens to 0; "
        "all 2 incidents over 10 minutes still raised, at most 0 s later"
    )


def test_without_history_the_suggestion_stays_as_it_was(tmp_path: Path) -> None:
    value = tmp_path / "value"
    config = config_file(tmp_path, value)
    db = tmp_path / "a.db"
    settings = validate(config)
    runner = Runner(
        settings.__class__(**{**settings.__dict__, "history": settings.history.__class__(enabled=False)}),
        open_database(db),
        families=(),
    )
    start = time.time() - 200 * STEP
    for n, number in enumerate([85.0, 75.0] * 10):
        value.write_text(f"{number}\n")
        runner.run_once(start + n * STEP)
    runner.conn.close()

    result = run_here("report", "--json", "-c", str(config), "--db", str(db))

    (flap,) = [s for s in json.loads(result.stdout)["suggestions"] if s["kind"] == "flapping"]
    assert "backtest" not in flap["evidence"] and "by replay" not in flap["text"]
