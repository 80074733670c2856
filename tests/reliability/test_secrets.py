"""Passwords and tokens in channel URLs never show: not in any command's output, the watch
log, an error, a `--debug` traceback, nor anywhere in the database.

One scenario (module scope: it drives some twenty real CLI processes) with channels that
carry secrets every way Apprise takes them, delivering to receivers that answer, answer
500, refuse, hang, and speak SMTP without the AUTH the URL asks for. Each test then
searches one surface for every secret, as written and percent-encoded.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
from aiosmtpd.controller import Controller

from tests.notify.receivers import free_port, http_receiver

pytestmark = pytest.mark.slow

SECRETS = (
    "S3cretPass",  # a password
    "T0kenValue",  # a +Header= value
    "Sp+cial@Pw9",  # a password written percent-encoded: Sp%2Bcial%40Pw9
    "BearerTok9",  # inside an Authorization header value
    "QueryTok77",  # a -param= value (sent as a query parameter)
    "TokenAAAA",
    "TokenBBBB",
    "TokenCCCC",  # slack://A/B/C
    "MailPa55w",  # an SMTP password
    "EnvS3cretVal",  # from ${HOOK_SECRET}
    "Hang+Pw#1",  # the hanging receiver's password: Hang%2BPw%231
)


def forms(secret: str) -> set[str]:
    """The secret as written, and every way a URL or a log could spell it."""
    quoted = quote(secret, safe="")
    return {secret, quoted, quote_plus(secret), re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)}


def leaks(text: str) -> list[str]:
    return sorted({form for secret in SECRETS for form in forms(secret) if form in text})


@dataclass
class Scenario:
    root: Path
    env: dict[str, str]
    config: Path
    outputs: dict[str, str] = field(default_factory=dict)
    """Command line -> its stdout and stderr."""

    def run(self, name: str, *args: str, unset: str = "", db: str = "a.db", config: Path | None = None) -> int:
        result = subprocess.run(
            [sys.executable, "-m", "alertctl", *args, "-c", str(config or self.config), "--db", str(self.root / db)],
            capture_output=True,
            text=True,
            timeout=90,
            cwd=self.root,
            env={k: v for k, v in self.env.items() if k != unset},
        )
        self.outputs[name] = result.stdout + result.stderr
        return result.returncode

    def dump(self, db: str) -> str:
        conn = sqlite3.connect(self.root / db)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


class Mailbox:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_port() -> Iterator[int]:
    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _environment(root: Path) -> dict[str, str]:
    """A private home, no ALERTCTL_ settings, and every proxy pointing at a closed local port:
    `slack://` fails fast without leaving the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALERTCTL_") and "proxy" not in k.lower()}
    closed = f"http://127.0.0.1:{free_port()}"
    home = root / "home"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        NO_PROXY="127.0.0.1,localhost",
        HOOK_SECRET="EnvS3cretVal",
        COLUMNS="200",
    )
    return env


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, smtp_port: int) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("secrets")
    with http_receiver() as ok, http_receiver([500] * 100) as failing, http_receiver(hang=True) as hanging:
        config = root / "c.toml"
        config.write_text(
            textwrap.dedent(f"""
            [[checks]]
            name = "q"
            type = "command"
            command = ["echo", "99"]

            [[rules]]
            name = "q-high"
            metric = "q.value"
            warning = 80
            critical = 95

            [notify.channels.ok]
            urls = ["json://user:S3cretPass@127.0.0.1:{ok.port}/path?+X-Token=T0kenValue"]
            [notify.channels.failing]
            urls = ["json://user2:Sp%2Bcial%40Pw9@127.0.0.1:{failing.port}/hook?+Authorization=Bearer%20BearerTok9&-apikey=QueryTok77"]
            [notify.channels.secure]
            urls = ["jsons://user:S3cretPass@127.0.0.1:{free_port()}/p?+X-Token=T0kenValue"]
            [notify.channels.slack]
            urls = ["slack://TokenAAAA/TokenBBBB/TokenCCCC"]
            [notify.channels.mail]
            urls = ["mailto://mailuser:MailPa55w@127.0.0.1:{smtp_port}?to=ops@example.com&from=al@example.com&mode=insecure"]
            [notify.channels.envy]
            urls = ["json://eu:${{HOOK_SECRET}}@127.0.0.1:{free_port()}/x"]
            [notify.channels.hanging]
            urls = ["json://hu:Hang%2BPw%231@127.0.0.1:{hanging.port}/h?rto=1"]
            [notify.channels.garbled]
            urls = ["mailto://mailuser:MailPa55w@127.0.0.1:{free_port()}?to=ops@example.com"]
        """)
        )
        broken = root / "broken.toml"
        broken.write_text(
            config.read_text()
            .replace('urls = ["slack://', 'urls = "slack://')
            .replace('TokenCCCC"]', 'TokenCCCC"\ntoken = "T0kenValue"')
        )
        unterminated = root / "unterminated.toml"
        unterminated.write_text(config.read_text().replace('+X-Token=T0kenValue"]', "+X-Token=T0kenValue]"))
        s = Scenario(root, _environment(root), config)
        s.run("config show", "config", "show")
        s.run("config show --json", "config", "show", "--json")
        s.run("config validate", "config", "validate", str(config))
        s.run("check", "check")
        s.run("check --json", "check", "--json", db="again.db")
        s.run("watch", "watch", "--cycles", "2", "--interval", "0.5s", db="watch.db")
        s.run("history", "history")
        s.run("show", "show", "1")
        s.run("show --json", "show", "1", "--json")
        s.run("report --json", "report", "--json")
        s.run("notify test", "notify", "test")
        s.run("notify test --debug", "notify", "test", "--channel", "failing", "--debug")
        s.run("notify test --debug, variable unset", "notify", "test", "--debug", unset="HOOK_SECRET")
        s.run("check --debug, variable unset", "check", "--debug", unset="HOOK_SECRET", db="unset.db")
        s.run("config validate --debug, wrong types", "config", "validate", str(broken), "--debug")
        s.run("check --debug, wrong types", "check", "--debug", config=broken, db="never.db")
        s.run("config validate --debug, not TOML", "config", "validate", str(unterminated), "--debug")
        (root / "garbage.db").write_bytes(b"this is not a database, S3cretPass " * 100)
        s.run("history --debug on a broken database", "history", "--debug", db="garbage.db")
        s.outputs["receivers"] = f"{len(ok.payloads)} {len(failing.payloads)}"
        yield s


