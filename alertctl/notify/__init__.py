"""Telling people: the seam the loop hands recorded transitions to.

Delivery through Apprise (outbox, retries, routing) plugs in here; the loop
only knows this interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from alertctl.model import Transition


class Notifier(Protocol):
    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        """Called once per cycle, after the transitions are safely recorded."""
