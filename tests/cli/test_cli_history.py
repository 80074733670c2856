"""`alertctl history`: every filter, every output form, and what it says to bad input."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alertctl.cli.present import FIELDS, TSV_FIELDS
from tests.cli.conftest import Rig

THREE_DAYS = 3 * 86400


_SEED_TOML = """
[[rules]]
name = "q-high"
metric = "q.value"
warning = 80
critical = 95
labels = { team = "web" }

[[rules]]
name = "q-mid"
metric = "q.value"
warning = 50
labels = { team = "db", tier = "2" }
"""
_seed_db: list[Path] = []
"""The first test's seeded database; later tests get a copy instead of seeding again."""


@pytest.fixture
def seeded(rig: Rig) -> Rig:
    """#1 q-high critical acknowledged (team=web); #2 q-mid warning resolved 3 days ago
    (team=db); #3 q-mid warning firing (team=db), the newest."""
    rig.configure(_SEED_TOML)
    if _seed_db:
        source, target = sqlite3.connect(_seed_db[0]), sqlite3.connect(rig.db)
        source.backup(target)
        source.close()
        target.close()
        return rig
    rig.set_value(99)
    assert rig.invoke("check").exit_code == 2
    assert rig.invoke("resolve", "2").exit_code == 0
    assert rig.invoke("ack", "1").exit_code == 0
    assert rig.invoke("check").exit_code == 2
    old = time.time() - THREE_DAYS
    rig.sql("UPDATE alerts SET started_at = ?, last_seen_at = ?, resolved_at = ? WHERE id = 2", old, old, old + 60)
    _seed_db.append(rig.db)
    return rig


def ids(rig: Rig, *args: str) -> list[int]:
    result = rig.invoke("history", "--json", *args)
    assert result.exit_code == 0, result.output
    return [a["id"] for a in json.loads(result.stdout)]


def test_the_seed_is_what_the_filters_expect(seeded: Rig) -> None:
    alerts = {a["id"]: a for a in seeded.alerts()}
    assert {i: (a["rule"], a["status"], a["peak_severity"]) for i, a in alerts.items()} == {
        1: ("q-high", "acknowledged", "critical"),
        2: ("q-mid", "resolved", "warning"),
        3: ("q-mid", "firing", "warning"),
    }


def test_newest_first_by_default(seeded: Rig) -> None:
    assert ids(seeded) == [3, 1, 2]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--severity", "critical"], [1]),
        (["--severity", "warning"], [3, 2]),
        (["--severity", "warning", "--severity", "critical"], [3, 1, 2]),
        (["--status", "resolved"], [2]),
        (["--status", "firing", "--status", "acknowledged"], [3, 1]),
        (["--status", "suppressed"], []),
        (["--status", "open"], [3, 1]),
        (["--status", "open", "--status", "resolved"], [3, 1, 2]),
        (["--rule", "q-mid"], [3, 2]),
        (["--rule", "no-such-rule"], []),
        (["--label", "team=db"], [3, 2]),
        (["--label", "team=web"], [1]),
        (["--label", "team=db", "--label", "tier=2"], [3, 2]),
        (["--label", "team=db", "--label", "tier=3"], []),
        (["--since", "1d"], [3, 1]),
        (["--until", "1d"], [2]),
        (["--since", "4d", "--until", "2d"], [2]),
        (["--since", "30m", "--rule", "q-high"], [1]),
        (["--limit", "1"], [3]),
        (["--limit", "2", "--status", "firing", "--status", "resolved"], [3, 2]),
    ],
)
def test_filters(seeded: Rig, args: list[str], expected: list[int]) -> None:
    assert ids(seeded, *args) == expected


def test_since_and_until_take_iso_dates_and_date_times(seeded: Rig) -> None:
    two_days_ago = datetime.now().astimezone() - timedelta(days=2)
    day = (datetime.now() - timedelta(days=2)).date().isoformat()

    assert ids(seeded, "--since", day) == [3, 1]
    assert ids(seeded, "--until", day) == [2]
    assert ids(seeded, "--since", two_days_ago.isoformat(timespec="seconds")) == [3, 1]
    assert ids(seeded, "--until", two_days_ago.astimezone().isoformat()) == [2]
    assert ids(seeded, "--since", "2999-01-01") == []


def test_json_is_one_array_of_alert_objects(seeded: Rig) -> None:
    result = seeded.invoke("history", "--json", "--rule", "q-high")

    (alert,) = json.loads(result.stdout)
    assert list(alert) == list(FIELDS)
    assert alert["labels"] == {"team": "web"}
    assert alert["acked_by"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", alert["acked_at"])


def test_csv_has_a_header_and_one_row_per_alert(seeded: Rig) -> None:
    result = seeded.invoke("history", "--csv")

    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(FIELDS)
    assert [int(row[0]) for row in rows[1:]] == [3, 1, 2]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert json.loads(first["labels"]) == {"team": "db", "tier": "2"}
    assert first["resolution"] == ""
    assert first["nodata"] == "false"


def test_into_a_pipe_it_is_tab_separated_with_a_header(seeded: Rig) -> None:
    result = seeded.invoke("history")

    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    assert header.split("\t") == list(TSV_FIELDS)
    rows = [dict(zip(TSV_FIELDS, line.split("\t"), strict=True)) for line in lines]
    assert [(r["id"], r["rule"], r["status"], r["worst"]) for r in rows] == [
        ("3", "q-mid", "firing", "warning"),
        ("1", "q-high", "acknowledged", "critical"),
        ("2", "q-mid", "resolved", "warning"),
    ]
    assert rows[0]["labels"] == "team=db,tier=2"
    assert rows[1]["value"] == "99" and rows[1]["message"].startswith("q.value is 99 (critical above 95")


def test_nothing_matching_is_the_header_alone_in_a_pipe(seeded: Rig) -> None:
    result = seeded.invoke("history", "--rule", "nope")

    assert result.exit_code == 0
    assert result.stdout == "\t".join(TSV_FIELDS) + "\n"
    assert json.loads(seeded.invoke("history", "--rule", "nope", "--json").stdout) == []


def test_a_bad_since_is_a_usage_error_naming_the_option(seeded: Rig) -> None:
    result = seeded.run("history", "--since", "yesterday-ish")

    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "--since" in line and "yesterday-ish" in line
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--until", "tomorrow"], "--until"),
        (["--label", "novalue"], "novalue"),
        (["--label", "=x"], "--label"),
        (["--severity", "bogus"], "bogus"),
        (["--status", "closed"], "closed"),
        (["--limit", "0"], "--limit"),
        (["--limit", "many"], "many"),
        (["--json", "--csv"], "--csv"),
    ],
)
def test_bad_input_exits_2_and_names_what_is_wrong(seeded: Rig, args: list[str], named: str) -> None:
    result = seeded.invoke("history", *args)

    assert result.exit_code == 2, result.output
    assert named in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "named"), [(["--severity", "bogus"], "bogus"), (["--label", "novalue"], "novalue")])
def test_usage_errors_are_one_line_from_the_real_cli(seeded: Rig, args: list[str], named: str) -> None:
    result = seeded.run("history", *args)

    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert named in line
