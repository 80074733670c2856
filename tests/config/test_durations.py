"""Durations: one unit (`30s`) or compounds (`1h30m`, `1d12h`), wherever a duration is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alertctl.durations import parse_duration
from tests.conftest import run_cli, run_here


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("30s", 30.0),
        ("500ms", 0.5),
        ("1h30m", 5400.0),
        ("1d12h", 129600.0),
        ("1h 30m", 5400.0),
        ("1w2d3h4m5s", 788645.0),
        ("1m30s500ms", 90.5),
        ("1.5h", 5400.0),
    ],
)
def test_durations_and_compounds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["1h30", "1 5m", "h", "2 minutes", "-1h", "1h-30m", ""])
def test_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="must be a duration like 30s, 5m or 1h30m"):
        parse_duration(text)


def test_compounds_in_the_config_file_and_on_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[notify]\nrenotify = "1h30m"\nmax_silence = "1d12h"\n')
    shown = run_here("config", "show", "--json", "-c", str(config))
    assert shown.returncode == 0, shown.stderr
    notify = json.loads(shown.stdout)["notify"]
    assert (notify["renotify"], notify["max_silence"]) == ("90m", "36h")

    db = str(tmp_path / "a.db")
    made = run_here(
        "suppress",
        "--rule",
        "cpu-high",
        "--for",
        "1d11h59m",
        "--reason",
        "move",
        "--json",
        "-c",
        str(config),
        "--db",
        db,
    )
    assert made.returncode == 0, made.stderr
    too_long = run_cli(
        "suppress", "--rule", "cpu-high", "--for", "1d12h1s", "--reason", "move", "-c", str(config), "--db", db
    )
    assert too_long.returncode == 2 and "longer than [notify] max_silence (36h)" in too_long.stderr


def test_compounds_as_a_time_ago(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run_here("history", "--since", "1d12h", "--db", db).returncode == 0
    wrong = run_cli("history", "--since", "1d12", "--db", db)
    assert wrong.returncode == 2 and "--since: must be a duration ago" in wrong.stderr
