"""One incident from open to close, driven by real `check` runs against a fake command value."""

from __future__ import annotations

import json
import time

import pytest

from tests.cli.conftest import Rig


def _states(result) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {r["rule"]: r for r in json.loads(result.stdout)["rules"]}


@pytest.mark.parametrize(
    ("op", "warning", "critical", "value", "status"),
    [
        (">", 80, 95, 80, 0),
        (">", 80, 95, 80.5, 1),
        (">", 80, 95, 95.5, 2),
        (">=", 80, 95, 79.9, 0),
        (">=", 80, 95, 80, 1),
        (">=", 80, 95, 95, 2),
        ("<", 20, 5, 20, 0),
        ("<", 20, 5, 19, 1),
        ("<", 20, 5, 4, 2),
        ("<=", 20, 5, 21, 0),
        ("<=", 20, 5, 20, 1),
        ("<=", 20, 5, 5, 2),
        ("==", 1, 2, 0, 0),
        ("==", 1, 2, 1, 1),
        ("==", 1, 2, 2, 2),
        ("!=", 0, None, 0, 0),
        ("!=", 0, None, 3, 1),
    ],
)
def test_every_operator_through_a_real_check(
    rig: Rig, op: str, warning: float, critical: float | None, value: float, status: int
) -> None:
    levels = f"warning = {warning}" + (f"\ncritical = {critical}" if critical is not None else "")
    rig.configure(f"""
        [[rules]]
        name = "q-op"
        metric = "q.value"
        op = "{op}"
        {levels}
        """)
    rig.set_value(value)

    result = rig.invoke("check")

    assert result.exit_code == status, result.output
    assert len(rig.open_alerts()) == (1 if status else 0)
    if status:
        (alert,) = rig.open_alerts()
        assert alert["severity"] == ("warning" if status == 1 else "critical")
        assert alert["threshold"] == (warning if status == 1 else critical)


def test_perfdata_ranges_follow_the_operator(rig: Rig) -> None:
    rig.configure(rig.q_rule("q-low", 'op = "<"', warning=20, critical=5))
    rig.set_value(19)

    result = rig.invoke("check")

    assert result.exit_code == 1
    assert " q.value=19;20:;5: " in result.stdout + " "


def test_consecutive_fires_on_the_third_process_not_before(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="consecutive = 3"))
    rig.set_value(90)

    first, second = rig.here("check", "--json"), rig.here("check", "--json")
    third = rig.here("check")

    assert (first.returncode, second.returncode) == (0, 0)
    assert _states(first)["q-high"]["state"] == "pending"
    assert _states(second)["q-high"]["state"] == "pending"
    assert third.returncode == 1, third.stderr
    assert third.stdout.startswith("ALERTCTL WARNING - q-high")
    (alert,) = rig.open_alerts()
    assert alert["occurrences"] == 3


def test_a_sample_out_of_breach_restarts_the_consecutive_count(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="consecutive = 2"))
    for value, status in [(90, 0), (10, 0), (90, 0), (90, 1)]:
        rig.set_value(value)
        assert rig.invoke("check").exit_code == status, value


def test_for_fires_only_once_the_duration_has_passed_across_processes(rig: Rig) -> None:
    # `for` allows waits.FOR_SLACK (at most a tenth of it) for cron's jitter: "3s" fires from 2.7 s on.
    rig.configure(rig.q_rule(extra='for = "3s"'))
    rig.set_value(90)
    started = time.time() - 3  # the two runs before the real one, on an injected clock

    first = rig.cycle_at(started)
    second = rig.cycle_at(started + 2.5)
    third = rig.here("check")

    assert first.open_alerts == [] and [t.change for t in first.transitions] == []
    assert second.open_alerts == []
    assert third.returncode == 1, third.stdout + third.stderr
    assert [a["rule"] for a in rig.open_alerts()] == ["q-high"]


def test_a_level_with_its_own_for_waits_while_the_other_fires(rig: Rig) -> None:
    rig.configure("""
        [[rules]]
        name = "q-high"
        metric = "q.value"
        warning = 80
        critical = { value = 95, for = "1h" }
        """)
    rig.set_value(99)

    result = rig.invoke("check", "--json")

    assert result.exit_code == 1
    assert _states(result)["q-high"] == {
        "rule": "q-high",
        "state": "firing",
        "severity": "warning",
        "value": 99.0,
        "labels": {},
    }


def test_hysteresis_keeps_the_alert_open_until_the_value_passes_clear(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="clear = 70"))
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1
    (opened,) = rig.open_alerts()

    rig.set_value(75)  # below warning, above clear
    assert rig.invoke("check").exit_code == 1
    (still,) = rig.open_alerts()
    assert still["id"] == opened["id"]
    assert still["status"] == "firing"
    assert still["value"] == 75

    rig.set_value(69)
    assert rig.invoke("check").exit_code == 0
    assert rig.open_alerts() == []
    (closed,) = rig.alerts()
    assert (closed["id"], closed["status"], closed["resolution"]) == (opened["id"], "resolved", "recovered")
    assert closed["peak"] == 90
    assert closed["resolved_at"] is not None


