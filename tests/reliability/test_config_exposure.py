"""A config file anyone may read gets one warning when it holds a secret, and none otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from alertctl.secrets import holds_secret
from tests.conftest import run_cli, run_here

SECRET_CHANNEL = '[notify.channels.ops]\nurls = ["json://alertctl:hunter2@127.0.0.1:9/hook"]\n'


def config(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "alertctl.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "readable by anyone" in line]


def test_world_readable_secret_is_warned_about_once_per_command_cache_hit_or_not(
    tmp_path: Path, isolated_home: Path
) -> None:
    path = config(tmp_path, SECRET_CHANNEL, 0o644)
    expected = (
        f"alertctl: warning: {path} is readable by anyone on this machine and holds a secret "
        f"(notify.channels.ops.urls); run `chmod 600 {path}` (or 640 for a group)"
    )
    for _ in range(2):  # the second run reads the cached config
        result = run_cli("history", "-c", str(path), "--db", str(tmp_path / "a.db"), timeout=30)
        assert result.returncode == 0, result.stderr
        assert warnings(result.stderr) == [expected]
        assert "hunter2" not in result.stderr
    assert list((isolated_home / ".cache" / "alertctl").glob("config-*.pickle"))


def test_watch_warns_once_not_every_cycle(tmp_path: Path) -> None:
    path = config(tmp_path, SECRET_CHANNEL, 0o604)
    result = run_cli("watch", "--cycles", "3", "--interval", "50ms", "-c", str(path), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 0, result.stderr
    assert len(warnings(result.stderr)) == 1


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o400])
def test_private_file_with_secrets_is_quiet(tmp_path: Path, mode: int) -> None:
    path = config(tmp_path, SECRET_CHANNEL, mode)
    result = run_here("config", "validate", str(path))
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    "text",
    [
        '[notify.channels.ops]\nurls = ["json://127.0.0.1:9/hook", "slack://${SLACK_TOKEN}"]\n',
        '[notify.channels.ops]\nurls = ["mailto://alerts:${SMTP_PASSWORD}@mail.example.com?to=ops@example.com"]\n',
        '[[checks]]\nname = "site"\ntype = "http"\nurl = "http://127.0.0.1:9/health?verbose=1"\n',
        '[agent]\nhost = "web-01"\n',
        '[notify.channels.am]\nalertmanager = ["http://am:9093/prefix"]\n',
    ],
)
def test_world_readable_file_without_secrets_is_quiet(tmp_path: Path, text: str) -> None:
    path = config(tmp_path, text, 0o644)
    result = run_here("config", "validate", str(path))
    assert result.returncode == 0
    assert "readable by anyone" not in result.stderr  # a `${VARIABLE}` unset here is only said to be unchecked
    assert all(": not checked: $" in line for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[[checks]]\nname = "site"\ntype = "http"\nurl = "https://admin:pw@127.0.0.1:9/"\n', "checks[0].url"),
        ('[[checks]]\nname = "api"\ntype = "http"\nurl = "http://127.0.0.1:9/?api_key=abc123"\n', "checks[0].url"),
        (
            '[[checks]]\nname = "q"\ntype = "command"\ncommand = ["curl", "https://u:p@127.0.0.1:9/"]\n',
            "checks[0].command",
        ),
        ('[notify.channels.chat]\nurls = ["slack://TokenA/TokenB/TokenC"]\n', "notify.channels.chat.urls"),
        (
            '[notify.channels.am]\nalertmanager = ["http://am:9093", "http://admin:hunter2@am2:9093"]\n',
            "notify.channels.am.alertmanager",
        ),
        ('[notify.channels.am]\nalertmanager = ["https://tok3n@am:9093/prefix"]\n', "notify.channels.am.alertmanager"),
    ],
)
def test_every_kind_of_written_secret_is_found(tmp_path: Path, text: str, where: str) -> None:
    path = config(tmp_path, text, 0o644)
    result = run_here("config", "validate", str(path))
    assert result.returncode == 0
    (line,) = warnings(result.stderr)
    assert f"holds a secret ({where})" in line


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("json://127.0.0.1:9/", False),
        ("json://127.0.0.1:9000/hook", False),
        ("slack://${SLACK_TOKEN}", False),
        ("json://127.0.0.1:9/hook?+X-Token=${TOKEN}", False),
        ("ntfy://${NTFY_TOPIC}", False),
        ("mailto://alerts:${SMTP_PASSWORD}@mail.example.com?to=ops@example.com", False),
        ("ntfy://mytopic", True),
        ("json://user:secret@127.0.0.1:9/", True),
        ("slack://TokenA/TokenB/TokenC", True),
        ("json://127.0.0.1:9/hook?+X-Token=tok123", True),
        ("tgram://123456:ABCdef/12345", True),
        ("json://bob:pa55word@hooks.example.com/${TOKEN}", True),
        ("json://hooks.example.com/services/a8f3K2lq9ZxT7Hw", True),
        ("json://hooks.example.com/api/${HOOK_ID}", False),
    ],
)
def test_a_secret_is_what_config_show_would_hide(url: str, secret: bool) -> None:
    assert holds_secret(url) is secret
