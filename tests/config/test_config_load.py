"""Config: defaults, files, environment, strict errors that name file and key, the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from alertctl.config import load_config
from alertctl.config.document import rule_document, starter
from alertctl.config.load import defaults
from alertctl.errors import ConfigError
from alertctl.model import CommandCheck, Forecast, Op, Severity

SAMPLES = Path(__file__).resolve().parents[2] / "sample-configs"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alertctl.toml"
    path.write_text(text)
    return path


def test_no_file_means_built_in_defaults() -> None:
    config = load_config(None)
    assert config.source == "built-in defaults"
    assert [r.name for r in config.rules] == [
        "cpu-high",
        "memory-high",
        "swap-high",
        "load-high",
        "disk-full",
        "disk-filling",
        "inodes-full",
    ]
    assert config.agent.interval == 10
    (filling,) = [r for r in config.rules if r.forecast is not None]
    assert (filling.name, filling.metric, filling.forecast) == (
        "disk-filling",
        "disk.percent",
        Forecast(100, 6 * 3600, 86400, 60),
    )
    assert [s for s, _ in filling.levels()] == [Severity.WARNING]  # warning only
    assert (filling.level(Severity.WARNING).value, filling.clear, filling.for_seconds) == (86400, 36 * 3600, 1800)


def test_without_history_the_built_in_forecast_rule_is_left_out(tmp_path: Path) -> None:
    """It could not see anything, and a file that never wrote it must not fail for it."""
    config = load_config(write(tmp_path, "[history]\nenabled = false\n"), use_cache=False)
    assert "disk-filling" not in [r.name for r in config.rules]
    assert "disk-full" in [r.name for r in config.rules]


def test_local_file_is_found_and_rules_replace_the_built_ins(tmp_path: Path) -> None:
    write(tmp_path, '[[rules]]\nname = "x"\nmetric = "load.1"\nop = ">="\ncritical = 8\n')
    config = load_config(None)
    assert [(r.name, r.op, r.critical.value) for r in config.rules] == [("x", Op.GE, 8)]  # type: ignore[union-attr]


def test_file_without_rules_keeps_the_built_ins(tmp_path: Path) -> None:
    path = write(tmp_path, '[notify.channels.ops]\nurls = ["json://127.0.0.1:9/x"]\n')
    config = load_config(path)
    assert [r.name for r in config.rules] == [r.name for r in defaults().rules]
    assert config.notify.channels[0].name == "ops"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[agent]\ninterval = "30s"\nhost = "a"\n')
    monkeypatch.setenv("ALERTCTL_AGENT__INTERVAL", "5s")
    config = load_config(path)
    assert (config.agent.interval, config.agent.host) == (5, "a")


def test_history_keys_with_years_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[history]\nkeep_raw = "7d"\nkeep_1h = "5y"\n')
    monkeypatch.setenv("ALERTCTL_HISTORY__ENABLED", "false")
    history = load_config(path).history
    assert (history.enabled, history.keep_raw, history.keep_5m, history.keep_1h) == (
        False,
        7 * 86400,
        90 * 86400,
        5 * 365 * 86400,
    )


def test_command_string_is_split_without_a_shell(tmp_path: Path) -> None:
    path = write(tmp_path, '[[checks]]\nname = "q"\ntype = "command"\ncommand = "echo \'a b\' c"\n')
    assert load_config(path).checks == (CommandCheck("q", ("echo", "a b", "c")),)


BAD = [
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = "lots"\n',
        "rules[0].warning: must be a number (got 'lots')",
    ),
    ('[agent]\ninterval = "5 parsecs"\n', "agent.interval: must be a duration like 30s, 5m or 1h30m (got '5 parsecs')"),
    ('[agent]\nintervall = "5s"\n', "agent.intervall: unknown key"),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\n',
        "rules[0]: needs at least one level (info, warning, error or critical)",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = 95\ncritical = 90\n',
        "rules[0].warning: must be below critical (90) for op '>'",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "memory.available"\nop = "<"\nwarning = 1\ncritical = 2\n',
        "rules[0].warning: must be above critical (2) for op '<'",
    ),
    ('[[rules]]\nname = "a"\nmetric = "cpu.percent"\nop = "=>"\nwarning = 1\n', "rules[0].op: must be one of"),
    (
        '[[rules]]\nname = "a"\nmetric = "cpux.percent"\nwarning = 1\n',
        "rules[0].metric: unknown metric family 'cpux.percent'",
    ),
    ('[[rules]]\nname = "a"\nmetric = "cpu.percnt"\nwarning = 1\n', "rules[0].metric: unknown metric 'cpu.percnt'"),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = 1\n[[rules]]\nname = "a"\nmetric = "load.1"\nwarning = 1\n',
        "rules[1].name: duplicate name 'a'",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = 1\nchannels = ["pager"]\n',
        "rules[0].channels: unknown channel 'pager'",
    ),
    (
        '[[checks]]\nname = "q"\ntype = "ftp"\n',
        "checks[0]: unknown check type 'ftp' (expected one of command, http, tcp, process)",
    ),
    ('[[checks]]\nname = "q"\ntype = "tcp"\nhost = "h"\nport = 70000\n', "checks[0].port:"),
    (
        '[[checks]]\nname = "q"\ntype = "process"\npattern = "(("\n',
        "checks[0].pattern: is not a valid regular expression",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = 80\nclear = 90\n',
        "rules[0].clear: must be at or below the lowest level (80)",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "load.1"\nwarning = 1\nmount = "/"\n',
        "rules[0].mount: load.1 has no mount label",
    ),
    (
        '[[rules]]\nname = "a"\nmetric = "cpu.percent"\ncritical = { value = 1, for = "soon" }\n',
        "rules[0].critical.for: must be a duration",
    ),
    ('[notify]\nescalate_to = ["pager"]\n', "notify.escalate_to: unknown channel 'pager'"),
    ("x = [", "not valid TOML"),
    ('[history]\nkeep_raw = "30m"\n', "history.keep_raw: must be at least 1h"),
    ('[history]\nkeep_5min = "30d"\n', "history.keep_5min: unknown key"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_cached_config_loads_without_pydantic(tmp_path: Path) -> None:
    path = write(tmp_path, '[agent]\nhost = "cached"\n')
    probe = (
        "import sys; from pathlib import Path; from alertctl.config import load_config; "
        f"c = load_config(Path({str(path)!r})); print(c.agent.host, 'pydantic' in sys.modules)"
    )

    def run() -> str:
        return subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=os.environ, check=True
        ).stdout

    assert run() == "cached True\n"
    assert run() == "cached False\n"
    path.write_text('[agent]\nhost = "edited-and-longer"\n')
    assert run() == "edited-and-longer True\n"


def test_cache_is_private(tmp_path: Path, isolated_home: Path) -> None:
    load_config(write(tmp_path, '[agent]\nhost = "h"\n'))
    (cached,) = (isolated_home / ".cache" / "alertctl").iterdir()
    assert cached.stat().st_mode & 0o777 == 0o600
    assert cached.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("name", ["default.toml", "web-server.toml", "cron.toml"])
def test_every_sample_config_validates(name: str) -> None:
    assert load_config(SAMPLES / name, use_cache=False).rules


def test_default_sample_is_exactly_the_built_in_defaults() -> None:
    assert (SAMPLES / "default.toml").read_text() == starter(defaults())
    assert load_config(SAMPLES / "default.toml", use_cache=False).rules == defaults().rules


def test_equal_levels_are_fine_when_critical_waits_longer(tmp_path: Path) -> None:
    rule = '[[rules]]\nname = "down"\nmetric = "cpu.percent"\nop = "<"\n'
    ok = write(tmp_path, rule + 'warning = { value = 1, for = "1m" }\ncritical = { value = 1, for = "15m" }\n')
    (down,) = load_config(ok).rules
    assert (down.warning.for_seconds, down.critical.for_seconds) == (60, 900)  # type: ignore[union-attr]
    same_wait = write(tmp_path, rule + 'warning = 1\ncritical = 1\nfor = "1m"\n')
    with pytest.raises(ConfigError, match=r"rules\[0\].warning: must be above critical \(1\)"):
        load_config(same_wait)


def test_channel_errors_never_echo_what_was_written(tmp_path: Path) -> None:
    path = write(tmp_path, '[notify.channels]\nops = "slack://TokenA/TokenB/s3cret"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "notify.channels.ops" in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[rules]]\nname = "a"\nmetric = "cpu.percent"\nwarning = inf\n',
            "rules[0].warning: must be a number (got inf)",
        ),
        (
            '[[checks]]\nname = "q"\ntype = "command"\ncommand = "echo \\"x"\n',
            "checks[0].command: cannot be split into words",
        ),
        (
            '[[checks]]\nname = "q"\ntype = "tcp"\nhost = "h"\nport = 1\ntimeout = "0s"\n',
            "checks[0].timeout: must be more than 0s",
        ),
        ('[agent]\nretention = "1m"\n', "agent.retention: must be at least notify.dedup_window"),
    ],
)
def test_values_that_would_break_a_running_check_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert expected in str(caught.value)


def test_a_config_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "alertctl.toml"
    path.write_bytes(b"\xff\xfe[agent]")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_cache_written_by_someone_else_is_ignored(tmp_path: Path, isolated_home: Path) -> None:
    path = write(tmp_path, '[agent]\nhost = "mine"\n')
    load_config(path)
    (cached,) = (isolated_home / ".cache" / "alertctl").iterdir()
    cached.chmod(0o666)
    from alertctl.config import cache

    assert cache.read(path) is None
    cached.chmod(0o600)
    assert cache.read(path) is not None


def test_only_the_inodes_rule_may_go_without_data_among_the_built_ins() -> None:
    """btrfs and ZFS report no inode count; every other built-in metric exists on any Linux host,
    so its absence is a failed collector and worth an UNKNOWN."""
    rules = defaults().rules
    assert [rule.name for rule in rules if rule.nodata is None] == ["inodes-full"]
    assert {rule.nodata_after for rule in rules if rule.forecast is None} == {300.0}
    assert {rule.nodata_after for rule in rules if rule.forecast is not None} == {6 * 3600}  # its window


def test_nodata_settings_are_read_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[[rules]]\nname = "r"\nmetric = "cpu.percent"\nwarning = 1\nnodata = "critical"\nnodata_after = "90s"\n'
    )
    (rule,) = load_config(path, use_cache=False).rules
    assert (rule.nodata, rule.nodata_after) == (Severity.CRITICAL, 90.0)
    assert rule_document(rule) == {
        "name": "r",
        "metric": "cpu.percent",
        "warning": 1.0,
        "nodata": "critical",
        "nodata_after": "90s",
    }


def test_a_forecast_rule_reads_durations_and_is_written_back_as_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[[rules]]\nname = "disk-filling"\nmetric = "disk.percent"\n'
        'forecast = { reaches = 100, window = "6h", confirm = "24h", from = 60 }\n'
        'warning = "24h"\ncritical = { value = 7200, for = "5m" }\nclear = "36h"\n'
    )
    (rule,) = load_config(path, use_cache=False).rules
    assert rule.forecast == Forecast(100, 6 * 3600, 86400, 60)
    assert (rule.op, rule.level(Severity.WARNING).value, rule.level(Severity.CRITICAL).value) == (Op.LT, 86400, 7200)
    assert (rule.clear, rule.nodata_after) == (129600, 6 * 3600)  # no data alerts wait a window by default
    written = rule_document(rule)
    assert written == {
        "name": "disk-filling",
        "metric": "disk.percent",
        "forecast": {"reaches": 100, "window": "6h", "confirm": "1d", "from": 60},
        "warning": "1d",
        "critical": {"value": "2h", "for": "5m"},
        "clear": "36h",
        "nodata_after": "6h",
    }
    path.write_text(tomli_w.dumps({"rules": [written]}))
    assert load_config(path, use_cache=False).rules == (rule,)
