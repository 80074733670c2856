"""HTTP checks against real servers on 127.0.0.1: good, failing, silent and broken ones."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alertctl.metrics import http
from alertctl.model import HttpCheck

ROUTES = {"/ok": 200, "/fail": 500, "/teapot": 418, "/moved": 302}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(ROUTES.get(self.path, 404))
        if self.path == "/moved":
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port that accepts connections (the kernel does) but where nobody answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock


def check(
    url: str, expect_status: int | None = None, timeout: float = 5.0
) -> tuple[dict[str, float], dict[str, object]]:
    result = http.collect(HttpCheck("web", url, timeout, expect_status))
    return {s.metric: s.value for s in result.samples}, result.details


def test_a_200_is_up(server: str) -> None:
    values, details = check(f"{server}/ok")
    assert values["web.up"] == 1.0 and values["web.status"] == 200.0
    assert 0.0 <= values["web.response_time"] < 5.0
    assert details == {"url": f"{server}/ok", "status": 200, "error": None}


def test_a_500_answered_but_is_down(server: str) -> None:
    values, details = check(f"{server}/fail")
    assert values["web.up"] == 0.0 and values["web.status"] == 500.0
    assert "web.response_time" in values
    assert details["error"] == "unexpected status 500"


@pytest.mark.parametrize(
    ("path", "expect", "up"),
    [("/fail", 500, 1.0), ("/teapot", 200, 0.0), ("/ok", 204, 0.0), ("/teapot", 418, 1.0)],
)
def test_expect_status_is_the_only_good_answer(server: str, path: str, expect: int, up: float) -> None:
    values, _ = check(f"{server}{path}", expect_status=expect)
    assert values["web.up"] == up and values["web.status"] == float(ROUTES[path])


def test_redirects_are_reported_not_followed(server: str) -> None:
    values, _ = check(f"{server}/moved")
    assert values["web.status"] == 302.0 and values["web.up"] == 1.0
    assert check(f"{server}/moved", expect_status=200)[0]["web.up"] == 0.0


def test_connection_refused_is_down_without_status() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    values, details = check(f"http://127.0.0.1:{port}/")
    assert values == {"web.up": 0.0}
    assert details["error"] == "connection refused" and details["status"] is None


def test_a_server_that_never_answers_is_down_within_the_timeout(listener: socket.socket) -> None:
    started = time.monotonic()
    values, details = check(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=0.5)
    assert time.monotonic() - started < 15  # the listener would hold it for as long as the test lives
    assert values == {"web.up": 0.0}
    assert details["error"] == "timed out after 0.5s"


def test_a_server_sending_garbage_is_down(listener: socket.socket) -> None:
    def reply_garbage() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")

    thread = threading.Thread(target=reply_garbage, daemon=True)
    thread.start()
    values, details = check(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=2)
    thread.join(5)
    assert values == {"web.up": 0.0}
    assert details["error"] and "SSH-2.0" in str(details["error"])


def test_only_http_urls_are_fetched() -> None:
    values, details = check("file:///etc/hostname")
    assert values == {"web.up": 0.0}
    assert "unknown url type" in str(details["error"])
