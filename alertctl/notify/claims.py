"""Who holds a claim on a notice, and whether that process is still alive.

A claim hides a notice from other processes while one sends it. A process killed
mid-send (kill -9, OOM killer, power cut of a container) cannot release its
claims, so the next sender checks: a claim whose owner is gone is taken back at
once rather than after the lease, and the notice goes out without delay.
"""

from __future__ import annotations

import functools
import os
import sqlite3

import psutil

from alertctl.store import outbox
from alertctl.store.db import transaction


@functools.cache
def this_process() -> str:
    """`pid:start-time`: a pid alone could be reused by an unrelated process."""
    return _token(os.getpid())


def is_alive(owner: str) -> bool:
    pid_text, _, _ = owner.partition(":")
    try:
        return _token(int(pid_text)) == owner
    except (ValueError, psutil.Error):
        return False


def release_orphans(conn: sqlite3.Connection, now: float) -> None:
    """Take back the claims of dead processes; one indexed read when there are none."""
    dead = {owner for owner in outbox.claim_owners(conn) if not is_alive(owner)}
    if dead:
        with transaction(conn):
            outbox.release_claims(conn, dead, now)


def _token(pid: int) -> str:
    return f"{pid}:{psutil.Process(pid).create_time():.2f}"
