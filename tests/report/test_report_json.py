"""`alertctl report --json`: every figure of a known history, in three time zones."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl import report as reporting
from alertctl.store.db import open_database
from alertctl.store.report import Window, aggregates
from tests.conftest import run_cli, run_here
from tests.report.history import BASE, DAY, SINCE, UNTIL, expected, write_history

ZONES = ("UTC", "America/New_York", "Asia/Kolkata")


@pytest.fixture
def zone_setter() -> Iterator[object]:
    before = os.environ.get("TZ")

    def set_zone(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def report_json(db: Path, *args: str, zone: str | None = None) -> dict[str, object]:
    """`report --json` in a child process given `zone` as TZ (the zone comes from the environment),
    or, without one, in this process with TZ set to UTC for the run (a fraction of the cost)."""
    if zone is not None:
        done = run_cli("report", "--json", "--db", str(db), *args, env={"TZ": zone})
    else:
        before = os.environ.get("TZ")
        os.environ["TZ"] = "UTC"
        time.tzset()
        try:
            done = run_here("report", "--json", "--db", str(db), *args)
        finally:
            if before is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = before
            time.tzset()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


@pytest.mark.parametrize("zone", ZONES)
def test_every_figure_through_the_cli(tmp_path: Path, zone: str) -> None:
    got = report_json(write_history(tmp_path / "a.db"), "--since", SINCE, "--until", UNTIL, zone=zone)
    want = expected(zone)
    for key, value in want.items():
        assert got[key] == value, key
    assert got["rule"] is None
    assert [(s["kind"], s["rule"]) for s in got["suggestions"]] == [
        ("flapping", "disk-root"),
        ("channel_failing", None),
        ("channel_failing", None),
    ]
    assert got["suggestions"][1]["evidence"] == {"channel": "ops", "attempts": 2, "failed": 1, "given_up": 0}


def test_contract_fields_come_first_in_order(tmp_path: Path) -> None:
    got = report_json(write_history(tmp_path / "a.db"), "--since", SINCE, "--until", UNTIL)
    assert list(got)[:13] == [
        "since",
        "until",
        "total",
        "by_severity",
        "by_rule",
        "by_status",
        "most_common_rule",
        "hourly",
        "peak_hour",
        "mtta_seconds",
        "mttr_seconds",
        "flapping",
        "notifications",
    ]


@pytest.mark.parametrize("zone", ZONES)
def test_same_figures_in_process(tmp_path: Path, zone: str, zone_setter) -> None:  # type: ignore[no-untyped-def]
    zone_setter(zone)
    conn = open_database(write_history(tmp_path / "a.db"))
    until = BASE + 7 * DAY
    got = reporting.to_dict(reporting.build(aggregates(conn, Window(BASE, until)), BASE, until))
    for key, value in expected(zone).items():
        assert got[key] == value, key


def test_one_rule(tmp_path: Path) -> None:
    got = report_json(write_history(tmp_path / "a.db"), "--since", SINCE, "--until", UNTIL, "--rule", "disk-root")
    assert got["rule"] == "disk-root"
    assert (got["total"], got["by_rule"], got["by_severity"]) == (
        3,
        {"disk-root": 3},
        {"info": 0, "warning": 2, "error": 0, "critical": 1},
    )
    assert got["by_status"] == {"firing": 0, "acknowledged": 0, "suppressed": 0, "resolved": 3}
    assert (got["mtta_seconds"], got["mttr_seconds"], got["median_ttr_seconds"]) == (300.0, 250.0, 90.0)
    assert got["notifications"] == {
        "sent": 1,
        "failed": 1,
        "given_up": 0,
        "by_channel": {"ops": {"sent": 1, "failed": 1, "given_up": 0}},
    }


def test_window_ends_are_inclusive(tmp_path: Path) -> None:
    db = write_history(tmp_path / "a.db")
    start = "2026-11-11T14:00:00+00:00"  # alert 1 started exactly then
    got = report_json(db, "--since", start, "--until", start)
    assert (got["total"], got["by_rule"]) == (1, {"disk-root": 1})
    got = report_json(db, "--since", "2026-11-11T14:00:01+00:00", "--until", "2026-11-12T14:29:59+00:00")
    assert got["total"] == 0


def test_empty_window_gives_nulls_and_zeros(tmp_path: Path) -> None:
    got = report_json(write_history(tmp_path / "a.db"), "--since", "2020-01-01", "--until", "2020-01-02T00:00:00+00:00")
    assert got["total"] == 0
    assert got["hourly"] == [0] * 24
    assert (got["peak_hour"], got["most_common_rule"], got["mtta_seconds"], got["mttr_seconds"]) == (None,) * 4
    assert got["by_severity"] == {"info": 0, "warning": 0, "error": 0, "critical": 0}
    assert got["flapping"] == [] and got["noisiest"] == [] and got["suggestions"] == []
    assert (got["notifications"]["sent"], got["notifications"]["failed"]) == (0, 0)


def test_default_window_is_the_last_seven_days(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    conn = open_database(db)
    now = time.time()
    for n, start in enumerate((now - 6.9 * DAY, now - 7.1 * DAY, now - 60)):
        conn.execute(
            "INSERT INTO alerts (rule, metric, series, labels, host, severity, peak_severity, status, message, "
            "started_at, last_seen_at) VALUES ('r', 'm', ?, '{}', 'h', 'warning', 'warning', 'firing', 'x', ?, ?)",
            (f'{{"n":"{n}"}}', start, start),
        )
    conn.close()
    got = report_json(db)
    assert got["total"] == 2
    assert abs(time.time() - 7 * DAY - _epoch(got["since"])) < 60
    assert abs(time.time() - _epoch(got["until"])) < 60


def _epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--since", "yesterday"), "--since"),
        (("--until", "soon"), "--until"),
        (("--since", "1d", "--until", "2d"), "--since"),
    ],
)
def test_bad_window_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], named: str) -> None:
    done = run_cli("report", "--db", str(tmp_path / "a.db"), *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert named in done.stderr and "Traceback" not in done.stderr
