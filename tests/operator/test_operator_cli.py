"""`suppress`, `silences`, `unsuppress` and `show`'s timeline through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Rig


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    made = Rig(tmp_path)
    made.configure(made.q_rule())
    return made


@pytest.fixture
def firing(rig: Rig) -> Rig:
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1
    return rig


def _json(rig: Rig, *args: str) -> object:
    result = rig.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_suppress_one_alert_shows_suppressed_and_unsuppress_brings_it_back(firing: Rig) -> None:
    result = firing.invoke("suppress", "1", "--for", "2h", "--reason", "known issue")
    assert result.exit_code == 0, result.output
    assert "#1 q-high: suppressed until" in result.stdout
    shown = _json(firing, "show", "1")
    assert shown["status"] == "suppressed" and shown["suppress_reason"] == "known issue"
    assert shown["suppressed_until"] is not None
    assert [a["status"] for a in _json(firing, "history")] == ["suppressed"]
    result = firing.invoke("unsuppress", "1")
    assert result.exit_code == 0 and "now firing" in result.stdout
    assert _json(firing, "show", "1")["status"] == "firing"


def test_suppress_one_alert_needs_no_reason(firing: Rig) -> None:
    assert firing.invoke("suppress", "1", "--for", "30m").exit_code == 0


def test_a_silence_is_listed_until_lifted_then_kept(rig: Rig) -> None:
    result = rig.invoke("suppress", "--rule", "q-high", "--label", "team=web", "--for", "1d", "--reason", "deploy")
    assert result.exit_code == 0, result.output
    (listed,) = _json(rig, "silences")
    assert set(listed) == {"id", "rule", "labels", "starts_at", "ends_at", "reason", "created_by"}
    assert listed["labels"] == {"team": "web"} and listed["reason"] == "deploy"
    assert rig.invoke("unsuppress", "--silence", "1").exit_code == 0
    assert _json(rig, "silences") == []
    (kept,) = _json(rig, "silences", "--all")
    assert kept["active"] is False and kept["id"] == 1
    assert "No active silences." in rig.invoke("silences").stdout


def test_an_alert_under_a_silence_is_recorded_as_suppressed(rig: Rig) -> None:
    assert rig.invoke("suppress", "--rule", "q-high", "--for", "1h", "--reason", "maintenance").exit_code == 0
    rig.set_value(99)
    assert rig.invoke("check").exit_code == 2  # still counted by the Nagios verdict
    (alert,) = _json(rig, "history")
    assert alert["status"] == "suppressed" and alert["suppress_reason"] == "maintenance"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("suppress", "--rule", "q-high", "--for", "1h"), 2, "needs a reason"),
        (("suppress", "--rule", "q-high", "--for", "-1h", "--reason", "x"), 2, "--for"),
        (("suppress", "--rule", "q-high", "--for", "0s", "--reason", "x"), 2, "more than zero"),
        (("suppress", "--rule", "q-high", "--for", "8d", "--reason", "x"), 2, "max_silence"),
        (("suppress", "--rule", "q-high", "--label", "team", "--for", "1h", "--reason", "x"), 2, "KEY=VALUE"),
        (("suppress", "1", "--rule", "q-high", "--for", "1h", "--reason", "x"), 2, "not both"),
        (("suppress", "--for", "1h", "--reason", "x"), 2, "not both and not neither"),
        (("suppress", "1", "--reason", "x"), 2, "--for: required"),
        (("suppress", "7", "--for", "1h"), 1, "alert 7"),
        (("unsuppress", "7"), 1, "alert 7"),
        (("unsuppress", "--silence", "9"), 1, "silence 9"),
        (("unsuppress",), 2, "not both and not neither"),
    ],
)
def test_bad_input_is_one_line_and_the_right_exit_status(
    rig: Rig, args: tuple[str, ...], code: int, words: str
) -> None:
    result = rig.invoke(*args)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


def test_max_silence_is_configurable(rig: Rig) -> None:
    rig.configure(rig.q_rule(), preamble='[notify]\nmax_silence = "30m"\n')
    assert rig.invoke("suppress", "--rule", "q-high", "--for", "1h", "--reason", "x").exit_code == 2
    assert rig.invoke("suppress", "--rule", "q-high", "--for", "30m", "--reason", "x").exit_code == 0


@pytest.mark.parametrize("command", ["suppress", "silences", "unsuppress"])
def test_each_command_has_an_example_and_a_manual_row(rig: Rig, command: str) -> None:
    result = rig.invoke(command, "--help", where=False)
    assert result.exit_code == 0 and "Example: alertctl " + command in result.stdout
    manual = (Path(__file__).parents[2] / "docs" / "commands.md").read_text()
    assert f"| `alertctl {command} " in manual