def test_without_clear_the_alert_resolves_at_the_lowest_level(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1
    rig.set_value(80)  # not above 80 any more
    assert rig.invoke("check").exit_code == 0
    assert rig.alerts()[0]["resolution"] == "recovered"


def test_severity_rises_and_falls_within_one_alert(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    seen = []
    for value, status in [(90, 1), (99, 2), (85, 1)]:
        rig.set_value(value)
        assert rig.invoke("check").exit_code == status
        (alert,) = rig.open_alerts()
        seen.append(alert)

    assert len({a["id"] for a in seen}) == 1
    assert [a["severity"] for a in seen] == ["warning", "critical", "warning"]
    assert [a["threshold"] for a in seen] == [80, 95, 80]
    assert seen[-1]["peak"] == 99
    assert seen[-1]["peak_severity"] == "critical"
    assert seen[-1]["occurrences"] == 3
    assert len(rig.alerts()) == 1


def test_a_refire_within_the_dedup_window_reopens_the_same_alert(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    rig.invoke("check")
    (first,) = rig.open_alerts()
    rig.set_value(10)
    assert rig.invoke("check").exit_code == 0
    rig.set_value(97)

    assert rig.invoke("check").exit_code == 2

    (alert,) = rig.alerts()
    assert alert["id"] == first["id"]
    assert alert["reopened"] == 1
    assert (alert["status"], alert["resolution"], alert["resolved_at"]) == ("firing", None, None)
    assert alert["severity"] == "critical"
    assert alert["peak"] == 97


def test_with_dedup_window_zero_a_refire_is_a_new_alert(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble='[notify]\ndedup_window = "0s"\n')
    rig.set_value(90)
    rig.invoke("check")
    (first,) = rig.open_alerts()
    rig.set_value(10)
    rig.invoke("check")
    rig.set_value(90)

    assert rig.invoke("check").exit_code == 1

    newest, oldest = rig.alerts()
    assert oldest["id"] == first["id"]
    assert (oldest["status"], oldest["resolution"]) == ("resolved", "recovered")
    assert newest["id"] != first["id"]
    assert (newest["status"], newest["reopened"]) == ("firing", 0)


def test_a_breach_after_a_manual_resolve_opens_a_new_alert(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    rig.invoke("check")
    (first,) = rig.open_alerts()
    assert rig.invoke("resolve", str(first["id"])).exit_code == 0

    assert rig.invoke("check").exit_code == 1

    newest, oldest = rig.alerts()
    assert (oldest["id"], oldest["resolution"]) == (first["id"], "manual")
    assert newest["id"] != first["id"] and newest["status"] == "firing"


def test_an_alert_whose_value_stops_reporting_expires(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble='[agent]\nexpire_after = "1m"\n')
    rig.set_value(90)
    started = time.time() - 1.5  # the runs before the real one, on an injected clock
    assert len(rig.cycle_at(started).open_alerts) == 1
    rig.set_value("")  # the command prints nothing: q.value unavailable

    assert rig.here("check").returncode == 1  # neither breached nor cleared, not yet expired
    rig.sql("UPDATE alerts SET last_seen_at = last_seen_at - 61")  # a minute without a value, no waiting
    result = rig.here("check")

    assert result.returncode == 3, result.stdout  # expired, and the rule still has no data
    (alert,) = rig.alerts()
    assert (alert["status"], alert["resolution"]) == ("resolved", "expired")
    assert alert["value"] == 90


def test_an_alert_whose_rule_is_removed_expires(rig: Rig) -> None:
    rig.configure(rig.q_rule() + rig.q_rule("q-other", warning=85, critical=98))
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1
    assert {a["rule"] for a in rig.open_alerts()} == {"q-high", "q-other"}

    rig.configure(rig.q_rule())
    assert rig.invoke("check").exit_code == 1

    by_rule = {a["rule"]: a for a in rig.alerts()}
    assert (by_rule["q-other"]["status"], by_rule["q-other"]["resolution"]) == ("resolved", "expired")
    assert by_rule["q-high"]["status"] == "firing"


def test_a_rule_on_disk_percent_opens_one_alert_per_mount(rig: Rig) -> None:
    rig.configure("""
        [[rules]]
        name = "disk-any"
        metric = "disk.percent"
        op = ">="
        warning = 0
        labels = { team = "ops" }
        """)
    metrics = json.loads(rig.invoke("metrics", "--json").stdout)
    mounts = sorted(m["labels"]["mount"] for m in metrics if m["metric"] == "disk.percent")
    assert mounts, "no mounts to test with"

    result = rig.invoke("check", "--json")
    again = rig.invoke("check", "--json")

    assert result.exit_code == 1
    alerts = rig.alerts()
    assert sorted(a["labels"]["mount"] for a in alerts) == mounts
    assert all(a["labels"]["team"] == "ops" for a in alerts)
    assert sorted(r["labels"]["mount"] for r in json.loads(again.stdout)["rules"]) == mounts
    assert len(json.loads(again.stdout)["alerts"]) == len(mounts)


def test_a_rule_pinned_to_a_mount_judges_only_that_mount(rig: Rig) -> None:
    rig.configure("""
        [[rules]]
        name = "disk-root"
        metric = "disk.percent"
        op = ">="
        warning = 0
        mount = "/"

        [[rules]]
        name = "disk-nowhere"
        metric = "disk.percent"
        op = ">="
        warning = 0
        mount = "/no/such/mount"
        """)

    result = rig.here("check")

    assert result.returncode == 1
    assert result.stdout.startswith(
        "ALERTCTL WARNING - disk-root (/); no data: disk-nowhere (disk: /no/such/mount is not mounted) | "
    )
    (alert,) = rig.alerts()
    assert (alert["rule"], alert["labels"]) == ("disk-root", {"mount": "/"})
