"""Alertmanager channels in the config, and the HTTP post: keys checked, credentials never shown."""

from __future__ import annotations

import base64
import json
import socket
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app
from alertctl.config import load_config
from alertctl.model import Severity
from alertctl.notify.alertmanager import post
from alertctl.secrets import redact_http
from tests.integration.alertmanagers import free_port


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_an_alertmanager_channel_is_kept_apart_from_the_apprise_ones(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            """
        [notify.channels.ops]
        urls = ["json://127.0.0.1:9/hook"]
        [notify.channels.am]
        alertmanager = ["http://am1:9093", "https://u:p@am2:9093/prefix"]
        min_severity = "critical"
        resend = "30s"
    """,
        ),
        use_cache=False,
    )
    assert [c.name for c in config.notify.channels] == ["ops"]
    [am] = config.notify.alertmanagers
    assert (am.name, am.urls, am.min_severity, am.resend) == (
        "am",
        ("http://am1:9093", "https://u:p@am2:9093/prefix"),
        Severity.CRITICAL,
        30.0,
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'alertmanager = ["http://am:9093"]\nurls = ["json://x/y"]',
            "notify.channels.am.alertmanager: cannot be combined with `urls` or `config`",
        ),
        (
            'alertmanager = ["http://am:9093", "am2:9093"]',
            "notify.channels.am.alertmanager[1]: must start with http:// or https://",
        ),
        ('urls = ["json://x/y"]\nresend = "1m"', "notify.channels.am.resend: only applies to `alertmanager` channels"),
        ('alertmanager = ["http://am:9093"]\nresend = "0s"', "notify.channels.am.resend: must be more than 0s"),
        ('min_severity = "critical"', "notify.channels.am.urls: needs at least one Apprise URL"),
    ],
)
def test_a_bad_alertmanager_channel_names_its_key(tmp_path: Path, table: str, expected: str) -> None:
    path = _config(tmp_path, f"[notify.channels.am]\n{table}\n")
    result = CliRunner().invoke(app, ["config", "validate", str(path)])
    assert result.exit_code == 2
    assert expected in result.output


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:hunter#2@am:9093",
        "http://admin:hun/ter2@am:9093",
        "http://admin:hun?ter2@am:9093",
        "http://admin:1234#x@am:9093",
        "http://admin#x:pw@am:9093",
        "http://:9093",
        "http://am:99999",
    ],
)
def test_an_alertmanager_url_that_does_not_read_back_is_refused_without_echoing_it(tmp_path: Path, url: str) -> None:
    path = _config(tmp_path, f'[notify.channels.am]\nalertmanager = ["{url}"]\n')
    for command in (["config", "validate", str(path)], ["config", "show", "-c", str(path)]):
        result = CliRunner().invoke(app, command)
        assert (result.exit_code, result.stdout) == (2, ""), result.output
        assert "notify.channels.am.alertmanager[0]: cannot be read back as a URL" in result.stderr
        assert "percent-encode" in result.stderr and len(result.stderr.splitlines()) == 1
        assert "hunter" not in result.stderr and "ter2" not in result.stderr and "admin" not in result.stderr


