"""Saying a lasting problem once, not every cycle: the `logging.Filter` on the package's loggers.

A full disk, a broken collector or a channel that stays down fails every cycle the same
way; its warning is one line, not one a second. A record opts in with a key in `extra`:

- `once`: let through the first time the key is seen, never again (a collector that
  raised: "(reported once)");
- `on_change`: let through when its message differs from the last one let through under
  the key (a delivery pass that fails now one way, now another).

`settle(key)` forgets a key: the problem ended, and its next occurrence is news again.
Records without a key always pass. Keys begin with their owner's `reported.scope()`.

`reported.logger` attaches `REPEATS` to every logger it hands out, so the rule holds
wherever the records go: the CLI's stderr, pytest's `caplog`, a library user's handlers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable


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
