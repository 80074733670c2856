"""`sample-configs/alertctl.service` and `alertctl.cron`: the directives we promise, and commands that run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "sample-configs" / "alertctl.service"
CRON = ROOT / "sample-configs" / "alertctl.cron"
CONFIG_PATH = "/etc/alertctl/config.toml"


def unit_directives(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a systemd unit, each a list of (key, value) in order: keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if match := re.fullmatch(r"\[(\w+)\]", stripped):
            current = sections.setdefault(match.group(1), [])
            continue
        key, sep, value = stripped.partition("=")
        assert sep and current is not None and re.fullmatch(r"[A-Za-z]+", key), f"line {number}: {line!r}"
        current.append((key, value))
    return sections


def alertctl_program() -> str:
    beside = Path(sys.executable).with_name("alertctl")
    found = str(beside) if beside.exists() else shutil.which("alertctl")
    assert found, "the alertctl script is not installed"
    return found


def a_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('[agent]\nhost = "unit-test"\ninterval = "1s"\n')
    return config


def test_the_service_sets_what_the_readme_promises() -> None:
    service = dict(unit_directives(SERVICE.read_text())["Service"])

    assert service["Type"] == "simple" and service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a config error is not retried every 10 s
    assert service["User"] == "alertctl" and service["StateDirectory"] == "alertctl"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["CapabilityBoundingSet"] == "" and service["PrivateTmp"] == "yes"
    environment = [value for key, value in unit_directives(SERVICE.read_text())["Service"] if key == "Environment"]
    assert "ALERTCTL_DB=/var/lib/alertctl/alertctl.db" in environment


def test_the_service_command_line_is_one_the_cli_accepts(tmp_path: Path) -> None:
    service = dict(unit_directives(SERVICE.read_text())["Service"])
    program, *arguments = shlex.split(service["ExecStart"])
    assert program == "/usr/local/bin/alertctl" and arguments[0] == "watch"
    arguments = [str(a_config(tmp_path)) if a == CONFIG_PATH else a for a in arguments]

    result = run_cli(*arguments, "--cycles", "1", "--db", str(tmp_path / "a.db"))

    assert result.returncode == 0, result.stderr


def test_a_config_error_exits_with_the_status_the_unit_does_not_restart(tmp_path: Path) -> None:
    """Restarting cannot fix a bad config (nor an unwritable --textfile folder, also exit 2)."""
    service = dict(unit_directives(SERVICE.read_text())["Service"])
    bad = tmp_path / "bad.toml"
    bad.write_text('[agent]\ninterval = "soon"\n')

    result = run_cli("watch", "--cycles", "1", "-c", str(bad), "--db", str(tmp_path / "a.db"))

    assert str(result.returncode) == service["RestartPreventExitStatus"], result.stderr


def test_the_unit_says_how_to_let_the_service_write_the_textfile_folder() -> None:
    comment = SERVICE.read_text().split("[Unit]", 1)[0]
    assert "chgrp alertctl /var/lib/prometheus/node-exporter" in comment
    assert "chmod g+w /var/lib/prometheus/node-exporter" in comment
    assert "ReadWritePaths=/var/lib/prometheus/node-exporter" in comment


def test_the_manual_excerpt_of_the_service_matches_the_file() -> None:
    manual = (ROOT / "docs" / "running.md").read_text()
    section = manual.split("## As a systemd service", 1)[1].split("\n## ", 1)[0]
    (excerpt,) = re.findall(r"```ini\n(.*?)```", section, re.S)

    assert "sample-configs/alertctl.service" in section
    lines = SERVICE.read_text().splitlines()
    assert all(line in lines for line in excerpt.splitlines() if line and not line.startswith("#")), excerpt


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_service(tmp_path: Path) -> None:
    unit = tmp_path / "alertctl.service"
    unit.write_text(SERVICE.read_text().replace("/usr/local/bin/alertctl", alertctl_program()))

    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "alertctl.service" not in result.stderr, result.stderr


def cron_entries() -> tuple[dict[str, str], list[list[str]]]:
    """The environment lines and the jobs (5 time fields, user, command) of the cron.d snippet."""
    environment: dict[str, str] = {}
    jobs = []
    for line in CRON.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if match := re.fullmatch(r"([A-Z_]+)=(.*)", line):
            environment[match.group(1)] = match.group(2)
        else:
            jobs.append(line.split(None, 6))
    return environment, jobs


def test_the_cron_snippet_names_a_user_a_path_and_mailto() -> None:
    environment, jobs = cron_entries()

    ((*when, user, command),) = jobs
    assert when == ["*"] * 5 and user == "alertctl"
    assert command.startswith("alertctl check ")
    assert "/usr/local/bin" in environment["PATH"].split(":")
    assert "# MAILTO=" in CRON.read_text()


def test_the_cron_command_runs_and_answers_as_a_nagios_plugin(tmp_path: Path) -> None:
    environment, ((*_, command),) = cron_entries()
    paths = {"ALERTCTL_DB": str(tmp_path / "a.db"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert set(paths) <= set(environment)
    bin_dir = str(Path(alertctl_program()).parent)
    env = {**os.environ, **environment, **paths, "PATH": f"{bin_dir}:{environment['PATH']}"}

    result = subprocess.run(
        ["sh", "-c", command.replace(CONFIG_PATH, str(a_config(tmp_path)))],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )

    assert result.returncode in (0, 1, 2), result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "a.db").exists()
