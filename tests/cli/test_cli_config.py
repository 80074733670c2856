"""`config init | validate | show`, `metrics`, `--version`, and --config/--db on every command."""

from __future__ import annotations

import json
import stat
import textwrap
from pathlib import Path

import pytest

from alertctl import __version__
from tests.cli.conftest import Rig
from tests.conftest import run_cli, run_here

SECRET_URL = "json://user:s3cretpass@127.0.0.1:9000/hook"
HEADER_URL = "json://127.0.0.1:9000/hook?+X-Token=tok123"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


# -- config init ------------------------------------------------------------------


def test_init_writes_a_private_starter_file_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "etc" / "alertctl.toml"

    result = run_here("config", "init", str(target))

    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "[[rules]]" in target.read_text()
    checked = run_here("config", "validate", str(target))
    assert checked.returncode == 0, checked.stderr
    assert "ok (7 rules, 0 checks, 0 channels)" in checked.stdout


def test_init_without_a_path_writes_the_user_config(isolated_home: Path) -> None:
    result = run_here("config", "init")

    assert result.returncode == 0, result.stderr
    written = isolated_home / ".config" / "alertctl" / "config.toml"
    assert written.is_file()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_init_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    target = write(tmp_path / "mine.toml", "# my own config\n")

    result = run_here("config", "init", str(target))

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert str(target) in line and "--force" in line
    assert target.read_text() == "# my own config\n"


def test_init_force_overwrites(tmp_path: Path) -> None:
    target = write(tmp_path / "mine.toml", "# my own config\n")
    target.chmod(0o644)

    result = run_here("config", "init", str(target), "--force")

    assert result.returncode == 0, result.stderr
    assert "[[rules]]" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# -- config validate --------------------------------------------------------------


def test_validate_a_good_file(rig: Rig) -> None:
    rig.configure(rig.q_rule())

    result = run_here("config", "validate", str(rig.config))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{rig.config}: ok (1 rules, 1 checks, 0 channels); replaces the built-in "
        "rules: cpu-high, memory-high, swap-high, load-high, disk-full, disk-filling, "
        "inodes-full"
    )


def test_validate_names_file_key_and_problem_exactly(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.toml",
        """
        [[rules]]
        name = "cpu"
        metric = "cpu.percent"
        warning = "lots"
        """,
    )

    result = run_here("config", "validate", str(bad))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"alertctl: {bad}: rules[0].warning: must be a number (got 'lots')\n"


RULE = '[[rules]]\nname = "cpu"\nmetric = "cpu.percent"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (RULE + "warning = 80\nwarnign = 90\n", "rules[0].warnign: unknown key"),
        ('[agent]\nintervall = "5s"\n', "agent.intervall: unknown key"),
        (RULE + "warning = 80\n" + RULE + "warning = 90\n", "rules[1].name: duplicate name 'cpu'"),
        (RULE + 'warning = 80\nchannels = ["ops"]\n', "rules[0].channels: unknown channel 'ops'"),
        (
            '[[rules]]\nname = "x"\nmetric = "gpu.percent"\nwarning = 1\n',
            "rules[0].metric: unknown metric family 'gpu.percent'",
        ),
        ('[[rules]]\nname = "x"\nmetric = "cpu.bogus"\nwarning = 1\n', "rules[0].metric: unknown metric 'cpu.bogus'"),
        ('[[checks]]\nname = "x"\ntype = "ftp"\n', "checks[0]: unknown check type 'ftp'"),
        (RULE + "warning = 95\ncritical = 80\n", "rules[0].warning: must be below critical (80)"),
        (RULE + 'op = "<"\nwarning = 5\ncritical = 10\n', "rules[0].warning: must be above critical (10)"),
        (RULE + 'op = "=>"\nwarning = 80\n', "rules[0].op: must be one of"),
        (RULE + "clear = 90\nwarning = 80\n", "rules[0].clear: must be at or below the lowest level (80)"),
        (RULE, "rules[0]: needs at least one level"),
        ('[agent]\ninterval = "soon"\n', "agent.interval: must be a duration"),
        ("[agent\n", "not valid TOML"),
    ],
)
def test_validate_rejects_with_the_key_and_what_is_wrong(rig: Rig, text: str, expected: str) -> None:
    bad = write(rig.root / "bad.toml", text)

    result = rig.invoke("config", "validate", str(bad), where=False)

    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith(f"alertctl: {bad}: ")
    assert expected in result.stderr


def test_validate_of_a_missing_file_names_it(tmp_path: Path) -> None:
    result = run_here("config", "validate", str(tmp_path / "absent.toml"))

    assert result.returncode == 2
    assert "absent.toml" in result.stderr


