"""`type = "http"` checks: does the URL answer, with which status, how fast.

Imported only when an http check is configured, so urllib's import cost is paid
by those configs alone. Redirects are not followed: the check reports what the
URL itself answered (a 3xx counts as up unless `expect_status` says otherwise),
the way a load balancer's health check would. `user:password@` in the URL is
sent as basic auth, and the URL kept in the alert's context hides it.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from alertctl import __version__
from alertctl.metrics.check_result import CheckResult, describe
from alertctl.model import HttpCheck
from alertctl.secrets import Credentials, basic_auth, query_secrets, redact_check_url, scrub


def collect(check: HttpCheck) -> CheckResult:
    """Credentials in the URL are sent as basic auth and never land in the alert's context."""
    result = CheckResult(check.name, {"url": redact_check_url(check.url), "status": None, "error": None})
    credentials = basic_auth(check.url)
    started = time.monotonic()
    with Cutoff(check.timeout) as cutoff:
        try:
            status = _status(check, credentials, cutoff)
            if cutoff.fired:  # cut off mid-headers, which http.client takes for their end
                raise TimeoutError
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = _describe(TimeoutError() if cutoff.fired else exc, check.timeout)
            result.details["error"] = scrub(error, credentials.secrets | query_secrets(check.url))
            result.add("up", 0)  # data, not a gap: a rule on `up` fires
            result.lack(str(result.details["error"]), "status", "response_time")
            return result
    up = status == check.expect_status if check.expect_status is not None else status < 400
    result.details.update(status=status, error=None if up else f"unexpected status {status}")
    result.add("up", up)
    result.add("status", status)
    result.add("response_time", time.monotonic() - started)
    return result


def _status(check: HttpCheck, credentials: Credentials, cutoff: Cutoff) -> int:
    """The status line's code; an error status is an answer too, not a failure."""
    headers = {"User-Agent": f"alertctl/{__version__}"}
    if credentials.authorization is not None:
        headers["Authorization"] = credentials.authorization
    request = urllib.request.Request(credentials.url, headers=headers)
    try:
        with _opener(cutoff).open(request, timeout=check.timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


class Cutoff:
    """The whole request's time limit, on top of the socket timeout that bounds each read.

    A server dripping its headers a byte at a time never lets a read time out; at
    the deadline every socket the request opened is shut down, and the read fails.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Cutoff:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def connection(self, kind: Callable[..., http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
        """`kind` (HTTPConnection or HTTPSConnection) whose sockets this cutoff can shut."""

        def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
            connection = kind(*args, **kwargs)
            connect = connection._create_connection  # type: ignore[attr-defined]
            connection._create_connection = lambda *a, **k: self._watch(connect(*a, **k))  # type: ignore[attr-defined]
            return connection

        return make

    def _watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)
        return sock

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _CutoffHandler(urllib.request.AbstractHTTPHandler):
    def __init__(self, cutoff: Cutoff) -> None:
        super().__init__()
        self.cutoff = cutoff

    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> http.client.HTTPResponse:
        return super().do_open(self.cutoff.connection(http_class), req, **kwargs)


class _HTTPHandler(_CutoffHandler, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_CutoffHandler, urllib.request.HTTPSHandler):
    pass


def _opener(cutoff: Cutoff) -> urllib.request.OpenerDirector:
    """http and https only, and no redirect handler, so a 3xx comes back as an HTTPError."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        _HTTPHandler(cutoff),
        _HTTPSHandler(cutoff),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    return opener


def _describe(exc: BaseException, timeout: float) -> str:
    """urllib wraps the socket error that says what happened; unwrap it."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return describe(reason, timeout)
