"""The config as the rest of alertctl sees it, and the one declaration of every section key.

Each key of [agent], [history] and [notify] (channels too) is a `setting()` field here:
its type, default and one-line doc; validation, `config show`, the starter file and the
reference in docs/ derive from it (see alertctl/declaration.py). Frozen dataclasses, no pydantic: a
cached config loads without importing it, which is most of `alertctl check`'s cold start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from alertctl.declaration import Kind, setting
from alertctl.model import Check, Rule, Severity

DURATION, POSITIVE_DURATION, TEMPLATE = Kind.DURATION, Kind.POSITIVE_DURATION, Kind.TEMPLATE


@dataclass(frozen=True)
class Agent:
    """[agent]: sampling, identity, storage and retention."""

    interval: float = setting(
        10.0, "How often `watch` samples; `check` ignores it (cron sets the pace).", kind=POSITIVE_DURATION
    )
    host: str | None = setting(
        None, "The host name alerts and messages carry (default: this machine's hostname).", example="web-01"
    )
    database: str | None = setting(
        None,
        "The database file (default: `$XDG_STATE_HOME/alertctl/alertctl.db`); `--db` and `$ALERTCTL_DB` win over it.",
        example="/var/lib/alertctl/alertctl.db",
    )
    retention: float = setting(
        90 * 86400.0,
        "Resolved alerts older than this are deleted (one with a notice still being retried is kept until it is delivered or given up).",
        kind=POSITIVE_DURATION,
    )
    expire_after: float = setting(
        600.0,
        "An open alert whose metric sends nothing for this long is resolved as `expired`.",
        kind=POSITIVE_DURATION,
    )

    @property
    def hostname(self) -> str:
        return self.host or os.uname().nodename


@dataclass(frozen=True)
class History:
    """[history]: every sample `watch` and `check` take, kept in the same database."""

    enabled: bool = setting(True, "Keep samples at all; off, nothing is written and what was kept stays until pruned.")
    keep_raw: float = setting(
        32 * 86400.0,
        "Every sample, for this long (at least `1h`: raw samples are pruned an hour at a time).",
        kind=POSITIVE_DURATION,
    )
    keep_5m: float = setting(90 * 86400.0, "5-minute min/max/average/count, for this long.", kind=POSITIVE_DURATION)
    keep_1h: float = setting(2 * 365 * 86400.0, "Hourly min/max/average/count, for this long.", kind=POSITIVE_DURATION)


_MIN_SEVERITY = "The mildest severity this channel takes (info alerts reach only channels that ask for them)."
"""Both kinds of channel have this key (one table in the file): the same default and doc."""


@dataclass(frozen=True)
class Channel:
    """[notify.channels.NAME]: an Apprise channel; it gets notices."""

    name: str
    urls: tuple[str, ...] = setting(
        (),
        "Apprise URLs (at least one, or `config`); `${VARIABLE}` is read from the environment when sending.",
        example=["mailto://user:password@example.com", "slack://${SLACK_TOKEN}"],
    )
    min_severity: Severity = setting(Severity.WARNING, _MIN_SEVERITY)
    config: str | None = setting(
        None,
        "An Apprise config file (YAML or text) whose URLs this channel also sends to.",
        example="/etc/alertctl/apprise.yml",
    )


@dataclass(frozen=True)
class AlertmanagerChannel:
    """[notify.channels.NAME]: an Alertmanager channel; it keeps the open alerts in sync instead of sending notices."""

    name: str
    urls: tuple[str, ...] = setting(
        (),
        "Instead of `urls`/`config`: Alertmanager base URLs, every one posted to, as Alertmanager's clients must.",
        key="alertmanager",
        example=["http://am1:9093", "http://am2:9093"],
    )
    min_severity: Severity = setting(Severity.WARNING, _MIN_SEVERITY)
    resend: float = setting(
        60.0,
        "Alertmanager channels only: how often open alerts are posted again (or Alertmanager lets them time out).",
        kind=POSITIVE_DURATION,
    )


@dataclass(frozen=True)
class Notify:
    """[notify]: when notices go out and to whom."""

    resolved: bool = setting(True, "Send a recovery notice when an alert resolves.")
    renotify: float = setting(
        3600.0, 'Repeat for firing, unacknowledged alerts this often; `"0"` = never.', kind=DURATION
    )
    dedup_window: float = setting(
        300.0,
        'A recovered alert that fires again this soon is reopened (same id), not announced again unless at a severity above the one a channel was last told; `"0s"` turns this off.',
        kind=DURATION,
    )
    escalate_after: float = setting(
        900.0, "An alert at `escalate_severity` or worse, still unacknowledged after this ...", kind=DURATION
    )
    escalate_to: tuple[str, ...] = setting(
        (), "... is also sent to these channels (each a configured Apprise channel).", example=["pager"]
    )
    escalate_severity: Severity = setting(
        Severity.CRITICAL,
        "The mildest severity that escalates (`escalate_after`, `escalate_to`): `critical`, or `error` to escalate both.",
        choices=(Severity.ERROR, Severity.CRITICAL),
    )
    channels: tuple[Channel, ...] = ()
    """Apprise channels: they get notices."""
    alertmanagers: tuple[AlertmanagerChannel, ...] = ()
    """Alertmanager channels: they get the open alerts' state, not notices."""
    digest_after: int = setting(
        5, "More notices than this due for one channel at once go out as one digest.", at_least=1
    )
    max_per_minute: int = setting(
        20, "Notices per channel per minute; more wait and are folded into the next digest.", at_least=1
    )
    max_silence: float = setting(
        7 * 86400.0, "The longest `suppress --for` accepted, for one alert or a silence.", kind=POSITIVE_DURATION
    )
    ack_survives_rise: bool = setting(
        False,
        "Keep an acknowledgement when the alert rises to a worse level (by default the rise needs a new ack and is announced).",
    )
    title_template: str | None = setting(
        None,
        "A notice's title: a `str.format` string over the notice fields (default: built in).",
        kind=TEMPLATE,
        example="{tag} {rule} on {host}: {subject} is {value}",
    )
    body_template: str | None = setting(None, "A notice's body, likewise.", kind=TEMPLATE, example="{details}")

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
