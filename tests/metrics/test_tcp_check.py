"""TCP checks against real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from alertctl.metrics import tcp
from alertctl.model import TcpCheck


def check(port: int, timeout: float = 5.0) -> tuple[dict[str, float], dict[str, object]]:
    result = tcp.collect(TcpCheck("db", "127.0.0.1", port, timeout))
    return {s.metric: s.value for s in result.samples}, result.details


def test_a_listening_port_is_up() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        values, details = check(server.getsockname()[1])
    assert values["db.up"] == 1.0
    assert 0.0 <= values["db.connect_time"] < 5.0
    assert details["error"] is None


def test_a_closed_port_is_down() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    values, details = check(port)
    assert values == {"db.up": 0.0}
    assert details == {"host": "127.0.0.1", "port": port, "error": "connection refused"}


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A listener whose accept queue is full: Linux drops further SYNs, so connect hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.1)
        yield port
        for filler in fillers:
            filler.close()


def test_a_port_that_never_completes_the_handshake_is_down_within_the_timeout(
    full_backlog: int,
) -> None:
    started = time.monotonic()
    values, details = check(full_backlog, timeout=0.5)
    assert time.monotonic() - started < 15  # the kernel's SYN retries would take over a minute
    assert values == {"db.up": 0.0}
    assert details["error"] == "timed out after 0.5s"
