"""`watch --listen` under a flood of idle connections: the monitor keeps its file descriptors,
a scrape still answers, and an idle connection is dropped after its time."""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from alertctl.export.server import Address, MetricsServer
from tests.cli.conftest import Rig
from tests.cli.test_cli_watch import Watcher
from tests.export.test_watch_export import scrape_until
from tests.notify.receivers import free_port

pytestmark = pytest.mark.slow  # a fault: hundreds of idle connections under a lowered file limit

DESCRIPTORS = 256
"""The `ulimit -n` the chaos run used: 251 idle connections were enough to starve the collectors."""


def _watch_with_few_descriptors(rig: Rig, *args: str) -> Watcher:
    """A `watch` child under `ulimit -n 256`: lowered here while it starts, for it to inherit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, hard))
    try:
        return Watcher(rig, *args)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def idle_connections() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _flood(stack: ExitStack, port: int, count: int) -> None:
    for _ in range(count):
        connection = stack.enter_context(socket.socket())
        connection.settimeout(10)
        connection.connect(("127.0.0.1", port))


def test_idle_connections_never_starve_the_collectors_nor_the_scrape(
    rig: Rig, watchers: list[Watcher], idle_connections: ExitStack
) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(42)
    port = free_port()
    watcher = _watch_with_few_descriptors(rig, "--interval", "0.2s", "--listen", f"127.0.0.1:{port}")
    watchers.append(watcher)
    watcher.wait_for("watching")
    scrape_until(port, "alertctl_q_value", 42)

    _flood(idle_connections, port, DESCRIPTORS + 50)
    scrape_until(port, "alertctl_q_value", 42)
    rig.set_value(97)  # the cycles still sample and judge: the alert opens
    watcher.wait_for(r" opened #1 q-high critical")
    scrape_until(port, "alertctl_q_value", 97)
    assert watcher.proc.poll() is None
    assert watcher.stop() == 0
    assert not [line for line in watcher.seen["stderr"] if "Too many open files" in line or "cycle failed" in line]


def test_an_idle_connection_is_closed_after_the_idle_time() -> None:
    server = MetricsServer(Address("127.0.0.1", 0), idle_seconds=0.2)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            assert connection.recv(1) == b""  # closed by the server, long before our 10 s
    finally:
        server.stop()


def test_a_request_gets_in_while_the_limit_is_taken_by_idle_connections(idle_connections: ExitStack) -> None:
    server = MetricsServer(Address("127.0.0.1", 0), limit=4, idle_seconds=30)
    server.publish("alertctl_up 1\n")
    server.start()
    try:
        _flood(idle_connections, server.port, 10)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as scrape:
            scrape.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
            answer = b"".join(iter(lambda: scrape.recv(4096), b""))
        assert answer.startswith(b"HTTP/1.0 200") and answer.endswith(b"alertctl_up 1\n")
    finally:
        server.stop()
