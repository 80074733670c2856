"""`watch` and `check` cycles keep their samples in the history, in the cycle's transaction."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from alertctl.config.runtime import Agent, Config, History
from alertctl.loop import Runner
from alertctl.model import CommandCheck, Level, Rule
from alertctl.store.db import open_database
from alertctl.store.history import read as history

T = 1_800_000_000.0


def _runner(tmp_path: Path, value: str, **kwargs: object) -> Runner:
    (tmp_path / "value").write_text(value)
    config = Config(
        agent=Agent(host="web-01"),
        checks=(CommandCheck("q", ("cat", str(tmp_path / "value"))),),
        rules=(Rule("q-high", "q.value", warning=Level(80)),),
    )
    return Runner(config, open_database(tmp_path / "a.db"), **kwargs)  # type: ignore[arg-type]


def _values(runner: Runner) -> list[float]:
    found = history.signals(runner.conn, "q.value", (), T - 86400, T + 86400, step=0)
    return [p.value for s in found for p in s.points]


def test_each_cycle_keeps_its_samples(tmp_path: Path) -> None:
    runner = _runner(tmp_path, "12.5")
    runner.run_once(T)
    (tmp_path / "value").write_text("13.5")
    runner.run_once(T + 10)
    assert _values(runner) == [12.5, 13.5]
    assert history.signals(runner.conn, "cpu.percent", (), T - 1, T + 11, step=0)[0].points  # system metrics too


def test_a_dry_run_keeps_nothing(tmp_path: Path) -> None:
    runner = _runner(tmp_path, "12.5", dry_run=True)
    runner.run_once(T)
    assert runner.conn.execute("SELECT count(*) FROM series").fetchone()[0] == 0


def test_history_can_be_turned_off(tmp_path: Path) -> None:
    runner = _runner(tmp_path, "12.5")
    runner.configure(replace(runner.config, history=History(enabled=False)))
    runner.run_once(T)
    assert _values(runner) == []


def _kept(runner: Runner, since: float, until: float) -> list[tuple[float, float]]:
    found = history.signals(runner.conn, "q.value", (), since, until, step=0)
    return [(round(p.at, 1), p.value) for s in found for p in s.points]


def test_two_checks_in_the_same_tenth_of_a_second_keep_both_samples(tmp_path: Path) -> None:
    """Two processes (a cron `check` and a `watch`, two cron lines) sampling the same series within
    0.1 s: the one recorded first moves a tenth of a second back, never written over, and the later
    is not dated after it was taken (a reader asking up to that moment finds both)."""
    _runner(tmp_path, "12.5").run_once(T + 10.01)
    second = _runner(tmp_path, "13.5")
    second.run_once(T + 10.04)
    assert _kept(second, T, T + 10.04) == [(T + 9.9, 12.5), (T + 10.0, 13.5)]


def test_a_series_sampled_more_than_ten_times_a_second_keeps_the_newest_of_each_tenth(tmp_path: Path) -> None:
    """A third sample in the same tenth, or a second one at an hour's first tenth (the tenth before
    belongs to a sealed hour): the newer takes the place. Nothing drifts into the past."""
    for at, value in ((T + 10.01, "12.5"), (T + 10.04, "13.5"), (T + 10.07, "14.5")):
        last = _runner(tmp_path, value)
        last.run_once(at)
    assert _kept(last, T, T + 11) == [(T + 9.9, 12.5), (T + 10.0, 14.5)]
    for at, value in ((T + 3600.01, "20.5"), (T + 3600.04, "21.5")):
        last = _runner(tmp_path, value)
        last.run_once(at)
    assert _kept(last, T + 3599, T + 3601) == [(T + 3600.0, 21.5)]


def test_a_sample_is_never_dated_after_it_was_taken(tmp_path: Path) -> None:
    """Read back up to the very moment it was taken (`metrics` right after a cycle), a sample is there:
    its time is rounded down to the tenth of a second, not up into the future."""
    runner = _runner(tmp_path, "12.5")
    runner.run_once(T + 0.96)
    found = history.signals(runner.conn, "q.value", (), T, T + 0.96, step=0)
    assert [(p.at, p.value) for s in found for p in s.points] == [(T + 0.9, 12.5)]
