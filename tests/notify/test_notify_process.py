"""Process-level guarantees: a crash loses nothing, a hanging receiver costs the loop nothing,
`check` stays bounded and lean, `--dry-run` sends nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from alertctl.config.runtime import Notify
from alertctl.loop import run_forever
from alertctl.notify.send import READ_TIMEOUT
from alertctl.notify.worker import BackgroundDelivery
from tests.conftest import run_cli
from tests.notify.harness import Harness, channel
from tests.notify.receivers import http_receiver

pytestmark = pytest.mark.slow  # channel faults: hanging receivers, killed processes


def _config(tmp_path: Path, url: str, extra: str = "") -> tuple[Path, Path]:
    value = tmp_path / "value"
    value.write_text("90\n")
    config = tmp_path / "c.toml"
    config.write_text(
        textwrap.dedent(f"""
        [notify.channels.ops]
        urls = ["{url}"]

        [[checks]]
        name = "q"
        type = "command"
        command = ["cat", "{value}"]

        [[rules]]
        name = "q-high"
        metric = "q.value"
        warning = 80
        critical = 95
        {extra}
    """)
    )
    return config, tmp_path / "a.db"


_RECORD_THEN_DIE = """
import os, signal, sys
from alertctl.cli.common import open_session
from alertctl.loop import Runner
from pathlib import Path
session = open_session(Path(sys.argv[1]), Path(sys.argv[2]))
Runner(session.config, session.conn).run_once()   # committed, never delivered
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_before_delivery_leaves_the_notice_for_the_next_run(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        config, db = _config(tmp_path, receiver.url())
        died = subprocess.run(
            [sys.executable, "-c", _RECORD_THEN_DIE, str(config), str(db)],
            capture_output=True,
            text=True,
            timeout=30,
            env=os.environ,
        )
        assert died.returncode == -9
        assert receiver.payloads == []
        result = run_cli("check", "-c", str(config), "--db", str(db))
        assert result.returncode == 1, result.stderr
        assert receiver.types() == ["warning"] and "q-high" in receiver.titles()[0]
        again = run_cli("check", "-c", str(config), "--db", str(db))
        assert again.returncode == 1 and len(receiver.payloads) == 1


def test_check_with_a_hanging_receiver_is_bounded_and_keeps_the_notice(tmp_path: Path) -> None:
    with http_receiver(hang=True) as receiver:
        config, db = _config(tmp_path, receiver.url(extra="?rto=1"))
        started = time.monotonic()
        result = run_cli("check", "-c", str(config), "--db", str(db))
        assert time.monotonic() - started < 6
        assert result.returncode == 1 and result.stdout.startswith("ALERTCTL WARNING")
        shown = run_cli("show", "1", "--json", "-c", str(config), "--db", str(db))
        assert '"ok": false' in shown.stdout and '"state": "pending"' in shown.stdout


def test_watch_keeps_its_interval_while_a_receiver_never_answers(tmp_path: Path) -> None:
    with http_receiver(hang=True) as receiver:
        h = Harness(tmp_path, Notify(renotify=0.3, channels=(channel("ops", receiver.url()),)))
        h.set(90)
        delivery = BackgroundDelivery(h.db, lambda: h.runner.config, lambda: "web-01").start()
        h.runner.notifiers = [delivery]
        starts: list[float] = []
        stop = threading.Event()
        try:
            run_forever(h.runner, lambda: 0.2, lambda cycle: starts.append(time.monotonic()), stop, cycles=12)
        finally:
            delivery.stop(0.1)
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        assert len(starts) == 12
        assert max(gaps) < READ_TIMEOUT, gaps  # no cycle waited out the receiver's read timeout


def test_dry_run_check_sends_nothing(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        config, db = _config(tmp_path, receiver.url())
        result = run_cli("check", "--dry-run", "-c", str(config), "--db", str(db))
        assert result.returncode == 1
        time.sleep(0.2)
        assert receiver.payloads == []


def test_a_quiet_check_does_not_import_apprise(tmp_path: Path) -> None:
    config, db = _config(tmp_path, "json://127.0.0.1:9/x")
    (tmp_path / "value").write_text("1\n")
    for _ in range(2):  # the second run is the cached-config steady state
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "alertctl", "check", "-c", str(config), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=30,
            env=os.environ,
        )
        assert done.returncode == 0, done.stderr
        assert "apprise" not in done.stderr


def test_watch_delivers_notices_of_its_last_cycle_before_exiting(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        config, db = _config(tmp_path, receiver.url())
        result = run_cli("watch", "--cycles", "1", "--interval", "0.1s", "-c", str(config), "--db", str(db))
        assert result.returncode == 0, result.stderr
        assert "opened #1 q-high warning" in result.stdout
        assert "notice to ops delivered: opened #1" in result.stdout
        assert receiver.types() == ["warning"] and "q-high" in receiver.titles()[0]
