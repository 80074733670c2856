"""The sync on a real database, against instances on 127.0.0.1 that answer, refuse or hang."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.config.runtime import AlertmanagerChannel, Notify
from alertctl.notify.alertmanager import AlertmanagerSync, Instance
from alertctl.store import state
from tests.notify.harness import Harness
from tests.notify.receivers import http_receiver

T0 = 1_800_000_000.0


@pytest.fixture
def hanging() -> Iterator[list[str]]:
    """Two listeners that accept connections (the kernel does) and never answer."""
    listeners = [socket.socket() for _ in range(2)]
    for listener in listeners:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
    yield [f"http://127.0.0.1:{listener.getsockname()[1]}" for listener in listeners]
    for listener in listeners:
        listener.close()


def opened(tmp_path: Path, *urls: str) -> Harness:
    rig = Harness(tmp_path, Notify(alertmanagers=(AlertmanagerChannel("am", urls, resend=60.0),)))
    rig.step(T0, 90)
    return rig


def instance(rig: Harness, url: str) -> Instance:
    return Instance.from_json(state.get_value(rig.conn, f"alertmanager:am:{url}"))


def test_an_instance_that_hangs_costs_one_timeout_and_holds_up_no_other(
    tmp_path: Path, hanging: list[str]
) -> None:
    with http_receiver() as receiver:
        good = f"http://127.0.0.1:{receiver.port}"
        rig = opened(tmp_path, hanging[0], good, hanging[1])
        warnings: list[str] = []
        sync = AlertmanagerSync(rig.conn, lambda: rig.runner.config, warn=warnings.append, timeout=1.0)

        started = time.monotonic()
        sync.sync(T0)
        assert time.monotonic() - started < 3.0  # one 1 s timeout for all three; generous margin
        assert instance(rig, good).synced_at == T0
        [alerts] = receiver.payloads
        assert [a["labels"]["alertname"] for a in alerts] == ["q-high"]  # type: ignore[index]
        assert [(instance(rig, url).failures, instance(rig, url).retry_at) for url in hanging] == [(1, T0 + 5)] * 2
        assert [w.partition(": ")[0] for w in warnings] == [f"alertmanager am at {url}" for url in hanging]
        assert all(w.endswith("(will retry; open alerts and resolves are kept until it answers)") for w in warnings)

        started = time.monotonic()
        sync.sync(T0 + 1)  # nothing changed, resend not due, the hanging ones wait for their retry
        assert time.monotonic() - started < 0.5 and len(receiver.payloads) == 1


def test_an_alert_that_rises_ends_its_warning_label_set(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        rig = opened(tmp_path, f"http://127.0.0.1:{receiver.port}")
        sync = AlertmanagerSync(rig.conn, lambda: rig.runner.config)
        sync.sync(T0)
        rig.step(T0 + 10, 99)
        sync.sync(T0 + 10)
        rig.step(T0 + 20, 0)
        sync.sync(T0 + 20)
    posted = [[(a["labels"]["severity"], a["endsAt"]) for a in batch] for batch in receiver.payloads]  # type: ignore[index]
    assert posted == [
        [("warning", "2027-01-15T08:04:00.000Z")],
        [("critical", "2027-01-15T08:04:10.000Z"), ("warning", "2027-01-15T08:00:10.000Z")],
        [("critical", "2027-01-15T08:00:20.000Z")],
    ]


@pytest.mark.parametrize(("interval", "ends_at"), [
    (None, "2027-01-15T08:04:00.000Z"),  # the config's 10 s: four resends (1 min) ahead
    (300.0, "2027-01-15T08:20:00.000Z"),  # `watch --interval 5m`: four of its cycles ahead
])
def test_ends_at_outlasts_the_interval_the_sync_actually_runs_at(
    tmp_path: Path, interval: float | None, ends_at: str
) -> None:
    with http_receiver() as receiver:
        rig = opened(tmp_path, f"http://127.0.0.1:{receiver.port}")
        sync = AlertmanagerSync(rig.conn, lambda: rig.runner.config,
                                interval=None if interval is None else lambda: interval)
        sync.sync(T0)
    [[alert]] = receiver.payloads
    assert alert["endsAt"] == ends_at  # type: ignore[index]
