"""Every notice carries a stable id (body and header), so a receiver can drop a repeat."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alertctl.cli.alerts_cmd import notices_dict
from alertctl.config.runtime import Notify
from alertctl.notify.ids import HEADER
from alertctl.notify.send import with_notice_id
from alertctl.store.db import transaction
from alertctl.store.timeshift import shift_open_record
from tests.conftest import run_cli
from tests.notify.harness import Harness, channel, q_rules
from tests.notify.receivers import HttpReceiver, http_receiver
from tests.notify.test_notify_process import _config

_ID = re.compile(r"\nNotice id: ([0-9a-f]{16})$")


def _ids(receiver: HttpReceiver) -> list[str]:
    """The id at the end of each body, checked against the header that came with it."""
    found = []
    for payload, headers in zip(receiver.payloads, receiver.headers, strict=True):
        match = _ID.search(str(payload["message"]))
        assert match is not None, payload["message"]
        assert headers[HEADER] == match.group(1)
        found.append(match.group(1))
    return found


def test_a_retried_notice_keeps_its_id_and_another_notice_gets_another(tmp_path: Path) -> None:
    with http_receiver([500]) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        h.step(1010.0, 10)
        assert receiver.types() == ["warning", "warning", "success"]
        first, retried, resolved = _ids(receiver)
        assert first == retried != resolved
        assert [n["notice_id"] for n in notices_dict(h.conn, 1)["notices"]] == [first, resolved]  # show --json


def test_the_id_survives_a_step_of_the_wall_clock(tmp_path: Path) -> None:
    """A step moves the outbox row's times (timeshift): the id is not made of them."""
    with http_receiver([500]) as receiver:
        h = Harness(tmp_path, Notify(channels=(channel("ops", receiver.url()),)))
        h.step(1000.0, 90)
        with transaction(h.conn):
            shift_open_record(h.conn, 3600.0)
        h.deliver(4700.0)
        assert receiver.types() == ["warning", "warning"]
        first, retried = _ids(receiver)
        assert first == retried


_SEND_THEN_DIE = """
import os, signal, sys
from alertctl.cli.common import open_session
from alertctl.loop import Runner
from alertctl.notify.deliver import Deliverer
from alertctl.notify.send import send
from pathlib import Path

def send_then_die(*args, **kwargs):
    send(*args, **kwargs)                 # the receiver has it ...
    os.kill(os.getpid(), signal.SIGKILL)  # ... and the outbox never hears

session = open_session(Path(sys.argv[1]), Path(sys.argv[2]))
runner = Runner(session.config, session.conn)
cycle = runner.run_once()
Deliverer(session.conn, lambda: session.config, lambda: "web-01", sender=send_then_die).deliver_due(cycle.at)
"""


def test_a_notice_repeated_after_a_kill_between_send_and_record_has_the_same_id(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        config, db = _config(tmp_path, receiver.url())
        died = subprocess.run(
            [sys.executable, "-c", _SEND_THEN_DIE, str(config), str(db)],
            capture_output=True,
            text=True,
            timeout=30,
            env=os.environ,
        )
        assert died.returncode == -9, died.stderr
        assert run_cli("check", "-c", str(config), "--db", str(db)).returncode == 1
        assert receiver.types() == ["warning", "warning"]  # at least once: the repeat ...
        assert len(set(_ids(receiver))) == 1  # ... is recognisable


def test_a_digest_names_its_own_id_and_the_notices_it_covers(tmp_path: Path) -> None:
    with http_receiver() as receiver:
        h = Harness(tmp_path, Notify(digest_after=2, channels=(channel("ops", receiver.url()),)), q_rules(3), checks=3)
        for name in h.files:
            h.set(99, name)
        h.step(1000.0)
        (digest,) = receiver.payloads
        body = str(digest["message"])
        covered = re.search(r"\nCovers notice ids: (.*)$", body)
        assert covered is not None and len(set(covered.group(1).split())) == 3
        assert receiver.headers[0][HEADER] in body.splitlines()[-2]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("json://h/hook", f"json://h/hook?+{HEADER}=abc"),
        ("forms://h/hook?cto=1", f"forms://h/hook?cto=1&+{HEADER}=abc"),
        ("XML://h", f"XML://h?+{HEADER}=abc"),
        ("mailto://u:p@h", "mailto://u:p@h"),
        (f"json://h?+{HEADER}=mine", f"json://h?+{HEADER}=mine"),
    ],
)
def test_the_header_goes_where_apprise_takes_custom_headers(url: str, expected: str) -> None:
    assert with_notice_id(url, "abc") == expected
