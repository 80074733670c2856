"""A notice's stable id: what lets a receiver drop a repeat.

Delivery is at least once: a process killed after a receiver accepted a notice
but before the outbox recorded it sends that notice again. Each outbox row is
written with a random id (`notice_id`), so every retry by every process carries
the same one, a step of the wall clock (which moves the row's times) leaves it
alone, and no other database or host ever sends it. It ends the body
(`Notice id: ...`) and, where the Apprise URL allows custom headers (json, xml,
form), is sent as the `X-Alertctl-Notice-Id` header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from alertctl.store.outbox import Pending

HEADER = "X-Alertctl-Notice-Id"


def of_batch(rows: Sequence[Pending]) -> str:
    """One notice: its own id; a digest: an id of the notices it covers (the same ones, the same id)."""
    if len(rows) == 1:
        return rows[0].notice_id
    joined = " ".join(sorted(row.notice_id for row in rows))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def stamped(body: str, rows: Sequence[Pending]) -> str:
    """The body with its id as the last line(s); a digest also lists the ids of the notices it covers."""
    lines = [body, "", f"Notice id: {of_batch(rows)}"]
    if len(rows) > 1:
        lines.append("Covers notice ids: " + " ".join(row.notice_id for row in rows))
    return "\n".join(lines)
