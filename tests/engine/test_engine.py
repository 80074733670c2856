"""Alert semantics, one table per behaviour, replayed through the pure engine."""

from __future__ import annotations

import pytest

from alertctl.engine import Judging, evaluate
from alertctl.model import Change, Level, Op, Rule, Sample, SeriesKey, Severity, make_labels
from tests.engine.replay import Replay, changes, run


def rule(op: str = ">", warning: float | None = 80, critical: float | None = 95, **options: object) -> Rule:
    return Rule(
        name="r",
        metric="cpu.percent",
        op=Op(op),
        warning=None if warning is None else Level(warning),
        critical=None if critical is None else Level(critical),
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("op", "threshold", "value", "fires"),
    [
        (">", 80, 80.1, True),
        (">", 80, 80, False),
        (">=", 80, 80, True),
        (">=", 80, 79.9, False),
        ("<", 10, 9.9, True),
        ("<", 10, 10, False),
        ("<=", 10, 10, True),
        ("<=", 10, 10.1, False),
        ("==", 0, 0, True),
        ("==", 0, 1, False),
        ("!=", 1, 0, True),
        ("!=", 1, 1, False),
    ],
)
def test_every_operator(op: str, threshold: float, value: float, fires: bool) -> None:
    assert changes(rule(op, warning=threshold, critical=None), [value]) == (["opened"] if fires else ["-"])


@pytest.mark.parametrize(
    ("warning", "critical", "value", "severity"),
    [
        (80, 95, 90, Severity.WARNING),
        (80, 95, 99, Severity.CRITICAL),
        (None, 95, 99, Severity.CRITICAL),
        (80, None, 99, Severity.WARNING),
    ],
)
def test_level_chosen_is_the_worst_breached(
    warning: float | None, critical: float | None, value: float, severity: Severity
) -> None:
    (opened,) = run(rule(warning=warning, critical=critical), [value])[0]
    assert opened.change is Change.OPENED
    assert opened.severity is severity


def test_falling_operator_levels() -> None:
    low = rule("<", warning=20, critical=5)
    assert [t.severity for step in run(low, [15, 3]) for t in step] == [Severity.WARNING, Severity.CRITICAL]


def test_for_delays_firing_until_the_breach_has_held() -> None:
    assert changes(rule(for_seconds=30), [90, 90, 90, 90, 90]) == ["-", "-", "-", "opened", "-"]


def test_a_break_in_the_breach_restarts_the_for_timer() -> None:
    assert changes(rule(for_seconds=20), [90, 90, 50, 90, 90, 90]) == ["-", "-", "-", "-", "-", "opened"]


def test_consecutive_counts_samples() -> None:
    assert changes(rule(consecutive=3), [90, 90, 90]) == ["-", "-", "opened"]


def test_for_and_consecutive_must_both_hold() -> None:
    both = rule(for_seconds=5, consecutive=3)
    assert changes(both, [90, 90, 90], step=10) == ["-", "-", "opened"]
    assert changes(both, [90, 90, 90, 90], step=1) == ["-", "-", "-", "-"]


def test_a_level_with_its_own_for() -> None:
    down = Rule("down", "site.up", Op.LT, warning=Level(1, 10), critical=Level(1, 60))
    steps = run(down, [0] * 8, step=10)
    assert [",".join(t.change.value for t in s if t.notable) or "-" for s in steps] == [
        "-",
        "opened",
        "-",
        "-",
        "-",
        "-",
        "raised",
        "-",
    ]
    assert steps[6][0].severity is Severity.CRITICAL


def test_severity_rises_and_falls_within_one_alert() -> None:
    steps = run(rule(), [90, 97, 90])
    assert [(t.change, t.severity) for s in steps for t in s] == [
        (Change.OPENED, Severity.WARNING),
        (Change.RAISED, Severity.CRITICAL),
        (Change.LOWERED, Severity.WARNING),
    ]
    assert {t.alert_id for s in steps for t in s} == {1}


def test_hysteresis_keeps_the_alert_open_until_past_clear() -> None:
    assert changes(rule(clear=70), [90, 75, 71, 70]) == ["opened", "-", "-", "resolved"]


def test_without_clear_the_mildest_level_clears() -> None:
    assert changes(rule(), [90, 80]) == ["opened", "resolved"]


def test_unavailable_samples_neither_breach_nor_clear() -> None:
    assert changes(rule(consecutive=3), [90, None, 90, 90]) == ["-", "-", "-", "opened"]
    assert changes(rule(), [90, None, None, 90, 50]) == ["opened", "-", "-", "-", "resolved"]


def test_silent_metric_expires_the_alert() -> None:
    steps = run(rule(), [90, None, None, None], step=10, expire_after=25)
    assert [t.change for s in steps for t in s if t.notable] == [Change.OPENED, Change.EXPIRED]
    assert steps[3][0].change is Change.EXPIRED


def test_removed_rule_expires_its_alert() -> None:
    replay = Replay([rule()])
    (opened,) = replay.step(0, [Sample("cpu.percent", 90)])
    replay.rules = []
    (expired,) = replay.step(10, [Sample("cpu.percent", 90)])
    assert expired.change is Change.EXPIRED and expired.alert_id == opened.alert_id
    assert "no longer configured" in expired.message


def test_refire_within_dedup_window_reopens_the_same_alert() -> None:
    steps = run(rule(), [90, 50, 90], step=10, dedup_window=60)
    assert [t.change for s in steps for t in s] == [Change.OPENED, Change.RESOLVED, Change.REOPENED]
    assert steps[2][0].alert_id == steps[0][0].alert_id == 1


def test_refire_after_dedup_window_opens_a_new_alert() -> None:
    steps = run(rule(), [90, 50, 90], step=10, dedup_window=5)
    assert [t.change for s in steps for t in s] == [Change.OPENED, Change.RESOLVED, Change.OPENED]


