"""`type = "tcp"` checks: does the port accept a connection, and how fast."""

from __future__ import annotations

import socket
import time

from alertctl.metrics.check_result import CheckResult, describe
from alertctl.model import TcpCheck


def collect(check: TcpCheck) -> CheckResult:
    result = CheckResult(check.name, {"host": check.host, "port": check.port, "error": None})
    started = time.monotonic()
    try:
        with socket.create_connection((check.host, check.port), timeout=check.timeout):
            elapsed = time.monotonic() - started
    except OSError as exc:
        result.details["error"] = describe(exc, check.timeout)
        result.add("up", 0)  # data, not a gap: a rule on `up` fires
        result.lack(str(result.details["error"]), "connect_time")
        return result
    result.add("up", 1)
    result.add("connect_time", elapsed)
    return result
