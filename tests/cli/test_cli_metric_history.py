"""`metrics METRIC` and `show`'s signal, through the real CLI: what cycles recorded comes back."""

from __future__ import annotations

import csv
import io
import json
import math
import time

import pytest

from alertctl.config.runtime import History
from alertctl.model import Sample
from alertctl.store import history
from alertctl.store.db import open_database, transaction
from tests.cli.conftest import Rig

COUNTER = """
[[checks]]
name = "n"
type = "command"
command = ["sh", "-c", "n=$(cat {file}); echo $((n + 1)) > {file}; echo $n.5"]
"""


def test_samples_recorded_by_watch_come_back_with_their_values(rig: Rig) -> None:
    counter = rig.root / "counter"
    counter.write_text("1\n")
    rig.configure(rig.q_rule(), preamble=COUNTER.format(file=counter))
    watched = rig.here("watch", "--interval", "0.2s", "--cycles", "3")
    assert watched.returncode == 0, watched.stderr
    result = rig.here("metrics", "n.value", "--json")
    assert result.returncode == 0, result.stderr
    [signal] = json.loads(result.stdout)
    assert (signal["metric"], signal["labels"], signal["unit"], signal["step"]) == ("n.value", {}, "", 0)
    assert [(p["value"], p["min"], p["max"]) for p in signal["points"]] == [
        (1.5, 1.5, 1.5),
        (2.5, 2.5, 2.5),
        (3.5, 3.5, 3.5),
    ]
    assert all(p["at"][-6] in "+-" for p in signal["points"])  # ISO 8601 with the offset


def test_a_watch_faster_than_a_tenth_of_a_second_keeps_its_newest_samples_in_order(rig: Rig) -> None:
    """Cycles 10 ms apart share tenths of a second: history keeps the newest sample of each tenth
    (and the one before it a tenth back), in order, none dated before the watch started."""
    counter = rig.root / "counter"
    counter.write_text("1\n")
    rig.configure(rig.q_rule(), preamble=COUNTER.format(file=counter))
    started = math.floor(time.time() * 10) - 1
    assert rig.here("watch", "--interval", "10ms", "--cycles", "20").returncode == 0
    kept = rig.sql("SELECT ts, value FROM sample_hot JOIN series ON id = series WHERE metric = 'n.value' ORDER BY ts")
    values = [value for _, value in kept]
    assert values == sorted(values) and values[-1] == 20.5  # in order, and the last cycle's is there
    assert min(ts for ts, _ in kept) >= started


def test_check_runs_come_back_as_csv_and_in_steps(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    for value in (10, 30):
        rig.set_value(value)
        assert rig.here("check").returncode == 0
    rows = list(csv.DictReader(io.StringIO(rig.here("metrics", "q.value", "--csv", "--since", "1h").stdout)))
    assert [(r["metric"], r["step"], r["value"]) for r in rows] == [("q.value", "0", "10.0"), ("q.value", "0", "30.0")]
    stepped = json.loads(rig.here("metrics", "q.value", "--json", "--step", "1d").stdout)
    assert [(p["value"], p["min"], p["max"]) for p in stepped[0]["points"]] == [(20.0, 10.0, 30.0)]


def test_the_terminal_chart_marks_the_rules_levels(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    rig.configure(rig.q_rule())
    rig.set_value(50)
    rig.here("check")
    out = rig.here("metrics", "q.value").stdout
    assert out.splitlines()[0] == "q.value (raw samples, 1 points)"
    assert "q-high warning 80" in out and "q-high critical 95" in out and "●" in out


def test_a_check_dry_run_keeps_no_history(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    assert rig.here("check").returncode == 0
    before = rig.sql("SELECT count(*) FROM sample_hot")
    rig.set_value(90)
    assert rig.here("check", "--dry-run").returncode == 1
    assert rig.sql("SELECT count(*) FROM sample_hot") == before
    assert [p["value"] for p in json.loads(rig.here("metrics", "q.value", "--json").stdout)[0]["points"]] == [0.0]


def test_show_draws_and_gives_the_signal_around_the_alert(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    rig.configure(rig.q_rule())
    start = time.time() - 60  # a cycle a second, as cron or `watch` would space them
    for second, value in enumerate((10, 90, 91, 10)):
        rig.set_value(value)
        rig.cycle_at(start + second)
    shown = json.loads(rig.here("show", "1", "--json").stdout)
    assert shown["signal"]["step"] == 0
    assert [p["value"] for p in shown["signal"]["points"]] == [10.0, 90.0, 91.0, 10.0]
    text = rig.here("show", "1").stdout
    assert "Signal q.value (raw samples, 4 points)" in text and "threshold 80" in text


def test_show_says_when_there_is_no_history(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble="[history]\nenabled = false\n")
    rig.set_value(90)
    rig.here("check")
    assert json.loads(rig.here("show", "1", "--json").stdout)["signal"] == {"step": 0, "points": []}
    assert "No history of q.value around this alert" in rig.here("show", "1").stdout


def test_prune_drops_history_past_its_retention(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble='[history]\nkeep_raw = "1d"\nkeep_5m = "1d"\nkeep_1h = "1d"\n')
    old = time.time() - 3 * 86400
    conn = open_database(rig.db)
    with transaction(conn):
        history.record(conn, [Sample("q.value", 1.0)], old, History())
        history.record(conn, [Sample("q.value", 2.0)], old + 3600, History())
    conn.close()
    result = rig.here("prune")
    assert result.returncode == 0, result.stderr
    assert "1 hourly chunks, 2 rollup buckets" in result.stdout
    assert rig.sql("SELECT count(*) FROM sample_chunk") == [(0,)]


def test_bad_history_options_are_one_line_usage_errors(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.here("check")
    for args, code, words in (
        (["q.value", "--step", "500ms"], 2, "--step: must be 0s (raw samples) or whole seconds"),
        (["q.value", "--since", "1h", "--until", "2h"], 2, "--since"),
        (["q.value", "--since", "yesterday"], 2, "--since: must be a duration ago"),
        (["q.value", "--json", "--csv"], 2, "choose one"),
        (["--csv"], 2, "need a METRIC"),
        (["q.valu"], 1, "no history of q.valu"),
        (["q.value", "--label", "mount"], 2, "expected KEY=VALUE"),
    ):
        result = rig.here("metrics", *args)
        assert (result.returncode, len(result.stderr.splitlines())) == (code, 1), (args, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr
