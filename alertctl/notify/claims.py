"""Who holds a claim on a notice, and whether that process is still alive.

A claim hides a notice from other processes while one sends it. A process killed
mid-send (kill -9, OOM killer, power cut of a container) cannot release its
claims, so the next sender checks: a claim whose owner is gone is taken back at
once rather than after the lease, and the notice goes out without delay.

The owner is `pid:start-ticks:boot-id`, read from /proc: a pid alone could be
reused by an unrelated process, and a start time in wall-clock seconds (psutil's
`create_time`) moves with every step of the wall clock, so after `date -s` every
live owner would look dead and its notices would go out twice.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from pathlib import Path

from alertctl import clock
from alertctl.store import outbox
from alertctl.store.db import transaction

_START_TICKS = 19
"""Field 22 of /proc/PID/stat (`starttime`), counted from the first field after the command name."""


@functools.cache
def this_process() -> str:
    token = _token(os.getpid())
    if token is None:
        raise RuntimeError("cannot read /proc/self/stat")
    return token


def is_alive(owner: str) -> bool:
    """A pid that does not exist or cannot be read counts as dead."""
    pid_text, _, _ = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    return _token(pid) == owner


def release_orphans(conn: sqlite3.Connection, now: float) -> None:
    """Take back the claims of dead processes; one indexed read when there are none."""
    dead = {owner for owner in outbox.claim_owners(conn) if not is_alive(owner)}
    if dead:
        with transaction(conn):
            outbox.release_claims(conn, dead, now)


def _token(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 1 :].split()
    return f"{pid}:{fields[_START_TICKS]}:{clock.boot_id()}"
