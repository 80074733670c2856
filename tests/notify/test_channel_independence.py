"""A hanging channel holds up its own notices only: the healthy one hears within the run or cycle.

Channels `a` and `b` accept and never answer; `c` answers at once. Three alerts open
together, so each channel owes three notices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from alertctl.notify.send import READ_TIMEOUT
from tests.conftest import run_cli
from tests.notify.receivers import HttpReceiver, http_receiver
from tests.reliability.watching import query, start_watch

pytestmark = pytest.mark.slow  # a channel that fails or hangs: the runs wait out its timeouts

ALERTS = 3
RUN_BOUND = 60
"""Only a guard against a run that never ends: the figures are in bench/, not asserted here."""


def _config(
    tmp_path: Path, receivers: dict[str, HttpReceiver], command: Callable[[int], list[str]] | None = None
) -> Path:
    text = '[notify]\nrenotify = "0"\ndedup_window = "0s"\nmax_per_minute = 1000\ndigest_after = 1000\n\n'
    for name, receiver in receivers.items():
        text += f'[notify.channels.{name}]\nurls = ["{receiver.url()}"]\n\n'
    for i in range(ALERTS):
        value = tmp_path / f"value{i}"
        value.write_text("90\n")
        argv = command(i) if command else ["cat", str(value)]
        text += (
            f'[[checks]]\nname = "q{i}"\ntype = "command"\ncommand = {json.dumps(argv)}\n\n'
            f'[[rules]]\nname = "q{i}-high"\nmetric = "q{i}.value"\nwarning = 80\n\n'
        )
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_the_healthy_channel_hears_every_notice_in_the_first_check_run(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with http_receiver(hang=True) as a, http_receiver(hang=True) as b, http_receiver() as c:
        config = _config(tmp_path, {"a": a, "b": b, "c": c})
        result = run_cli("check", "-c", str(config), "--db", str(db), timeout=RUN_BOUND)

    assert result.returncode == 1, result.stderr
    assert c.types() == ["warning"] * ALERTS
    assert query(db, "SELECT count(*) FROM deliveries WHERE channel = 'c' AND ok = 1") == [(ALERTS,)]
    failed = dict(query(db, "SELECT channel, count(*) FROM deliveries WHERE ok = 0 GROUP BY channel"))
    assert failed.keys() == {"a", "b"}  # they were tried, side by side with c
    assert query(db, "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL") == [(0,)]  # it settled what it took


def test_under_watch_the_healthy_channel_hears_within_one_cycle(tmp_path: Path) -> None:
    """Every cycle flips all three alerts (open, resolve, open, ...): each cycle owes every channel three notices."""
    interval, cycles = 1.0, 6
    db = tmp_path / "a.db"

    def flip(i: int) -> list[str]:
        ticks = tmp_path / f"ticks{i}"
        return ["sh", "-c", f"echo >> {ticks}; n=$(wc -l < {ticks}); echo $(( n % 2 ? 90 : 10 ))"]

    with http_receiver(hang=True) as a, http_receiver(hang=True) as b, http_receiver() as c:
        config = _config(tmp_path, {"a": a, "b": b, "c": c}, flip)
        watch = start_watch(config, db, "--interval", f"{interval}s", "--cycles", str(cycles))
        out, err = watch.communicate(timeout=RUN_BOUND)
    assert watch.returncode == 0, err

    queued = query(db, "SELECT count(*) FROM outbox WHERE channel = 'c'")[0][0]
    assert queued >= ALERTS * (cycles - 1)
    assert query(db, "SELECT count(*) FROM deliveries WHERE channel = 'c' AND ok = 1") == [(queued,)]
    waits = query(
        db,
        "SELECT d.at - o.created_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
        "WHERE d.channel = 'c' AND o.created_at > (SELECT min(created_at) FROM outbox)",
    )
    assert len(waits) >= ALERTS * (cycles - 2)  # past the first cycle (whose wait includes importing Apprise)
    assert max(wait for (wait,) in waits) < READ_TIMEOUT  # none waited out a hanging channel's read timeout
