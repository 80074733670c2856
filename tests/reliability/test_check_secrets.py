"""Credentials in a check's URL or argv never reach an alert: not `show`, not `history --json`
or `--csv`, not the database, not a notice. And an http check's `user:pass@` is sent as basic
auth, so a server that asks for it answers.

Real processes throughout: the CLI in a child process, a loopback server that demands basic
auth, a `json://` receiver on 127.0.0.1, and a command whose argv carries every kind of secret.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alertctl.secrets import redact_argv, redact_check_url
from tests.conftest import run_here
from tests.notify.receivers import HttpReceiver, http_receiver

USER, PASSWORD = "watcher", "Chk5ecretPw"
SECRETS = ("Chk5ecretPw", "QryT0ken55", "ArgPassw0rd", "ArgTok3n77", "ShortPw88", "EnvPgPw42", "BearerZ9z9")


class NeedsBasicAuth(BaseHTTPRequestHandler):
    """200 for the right `Authorization: Basic`, 401 for anything else."""

    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def do_GET(self) -> None:
        self.send_response(200 if self.headers.get("Authorization") == self.expected else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def guarded_site() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NeedsBasicAuth)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as r:
        yield r


def _config(tmp_path: Path, site: int, receiver: HttpReceiver) -> Path:
    command = [
        sys.executable,
        "-c",
        "print(99)",
        "--password=ArgPassw0rd",
        "--token",
        "ArgTok3n77",
        "-p",
        "ShortPw88",
        "PGPASSWORD=EnvPgPw42",
        "Authorization: Bearer BearerZ9z9",
    ]
    path = tmp_path / "c.toml"
    path.write_text(
        textwrap.dedent(f"""
        [[checks]]
        name = "web"
        type = "http"
        url = "http://{USER}:{PASSWORD}@127.0.0.1:{site}/health?token=QryT0ken55&plain=shown"

        [[checks]]
        name = "job"
        type = "command"
        command = {json.dumps(command)}

        [[rules]]
        name = "web-answers"
        metric = "web.status"
        warning = 100

        [[rules]]
        name = "job-high"
        metric = "job.value"
        warning = 80

        [notify.channels.ops]
        urls = ["{receiver.url()}"]
    """)
    )
    path.chmod(0o600)
    return path


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_check_credentials_never_reach_output_database_or_notices(
    tmp_path: Path, guarded_site: int, receiver: HttpReceiver
) -> None:
    config, db = _config(tmp_path, guarded_site, receiver), tmp_path / "a.db"
    env = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1", "COLUMNS": "200"}
    common = ("-c", str(config), "--db", str(db))
    checked = run_here("check", *common, env=env)
    assert checked.returncode == 1, checked.stdout + checked.stderr  # two warnings
    assert receiver.wait_for(2)

    outputs = {
        "check": checked.stdout + checked.stderr,
        **{f"show {n}": _out(run_here("show", str(n), *common, env=env)) for n in (1, 2)},
        "history --json": _out(run_here("history", "--json", *common, env=env)),
        "history --csv": _out(run_here("history", "--csv", *common, env=env)),
        "config show": _out(run_here("config", "show", *common, env=env)),
        "database": _dump(db),
        "notices": repr(receiver.payloads),
    }
    assert {name: _leaks(text) for name, text in outputs.items() if _leaks(text)} == {}
    shown = outputs["show 1"] + outputs["show 2"]
    assert f"http://***@127.0.0.1:{guarded_site}/health?token=***&plain=shown" in shown
    assert "'--password=***' --token '***' -p '***' 'PGPASSWORD=***' 'Authorization: ***'" in shown
    assert '"web.up": 1.0' in outputs["history --json"]  # basic auth got through: 200, not 401


def test_a_check_url_with_user_info_is_sent_as_basic_auth(guarded_site: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from alertctl.metrics import http
    from alertctl.model import HttpCheck

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    result = http.collect(HttpCheck("web", f"http://{USER}:{PASSWORD}@127.0.0.1:{guarded_site}/", 5.0, None))
    assert {s.metric: s.value for s in result.samples}["web.up"] == 1.0
    assert result.details["url"] == f"http://***@127.0.0.1:{guarded_site}/"


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["mysql", "-p", "pw", "db"], ["mysql", "-p", "***", "db"]),
        (["tool", "--api-key", "k", "--verbose"], ["tool", "--api-key", "***", "--verbose"]),
        (["tool", "--secret=s", "--author", "me"], ["tool", "--secret=***", "--author", "me"]),
        (["env", "API_TOKEN=t", "run"], ["env", "API_TOKEN=***", "run"]),
        (["curl", "https://u:p@h/x?sig=abc&a=1"], ["curl", "https://***@h/x?sig=***&a=1"]),
        (["echo", "5"], ["echo", "5"]),
    ],
)
def test_redact_argv_hides_values_after_secret_flags(argv: list[str], shown: list[str]) -> None:
    assert list(redact_argv(argv)) == shown


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://a:b#c/d@h:81/p?x=1", "http://***@h:81/p?x=1"),
        ("https://h/p?api_key=k&page=2&auth=z", "https://h/p?api_key=***&page=2&auth=***"),
        ("https://h/p?mail=a@b", "https://h/p?mail=a@b"),
    ],
)
def test_redact_check_url(url: str, shown: str) -> None:
    assert redact_check_url(url) == shown


def _out(result: object) -> str:
    return f"{result.stdout}{result.stderr}"  # type: ignore[attr-defined]


def _dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def test_an_error_that_quotes_the_check_url_hides_its_secret_query_values() -> None:
    from alertctl.metrics import http
    from alertctl.model import HttpCheck

    result = http.collect(HttpCheck("site", "http://127.0.0.1:1/a b?token=SEKRET-ON-ERROR", 1.0))
    assert "SEKRET-ON-ERROR" not in json.dumps(result.details) and "token=***" in str(result.details["error"])


def test_a_command_that_cannot_run_is_named_without_its_secrets() -> None:
    from alertctl.metrics import command
    from alertctl.model import CommandCheck

    result = command.collect(CommandCheck("db", ("/nonexistent/probe --password=SEKRET-ARGV",)))
    assert "SEKRET-ARGV" not in json.dumps(result.details) + " ".join(u.reason for u in result.unavailable)