def test_percent_encoded_credentials_are_accepted(tmp_path: Path) -> None:
    path = _config(tmp_path, '[notify.channels.am]\nalertmanager = ["http://admin:hunter%232@[::1]:9093/am"]\n')
    result = CliRunner().invoke(app, ["config", "show", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert "http://***@[::1]:9093/am" in result.stdout and "hunter" not in result.stdout


def test_escalation_needs_an_apprise_channel(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        """
        [notify]
        escalate_to = ["am"]
        [notify.channels.am]
        alertmanager = ["http://am:9093"]
    """,
    )
    result = CliRunner().invoke(app, ["config", "validate", str(path)])
    assert result.exit_code == 2
    assert "notify.escalate_to: 'am' is an Alertmanager channel" in result.output


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_config_show_hides_alertmanager_credentials(tmp_path: Path, json_flag: list[str]) -> None:
    path = _config(
        tmp_path,
        """
        [notify.channels.am]
        alertmanager = ["http://alice:s3cretpass@am1:9093", "http://am2:9093"]
        resend = "2m"
    """,
    )
    result = CliRunner().invoke(app, ["config", "show", "-c", str(path), *json_flag])
    assert result.exit_code == 0, result.output
    assert "s3cretpass" not in result.output and "alice" not in result.output
    assert "http://***@am1:9093" in result.output and "http://am2:9093" in result.output
    assert "2m" in result.output


def test_redact_http_hides_the_whole_userinfo() -> None:
    assert redact_http("https://user:pw@am.example.com:9093/x") == "https://***@am.example.com:9093/x"
    assert redact_http("http://am:9093") == "http://am:9093"


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:hunter#2@am:9093",
        "http://admin:hun/ter2@am:9093",
        "http://admin:hun?ter2@am:9093",
    ],
)
def test_redact_http_hides_credentials_a_url_parser_would_misread(url: str) -> None:
    """A second line of defence behind validation: everything up to the last `@` is hidden."""
    assert redact_http(url) == "http://***@am:9093"


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`HOST:PORT` of a server on 127.0.0.1 answering with `handler` until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def recording_server(status: int = 200, answer: bytes = b"") -> Iterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "type": self.headers.get("Content-Type"),
                    "body": json.loads(body),
                }
            )
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as address:
        yield address, seen


def test_post_sends_json_to_the_v2_api_with_basic_auth_from_the_url() -> None:
    with recording_server() as (where, seen):
        sent = post(f"http://alice:s%40cret@{where}/prefix/", [{"labels": {"alertname": "x"}}], 5.0)
    assert sent.ok
    [request] = seen
    assert request["path"] == "/prefix/api/v2/alerts"
    assert request["type"] == "application/json"
    assert request["authorization"] == "Basic " + base64.b64encode(b"alice:s@cret").decode()
    assert request["body"] == [{"labels": {"alertname": "x"}}]


def test_a_refused_post_says_why_without_credentials() -> None:
    with recording_server(400, b"bad alert: alice and s3cretpass") as (where, _):
        sent = post(f"http://alice:s3cretpass@{where}", [], 5.0)
    assert not sent.ok and sent.error is not None
    assert sent.error.startswith("HTTP 400: bad alert")
    assert "s3cretpass" not in sent.error and "alice" not in sent.error
    down = post(f"http://alice:s3cretpass@127.0.0.1:{free_port()}", [], 5.0)
    assert not down.ok and "refused" in str(down.error).lower()


def test_an_answer_that_is_not_http_is_a_failure_not_a_crash() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def garble() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

        threading.Thread(target=garble, daemon=True).start()
        sent = post(f"http://127.0.0.1:{listener.getsockname()[1]}", [], 5.0)
    assert not sent.ok and sent.error


@contextmanager
def redirecting_server(status: int) -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """Answers a POST with a redirect to another path, and a GET (where a followed redirect lands) with 200."""
    seen: list[tuple[str, str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(("POST", self.path, self.headers.get("Authorization")))
            self.send_response(status)
            self.send_header(
                "Location",
                "http://127.0.0.1:9/elsewhere/api/v2/alerts" if status == 301 else "/elsewhere/api/v2/alerts",
            )
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            seen.append(("GET", self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as address:
        yield address, seen


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_post_and_is_not_followed(status: int) -> None:
    """Followed, a 302 turns the POST into a GET that answers 200: the alerts would be lost
    while the post counted as accepted, and the credentials would go to the new address."""
    with redirecting_server(status) as (where, seen):
        sent = post(f"http://alice:s3cretpass@{where}", [{"labels": {"alertname": "x"}}], 5.0)
    assert not sent.ok and sent.error is not None
    assert sent.error.startswith(f"HTTP {status}: redirected to ")
    assert "alertmanager URLs must point at the API itself" in sent.error
    assert "s3cretpass" not in sent.error and "alice" not in sent.error
    assert [(method, path) for method, path, _ in seen] == [("POST", "/api/v2/alerts")]
