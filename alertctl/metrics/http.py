"""`type = "http"` checks: does the URL answer, with which status, how fast.

Imported only when an http check is configured, so urllib's import cost is paid
by those configs alone. Redirects are not followed: the check reports what the
URL itself answered (a 3xx counts as up unless `expect_status` says otherwise),
the way a load balancer's health check would.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request

from alertctl import __version__
from alertctl.metrics.check_result import CheckResult, describe
from alertctl.model import HttpCheck


def collect(check: HttpCheck) -> CheckResult:
    result = CheckResult(check.name, {"url": check.url, "status": None, "error": None})
    started = time.monotonic()
    try:
        status = _status(check)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        result.details["error"] = _describe(exc, check.timeout)
        result.add("up", 0)
        return result
    up = status == check.expect_status if check.expect_status is not None else status < 400
    result.details.update(status=status, error=None if up else f"unexpected status {status}")
    result.add("up", up)
    result.add("status", status)
    result.add("response_time", time.monotonic() - started)
    return result


def _status(check: HttpCheck) -> int:
    """The status line's code; an error status is an answer too, not a failure."""
    request = urllib.request.Request(check.url, headers={"User-Agent": f"alertctl/{__version__}"})
    try:
        with _opener().open(request, timeout=check.timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def _opener() -> urllib.request.OpenerDirector:
    """http and https only, and no redirect handler, so a 3xx comes back as an HTTPError."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
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
