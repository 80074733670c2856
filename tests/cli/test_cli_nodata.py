"""No data: a rule that cannot see is never silently green (the contract's "No data" section)."""

from __future__ import annotations

import json
import time

import pytest

from alertctl.config import load_config
from alertctl.loop import Runner
from alertctl.model import Severity
from alertctl.store.db import open_database
from tests.cli.conftest import Rig
from tests.conftest import run_here
from tests.notify.receivers import free_port, http_receiver

MISSING = "/nonexistent/alertctl-probe"


def gone_check(extra: str = "") -> str:
    """A check whose program does not exist, and a rule on it."""
    return f"""
    [[checks]]
    name = "gone"
    type = "command"
    command = ["{MISSING}"]

    [[rules]]
    name = "gone-high"
    metric = "gone.value"
    warning = 1
    {extra}
    """


def test_a_missing_command_makes_check_unknown_naming_the_rule_and_why(rig: Rig) -> None:
    rig.configure(rig.q_rule() + gone_check())

    result = rig.here("check")

    assert result.returncode == 3, result.stdout
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"ALERTCTL UNKNOWN - no data: gone-high (gone: not found: {MISSING}) | ")
    assert " q.value=0;80;95" in first  # the metrics that do report keep their perfdata


def test_a_firing_critical_alert_outranks_no_data(rig: Rig) -> None:
    rig.configure(rig.q_rule() + gone_check())
    rig.set_value(99)

    result = rig.here("check")

    assert result.returncode == 2
    assert result.stdout.startswith(f"ALERTCTL CRITICAL - q-high; no data: gone-high (gone: not found: {MISSING}) | ")


def test_a_warning_alert_outranks_no_data_too(rig: Rig) -> None:
    rig.configure(rig.q_rule() + gone_check())
    rig.set_value(90)

    assert rig.here("check").returncode == 1


def test_nodata_ignore_turns_the_unknown_off(rig: Rig) -> None:
    rig.configure(rig.q_rule() + gone_check('nodata = "ignore"\nnodata_after = "1ms"'))

    results = [rig.here("check") for _ in range(2)]

    assert [r.returncode for r in results] == [0, 0]
    assert results[1].stdout.startswith("ALERTCTL OK - 2 rules, no open alerts | ")
    assert rig.alerts() == []


def test_check_json_lists_the_rule_as_nodata_with_the_reason(rig: Rig) -> None:
    rig.configure(rig.q_rule() + gone_check())

    result = rig.here("check", "--json")

    assert result.returncode == 3
    document = json.loads(result.stdout)
    assert (document["status"], document["exit_code"]) == ("UNKNOWN", 3)
    states = {entry["rule"]: entry for entry in document["rules"]}
    assert states["gone-high"] == {
        "rule": "gone-high",
        "state": "nodata",
        "severity": None,
        "value": None,
        "labels": {},
        "reason": f"gone: not found: {MISSING}",
    }
    assert states["q-high"]["state"] == "ok"


@pytest.mark.parametrize(("value", "reason"), [("", "q: no number on stdout"), ("soon", "q: no number on stdout")])
def test_a_command_that_prints_no_number_is_no_data(rig: Rig, value: str, reason: str) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(value)

    result = rig.here("check", "--json")

    assert result.returncode == 3
    [state] = json.loads(result.stdout)["rules"]
    assert (state["state"], state["reason"]) == ("nodata", reason)


SLOW = """
    [[checks]]
    name = "slow"
    type = "command"
    command = ["sleep", "10"]
    timeout = "200ms"

    [[rules]]
    name = "slow-high"
    metric = "slow.value"
    warning = 1
    """
VAAR = """
    [[rules]]
    name = "vaar-full"
    metric = "disk.percent"
    warning = 90
    mount = "/vaar"
    """


@pytest.mark.parametrize(
    ("rules", "summary"),
    [
        (SLOW, "no data: slow-high (slow: timed out after 0.2s)"),
        (VAAR, "no data: vaar-full (disk: /vaar is not mounted)"),
    ],
    ids=["command-times-out", "mount-not-mounted"],
)
def test_what_else_gives_no_data(rig: Rig, rules: str, summary: str) -> None:
    rig.configure(rules)

    result = rig.here("check")

    assert result.returncode == 3
    assert result.stdout.startswith(f"ALERTCTL UNKNOWN - {summary} | ")


