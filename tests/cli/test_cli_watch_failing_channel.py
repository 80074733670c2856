"""`watch`'s log names a failing channel once per failure streak, and again when it recovers."""

from __future__ import annotations

import pytest

from alertctl.store import outbox
from alertctl.store.db import open_database
from tests.cli.conftest import Rig
from tests.cli.test_cli_watch import Watcher, watchers  # noqa: F401  # the fixture
from tests.notify.receivers import http_receiver

pytestmark = pytest.mark.slow  # a channel that fails or hangs: the runs wait out its timeouts


def test_watch_logs_a_failing_channel_once_per_streak_and_when_it_recovers(
    rig: Rig,
    watchers: list[Watcher],  # noqa: F811
) -> None:
    with http_receiver([501, 501]) as receiver:  # two failed attempts, then it works
        url = f"json://user:hunter2secret@127.0.0.1:{receiver.port}/tok3nPathSecret"
        rig.configure(rig.q_rule() + rig.q_rule("q-other"), preamble=f'[notify.channels.ops]\nurls = ["{url}"]\n')
        rig.config.chmod(0o600)
        rig.set_value(90)
        watcher = Watcher(rig, "--interval", "0.2s")
        watchers.append(watcher)

        failing = watcher.wait_for(r"notice to ops failed", timeout=30)
        assert "(channel ops failing; further failures are not logged until it recovers)" in failing
        assert receiver.wait_for(2, timeout=30)  # both notices tried and failed ...
        assert [f.channel for f in outbox.failing_channels(open_database(rig.db))] == ["ops"]

        recovered = watcher.wait_for(r"channel ops recovered", timeout=30)  # the first retry, 5 s later
        assert "(failing since " in recovered
        watcher.wait_for(r"notice to ops delivered: opened #1", timeout=30)
        watcher.wait_for(r"notice to ops delivered: opened #2", timeout=30)
        assert watcher.stop() == 0

    log = watcher.seen["stdout"]
    assert [line for line in log if "notice to ops failed" in line] == [failing]  # ... one line said it
    assert outbox.failing_channels(open_database(rig.db)) == []
    assert not any(
        secret in line for line in log + watcher.seen["stderr"] for secret in ("hunter2secret", "tok3nPathSecret")
    )
