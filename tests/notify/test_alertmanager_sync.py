"""The sync on a real database, against instances on 127.0.0.1 that answer, refuse or hang."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from alertctl.config.runtime import AlertmanagerChannel, Notify
from alertctl.notify.alertmanager import AlertmanagerSync, Instance
from alertctl.store import state
from tests.conftest import warned
from tests.notify.harness import Harness
from tests.notify.receivers import http_receiver

T0 = 1_800_000_000.0


class Hanging:
    """Two listeners that accept connections and never answer; they count how many of those
    connections were open at once (the client closes its end when it gives up)."""

    def __init__(self) -> None:
        self.listeners = [socket.socket() for _ in range(2)]
        self.lock = threading.Lock()
        self.open = self.most_at_once = self.accepted = 0
        for listener in self.listeners:
            listener.bind(("127.0.0.1", 0))
            listener.listen(8)
            threading.Thread(target=self._serve, args=(listener,), daemon=True).start()
        self.urls = [f"http://127.0.0.1:{listener.getsockname()[1]}" for listener in self.listeners]

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.open += 1
                self.most_at_once = max(self.most_at_once, self.open)
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        with connection:
            while connection.recv(65536):
                pass
        with self.lock:
            self.open -= 1


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    listeners = Hanging()
    yield listeners
    for listener in listeners.listeners:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        listener.close()


def opened(tmp_path: Path, *urls: str) -> Harness:
    rig = Harness(tmp_path, Notify(alertmanagers=(AlertmanagerChannel("am", urls, resend=60.0),)))
    rig.step(T0, 90)
    return rig


def instance(rig: Harness, url: str) -> Instance:
    return Instance.from_json(state.get_value(rig.conn, f"alertmanager:am:{url}"))


def test_an_instance_that_hangs_costs_one_timeout_and_holds_up_no_other(
    tmp_path: Path, hanging: Hanging, caplog: pytest.LogCaptureFixture
) -> None:
    with http_receiver() as receiver:
        good = f"http://127.0.0.1:{receiver.port}"
        rig = opened(tmp_path, hanging.urls[0], good, hanging.urls[1])
        sync = AlertmanagerSync(rig.conn, lambda: rig.runner.config, timeout=1.0)

        sync.sync(T0)
        assert hanging.most_at_once == 2  # side by side: one after the other, the first is closed before the second
        assert instance(rig, good).synced_at == T0
        [alerts] = receiver.payloads
        assert [a["labels"]["alertname"] for a in alerts] == ["q-high"]  # type: ignore[index]
        assert [(instance(rig, url).failures, instance(rig, url).retry_at) for url in hanging.urls] == [(1, T0 + 5)] * 2
        warnings = warned(caplog)
        assert [w.partition(": ")[0] for w in warnings] == [f"alertmanager am at {url}" for url in hanging.urls]
        assert all(w.endswith("(will retry; open alerts and resolves are kept until it answers)") for w in warnings)

        sync.sync(T0 + 1)  # nothing changed, resend not due, the hanging ones wait for their retry
        assert hanging.accepted == 2 and len(receiver.payloads) == 1


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


@pytest.mark.parametrize(
    ("interval", "ends_at"),
    [
        (None, "2027-01-15T08:04:00.000Z"),  # the config's 10 s: four resends (1 min) ahead
        (300.0, "2027-01-15T08:20:00.000Z"),  # `watch --interval 5m`: four of its cycles ahead
    ],
)
def test_ends_at_outlasts_the_interval_the_sync_actually_runs_at(
    tmp_path: Path, interval: float | None, ends_at: str
) -> None:
    with http_receiver() as receiver:
        rig = opened(tmp_path, f"http://127.0.0.1:{receiver.port}")
        sync = AlertmanagerSync(
            rig.conn, lambda: rig.runner.config, interval=None if interval is None else lambda: interval
        )
        sync.sync(T0)
    [[alert]] = receiver.payloads
    assert alert["endsAt"] == ends_at  # type: ignore[index]