def test_a_refused_tcp_port_is_data_not_no_data(rig: Rig) -> None:
    rig.configure(f"""
        [[checks]]
        name = "db"
        type = "tcp"
        host = "127.0.0.1"
        port = {free_port()}
        timeout = "1s"

        [[rules]]
        name = "db-down"
        metric = "db.up"
        op = "<"
        critical = 1
        """)

    result = rig.here("check", "--json")

    assert result.returncode == 2
    [state] = json.loads(result.stdout)["rules"]
    assert (state["state"], state["value"]) == ("firing", 0)


def test_the_built_in_rules_see_everything_on_this_host() -> None:
    result = run_here("check", "--dry-run")

    assert result.returncode in (0, 1, 2), result.stdout  # never UNKNOWN: no built-in rule lacks data
    assert "no data" not in result.stdout


def test_the_no_data_alert_opens_after_nodata_after_and_resolves_when_data_returns(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra='nodata_after = "5m"'))
    rig.set_value("")
    runner = Runner(load_config(rig.config, use_cache=False), open_database(rig.db))
    start = time.time()

    assert runner.run_once(start).open_alerts == []
    assert runner.run_once(start + 240).open_alerts == []
    [alert] = runner.run_once(start + 300).open_alerts

    assert alert.nodata and alert.severity is Severity.WARNING
    shown = json.loads(rig.invoke("show", str(alert.id), "--json").stdout)
    assert shown["nodata"] is True and shown["value"] is None
    assert shown["message"].startswith("no data for q.value: q: no number on stdout")
    [still] = runner.run_once(start + 330).open_alerts
    assert (still.id, still.last_seen_at) == (alert.id, start + 330)  # one incident, kept fresh

    rig.set_value(5)
    assert runner.run_once(start + 360).open_alerts == []
    [resolved] = rig.alerts()
    assert (resolved["status"], resolved["resolution"], resolved["nodata"]) == ("resolved", "recovered", True)
    assert resolved["message"] == f"q.value is reporting again (5) on {resolved['host']}"


@pytest.mark.parametrize(("severity", "status", "name"), [("warning", 1, "WARNING"), ("critical", 2, "CRITICAL")])
def test_an_open_no_data_alert_sets_the_exit_status_by_its_severity(
    rig: Rig, severity: str, status: int, name: str
) -> None:
    rig.configure(gone_check(f'nodata = "{severity}"\nnodata_after = "1ms"'))
    assert rig.here("check").returncode == 3  # no data at once; the alert waits for nodata_after

    result = rig.here("check")

    assert result.returncode == status
    assert result.stdout.startswith(f"ALERTCTL {name} - gone-high [no data]; no data: gone-high (")
    [alert] = rig.open_alerts()
    assert alert["nodata"] is True and alert["severity"] == severity
    [state] = json.loads(rig.here("check", "--json").stdout)["rules"]
    assert (state["state"], state["severity"]) == ("nodata", severity)
    assert alert["message"].startswith(f"no data for gone.value: gone: not found: {MISSING}")
    assert "no data" in next(
        line for line in rig.invoke("show", str(alert["id"])).stdout.splitlines() if line.startswith("Value")
    )


def test_resolving_a_no_data_alert_by_hand_restarts_the_wait(rig: Rig) -> None:
    rig.configure(gone_check('nodata_after = "1m"'))
    rig.here("check")
    rig.sql("UPDATE state SET value = json_replace(value, '$.\"gone-high\"[0]', 0) WHERE key = 'nodata'")
    assert rig.here("check").returncode == 1  # a minute and more without data, as far as it knows
    [alert] = rig.open_alerts()
    assert rig.invoke("resolve", str(alert["id"])).exit_code == 0

    assert rig.here("check").returncode == 3  # no data still, but the alert must wait a minute again
    assert rig.open_alerts() == []


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('nodata = "loud"', "rules[0].nodata"),
        ('nodata_after = "soon"', "rules[0].nodata_after"),
        ('nodata_after = "0s"', "rules[0].nodata_after"),
    ],
)
def test_bad_nodata_settings_exit_2_naming_the_key(rig: Rig, setting: str, key: str) -> None:
    rig.configure(rig.q_rule(extra=setting))

    result = rig.here("config", "validate")

    assert result.returncode == 2
    assert f": {key}: " in result.stderr and "Traceback" not in result.stderr


