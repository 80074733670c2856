"""Four levels in the pure parts: the engine, the config's order checks, routing, escalation,
notice types and the Nagios verdict."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from alertctl.config import load_config
from alertctl.config.runtime import AlertmanagerChannel, Channel, Notify
from alertctl.errors import ConfigError
from alertctl.model import Change, Level, NoticeLog, Op, Rule, Sample, SeriesKey, Severity, Transition, Unavailable
from alertctl.nagios import ServiceState, perfdata, state_of, status_line
from alertctl.notice_reasons import Kind, Reason
from alertctl.notice_text import notify_type
from alertctl.notify import am_payload
from alertctl.notify.policy import Decision, admits, decide, route
from tests.alerts import open_alert
from tests.engine.replay import Replay, run

FOUR = Rule("q", "q.value", Op.GT, warning=Level(70), critical=Level(95), info=Level(50), error=Level(85))


def _walk(rule: Rule, values: list[float]) -> list[tuple[str, str]]:
    return [(t.change.value, t.severity.label) for step in run(rule, values) for t in step if t.notable]


def test_one_alert_rises_a_level_at_a_time_or_several_at_once_and_falls_to_the_breached_one() -> None:
    assert _walk(FOUR, [60, 75, 90, 97, 90, 75, 60, 40]) == [
        ("opened", "info"),
        ("raised", "warning"),
        ("raised", "error"),
        ("raised", "critical"),
        ("lowered", "error"),
        ("lowered", "warning"),
        ("lowered", "info"),
        ("resolved", "info"),
    ]
    assert _walk(FOUR, [60, 97, 55]) == [("opened", "info"), ("raised", "critical"), ("lowered", "info")]


def test_clear_defaults_to_the_mildest_level_set() -> None:
    error_and_critical = Rule("q", "q.value", Op.GT, critical=Level(95), error=Level(85))
    assert error_and_critical.clear_threshold == 85
    assert _walk(error_and_critical, [90, 86, 85]) == [("opened", "error"), ("resolved", "error")]


def test_equal_levels_escalate_by_their_own_waits() -> None:
    down = Rule(
        "down", "site.up", Op.LT, warning=Level(1, 60), critical=Level(1, 900), info=Level(1, 0), error=Level(1, 300)
    )
    steps = run(down, [0] * 91, step=10)
    rises = {i * 10: t.severity.label for i, step in enumerate(steps) for t in step if t.notable}
    assert rises == {0: "info", 60: "warning", 300: "error", 900: "critical"}


def test_a_rule_edited_to_drop_the_level_an_alert_is_at_keeps_it_at_the_nearest_one() -> None:
    [[opened]] = run(FOUR, [90])
    steps = run(Rule("q", "q.value", Op.GT, warning=Level(70), critical=Level(95)), [90])
    assert (opened.severity, steps[0][0].severity) == (Severity.ERROR, Severity.WARNING)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text('[[rules]]\nname = "r"\nmetric = "cpu.percent"\n' + text)
    return path


@pytest.mark.parametrize(
    ("levels", "problem"),
    [
        (
            "info = 50\nwarning = 40\n",
            "rules[0].info: must be below warning (40) for op '>' (or equal, with a longer `for` on warning)",
        ),
        ("warning = 70\nerror = 70\n", "rules[0].warning: must be below error (70) for op '>'"),
        ("error = 90\ncritical = 80\n", "rules[0].error: must be below critical (80) for op '>'"),
        (
            'op = "<"\nwarning = 50\nerror = 30\ncritical = 40\n',
            "rules[0].error: must be above critical (40) for op '<'",
        ),
        ('op = "=="\ninfo = 1\nwarning = 2\nerror = 1\n', "rules[0].info: must differ from error (1)"),
        ("info = 50\nerror = 80\nclear = 60\n", "rules[0].clear: must be at or below the lowest level (50) for op '>'"),
        (
            'info = { value = 1, for = "5m" }\nwarning = { value = 1, for = "1m" }\n',
            "rules[0].info: must be below warning (1)",
        ),
        (
            'nodata = "fatal"\nerror = 1\n',
            "rules[0].nodata: must be one of 'info', 'warning', 'error', 'critical' or 'ignore'",
        ),
    ],
)
def test_levels_are_ordered_by_the_operator_and_named_when_not(tmp_path: Path, levels: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, levels), use_cache=False)
    assert problem in str(caught.value)


def test_any_subset_of_levels_loads_and_nodata_takes_any_level(tmp_path: Path) -> None:
    rule = load_config(_config(tmp_path, 'info = 10\ncritical = 90\nnodata = "error"\n'), use_cache=False).rules[0]
    assert ([s for s, _ in rule.levels()], rule.nodata, rule.clear_threshold) == (
        [Severity.INFO, Severity.CRITICAL],
        Severity.ERROR,
        10,
    )


def test_forecast_levels_are_ordered_as_time_left(tmp_path: Path) -> None:
    text = (
        '[[rules]]\nname = "f"\nmetric = "disk.percent"\nforecast = { reaches = 100, window = "6h" }\n'
        'info = "3d"\nwarning = "1d"\nerror = "12h"\ncritical = "2h"\n'
    )
    path = tmp_path / "f.toml"
    path.write_text(text)
    rule = load_config(path, use_cache=False).rules[0]
    assert [level.value for _, level in rule.levels()] == [3 * 86400, 86400, 12 * 3600, 2 * 3600]
    path.write_text(text.replace('error = "12h"', 'error = "1h"'))
    with pytest.raises(ConfigError, match=r"rules\[0\]\.error: must be longer than critical \(2h\)"):
        load_config(path, use_cache=False)


NOTIFY = Notify(
    escalate_after=900.0,
    escalate_to=("pager",),
    renotify=0.0,
    channels=(
        Channel("log", ("json://l",), Severity.INFO),
        Channel("oncall", ("json://o",), Severity.ERROR),
        Channel("pager", ("json://p",), Severity.CRITICAL),
    ),
)


def test_min_severity_admits_its_level_and_worse() -> None:
    assert [route(NOTIFY, None, s) for s in Severity] == [
        ("log",),
        ("log",),
        ("log", "oncall"),
        ("log", "oncall", "pager"),
    ]


@pytest.mark.parametrize(
    ("escalate", "severity", "escalates"),
    [
        (Severity.CRITICAL, Severity.CRITICAL, True),
        (Severity.CRITICAL, Severity.ERROR, False),
        (Severity.ERROR, Severity.ERROR, True),
        (Severity.ERROR, Severity.WARNING, False),
    ],
)
def test_escalation_applies_from_escalate_severity_up(escalate: Severity, severity: Severity, escalates: bool) -> None:
    notify = replace(NOTIFY, escalate_severity=escalate)
    alert = open_alert(1, severity, rule="q")
    got = decide([], [alert], {}, {1: NoticeLog(0.0, False, frozenset({"log"}))}, notify, {"q": FOUR}, 900.0)
    assert got == ([Decision(1, Kind.ESCALATED, Reason.ESCALATION_DUE, ("pager",))] if escalates else [])


def test_escalate_severity_is_error_or_critical(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[notify]\nescalate_severity = "error"\n')
    assert load_config(path, use_cache=False).notify.escalate_severity is Severity.ERROR
    path.write_text('[notify]\nescalate_severity = "warning"\n')
    with pytest.raises(ConfigError, match=r"notify\.escalate_severity: must be one of 'error' or 'critical'"):
        load_config(path, use_cache=False)


def test_apprise_types_for_each_level_and_for_recovery() -> None:
    assert [notify_type(Kind.OPENED, s) for s in Severity] == ["info", "warning", "failure", "failure"]
    assert (notify_type(Kind.RAISED, Severity.ERROR), notify_type(Kind.RESOLVED, Severity.CRITICAL)) == (
        "failure",
        "success",
    )


@pytest.mark.parametrize(
    ("severities", "blind", "state"),
    [
        ([Severity.INFO], {}, ServiceState.OK),
        ([Severity.INFO], {"other": "no number"}, ServiceState.UNKNOWN),
        ([Severity.INFO, Severity.WARNING], {"other": "no number"}, ServiceState.WARNING),
        ([Severity.ERROR], {}, ServiceState.CRITICAL),
        ([Severity.CRITICAL, Severity.INFO], {}, ServiceState.CRITICAL),
    ],
)
def test_nagios_state_of_four_levels(severities: list[Severity], blind: dict[str, str], state: ServiceState) -> None:
    alerts = [open_alert(i, s, rule=f"r{i}") for i, s in enumerate(severities)]
    assert state_of(alerts, blind) is state


def test_unknown_leads_the_status_line_even_with_an_info_alert_open() -> None:
    alerts = [open_alert(1, Severity.INFO, rule="cache")]
    line = status_line(ServiceState.UNKNOWN, alerts, [], [FOUR], {"q": "no number"})
    assert line == "ALERTCTL UNKNOWN - no data: q (no number); cache [info]"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (FOUR, "q.value=60;70;85"),
        (Rule("q", "q.value", Op.GT, critical=Level(95), info=Level(50)), "q.value=60;;95"),
        (Rule("q", "q.value", Op.LT, warning=Level(30), critical=Level(10), error=Level(20)), "q.value=60;30:;20:"),
        (Rule("q", "q.value", Op.GT, info=Level(50)), "q.value=60"),
    ],
)
def test_perfdata_warn_is_the_warning_level_and_crit_the_mildest_critical_one(rule: Rule, expected: str) -> None:
    assert perfdata(Sample("q.value", 60), [rule]) == expected


def test_changes_keep_their_names() -> None:
    assert {t.change for step in run(FOUR, [60, 97, 55, 40]) for t in step} == {
        Change.OPENED,
        Change.RAISED,
        Change.LOWERED,
        Change.RESOLVED,
    }


def test_alertmanager_gets_the_level_as_its_severity_label_and_routes_by_min_severity() -> None:
    assert [am_payload.labels(open_alert(1, s, rule="q"))["severity"] for s in Severity] == [
        "info",
        "warning",
        "error",
        "critical",
    ]
    am = AlertmanagerChannel("am", ("http://127.0.0.1:9093",), Severity.ERROR)
    assert [admits(am, None, s) for s in Severity] == [False, False, True, True]


def test_a_no_data_alert_opens_at_any_of_the_four_levels() -> None:
    gap = Unavailable("q.value", "q: no number on stdout")
    replay = Replay([replace(FOUR, nodata=Severity.ERROR, nodata_after=60.0)], expire_after=3600)
    opened = [t for now in range(0, 120, 30) for t in replay.step(float(now), [], [gap]) if t.notable]
    assert [(t.change, t.severity, t.at) for t in opened] == [(Change.OPENED, Severity.ERROR, 60.0)]


def test_a_reopen_at_a_level_above_what_a_channel_was_told_is_news_to_that_channel_only() -> None:
    told = NoticeLog(0.0, False, frozenset({"log", "oncall"}), {"log": Severity.ERROR, "oncall": Severity.ERROR})
    reopened = Transition(Change.REOPENED, SeriesKey("q"), "q.value", Severity.CRITICAL, 10.0, alert_id=1)
    alert = open_alert(1, Severity.CRITICAL, rule="q")
    assert decide([reopened], [alert], {}, {1: told}, NOTIFY, {"q": FOUR}, 10.0) == [
        Decision(1, Kind.OPENED, Reason.REOPENED_SEVERITY_RAISED, ("log", "oncall", "pager"))
    ]
    at_error = replace(reopened, severity=Severity.ERROR)
    assert decide([at_error], [replace(alert, severity=Severity.ERROR)], {}, {1: told}, NOTIFY, {"q": FOUR}, 10.0) == [
        Decision(1, Kind.OPENED, Reason.MUTED_REOPENED_IN_DEDUP_WINDOW)
    ]
