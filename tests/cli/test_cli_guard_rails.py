"""Guard rails for an operator mid-incident: a broken config does not block `ack`; a silence for
a misspelt rule is refused; a resolve that will not hold says so; config errors name the key meant;
the built-in rules a file replaces are named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Rig
from tests.conftest import run_here

OPERATOR_COMMANDS = [
    ["history"],
    ["show", "1"],
    ["silences"],
    ["report"],
    ["ack", "1"],
    ["unsuppress", "1"],
    ["resolve", "1"],
]


def _one_alert(rig: Rig, value: float = 97, extra: str = "") -> None:
    rig.configure(rig.q_rule(extra=extra))
    rig.set_value(value)
    assert rig.invoke("check").exit_code == 2


def _break(rig: Rig, agent: str = "") -> None:
    """A typo in the file, as mid-incident: `critcal` for `critical`."""
    rig.config.write_text(rig.config.read_text().replace("critical = ", "critcal = ") + agent)


@pytest.mark.parametrize("command", OPERATOR_COMMANDS, ids=[c[0] for c in OPERATOR_COMMANDS])
def test_operator_commands_work_on_the_database_when_the_config_is_broken(rig: Rig, command: list[str]) -> None:
    _one_alert(rig)
    _break(rig)

    result = rig.invoke(*command)

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"alertctl: warning: config not loaded, using database {rig.db}: {rig.config}: "
        "rules[0].critcal: unknown key (did you mean `critical`?)\n"
    )
    assert result.stdout.strip()


def test_with_a_broken_config_the_agent_database_is_read_from_the_file(rig: Rig, tmp_path: Path) -> None:
    elsewhere = tmp_path / "state" / "alerts.db"
    _one_alert(rig, extra="")
    rig.config.write_text(f'[agent]\ndatabase = "{elsewhere}"\n' + rig.config.read_text())
    assert run_here("check", "-c", str(rig.config)).returncode == 2  # records into [agent] database
    _break(rig)

    result = run_here("history", "--json", "-c", str(rig.config))
    assert result.returncode == 0
    assert [a["rule"] for a in json.loads(result.stdout)] == ["q-high"]
    assert f"using database {elsewhere}: " in result.stderr and len(result.stderr.splitlines()) == 1

    by_env = run_here("ack", "1", "-c", str(rig.config), env={"ALERTCTL_DB": str(rig.db)})
    assert by_env.returncode == 0 and f"using database {rig.db}: " in by_env.stderr


def test_a_toml_typo_elsewhere_still_leaves_the_agent_database_readable(rig: Rig, tmp_path: Path) -> None:
    elsewhere = tmp_path / "state" / "alerts.db"
    rig.config.write_text(f'[agent]\ndatabase = "{elsewhere}"\ninterval = \n')
    result = run_here("silences", "-c", str(rig.config))
    assert result.returncode == 0 and f"using database {elsewhere}: {rig.config}: not valid TOML" in result.stderr
    assert elsewhere.exists()


def test_with_a_config_that_is_not_even_toml_the_default_database_is_used(rig: Rig, isolated_home: Path) -> None:
    rig.config.write_text("[agent\n")
    result = run_here("silences", "-c", str(rig.config))
    default = isolated_home / ".local" / "state" / "alertctl" / "alertctl.db"
    assert result.returncode == 0 and result.stdout == "No active silences.\n"
    assert f"using database {default}: {rig.config}: not valid TOML" in result.stderr


def test_commands_that_need_the_config_still_refuse_it(rig: Rig) -> None:
    _one_alert(rig)
    _break(rig)
    for command in (["check"], ["suppress", "1", "--for", "1h"], ["prune"]):
        assert rig.invoke(*command).exit_code in (2, 3), command


def test_suppress_refuses_a_rule_not_in_the_config_and_names_the_closest(rig: Rig) -> None:
    _one_alert(rig)

    typo = rig.invoke("suppress", "--rule", "q-hgih", "--for", "1h", "--reason", "deploy")
    assert typo.exit_code == 2
    assert typo.stderr == (
        f"alertctl: --rule q-hgih: no such rule in {rig.config} (did you mean 'q-high'? "
        "rules: q-high); --force silences it anyway\n"
    )
    assert rig.invoke("silences", "--json").stdout.strip() == "[]"

    forced = rig.invoke("suppress", "--rule", "q-hgih", "--force", "--for", "1h", "--reason", "deploy")
    assert forced.exit_code == 0 and "matches 0 open alerts now" in forced.stdout


def test_an_error_echoing_control_characters_stays_one_visible_line(rig: Rig) -> None:
    """A carriage return or a record separator in a typo would split or overwrite the line."""
    _one_alert(rig)
    typo = rig.invoke("suppress", "--rule", "q\x1e\r\x1b[2J", "--for", "1h")
    assert typo.exit_code == 2
    assert typo.stderr.count("\n") == 1 and len(typo.stderr.splitlines()) == 1, typo.stderr
    assert typo.stderr.startswith("alertctl: --rule q\\x1e\\r\\x1b[2J: no such rule")

    newline = rig.invoke("suppress", "--rule", "q\nx", "--for", "1h")
    assert newline.exit_code == 2
    assert len(newline.stderr.splitlines()) == 1 and "--rule q\\nx: no such rule" in newline.stderr


def test_check_answers_unknown_on_one_printable_line_whatever_the_config_path_holds(tmp_path: Path) -> None:
    """A path with an escape and a byte that is not UTF-8: Nagios still gets one plain line and
    status 3, even from a strict stdout (which cannot print the byte as it came)."""
    path = os.fsencode(tmp_path) + b"/x\x1b[2J\x85y.toml"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    for extra in ([], ["--json"]):
        ran = subprocess.run(
            [sys.executable, "-m", "alertctl", "check", "--config", path, *extra], capture_output=True, env=env
        )
        out = ran.stdout.decode()
        assert ran.returncode == 3, (extra, ran.stderr)
        assert "Traceback" not in ran.stderr.decode()
        assert "\x1b" not in out and "\\x85" in out, out
        if not extra:
            assert out.startswith("ALERTCTL UNKNOWN - ") and len(out.splitlines()) == 1


def test_a_new_silence_says_how_many_open_alerts_it_matches(rig: Rig) -> None:
    _one_alert(rig)

    made = rig.invoke("suppress", "--rule", "q-high", "--for", "1h30m", "--reason", "deploy")
    assert made.exit_code == 0, made.output
    assert made.stdout.rstrip().endswith("matches 1 open alert now (muted from the next check)")
    other = rig.invoke(
        "suppress", "--rule", "q-high", "--label", "mount=/var", "--for", "1h", "--reason", "x", "--json"
    )
    assert json.loads(other.stdout)["open_alerts_matched"] == 0


def test_resolving_an_alert_still_in_breach_warns_that_it_will_open_again(rig: Rig) -> None:
    _one_alert(rig, 97, extra="clear = 70")

    result = rig.invoke("resolve", "1")

    assert result.exit_code == 0 and result.stdout == "#1 q-high: resolved (manual)\n"
    assert result.stderr == (
        "alertctl: warning: #1 q-high: q.value was still 97 at the last check (clears when not above 70); "
        "a new alert will open at the next check; to quiet it, `alertctl ack` that alert or "
        "`alertctl suppress --rule q-high --for 1h --reason ...`\n"
    )
    assert rig.invoke("check").exit_code == 2
    assert [a["id"] for a in rig.open_alerts()] == [2]  # as it said
    again = rig.invoke("resolve", "1")
    assert again.stdout == "#1 q-high: already resolved (manual)\n" and again.stderr == ""


def test_resolving_between_the_clear_and_the_warning_level_warns_of_a_new_crossing(rig: Rig) -> None:
    _one_alert(rig, 97, extra="clear = 70")
    rig.set_value(75)  # below warning, above clear: the alert stays open, as hysteresis reads it
    assert rig.invoke("check").exit_code == 1

    result = rig.invoke("resolve", "1")

    assert (
        "q.value was still 75 at the last check (clears when not above 70); a new alert will open if it "
        "goes above the warning level (80) again;" in result.stderr
    )
    assert rig.invoke("check").exit_code == 0


def test_resolving_a_cleared_alert_says_nothing_more_and_a_for_is_named(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="clear = 70"))
    rig.set_value(97)
    assert rig.invoke("check").exit_code == 2
    rig.set_value(50)
    rig.sql("UPDATE alerts SET value = 50")  # as if the last check saw it clear, before the cycle resolved it
    assert rig.invoke("resolve", "1").stderr == ""

    rig.configure(rig.q_rule(extra='for = "2m"\nconsecutive = 3'))
    rig.sql("UPDATE alerts SET status = 'firing', resolved_at = NULL, resolution = NULL, value = 97")
    warned = rig.invoke("resolve", "1")
    assert "a new alert will open once the breach has held for 2m and lasted 3 checks;" in warned.stderr


def test_config_errors_count_the_rest_and_list_them_under_debug_or_validate(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="consecutive = 0"), preamble='[agent]\nintervall = "5s"\n')
    _break(rig)
    expected = [
        f"alertctl: {rig.config}: agent.intervall: unknown key (did you mean `interval`?)",
        f"alertctl: {rig.config}: rules[0].consecutive: must be at least 1 (got 0)",
        f"alertctl: {rig.config}: rules[0].critcal: unknown key (did you mean `critical`?)",
    ]

    check = rig.check()
    assert check.returncode == 3
    assert check.stderr.splitlines() == [
        expected[0],
        "alertctl: ... and 2 more problems (`alertctl config validate` or --debug lists them all)",
    ]
    validate = run_here("config", "validate", str(rig.config))
    assert validate.returncode == 2 and validate.stderr.splitlines() == expected
    debug = rig.check("--debug")
    assert all(line in debug.stderr.splitlines() for line in expected)


def test_validate_and_watch_name_the_built_in_rules_a_file_replaces(rig: Rig) -> None:
    rig.configure(rig.q_rule() + rig.q_rule("cpu-high").replace('"q.value"', '"cpu.percent"'))
    replaced = "replaces the built-in rules: memory-high, swap-high, load-high, disk-full, disk-filling, inodes-full"

    validate = run_here("config", "validate", str(rig.config))
    assert validate.stdout == f"{rig.config}: ok (2 rules, 1 checks, 0 channels); {replaced}\n"
    watch = rig.here("watch", "--cycles", "1", "--interval", "0.1s")
    assert watch.returncode == 0, watch.stderr
    assert watch.stdout.splitlines()[0].endswith(f"database {rig.db}; {replaced}")

    builtin = rig.root / "builtin.toml"
    builtin.write_text('[agent]\ninterval = "1h30m"\n')
    assert run_here("config", "validate", str(builtin)).stdout == f"{builtin}: ok (7 rules, 0 checks, 0 channels)\n"
