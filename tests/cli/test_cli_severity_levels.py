"""Four severity levels, driven by real `check` runs against a command check's value file."""

from __future__ import annotations

import json

from tests.cli.conftest import Rig
from tests.notify.receivers import http_receiver

FOUR_LEVELS = """
    [[rules]]
    name = "q-levels"
    metric = "q.value"
    info = 50
    warning = 70
    error = 85
    critical = 95
    """

UP_AND_DOWN = [
    (60, "info", 0),
    (75, "warning", 1),
    (90, "error", 2),
    (97, "critical", 2),
    (90, "error", 2),
    (75, "warning", 1),
    (60, "info", 0),
]


def test_one_alert_rises_through_all_four_levels_and_falls_back(rig: Rig) -> None:
    rig.configure(FOUR_LEVELS)
    seen = []
    for value, severity, status in UP_AND_DOWN:
        rig.set_value(value)
        result = rig.invoke("check")
        assert result.exit_code == status, (value, result.output)
        (alert,) = rig.open_alerts()
        seen.append((alert["id"], alert["severity"]))
        assert alert["threshold"] == {"info": 50, "warning": 70, "error": 85, "critical": 95}[severity]
    assert seen == [(1, severity) for _, severity, _ in UP_AND_DOWN]

    rig.set_value(40)
    assert rig.invoke("check").exit_code == 0
    (alert,) = rig.alerts()
    assert (alert["status"], alert["resolution"], alert["peak_severity"]) == ("resolved", "recovered", "critical")


def test_info_is_ok_for_nagios_but_named_in_the_status_line(rig: Rig) -> None:
    rig.configure(FOUR_LEVELS)
    rig.set_value(60)

    result = rig.here("check")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALERTCTL OK - q-levels [info] | ")
    assert " q.value=60;70;85 " in result.stdout  # warn: the warning level; crit: the mildest of error and critical


def test_history_filters_by_each_of_the_four_levels(rig: Rig) -> None:
    rig.configure(
        FOUR_LEVELS
        + """
    [[rules]]
    name = "q-any"
    metric = "q.value"
    error = 55
    """
    )
    rig.set_value(60)
    assert rig.invoke("check").exit_code == 2

    def rules(*severities: str) -> list[str]:
        args = [part for s in severities for part in ("--severity", s)]
        result = rig.invoke("history", "--json", *args)
        assert result.exit_code == 0, result.output
        return sorted(a["rule"] for a in json.loads(result.stdout))

    assert (rules("info"), rules("error"), rules("warning", "critical")) == (["q-levels"], ["q-any"], [])
    assert rig.invoke("history", "--severity", "fatal").exit_code == 2


def test_a_channel_hears_only_the_levels_its_min_severity_admits(rig: Rig) -> None:
    with http_receiver() as pager, http_receiver() as log:
        rig.configure(
            FOUR_LEVELS,
            preamble=f"""
            [notify.channels.pager]
            urls = ["{pager.url()}"]
            min_severity = "error"

            [notify.channels.log]
            urls = ["{log.url()}"]
            min_severity = "info"
            """,
        )
        for value, _, status in [*UP_AND_DOWN, (40, None, 0)]:
            rig.set_value(value)
            assert rig.invoke("check").exit_code == status

        heard = [(p["type"], str(p["title"]).split("]")[0] + "]") for p in pager.payloads]
        assert heard == [("failure", "[ERROR]"), ("failure", "[CRITICAL]"), ("success", "[RESOLVED]")]
        assert log.types() == ["info", "warning", "failure", "failure", "success"]


def test_report_counts_alerts_by_the_worst_of_four_levels(rig: Rig) -> None:
    rig.configure(FOUR_LEVELS)
    for value in (60, 90, 40):
        rig.set_value(value)
        rig.invoke("check")

    result = rig.invoke("report", "--json")

    assert json.loads(result.stdout)["by_severity"] == {"info": 0, "warning": 0, "error": 1, "critical": 0}
