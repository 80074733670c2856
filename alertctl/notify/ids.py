"""A notice's stable id: what lets a receiver drop a repeat.

Delivery is at least once: a process killed after a receiver accepted a notice
but before the outbox recorded it sends that notice again. The id is derived
from the outbox row (its id, alert, channel, kind and the time it was queued),
so every retry by every process carries the same one, and two databases never
share one. It ends the body (`Notice id: ...`) and, where the Apprise URL allows
custom headers (json, xml, form), is sent as the `X-Alertctl-Notice-Id` header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from alertctl.store.outbox import Pending

HEADER = "X-Alertctl-Notice-Id"


def of_row(row: Pending) -> str:
    return _hash(f"{row.id}:{row.alert_id}:{row.channel}:{row.kind}:{row.created_at!r}")


def of_batch(rows: Sequence[Pending]) -> str:
    """One notice: its own id; a digest: an id of the notices it covers (the same ones, the same id)."""
    if len(rows) == 1:
        return of_row(rows[0])
    return _hash(" ".join(sorted(of_row(row) for row in rows)))


def stamped(body: str, rows: Sequence[Pending]) -> str:
    """The body with its id as the last line(s); a digest also lists the ids of the notices it covers."""
    lines = [body, "", f"Notice id: {of_batch(rows)}"]
    if len(rows) > 1:
        lines.append("Covers notice ids: " + " ".join(of_row(row) for row in rows))
    return "\n".join(lines)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