def test_validate_takes_the_file_from_config_too(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", RULE + "warning = 95\ncritical = 80\n")

    result = run_here("config", "validate", "--config", str(bad))

    assert result.returncode == 2
    assert "rules[0].warning" in result.stderr


def test_validate_does_not_echo_a_misplaced_url(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", f'[notify.channels.ops]\nurls = "{SECRET_URL}"\n')

    result = run_here("config", "validate", str(bad))

    assert result.returncode == 2
    assert "notify.channels.ops.urls: must be a list" in result.stderr
    assert "s3cretpass" not in result.stderr


# -- config show ------------------------------------------------------------------


@pytest.fixture
def with_secrets(tmp_path: Path) -> Path:
    return write(
        tmp_path / "secrets.toml",
        f"""
        [agent]
        host = "web-01"

        [notify.channels.pager]
        urls = ["{SECRET_URL}", "{HEADER_URL}"]
        min_severity = "critical"
        """,
    )


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_show_never_prints_secrets(with_secrets: Path, json_flag: list[str]) -> None:
    result = run_here("config", "show", "-c", str(with_secrets), *json_flag)

    assert result.returncode == 0, result.stderr
    everything = result.stdout + result.stderr
    assert "s3cretpass" not in everything
    assert "tok123" not in everything
    assert "127.0.0.1" in result.stdout
    assert "web-01" in result.stdout


def test_show_hides_a_webhook_path_token_and_keeps_variables_as_written(tmp_path: Path) -> None:
    config = write(
        tmp_path / "hook.toml",
        """
        [notify.channels.hook]
        urls = ["json://hooks.example.com/services/a8f3K2lq9ZxT7Hw", "json://u:${HOOK_PW}@h.example.com/api/${HOOK_ID}"]
        """,
    )
    result = run_here("config", "show", "--json", "-c", str(config))
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout)["notify"]["channels"]["hook"]["urls"]
    assert "a8f3K2lq9ZxT7Hw" not in result.stdout
    assert first.startswith("json://hooks.example.com/services/a...w?")
    assert second.startswith("json://u:****@h.example.com/api/${HOOK_ID}?")
    assert "%7B" not in result.stdout


def test_show_json_is_the_effective_config(with_secrets: Path) -> None:
    result = run_here("config", "show", "--json", "-c", str(with_secrets), env={"ALERTCTL_AGENT__INTERVAL": "5s"})

    document = json.loads(result.stdout)
    assert document["agent"]["interval"] == "5s"
    assert document["agent"]["host"] == "web-01"
    assert list(document["notify"]["channels"]) == ["pager"]
    assert document["notify"]["channels"]["pager"]["min_severity"] == "critical"
    assert [r["name"] for r in document["rules"]][:2] == ["cpu-high", "memory-high"]


def test_show_of_a_bad_config_is_a_config_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", "[agent]\nintervall = 1\n")

    result = run_here("config", "show", "-c", str(bad))

    assert result.returncode == 2
    assert "agent.intervall" in result.stderr


# -- metrics and --version --------------------------------------------------------


def test_metrics_json_lists_every_metric_with_its_value_and_unit(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(42.5)

    result = rig.here("metrics", "--json")

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert all(set(m) == {"metric", "labels", "value", "unit"} for m in listed)
    by_name = {(m["metric"], tuple(sorted(m["labels"].items()))): m for m in listed}
    assert by_name[("q.value", ())] == {"metric": "q.value", "labels": {}, "value": 42.5, "unit": ""}
    assert by_name[("q.duration", ())]["unit"] == "s"
    assert by_name[("memory.percent", ())]["unit"] == "%"
    assert by_name[("memory.available", ())]["unit"] == "B"
    assert any(m["metric"] == "disk.percent" and "mount" in m["labels"] for m in listed)


def test_metrics_table_for_people(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(42)

    result = rig.invoke("metrics")

    assert result.exit_code == 0
    assert "q.value" in result.stdout
    assert "first number the command printed" in result.stdout


def test_metrics_with_a_bad_config_fails_as_a_config_error(rig: Rig) -> None:
    rig.configure(rig.q_rule(extra="bogus = 1"))

    result = rig.invoke("metrics")

    assert result.exit_code == 2
    assert "rules[0].bogus" in result.stderr


def test_version() -> None:
    result = run_here("--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"alertctl {__version__}"


# -- --config and --db after every command ------------------------------------------


@pytest.mark.parametrize(
    ("command", "status", "says"),
    [
        (["check"], 1, "ALERTCTL WARNING - q-high"),
        (["check", "--json"], 1, '"rule": "q-high"'),
        (["metrics"], 0, "q.value"),
        (["history"], 0, "q-high"),
        (["show", "1"], 0, "#1 q-high"),
        (["ack", "1"], 0, "#1 q-high: acknowledged"),
        (["resolve", "1"], 0, "#1 q-high: resolved"),
        (["prune"], 0, "Pruned 0"),
        (["config", "show"], 0, 'name = "q"'),
        (["config", "validate"], 0, "(1 rules, 1 checks, 0 channels)"),
    ],
)
def test_every_command_takes_config_and_db_after_its_name(
    rig: Rig, isolated_home: Path, command: list[str], status: int, says: str
) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    assert rig.invoke("check").exit_code == 1  # alert #1 in rig.db

    result = rig.invoke(*command, "--config", str(rig.config), "--db", str(rig.db), where=False)

    assert result.exit_code == status, result.output
    assert says in result.stdout
    assert not (isolated_home / ".local" / "state" / "alertctl").exists()


def test_watch_takes_config_and_db_after_its_name(rig: Rig, isolated_home: Path) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)

    result = run_cli("watch", "--cycles", "1", "--interval", "0.1s", "--config", str(rig.config), "--db", str(rig.db))

    assert result.returncode == 0, result.stderr
    assert "opened #1 q-high" in result.stdout
    assert rig.db.exists()
    assert not (isolated_home / ".local" / "state" / "alertctl").exists()


# -- config show: how big the history grows ----------------------------------------------

BENCH_BYTES_PER_SERIES = 15.9e6 / 30
"""bench/history.py's file with the default retention: 15.9 MB for 30 series at 10 s (docs/history.md)."""
_SIZE = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def _size(text: str) -> float:
    number, unit = text.split()
    return float(number) * _SIZE[unit]


def _history_lines(output: str) -> tuple[int, dict[str, float], float]:
    """The series counted, the sizes named (`total`, `raw`, `5-minute`, `hourly`) and the size a series."""
    import re

    comments = " ".join(line.lstrip("# ") for line in output.splitlines() if line.startswith("#"))
    found = re.search(
        r"at most (\d+) series here .*? settle near ([\d.]+ \w+): raw ([\d.]+ \w+) for \S+ "
        r"5-minute ([\d.]+ \w+) for \S+ hourly ([\d.]+ \w+) for \S+ \(([\d.]+ \w+) a series;",
        comments,
    )
    assert found, comments
    series, total, raw, five, hourly, each = found.groups()
    sizes = {"total": _size(total), "raw": _size(raw), "5-minute": _size(five), "hourly": _size(hourly)}
    return int(series), sizes, _size(each)


def test_show_says_how_big_the_history_grows_as_the_bench_measured(tmp_path: Path) -> None:
    import tomllib

    config = write(
        tmp_path / "c.toml",
        """
        [[checks]]
        name = "q"
        type = "command"
        command = ["true"]
        """,
    )

    result = run_here("config", "show", "-c", str(config))

    assert result.returncode == 0, result.stderr
    series, sizes, each = _history_lines(result.stdout)
    assert series >= 14 + 5 + 3  # the built-ins without disks, one file system at least, the check's 3
    assert 0.8 * BENCH_BYTES_PER_SERIES <= each <= 1.2 * BENCH_BYTES_PER_SERIES
    assert sizes["total"] == pytest.approx(series * each, rel=0.01)
    assert sizes["total"] == pytest.approx(sizes["raw"] + sizes["5-minute"] + sizes["hourly"], rel=0.01)
    assert tomllib.loads(result.stdout)["history"]["keep_raw"] == "32d"  # the comments keep it a TOML file


def test_the_estimate_follows_the_interval_and_the_retention(tmp_path: Path) -> None:
    default = _history_lines(run_here("config", "show", "-c", str(write(tmp_path / "a.toml", ""))).stdout)
    config = write(
        tmp_path / "b.toml",
        """
        [agent]
        interval = "1m"

        [history]
        keep_raw = "7d"
        keep_1h = "1y"
        """,
    )
    sparse = _history_lines(run_here("config", "show", "-c", str(config)).stdout)

    assert sparse[0] == default[0]
    from alertctl.store.history.size import PAYLOAD_BYTES_PER_SAMPLE as SAMPLE
    from alertctl.store.history.size import RAW_ROW_BYTES as ROW

    fewer = (ROW + SAMPLE * 60) / (ROW + SAMPLE * 360)  # a sixth of the samples, in as many hourly rows
    assert sparse[1]["raw"] == pytest.approx(default[1]["raw"] * 7 / 32 * fewer, rel=0.02)
    assert sparse[1]["5-minute"] == default[1]["5-minute"]
    assert sparse[1]["hourly"] == pytest.approx(default[1]["hourly"] / 2, rel=0.01)


def test_show_says_history_is_off_when_it_is(tmp_path: Path) -> None:
    result = run_here("config", "show", "-c", str(write(tmp_path / "c.toml", "[history]\nenabled = false\n")))

    assert result.returncode == 0, result.stderr
    assert "# history: off ([history] enabled = false), nothing is kept" in result.stdout
