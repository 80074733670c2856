"""Which silence mutes which alert, and which muted alerts go back to firing: pure.

Open alerts, the silences and `now` in; a `Plan` out (like Alertmanager's
`Silencer.Mutes`). The store reads the rows and writes the plan; nothing here reads
a clock or a database, so every case is a row in a table test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alertctl.durations import iso
from alertctl.model import Silence


@dataclass(frozen=True)
class Held:
    """An open alert as silencing sees it."""

    id: int
    rule: str
    labels: Mapping[str, str]
    muted_until: float | None
    """When its suppression ends; None while it fires (or is acknowledged)."""
    silence_id: int | None
    """The silence that muted it last, kept after it ends or is lifted by hand (`unsuppress ID`)."""

    def muted(self, now: float) -> bool:
        return self.muted_until is not None and self.muted_until > now


@dataclass(frozen=True)
class Lifted:
    """An alert a cycle puts back to firing (or acknowledged) because its suppression ended."""

    alert_id: int
    silence_id: int | None

    @property
    def why(self) -> str:
        return f"silence #{self.silence_id} ended" if self.silence_id else "suppression ended"


@dataclass(frozen=True)
class Mute:
    """An unmuted alert an active silence covers."""

    alert_id: int
    silence: Silence

    @property
    def why(self) -> str:
        return f"silence #{self.silence.id} until {iso(self.silence.ends_at)}: {self.silence.reason}"


@dataclass(frozen=True)
class Plan:
    lift: tuple[Lifted, ...]
    """Suppressions that have ended, lifted first (an alert may be muted again at once)."""
    mute: tuple[Mute, ...]

    @property
    def announce(self) -> list[Lifted]:
        """The alerts lifted and left unmuted: the cycle announces those a silence held back."""
        muted = {item.alert_id for item in self.mute}
        return [item for item in self.lift if item.alert_id not in muted]


def plan(alerts: Sequence[Held], silences: Sequence[Silence], now: float) -> Plan:
    """Lift what has ended, then mute each unmuted alert under the first active silence that covers it."""
    lift = tuple(Lifted(a.id, a.silence_id) for a in alerts if a.muted_until is not None and not a.muted(now))
    active = [s for s in silences if s.active(now)]
    mute = []
    for alert in alerts:
        silence = None if alert.muted(now) else mutes(active, alert)
        if silence is not None:
            mute.append(Mute(alert.id, silence))
    return Plan(lift, tuple(mute))


def mutes(active: Sequence[Silence], alert: Held) -> Silence | None:
    """The first active silence covering the alert, never again the one it was lifted from by hand."""
    return next((s for s in active if s.matches(alert.rule, alert.labels) and s.id != alert.silence_id), None)
