"""Suggestions drawn from the figures, each with its evidence; flapping and noisiest rules."""

from __future__ import annotations

from alertctl import report as reporting
from alertctl.store.report import Aggregates, ChannelRow, RuleRow

DAY = 86400.0


def agg(
    rules: list[RuleRow], hourly: dict[int, int] | None = None, channels: list[ChannelRow] | None = None
) -> Aggregates:
    return Aggregates(
        rules=rules,
        by_severity={"warning": sum(r.alerts for r in rules)},
        by_status={},
        hourly=hourly or {},
        weekday={},
        daily={},
        tta=(None, None),
        ttr=(None, None),
        channels=channels or [],
    )


def texts(a: Aggregates, days: float = 7) -> list[str]:
    return [s.text for s in reporting.build(a, 0.0, days * DAY).suggestions]


def test_blips_name_the_counts_and_the_fix() -> None:
    rows = [RuleRow("disk-root", 41, 10, 40, 38, 0, 45.0)]
    report = reporting.build(agg(rows), 0.0, 7 * DAY)
    [s] = report.suggestions
    assert s.text == (
        "rule disk-root fired 41 times, 38 resolved within 2 minutes: "
        'consider `for = "5m"` or a `clear` level further from the threshold'
    )
    assert (s.kind, s.rule, s.evidence) == ("blips", "disk-root", {"alerts": 41, "resolved_within_2m": 38})


def test_no_suggestion_from_too_few_alerts_or_long_ones() -> None:
    assert texts(agg([RuleRow("a", 4, 0, 4, 4, 0, 10.0), RuleRow("b", 20, 0, 20, 9, 0, 600.0)])) == []


def test_peak_hour_needs_a_real_peak() -> None:
    rows = [RuleRow("a", 40, 0, 40, 0, 0, 600.0)]
    peaked = texts(agg(rows, hourly={14: 12, 3: 28 - 12, 4: 12}))
    assert peaked == [
        "peak hour 03:00 local: 16 of 40 alerts (40%) started then; "
        "look for a scheduled job or a daily load at that time"
    ]
    flat = texts(agg(rows, hourly=dict.fromkeys(range(20), 2)))
    assert flat == []


def test_ignored_rule_and_failing_channel() -> None:
    rows = [RuleRow("swap-high", 10, 10, 10, 0, 0, 3600.0)]
    channels = [ChannelRow("ops", 10, 1, 0), ChannelRow("pager", 3, 2, 0)]
    assert texts(agg(rows, channels=channels)) == [
        "rule swap-high fired 10 times, 10 never acknowledged: if nobody acts on it, raise its levels "
        "or send it to a quieter channel",
        "channel pager: 2 of 5 attempts failed, 0 notices given up: try `alertctl notify test --channel pager`",
    ]


def test_flapping_sorted_by_reopenings_then_name_and_ties_in_peaks() -> None:
    rows = [
        RuleRow("b", 5, 0, 5, 0, 2, None),
        RuleRow("a", 3, 0, 3, 0, 4, None),
        RuleRow("c", 2, 0, 2, 0, 2, None),
        RuleRow("d", 1, 0, 1, 0, 1, None),
    ]
    report = reporting.build(agg(rows, hourly={5: 3, 7: 3}), 0.0, 2 * DAY)
    assert report.flapping == [("a", 4), ("b", 2), ("c", 2)]
    assert report.peak_hour == 5  # a tie goes to the earlier hour
    assert reporting.to_dict(report)["noisiest"][0]["per_day"] == 2.5


def test_local_dates_cover_both_ends() -> None:
    from datetime import datetime

    start = datetime(2026, 3, 1, 23, 0).timestamp()
    assert reporting.local_dates(start, start + 2 * DAY) == ["2026-03-01", "2026-03-02", "2026-03-03"]