def test_metrics_lists_an_unavailable_metric_with_why(rig: Rig) -> None:
    rig.configure(gone_check())

    listed = json.loads(rig.invoke("metrics", "--json").stdout)
    table = rig.invoke("metrics").stdout

    by_name = {row["metric"]: row for row in listed}
    assert by_name["gone.value"] == {
        "metric": "gone.value",
        "labels": {},
        "value": None,
        "unit": "",
        "error": f"gone: not found: {MISSING}",
    }
    assert by_name["gone.duration"]["value"] is not None and "error" not in by_name["gone.duration"]
    assert "gone.value" in table and "unavailable: gone: not found:" in table


def test_watch_logs_once_when_a_rule_loses_its_data_and_once_when_it_is_back(rig: Rig) -> None:
    counter = rig.root / "count"
    script = f"n=$(($(cat {counter} 2>/dev/null || echo 0) + 1)); echo $n > {counter}; [ $n -eq 2 ] || [ $n -eq 3 ] || echo 5"
    rig.configure(f"""
        [[checks]]
        name = "flaky"
        type = "command"
        command = ["sh", "-c", {json.dumps(script)}]

        [[rules]]
        name = "flaky-high"
        metric = "flaky.value"
        warning = 10
        """)

    result = rig.run("watch", "--cycles", "4", "--interval", "10ms")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in lines if " flaky-high: " in line] == [
        "nodata flaky-high: flaky: no number on stdout",
        "data flaky-high: samples again",
    ]


def test_config_validate_warns_of_an_unmounted_mount_and_of_shell_syntax(rig: Rig) -> None:
    rig.configure(
        rig.q_rule()
        + """
        [[rules]]
        name = "vaar-full"
        metric = "disk.percent"
        warning = 90
        mount = "/vaar"

        [[checks]]
        name = "piped"
        type = "command"
        command = "redis-cli -a s3cret llen jobs | wc -l"

        [[checks]]
        name = "lone"
        type = "command"
        command = ["cat /tmp/x > /tmp/y"]

        [[checks]]
        name = "shell"
        type = "command"
        command = ["sh", "-c", "cat /tmp/x | wc -l"]
        """
    )

    result = rig.here("config", "validate")

    assert result.returncode == 0
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3, result.stderr
    assert warnings[0].endswith("rules[1].mount: '/vaar' is not mounted on this host; the rule will have no data")
    assert 'checks[1].command (piped): "|" is shell syntax' in warnings[1]
    assert 'checks[2].command (lone): ">" is shell syntax' in warnings[2]
    assert "s3cret" not in result.stderr and "redis-cli" not in result.stderr


def test_the_no_data_alert_is_notified_and_its_recovery_too(rig: Rig) -> None:
    with http_receiver() as receiver:
        rig.configure(
            rig.q_rule(extra='nodata_after = "1ms"'), preamble=f'[notify.channels.ops]\nurls = ["{receiver.url()}"]\n'
        )
        rig.set_value("")
        rig.here("check")
        assert rig.here("check").returncode == 1
        rig.set_value(3)
        assert rig.here("check").returncode == 0

    host = rig.alerts()[0]["host"]
    assert receiver.titles() == [
        f"[WARNING] q-high on {host}: no data for q.value",
        f"[RESOLVED] q-high on {host}: q.value is reporting again",
    ]
    assert receiver.types() == ["warning", "success"]
    assert str(receiver.payloads[0]["message"]).startswith(f"no data for q.value: q: no number on stdout on {host}")


def test_the_watch_log_says_data_is_back_only_for_rules_still_configured() -> None:
    from alertctl.cli.watch_cmd import BlindLog
    from alertctl.loop import Cycle
    from alertctl.metrics.collector import Reading
    from alertctl.model import Blind

    lines: list[str] = []
    configured = {"qval", "gone"}
    log = BlindLog(lines.append, lambda: configured)
    log(Cycle(0.0, Reading(), [], [], blind={"qval": Blind(0.0, 0.0, "q: no number"), "gone": Blind(0.0, 0.0, "x")}))
    configured.discard("gone")  # a reload removed the rule
    log(Cycle(10.0, Reading(), [], []))
    assert [line.split(" ", 1)[1] for line in lines] == [
        "nodata qval: q: no number",
        "nodata gone: x",
        "data qval: samples again",
    ]
