"""The report at a terminal: at 80 columns, without colour, pictures and tables readable."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from rich.console import Console

from alertctl import report as reporting
from alertctl.cli.report_view import human_seconds, print_report, spark
from alertctl.store.db import open_database
from alertctl.store.report import Window, aggregates
from tests.conftest import run_cli
from tests.report.history import BASE, DAY, SINCE, UNTIL, write_history


def rendered(db: Path) -> str:
    conn = open_database(db)
    until = BASE + 7 * DAY
    out = StringIO()
    print_report(
        Console(file=out, width=80, color_system=None),
        reporting.build(aggregates(conn, Window(BASE, until)), BASE, until),
    )
    return out.getvalue()


def test_fits_80_columns_and_shows_every_part(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    text = rendered(write_history(tmp_path / "a.db"))
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "\x1b[" not in text
    assert "5 alerts from 2026-11-10 00:00 to 2026-11-17 00:00 (local time)" in text
    assert "most common rule: disk-root; peak hour 14:00 local" in text
    assert re.search(r"^ 14:00 +3 +█{40} *$", text, re.M)  # the tallest bar is full width
    assert re.search(r"^ 03:00 +1 +█{13} *$", text, re.M)
    assert re.search(r"^ 00:00 +0 *$", text, re.M)
    assert "Alerts per day, 2026-11-10 to 2026-11-17\n│ █▄▄ ▄  │" in text
    assert "by weekday: Mon 0 Tue 0 Wed 2 Thu 1 Fri 1 Sat 0 Sun 1" in text
    assert "Time to acknowledge: mean 3m 30s, median 3m 30s" in text
    assert "Time to resolve:     mean 4m 10s, median 1m 30s" in text
    assert re.search(r"│ disk-root +│ +3 │ +0\.4 │ +67% │ +1m 30s │ +2 │", text)
    assert re.search(r"│ cpu-high +│ +2 │ +0\.3 │ +50% │ +- │ +0 │", text)
    assert re.search(r"│ pager +│ +0 │ +2 │ +1 │", text)
    assert "- rule disk-root reopened 2 times" in text
    assert "- channel pager: 2 of 2 attempts failed, 1 notices given up" in text


def test_cli_with_no_color_at_80_columns(tmp_path: Path) -> None:
    db = write_history(tmp_path / "a.db")
    done = run_cli(
        "report",
        "--db",
        str(db),
        "--since",
        SINCE,
        "--until",
        UNTIL,
        env={"TZ": "America/New_York", "COLUMNS": "80", "NO_COLOR": "1", "TERM": "xterm-256color"},
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    assert "peak hour 09:00 local" in done.stdout
    assert re.search(r"^ 09:00 +3 +█{40}", done.stdout, re.M)


def test_an_empty_window_says_so(tmp_path: Path) -> None:
    done = run_cli(
        "report",
        "--db",
        str(tmp_path / "a.db"),
        "--since",
        "2020-01-01T00:00:00+00:00",
        "--until",
        "2020-01-02T00:00:00+00:00",
        env={"TZ": "UTC", "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "No alerts started from 2020-01-01 00:00 to 2020-01-02 00:00 (local time).\n"


def test_sparkline_scales_and_groups_long_windows() -> None:
    assert spark([0, 1, 2, 4, 8]) == " ▁▂▄█"
    assert spark([1] * 365, width=56) == "█" * 52 + "▁"  # 7 days a character; the last holds one day
    assert spark([]) == ""


def test_human_seconds() -> None:
    assert [human_seconds(s) for s in (None, 0, 59.6, 90, 3600, 90061)] == ["-", "0s", "1m", "1m 30s", "1h", "1d 1h"]