def test_the_search_finds_a_secret_in_any_spelling() -> None:
    assert leaks("json://user2:Sp%2Bcial%40Pw9@host") == ["Sp%2Bcial%40Pw9"]
    assert leaks("Sp%2bcial%40Pw9 Hang%2BPw%231 T0kenValue") == ["Hang%2BPw%231", "Sp%2bcial%40Pw9", "T0kenValue"]
    assert leaks("S3cret Pass, T0ken Value") == []


def test_the_scenario_really_sent_and_failed(scenario: Scenario) -> None:
    """Otherwise the searches below prove nothing."""
    ok_sent, failing_sent = map(int, scenario.outputs["receivers"].split())
    assert ok_sent >= 3 and failing_sent >= 3  # check, check --json, watch, notify test
    assert "ok: delivered" in scenario.outputs["notify test"]
    for channel in ("failing", "secure", "slack", "mail", "hanging"):
        assert f"{channel}: failed: " in scenario.outputs["notify test"]
    assert "Traceback" in scenario.outputs["notify test --debug"]
    assert "${HOOK_SECRET} is not set" in scenario.outputs["notify test --debug, variable unset"]
    assert "Traceback" in scenario.outputs["history --debug on a broken database"]
    assert "garbled: failed: channel garbled: an Apprise URL could not be understood" in scenario.outputs["notify test"]
    assert "notify.channels.slack.urls: must be a list" in scenario.outputs["config validate --debug, wrong types"]
    debug_lines = scenario.outputs["check --debug, wrong types"].splitlines()  # --debug lists every problem
    assert any(line.endswith("notify.channels.slack.urls: must be a list") for line in debug_lines)
    assert any("notify.channels.slack.token: unknown key" in line for line in debug_lines)
    assert "not valid TOML" in scenario.outputs["config validate --debug, not TOML"]


@pytest.mark.parametrize(
    "command",
    [
        "config show",
        "config show --json",
        "config validate",
        "check",
        "check --json",
        "history",
        "show",
        "show --json",
        "report --json",
        "notify test",
    ],
)
def test_no_command_prints_a_secret(scenario: Scenario, command: str) -> None:
    assert scenario.outputs[command].strip()
    assert leaks(scenario.outputs[command]) == []


def test_the_watch_log_holds_no_secret(scenario: Scenario) -> None:
    log = scenario.outputs["watch"]
    assert "notice to failing failed" in log and "notice to ok delivered" in log
    assert leaks(log) == []


@pytest.mark.parametrize(
    "command",
    [
        "notify test --debug",
        "notify test --debug, variable unset",
        "check --debug, variable unset",
        "history --debug on a broken database",
        "config validate --debug, wrong types",
        "check --debug, wrong types",
        "config validate --debug, not TOML",
    ],
)
def test_debug_tracebacks_hold_no_secret(scenario: Scenario, command: str) -> None:
    assert leaks(scenario.outputs[command]) == []


@pytest.mark.parametrize("db", ["a.db", "again.db", "watch.db", "unset.db"])
def test_the_database_holds_no_secret(scenario: Scenario, db: str) -> None:
    dump = scenario.dump(db)
    assert "INSERT INTO" in dump and "failing" in dump  # delivery attempts were recorded
    assert leaks(dump) == []


def test_an_error_quoting_the_url_loses_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin's exception may carry the URL as written, decoded, or quoted again (`%2B`, `%2b`)."""
    from alertctl.config.runtime import Channel
    from alertctl.notify.send import expand
    from alertctl.secrets import scrub, secrets_of

    monkeypatch.setenv("HOOK_SECRET", "EnvS3cretVal")
    channel = Channel(
        "failing",
        (
            "json://user2:Sp%2Bcial%40Pw9@127.0.0.1:9/hook?+Authorization=Bearer%20BearerTok9&-apikey=QueryTok77",
            "json://eu:${HOOK_SECRET}@127.0.0.1:9/x",
            "slack://TokenAAAA/TokenBBBB/TokenCCCC",
        ),
    )
    urls = expand(channel)
    said = " ".join(f"Max retries exceeded with url: {spelling}" for url in urls for spelling in _spelled(url))
    assert leaks(said)
    cleaned = scrub(said, secrets_of(urls, channel.urls))
    assert leaks(cleaned) == []
    assert "127.0.0.1:9/hook" in cleaned


def _spelled(url: str) -> list[str]:
    plain = unquote(url)
    quoted = quote(plain, safe=":/?&=")
    return [url, plain, quoted, re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)]