def test_one_alert_per_label_set_and_pinned_mounts() -> None:
    disk = Rule("disk", "disk.percent", Op.GT, warning=Level(80))
    samples = [Sample("disk.percent", 90, make_labels({"mount": m})) for m in ("/", "/var")]
    opened = Replay([disk]).step(0, samples)
    assert sorted(dict(t.key.labels)["mount"] for t in opened) == ["/", "/var"]
    pinned = Rule("disk", "disk.percent", Op.GT, warning=Level(80), mount="/var")
    assert [dict(t.key.labels) for t in Replay([pinned]).step(0, samples)] == [{"mount": "/var"}]


def test_repeated_breaches_never_open_a_second_alert() -> None:
    steps = run(rule(), [90, 91, 92, 97, 99, 90])
    assert sum(t.change is Change.OPENED for s in steps for t in s) == 1
    assert steps[-1][0].peak == 99


def test_peak_of_a_falling_metric_is_its_minimum() -> None:
    steps = run(rule("<", warning=20, critical=None), [15, 5, 12])
    assert steps[-1][0].peak == 5


def test_ongoing_samples_count_occurrences() -> None:
    steps = run(rule(consecutive=2, clear=70), [90, 90, 91, 75])
    assert steps[1][0].breaches == 2
    assert [s[0].breaches for s in steps[2:]] == [1, 0]


def test_message_names_value_threshold_distance_and_host() -> None:
    (opened,) = run(rule(), [97.2])[0]
    assert opened.message == "cpu.percent is 97.2 (critical above 95, exceeded by 2.3%) on web-01"


def test_message_for_falling_metric_and_bytes() -> None:
    low = Rule("mem", "memory.available", Op.LT, warning=Level(1024**3))
    (opened,) = run(low, [512 * 1024**2])[0]
    assert opened.message == "memory.available is 512 MiB (warning below 1 GiB, short by 50.0%) on web-01"


def test_for_tolerates_cron_start_jitter() -> None:
    """Cron runs a minute apart, each a few milliseconds early: `for = 3m` fires on the fourth."""
    every_minute = Replay([rule(for_seconds=180)])
    fired = [
        [t.change for t in every_minute.step(minute * 60 - 0.004 * minute, [Sample("cpu.percent", 90)])]
        for minute in range(5)
    ]
    assert fired == [[], [], [], [Change.OPENED], [Change.ONGOING]]


def test_equality_rule_with_two_levels_holds_while_any_level_does() -> None:
    exit_code = Rule("plugin", "q.exit_code", Op.EQ, warning=Level(1), critical=Level(2))
    assert changes(exit_code, [2, 2, 2, 1, 0]) == ["opened", "-", "-", "lowered", "resolved"]


def test_alert_survives_its_level_being_removed_from_the_rule() -> None:
    replay = Replay([rule(warning=80, critical=95)])
    replay.step(0, [Sample("cpu.percent", 99)])
    replay.rules = [rule(warning=80, critical=None)]
    (lowered,) = replay.step(10, [Sample("cpu.percent", 99)])
    assert (lowered.change, lowered.severity, lowered.threshold) == (Change.LOWERED, Severity.WARNING, 80)
    replay.rules = [rule(warning=None, critical=95)]
    (raised,) = replay.step(20, [Sample("cpu.percent", 97)])
    assert (raised.change, raised.severity) == (Change.RAISED, Severity.CRITICAL)
    (resolved,) = replay.step(30, [Sample("cpu.percent", 10)])
    assert resolved.change is Change.RESOLVED


def test_a_gap_in_sampling_is_not_time_in_breach() -> None:
    assert changes(rule(for_seconds=120), [90, None, None, 90, 90], step=100, expire_after=150) == [
        "-",
        "-",
        "-",
        "-",
        "-",
    ]
    assert changes(rule(consecutive=2), [90, None, None, 90], step=100, expire_after=150) == ["-", "-", "-", "-"]


def test_short_for_keeps_most_of_its_wait() -> None:
    assert changes(rule(for_seconds=2), [90, 90, 90, 90], step=0.5) == ["-", "-", "-", "-"]
    assert changes(rule(for_seconds=2), [90] * 5, step=0.5)[-1] == "opened"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # (time the sample was taken, value): a late commit of an older sample changes nothing
        ([(0, 99), (20, 10), (10, 99), (30, 10)], ["opened", "resolved", "-", "-"]),
        ([(0, 99), (20, 99), (10, 10), (30, 10)], ["opened", "-", "-", "resolved"]),
        ([(0, 90), (20, 99), (10, 90), (30, 99)], ["opened", "raised", "-", "-"]),
    ],
)
def test_a_sample_older_than_the_last_judged_one_is_not_applied(
    steps: list[tuple[float, float]], expected: list[str]
) -> None:
    replay = Replay([rule()], dedup_window=0.0)
    got = [
        ",".join(t.change.value for t in replay.step(at, [Sample("cpu.percent", value)]) if t.notable) or "-"
        for at, value in steps
    ]
    assert got == expected


def test_a_superseded_sample_is_named_and_leaves_the_series_as_the_newer_one_made_it() -> None:
    replay = Replay([rule(for_seconds=30)])
    replay.step(0, [Sample("cpu.percent", 90)])
    replay.step(20, [Sample("cpu.percent", 90)])
    before = dict(replay.tracks)
    outcome = evaluate(replay.rules, [Sample("cpu.percent", 10)], replay.tracks, replay.open, {}, 10, Judging("web-01"))
    assert outcome.transitions == []
    assert outcome.superseded == [SeriesKey("r")]
    assert outcome.tracks == before  # the 20 s run of breach goes on: the later sample said 90
