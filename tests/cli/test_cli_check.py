"""`alertctl check` as cron and Nagios see it: exit status, status line, --json, --dry-run."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.conftest import Rig
from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("value", "status", "name"),
    [(10, 0, "OK"), (90, 1, "WARNING"), (99, 2, "CRITICAL")],
)
def test_exit_status_and_status_line_follow_the_worst_open_alert(rig: Rig, value: int, status: int, name: str) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(value)

    result = rig.check()

    assert result.returncode == status, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"ALERTCTL {name} - ")
    if status:
        assert first.startswith(f"ALERTCTL {name} - q-high | ")
    else:
        assert "no open alerts" in first
    assert f" q.value={value};80;95" in first
    assert "Traceback" not in result.stderr


def test_perfdata_is_one_item_per_metric_with_thresholds_of_its_rule(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)

    line = rig.here("check").stdout.splitlines()[0]

    assert line.startswith("ALERTCTL WARNING - q-high | ")
    items = line.split(" | ", 1)[1].split(" ")
    assert "q.value=90;80;95" in items
    assert any(re.fullmatch(r"q\.duration=\d+(\.\d+)?s(;.*)?", item) for item in items)
    assert any(re.fullmatch(r"cpu\.percent=\d+(\.\d+)?%;;;0;100", item) for item in items)
    assert all("e+" not in item and "e-" not in item for item in items)


def test_acknowledged_alerts_still_count_for_the_exit_status(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(99)
    assert rig.here("check").returncode == 2
    (alert,) = rig.open_alerts()
    assert rig.invoke("ack", str(alert["id"])).exit_code == 0

    result = rig.here("check")

    assert result.returncode == 2
    assert "q-high [acknowledged]" in result.stdout.splitlines()[0]


def test_a_bad_config_is_unknown_with_one_line_on_stderr_and_no_traceback(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra='bogus = "x"'))

    result = rig.here("check")

    assert result.returncode == 3
    assert result.stdout.startswith("ALERTCTL UNKNOWN - ")
    assert "rules[0].bogus" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert "rules[0].bogus: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not rig.db.exists()


def test_a_missing_config_file_is_unknown(rig: Rig) -> None:
    result = run_cli("check", "-c", str(rig.root / "nowhere.toml"), "--db", str(rig.db))

    assert result.returncode == 3
    assert result.stdout.startswith("ALERTCTL UNKNOWN - ")
    assert "nowhere.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_with_json_is_still_one_document(rig: Rig) -> None:
    rig.configure(rig.q_rule(warning=99, critical=10))

    result = rig.here("check", "--json")

    assert result.returncode == 3
    document = json.loads(result.stdout)
    assert document["status"] == "UNKNOWN"
    assert document["exit_code"] == 3
    assert "rules[0].warning" in document["error"]


def test_json_document_has_status_alerts_and_rule_states(rig: Rig) -> None:
    rig.configure(
        rig.q_rule() + rig.q_rule("q-slow", "consecutive = 5") + rig.q_rule("q-calm", warning=200, critical=300)
    )
    rig.set_value(99)

    result = rig.here("check", "--json")

    assert result.returncode == 2
    assert not result.stdout.startswith("ALERTCTL")
    document = json.loads(result.stdout)
    assert set(document) >= {"status", "exit_code", "alerts", "rules"}
    assert (document["status"], document["exit_code"]) == ("CRITICAL", 2)
    (alert,) = document["alerts"]
    assert alert["rule"] == "q-high"
    assert alert["severity"] == "critical"
    assert alert["status"] == "firing"
    assert alert["resolution"] is None
    assert isinstance(alert["id"], int)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", alert["started_at"])
    states = {r["rule"]: r for r in document["rules"]}
    assert states["q-high"] == {
        "rule": "q-high",
        "state": "firing",
        "severity": "critical",
        "value": 99.0,
        "labels": {},
    }
    assert states["q-slow"]["state"] == "pending"
    assert states["q-slow"]["severity"] == "critical"
    assert states["q-calm"]["state"] == "ok"
    assert states["q-calm"]["severity"] is None


def test_dry_run_on_a_new_database_creates_nothing_but_answers_as_a_real_check(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(99)

    result = rig.here("check", "--dry-run")

    assert result.returncode == 2
    assert result.stdout.startswith("ALERTCTL CRITICAL - q-high")
    assert not rig.db.exists()
    assert not list(rig.root.glob("a.db*"))


def test_dry_run_on_an_existing_database_writes_nothing(rig: Rig) -> None:
    rig.configure(rig.q_rule() + rig.q_rule("q-other", warning=95, critical=98))
    rig.set_value(90)
    assert rig.here("check").returncode == 1
    before = rig.alerts()
    rig.set_value(99)

    result = rig.here("check", "--dry-run", "--json")

    assert result.returncode == 2
    assert json.loads(result.stdout)["status"] == "CRITICAL"
    assert rig.alerts() == before
    assert len(before) == 1
    assert before[0]["severity"] == "warning"
    assert rig.here("check").returncode == 2  # the real run does what the dry run said
    assert {a["rule"] for a in rig.open_alerts()} == {"q-high", "q-other"}


def test_dry_run_does_not_advance_consecutive_counts(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="consecutive = 2"))
    rig.set_value(90)

    for _ in range(3):
        assert rig.invoke("check", "--dry-run").exit_code == 0
    assert rig.invoke("check").exit_code == 0
    assert rig.invoke("check").exit_code == 1


def test_an_unavailable_command_value_is_unknown_with_the_reason(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value("")

    result = rig.here("check")

    assert result.returncode == 3
    assert result.stdout.startswith("ALERTCTL UNKNOWN - no data: q-high (q: no number on stdout) | ")
    assert "q.value=" not in result.stdout


def test_bad_arguments_are_unknown_too(rig: Rig) -> None:
    rig.configure(rig.q_rule())

    result = rig.check("--bogus")

    assert result.returncode == 3
    assert result.stdout.startswith("ALERTCTL UNKNOWN - ")
    assert "--bogus" in result.stderr
    assert "Traceback" not in result.stderr
