"""The replay: the engine and notification policy `watch` runs, over a history held in memory."""

from __future__ import annotations

import dataclasses

from alertctl.backtest.compare import compare, summarise
from alertctl.backtest.run import replay_rule
from alertctl.model import Change, Op

from .series import START, config, every, rule, series


def flapping(cycles: int, high: float = 82.0, low: float = 79.0) -> list[float]:
    """Hovering at an 80 threshold: above, below, above, ..."""
    return [high if n % 2 == 0 else low for n in range(cycles)]


def test_flapping_reopens_one_alert_inside_the_dedup_window() -> None:
    history = [series(every(flapping(60)))]
    result, _ = replay_rule(history, rule(80), config(rule(80)))
    summary = summarise(result)
    assert (summary.alerts, summary.reopened) == (1, 29)
    assert summary.seconds_in_alert == 30 * 10.0


def test_a_clear_level_stops_the_flapping_and_misses_nothing_long() -> None:
    values = flapping(60) + [95.0] * 90 + [50.0] * 10  # then a 15-minute incident
    history = [series(every(values))]
    current, _ = replay_rule(history, rule(80), config(rule(80)))
    candidate, _ = replay_rule(history, rule(80, clear=70), config(rule(80, clear=70)))
    assert summarise(candidate).reopened == 0 < summarise(current).reopened
    found = compare(current, candidate)
    assert found.missed == [] and found.added == []
    assert found.delays == [0.0]


def test_a_longer_for_misses_an_incident_it_is_too_slow_for() -> None:
    values = [50.0] * 5 + [90.0] * 70 + [50.0] * 5  # 700 s in breach
    history = [series(every(values))]
    current, _ = replay_rule(history, rule(80), config(rule(80)))
    slow = rule(80, for_seconds=900)
    candidate, _ = replay_rule(history, slow, config(slow))
    found = compare(current, candidate)
    assert [round(i.seconds) for i in found.missed] == [700]
    assert found.missed[0].started_at == START + 50


def test_notices_follow_the_policy_first_renotify_and_recovery() -> None:
    values = [90.0] * 400 + [50.0]  # 4000 s open: opened, renotified once (1h), recovered
    history = [series(every(values))]
    told, _ = replay_rule(history, rule(80), config(rule(80), channels=True))
    quiet, _ = replay_rule(history, rule(80), config(rule(80)))
    assert summarise(told).notices == 3
    assert summarise(quiet).notices == 0


def test_a_reopen_inside_the_dedup_window_is_not_announced_again() -> None:
    values = [90.0, 50.0, 90.0, 50.0]
    history = [series(every(values))]
    told, _ = replay_rule(history, rule(80), config(rule(80), channels=True))
    assert summarise(told).notices == 3  # opened, recovered, (reopened: quiet), recovered
    assert [c for _, c, _, _ in told.changes] == [Change.OPENED, Change.RESOLVED, Change.REOPENED, Change.RESOLVED]


def test_operators_below_thresholds_are_judged_as_watch_judges_them() -> None:
    low = rule(10, op=Op.LT, metric="memory.available", name="memory-low")
    history = [series(every([50.0, 5.0, 5.0, 50.0]))]
    result, _ = replay_rule(history, low, config(low))
    assert summarise(result).alerts == 1


def test_a_gap_is_replayed_as_no_data_and_listed() -> None:
    points = every([50.0] * 10) + every([50.0] * 10, start=START + 100 + 600)
    result, line = replay_rule([series(points)], rule(80), config(rule(80)))
    assert [round(g.seconds) for g in line.gaps] == [610]
    nodata = [row for row in result.rows if row.key.nodata]
    assert len(nodata) == 1 and nodata[0].resolved_at == START + 700


def test_a_pinned_label_set_missing_while_others_report_is_no_data() -> None:
    pinned = rule(90, metric="disk.percent", name="disk-var")
    pinned = dataclasses.replace(pinned, mount="/var")
    root = series(every([10.0] * 60), (("mount", "/"),))
    var = series(every([10.0] * 5), (("mount", "/var"),))
    result, _ = replay_rule([root, var], pinned, config(pinned))
    assert [row.key.nodata for row in result.rows] == [True]
    assert result.rows[0].started_at == START + 50 + 300
