"""Saying a lasting problem once, not every cycle: a `logging.Filter` on the package's loggers.

A full disk, a broken collector or a channel that stays down fails every cycle the same
way; its warning is one line, not one a second. A record opts in with a key in `extra`:

- `once`: let through the first time the key is seen, never again (a collector that
  raised: "(reported once)");
- `on_change`: let through when its message differs from the last one let through under
  the key (a delivery pass that fails now one way, now another).

`settle(key)` forgets a key: the problem ended, and its next occurrence is news again.
Records without a key always pass. Keys are scoped by their owner (`scope()`), so a
second `Collector` or `Runner` in the same process (a reload, a test) says its own.

Each module that needs it attaches `REPEATS` to its own logger (`quiet_repeats`), so the
rule holds wherever its records go: the CLI's stderr, pytest's `caplog`, an embedding
application's handlers.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Hashable

_SCOPES = itertools.count(1)


def scope() -> int:
    """A key prefix no other owner in this process shares."""
    return next(_SCOPES)


class Repeats(logging.Filter):
    """Drops a record that says again what its `once` or `on_change` key already said."""

    def __init__(self) -> None:
        super().__init__()
        self._said: dict[Hashable, str] = {}
        self._lock = threading.Lock()
        """Records come from the cycle's thread and from `watch`'s delivery thread alike."""

    def filter(self, record: logging.LogRecord) -> bool:
        once: Hashable | None = getattr(record, "once", None)
        on_change: Hashable | None = getattr(record, "on_change", None)
        if once is None and on_change is None:
            return True
        with self._lock:
            if once is not None:
                if once in self._said:
                    return False
                self._said[once] = ""
                return True
            message = record.getMessage()
            if self._said.get(on_change) == message:
                return False
            self._said[on_change] = message
            return True

    def settle(self, key: Hashable) -> None:
        """The problem under `key` is over: say it again if it comes back."""
        with self._lock:
            self._said.pop(key, None)


REPEATS = Repeats()


def quiet_repeats(name: str) -> logging.Logger:
    """The logger `name`, with `REPEATS` attached (once: attaching a filter twice is a no-op)."""
    logger = logging.getLogger(name)
    logger.addFilter(REPEATS)
    return logger
