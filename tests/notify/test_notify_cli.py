"""`alertctl notify test`, `${VARIABLE}` in URLs, and secrets kept out of every message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app
from tests.notify.receivers import http_receiver


def _write(tmp_path: Path, channels: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(channels))
    return path


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_notify_test_says_which_channel_worked_and_exits_1_if_one_failed(tmp_path: Path) -> None:
    with http_receiver() as good, http_receiver([500]) as bad:
        config = _write(
            tmp_path,
            f"""
            [notify.channels.ops]
            urls = ["{good.url()}"]
            [notify.channels.pager]
            urls = ["json://user:hunter2secret@127.0.0.1:{bad.port}/hook"]
        """,
        )
        result = _run("notify", "test", "-c", str(config))
        assert result.exit_code == 1  # type: ignore[attr-defined]
        lines = result.stdout.splitlines()  # type: ignore[attr-defined]
        assert lines[0] == "ops: delivered"
        assert lines[1].startswith("pager: failed: ") and "error=500" in lines[1]
        assert "hunter2secret" not in result.output  # type: ignore[attr-defined]
        assert good.types() == ["info"] and "[TEST]" in good.titles()[0]


def test_notify_test_one_channel_and_unknown_channel(tmp_path: Path) -> None:
    with http_receiver() as good:
        config = _write(
            tmp_path,
            f"""
            [notify.channels.ops]
            urls = ["{good.url()}"]
            [notify.channels.pager]
            urls = ["json://127.0.0.1:9/never"]
        """,
        )
        result = _run("notify", "test", "--channel", "ops", "-c", str(config))
        assert result.exit_code == 0 and result.stdout == "ops: delivered\n"  # type: ignore[attr-defined]
        unknown = _run("notify", "test", "--channel", "nope", "-c", str(config))
        assert unknown.exit_code == 2  # type: ignore[attr-defined]
        assert "--channel nope: no such channel (configured: ops, pager)" in unknown.output  # type: ignore[attr-defined]


def test_urls_read_variables_at_send_time_and_a_missing_one_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with http_receiver() as good:
        config = _write(
            tmp_path,
            f"""
            [notify.channels.ops]
            urls = ["json://127.0.0.1:{good.port}/${{HOOK_PATH}}"]
        """,
        )
        missing = _run("notify", "test", "-c", str(config))
        assert missing.exit_code == 2  # type: ignore[attr-defined]
        assert "notify.channels.ops.urls: ${HOOK_PATH} is not set" in missing.output  # type: ignore[attr-defined]
        monkeypatch.setenv("HOOK_PATH", "secret-hook-token")
        sent = _run("notify", "test", "-c", str(config))
        assert sent.exit_code == 0 and good.types() == ["info"]  # type: ignore[attr-defined]
        shown = _run("config", "show", "-c", str(config))
        assert "secret-hook-token" not in shown.output  # type: ignore[attr-defined]


def test_no_channels_is_a_config_error(tmp_path: Path) -> None:
    result = _run("notify", "test", "-c", str(_write(tmp_path, "")))
    assert result.exit_code == 2 and "none configured" in result.output  # type: ignore[attr-defined]


def test_a_channel_may_name_an_apprise_config_file(tmp_path: Path) -> None:
    with http_receiver() as good:
        apprise_yml = tmp_path / "apprise.yml"
        apprise_yml.write_text(f"urls:\n  - {good.url()}\n")
        config = _write(
            tmp_path,
            f"""
            [notify.channels.team]
            config = "{apprise_yml}"
        """,
        )
        result = _run("notify", "test", "-c", str(config))
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert good.types() == ["info"]


def test_a_channel_needs_urls_or_a_config_file(tmp_path: Path) -> None:
    result = _run("config", "validate", str(_write(tmp_path, "[notify.channels.team]\nmin_severity = 'critical'\n")))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "notify.channels.team.urls: needs at least one Apprise URL" in result.output  # type: ignore[attr-defined]


def test_a_broken_template_is_a_config_error(tmp_path: Path) -> None:
    result = _run("config", "validate", str(_write(tmp_path, "[notify]\ntitle_template = '{rule'\n")))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "notify.title_template: is not a valid template" in result.output  # type: ignore[attr-defined]


def test_delivery_errors_never_carry_url_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from alertctl.config.runtime import Channel
    from alertctl.notify.send import expand
    from alertctl.secrets import scrub, secrets_of

    monkeypatch.setenv("TOKEN", "tok-from-env-123")
    ops = Channel(
        "ops",
        (
            "json://bob:pa55word@hooks.example.com/${TOKEN}?+X-Api-Key=headersecret",
            "slack://TokenAAAA/TokenBBBB/TokenCCCC",
        ),
    )
    urls = expand(ops)
    text = " ".join(urls) + " failed: 401 for bob:pa55word TokenBBBB headersecret"
    cleaned = scrub(text, secrets_of(urls, ops.urls))
    for secret in ("pa55word", "tok-from-env-123", "headersecret", "TokenAAAA", "TokenBBBB", "TokenCCCC"):
        assert secret not in cleaned
    assert "hooks.example.com" in cleaned


def test_notify_test_failure_names_the_channel_on_stderr(tmp_path: Path) -> None:
    from tests.conftest import run_here

    config = _write(tmp_path, '[notify.channels.pager]\nurls = ["json://127.0.0.1:9/never?cto=1"]\n')
    result = run_here("notify", "test", "-c", str(config))
    assert result.returncode == 1
    assert result.stdout.startswith("pager: failed: ")
    assert result.stderr.strip() == "alertctl: notify test: 1 of 1 channels failed: pager"
