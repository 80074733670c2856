"""The validated config as the rest of alertctl sees it: frozen dataclasses, no pydantic.

Keeping pydantic out of this shape lets a cached config load without importing
it, which is most of `alertctl check`'s cold start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from alertctl.model import Check, Rule, Severity


@dataclass(frozen=True)
class Agent:
    """`[agent]`: sampling, identity, storage and retention."""

    interval: float = 10.0
    host: str | None = None
    database: str | None = None
    retention: float = 90 * 86400.0
    expire_after: float = 600.0

    @property
    def hostname(self) -> str:
        return self.host or os.uname().nodename


@dataclass(frozen=True)
class History:
    """`[history]`: whether samples are kept, and how long each tier is."""

    enabled: bool = True
    keep_raw: float = 32 * 86400.0
    keep_5m: float = 90 * 86400.0
    keep_1h: float = 2 * 365 * 86400.0


@dataclass(frozen=True)
class Channel:
    """One named destination: Apprise URLs (or a config file) and the mildest severity it hears."""

    name: str
    urls: tuple[str, ...]
    min_severity: Severity = Severity.WARNING
    config: str | None = None
    """An Apprise config file (YAML or text) with more URLs for this channel."""


@dataclass(frozen=True)
class AlertmanagerChannel:
    """One named set of Alertmanager instances, kept in sync with the open alerts routed to it."""

    name: str
    urls: tuple[str, ...]
    """Base URLs (`http://am1:9093`); every one is posted to, as Alertmanager's clients must."""
    min_severity: Severity = Severity.WARNING
    resend: float = 60.0
    """Open alerts are re-posted at least this often, or Alertmanager would let them time out."""


@dataclass(frozen=True)
class Notify:
    """`[notify]`: when notices go out and to whom."""

    resolved: bool = True
    renotify: float = 3600.0
    dedup_window: float = 300.0
    escalate_after: float = 900.0
    escalate_to: tuple[str, ...] = ()
    escalate_severity: Severity = Severity.CRITICAL
    """Alerts at this severity or worse escalate (`critical`, or `error`)."""
    channels: tuple[Channel, ...] = ()
    """Apprise channels: they get notices."""
    alertmanagers: tuple[AlertmanagerChannel, ...] = ()
    """Alertmanager channels: they get the open alerts' state, not notices."""
    digest_after: int = 5
    """More notices than this due for one channel at once go out as one digest."""
    max_per_minute: int = 20
    """Sends per channel per minute; beyond it notices wait and are folded into a digest."""
    max_silence: float = 7 * 86400.0
    ack_survives_rise: bool = False
    """By default a rise to critical needs a fresh acknowledgement (and is announced)."""
    """The longest `suppress --for` accepted, for one alert or a silence."""
    title_template: str | None = None
    body_template: str | None = None

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)


@dataclass(frozen=True)
class Config:
    """Everything a run needs; picklable, so the validated form can be cached."""

    agent: Agent = field(default_factory=Agent)
    notify: Notify = field(default_factory=Notify)
    history: History = field(default_factory=History)
    checks: tuple[Check, ...] = ()
    rules: tuple[Rule, ...] = ()
    source: str = "built-in defaults"
    """The file it came from, for messages."""
