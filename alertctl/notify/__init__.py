"""Telling people: the seam the loop hands recorded transitions to.

The loop only knows this interface. Inside the cycle's transaction `queue.py`
turns transitions into outbox rows (`policy.py` decides, `alertctl/notice_text.py` writes);
after the commit a `Notifier` from `worker.py` delivers them (`deliver.py`:
retries, digests, caps; `send.py`: the only importer of apprise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from alertctl.model import Transition


class Notifier(Protocol):
    def notify(self, transitions: Sequence[Transition], now: float) -> None:
        """Called once per cycle, after the transitions are safely recorded."""
