"""A failing channel is loud: a stderr line per failed attempt in `check`, a line per failure
streak (and recovery) in `watch`'s log, and a query the live view lists failing channels with."""

from __future__ import annotations

import logging
import sqlite3
import textwrap
from pathlib import Path

import pytest

from alertctl.config.runtime import Notify
from alertctl.durations import iso
from alertctl.store import outbox
from tests.conftest import run_here
from tests.notify.harness import Harness, channel
from tests.notify.receivers import http_receiver

SECRETS = ("hunter2secret", "tok3nPathSecret")


def _config(tmp_path: Path, urls: dict[str, str], rules: int = 1) -> tuple[Path, Path]:
    value = tmp_path / "value"
    value.write_text("90\n")
    config = tmp_path / "c.toml"
    channels = "".join(f'[notify.channels.{name}]\nurls = ["{url}"]\n' for name, url in urls.items())
    rule_tables = "".join(
        f'[[rules]]\nname = "q-high-{n}"\nmetric = "q.value"\nwarning = 80\ncritical = 95\n' for n in range(rules)
    )
    config.write_text(
        textwrap.dedent(f"""
        [[checks]]
        name = "q"
        type = "command"
        command = ["cat", "{value}"]
        """)
        + rule_tables
        + channels
    )
    config.chmod(0o600)
    return config, tmp_path / "a.db"


def _failing_url(port: int) -> str:
    return f"json://user:hunter2secret@127.0.0.1:{port}/tok3nPathSecret"


def _failures(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " failed (" in line]


def test_check_says_each_failed_attempt_on_stderr_without_secrets_and_keeps_its_exit_status(tmp_path: Path) -> None:
    with http_receiver([501] * 10) as failing, http_receiver() as working:
        config, db = _config(tmp_path, {"pager": _failing_url(failing.port), "ops": working.url()})
        result = run_here("check", "-c", str(config), "--db", str(db))

        assert result.returncode == 1 and result.stdout.startswith("ALERTCTL WARNING")
        (line,) = _failures(result.stderr)
        assert line.startswith("alertctl: notice to pager failed (will retry): opened #1 - ")
        assert "error=501" in line
        assert not any(secret in result.stderr + result.stdout for secret in SECRETS)
        assert len(failing.payloads) == 1 and len(working.payloads) == 1

        quiet = run_here("check", "-c", str(config), "--db", str(db))  # the retry is not due yet: no attempt
        assert quiet.returncode == 1 and _failures(quiet.stderr) == []

        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL")
        conn.close()
        retried = run_here("check", "-c", str(config), "--db", str(db))
        assert retried.returncode == 1 and len(_failures(retried.stderr)) == 1
        assert len(failing.payloads) == 2


def test_an_unset_variable_in_a_url_is_one_line_per_attempt_too(tmp_path: Path) -> None:
    config, db = _config(tmp_path, {"ops": "json://127.0.0.1:9/${HOOK_SECRET_PATH}"})
    result = run_here("check", "-c", str(config), "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "alertctl: notice to ops failed (will retry): opened #1 - notify.channels.ops.urls: ${HOOK_SECRET_PATH} "
        "is not set in the environment"
    ]


def test_failing_channels_lists_since_when_how_many_wait_and_the_last_error(tmp_path: Path) -> None:
    """The query the live view uses: channels whose last attempt failed, the longest failing first."""
    with http_receiver([500] * 3) as failing, http_receiver([503, 200]) as flaky:
        h = Harness(tmp_path, Notify(channels=(channel("pager", failing.url()), channel("ops", flaky.url()))))
        h.step(1000.0, 90)
        assert [(f.channel, f.since, f.waiting) for f in outbox.failing_channels(h.conn)] == [
            ("ops", 1000.0, 1),
            ("pager", 1000.0, 1),
        ]
        h.deliver(1005.0)
        (still,) = outbox.failing_channels(h.conn)
        assert (still.channel, still.since, still.waiting) == ("pager", 1000.0, 1)
        assert still.error is not None and "error=500" in still.error


def test_the_log_streak_follows_the_database_across_deliverers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="alertctl.notify.deliver")  # `watch`'s event log

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "alertctl.notify.deliver"]

    with http_receiver([500, 500, 500]) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.runner.notifiers = []
        h.step(1000.0, 90)
        for now in (1000.0, 1005.0, 1015.0):
            h.deliver(now)
        assert len(receiver.payloads) == 3
        assert len(lines()) == 1 and "notice to ops failed (will retry)" in lines()[0]
        h.deliver(1035.0)
        assert lines()[1].endswith(f"channel ops recovered (failing since {iso(1000.0)})")
        assert lines()[2].endswith("notice to ops delivered: opened #1") and len(lines()) == 3


def test_a_notice_given_up_for_a_removed_channel_is_said_too(tmp_path: Path) -> None:
    from dataclasses import replace

    h = Harness(tmp_path, Notify(channels=(channel("ops", "json://127.0.0.1:9/x"),)))
    failed: list[str] = []
    h.deliverer.failed = failed.append
    h.runner.notifiers = []
    h.step(1000.0, 90)
    h.runner.configure(replace(h.config, notify=Notify()))
    h.deliver(1001.0)
    assert failed == ["notice to ops failed (given up): opened #1 - channel ops is no longer configured"]
