"""Saying what went wrong without printing: the package's way to `logging`, loaded on first use.

A module below the CLI that has something to say gets `reported.logger(__name__)`, which
is `logging.getLogger(__name__)` with the filter that says a lasting problem once
(`repeats.Repeats`) on it, and logs to it; it adds no handler and never prints.

`logging` costs a cron `alertctl check` about 2 ms of a start-up budgeted at three times
Python's own (bench/coldstart.py), and a quiet check has nothing to report: so it is
imported here, when the first record comes, not when a module is imported. For the same
reason the CLI's handlers are installed then: `routed(install)` holds them for the
command's duration, `install` runs before its first record (or at `engage()`), and what
`install` returns (their removal) runs when the command ends.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

Install = Callable[[], Callable[[], None]]
"""Adds a command's handlers; returns what removes them."""

_SCOPES = itertools.count(1)
_lock = threading.Lock()
"""Records come from the cycle's thread and from `watch`'s delivery thread alike."""
_pending: list[Install] = []
_undo: list[Callable[[], None]] = []


def scope() -> int:
    """A first part for `once`/`on_change` keys that no other owner in this process shares, so
    a reloaded collector or a second `Runner` (a test, typer's runner) says its own problems."""
    return next(_SCOPES)


def logger(name: str) -> logging.Logger:
    """`logging.getLogger(name)` with `Repeats` on it, after the command's handlers are in place."""
    import logging

    from alertctl.repeats import REPEATS

    engage()
    found = logging.getLogger(name)
    with _lock:  # twice on one logger, it would drop every keyed record: the second copy has seen the key
        found.addFilter(REPEATS)  # once: a filter already there is not added again
    return found


def settle(key: Hashable) -> None:
    """The problem said under `key` is over: say it again if it comes back. (Nothing said yet
    in this process, nothing to forget: `logging` stays unloaded.)"""
    import sys

    repeats = getattr(sys.modules.get("alertctl.repeats"), "REPEATS", None)  # None while another thread imports it
    if repeats is not None:
        repeats.settle(key)


def engage() -> None:
    """Install the command's handlers now, if `routed` holds some not yet installed."""
    with _lock:
        while _pending:
            _undo.append(_pending.pop()())


@contextmanager
def routed(install: Install) -> Iterator[None]:
    """While a command runs: `install` before its first record, and its removal at the end."""
    with _lock:
        _pending.append(install)
    try:
        yield
    finally:
        with _lock:
            if install in _pending:
                _pending.remove(install)
            while _undo:
                _undo.pop()()
