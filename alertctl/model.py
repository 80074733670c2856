"""The nouns every part of alertctl shares: plain frozen data, no behaviour that does I/O.

This module imports nothing else of the package, so the engine, the store, the
collectors and the CLI can all depend on it without depending on each other.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

Labels = tuple[tuple[str, str], ...]
"""A metric's label set, sorted by key: hashable, so it can key a series."""


def make_labels(mapping: Mapping[str, str] | None = None) -> Labels:
    return tuple(sorted((mapping or {}).items()))


NEVER = 100 * 365 * 86400.0
"""A forecast's seconds left for a series not heading for its value: a century, not infinity,
so it stays a number in JSON and in the database (`forecast.py` computes it, `messages` says it)."""


class Severity(enum.IntEnum):
    """Ordered so that `max()` picks the worse one; stored and shown by `label`, never by number."""

    INFO = 0
    WARNING = 1
    ERROR = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


_SEVERITY_LABELS = {severity: severity.name.lower() for severity in Severity}
"""Looked up, not lowered at each call: alert rows, notices and the engine ask often."""


class Status(enum.StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    SUPPRESSED = "suppressed"
    RESOLVED = "resolved"


class Resolution(enum.StrEnum):
    RECOVERED = "recovered"
    MANUAL = "manual"
    EXPIRED = "expired"


class Op(enum.StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="

    def holds(self, value: float, threshold: float) -> bool:
        return _OPERATORS[self](value, threshold)

    @property
    def rises(self) -> bool:
        """True when a bigger value is a worse one (so the peak is a maximum)."""
        return self not in (Op.LT, Op.LE)

    @property
    def words(self) -> str:
        return _WORDS[self]


_OPERATORS: dict[Op, Callable[[float, float], bool]] = {
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
}
_WORDS = {
    Op.GT: "above",
    Op.GE: "at or above",
    Op.LT: "below",
    Op.LE: "at or below",
    Op.EQ: "equal to",
    Op.NE: "not equal to",
}


class Unit(enum.StrEnum):
    """Units as Nagios perfdata spells them; NONE is a plain count or ratio."""

    PERCENT = "%"
    SECONDS = "s"
    BYTES = "B"
    NONE = ""


@dataclass(frozen=True)
class Trend:
    """Where a forecast rule's derived sample came from: its rule, and the fitted rate per hour."""

    rule: str
    per_hour: float


@dataclass(frozen=True)
class Sample:
    """One value of one metric (and label set) from one collection."""

    metric: str
    value: float
    labels: Labels = ()
    trend: Trend | None = None
    """Set on a forecast rule's derived sample (seconds left, not the metric's value): only that rule judges it."""


@dataclass(frozen=True)
class Unavailable:
    """A metric a collector could not read this time, and why (`queue: not found: redis-cli`).

    Reported rather than left out, so that a rule on it is `nodata`, never silently ok.
    Labels left out cover every label set (a whole family failed); a `mount` names one.
    """

    metric: str
    reason: str
    labels: Labels = ()

    def covers(self, metric: str, match: Labels) -> bool:
        """Whether this explains the absence of `metric` samples carrying `match`."""
        mine = dict(self.labels)
        return metric == self.metric and all(mine.get(key, value) == value for key, value in match)


@dataclass(frozen=True)
class Warming:
    """A forecast rule's series whose history does not yet cover half its window (a fresh
    install, a restart after a long stop): not blind, since its metric reports, but with no
    trend to judge yet. Neither breached nor cleared, never `nodata`, never an alert."""

    rule: str
    labels: Labels
    reason: str


@dataclass(frozen=True)
class Level:
    """A threshold, optionally with its own wait (`{ value = 1, for = "15m" }`)."""

    value: float
    for_seconds: float | None = None
    """Overrides the rule's `for` for this level only."""


@dataclass(frozen=True)
class Forecast:
    """`forecast = { reaches, window, confirm, from }` on a rule: judge the time left, not the value."""

    reaches: float
    window: float
    confirm: float | None = None
    past: float | None = None
    """`from`: the value must already be past this (on its way to `reaches`)."""


@dataclass(frozen=True)
class Rule:
    """A validated `[[rules]]` entry: what the engine judges samples against."""

    name: str
    metric: str
    op: Op = Op.GT
    warning: Level | None = None
    critical: Level | None = None
    for_seconds: float = 0.0
    consecutive: int = 1
    clear: float | None = None
    match: Labels = ()
    """Metric labels a sample must carry to be judged by this rule (e.g. a pinned mount)."""
    channels: tuple[str, ...] = ()
    labels: Labels = ()
    description: str = ""
    runbook: str = ""
    recommendations: tuple[str, ...] = ()
    nodata: Severity | None = Severity.WARNING
    """The level of the alert that opens after `nodata_after` without a sample; None: ignore no data."""
    nodata_after: float = 300.0
    forecast: Forecast | None = None
    """Set: the levels and `clear` are seconds left until the metric reaches `forecast.reaches`
    (op is then "<"), judged on a sample the loop derives from the history."""
    info: Level | None = None
    error: Level | None = None
    """The milder and the third of the four levels; last, so rules written as (name, metric, op,
    warning, critical) keep their meaning."""

    def levels(self) -> tuple[tuple[Severity, Level], ...]:
        """Configured levels, mildest first.

        Worked out once per rule and kept beside its fields (not one of them: equality, hashing
        and `replace` ignore it): the engine asks for every sample, a backtest for every step."""
        found: tuple[tuple[Severity, Level], ...] | None = self.__dict__.get("_levels")
        if found is None:
            pairs = (
                (Severity.INFO, self.info),
                (Severity.WARNING, self.warning),
                (Severity.ERROR, self.error),
                (Severity.CRITICAL, self.critical),
            )
            found = tuple((severity, level) for severity, level in pairs if level is not None)
            object.__setattr__(self, "_levels", found)
        return found

    def level(self, severity: Severity) -> Level:
        found: Level | None = getattr(self, severity.label)
        if found is None:
            raise KeyError(f"rule {self.name} has no {severity.label} level")
        return found

    @property
    def clear_threshold(self) -> float:
        return self.clear if self.clear is not None else self.levels()[0][1].value

    def for_level(self, level: Level) -> float:
        return self.for_seconds if level.for_seconds is None else level.for_seconds

    def selects(self, sample: Sample) -> bool:
        """A forecast rule judges only its own derived samples, any other rule only measured ones."""
        own = (
            sample.trend is None
            if self.forecast is None
            else sample.trend is not None and sample.trend.rule == self.name
        )
        return own and sample.metric == self.metric and set(self.match) <= set(sample.labels)


@dataclass(frozen=True)
class SeriesKey:
    """One rule judging one label set: the identity of an incident."""

    rule: str
    labels: Labels = ()
    nodata: bool = False
    """The rule's no-data incident, apart from its breaches (both may be open for a while)."""


@dataclass(frozen=True)
class LevelTrack:
    """One level's current run of breaching samples: since when, and how many."""

    since: float | None = None
    count: int = 0


@dataclass(frozen=True)
class Track:
    """How long, and for how many samples, each level of one series has been breached."""

    key: SeriesKey
    warning: LevelTrack = LevelTrack()
    critical: LevelTrack = LevelTrack()
    last_at: float | None = None
    """When a sample last reached this series, so tracks of vanished series can be dropped."""
    info: LevelTrack = LevelTrack()
    error: LevelTrack = LevelTrack()

    def of(self, severity: Severity) -> LevelTrack:
        found: LevelTrack = getattr(self, severity.label)
        return found


@dataclass(frozen=True)
class Blind:
    """A rule that got no sample: since when (against `nodata_after`), last judged so when, and why."""

    since: float
    last_at: float
    reason: str = ""


@dataclass(frozen=True)
class OpenAlert:
    """The part of an open alert the engine needs to decide what happens next."""

    id: int
    key: SeriesKey
    metric: str
    severity: Severity
    peak: float | None
    """None for a no-data alert, which has no value."""
    last_seen_at: float


class Change(enum.StrEnum):
    """Every named thing that can happen to an incident in one evaluation."""

    OPENED = "opened"
    REOPENED = "reopened"
    RAISED = "raised"
    LOWERED = "lowered"
    ONGOING = "ongoing"
    RESOLVED = "resolved"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Transition:
    """A named change to one incident, carrying everything the store and notifier need."""

    change: Change
    key: SeriesKey
    metric: str
    severity: Severity
    at: float
    value: float | None = None
    peak: float | None = None
    threshold: float | None = None
    message: str = ""
    breaches: int = 0
    """Samples in breach that this evaluation adds to the alert's occurrences."""
    alert_id: int | None = None
    """The existing row this change applies to; None only for OPENED."""

    @property
    def notable(self) -> bool:
        """Whether a person should hear of it (ONGOING is bookkeeping only)."""
        return self.change is not Change.ONGOING


@dataclass(frozen=True)
class Alert:
    """One incident as stored: the row the CLI prints and the JSON carries."""

    id: int
    rule: str
    metric: str
    labels: dict[str, str]
    """The metric's labels and the rule's own, as the contract shows them."""
    series: dict[str, str]
    """The metric's labels alone: with the rule, what makes this incident unique."""
    host: str
    severity: Severity
    peak_severity: Severity
    status: Status
    resolution: Resolution | None
    value: float | None
    peak: float | None
    threshold: float | None
    message: str
    started_at: float
    last_seen_at: float
    acked_at: float | None = None
    resolved_at: float | None = None
    suppressed_until: float | None = None
    acked_by: str | None = None
    ack_note: str | None = None
    suppress_reason: str | None = None
    resolve_note: str | None = None
    occurrences: int = 0
    reopened: int = 0
    notifications: int = 0
    context: dict[str, object] = field(default_factory=dict)
    silence_id: int | None = None
    """The silence that muted it, while (or since) it was `suppressed` by one."""
    nodata: bool = False
    """Opened because the rule had no sample for `nodata_after`, not by a breach."""

    def effective(self, now: float) -> Alert:
        """As it stands at `now`: a suppression whose time has passed no longer holds,
        whether or not a cycle has lifted it yet."""
        if self.status is Status.SUPPRESSED and self.suppressed_until is not None and self.suppressed_until <= now:
            return replace(self, status=Status.ACKNOWLEDGED if self.acked_at else Status.FIRING)
        return self


class CheckType(enum.StrEnum):
    COMMAND = "command"
    HTTP = "http"
    TCP = "tcp"
    PROCESS = "process"


@dataclass(frozen=True)
class CommandCheck:
    """Runs `command` (argv, no shell); its first printed number is NAME.value."""

    name: str
    command: tuple[str, ...]
    timeout: float = 5.0
    type: CheckType = CheckType.COMMAND


@dataclass(frozen=True)
class HttpCheck:
    """Requests `url`; NAME.up says whether it answered as expected."""

    name: str
    url: str
    timeout: float = 5.0
    expect_status: int | None = None
    """None accepts any status below 400."""
    type: CheckType = CheckType.HTTP


@dataclass(frozen=True)
class TcpCheck:
    """Connects to `host:port`; NAME.up says whether it accepted."""

    name: str
    host: str
    port: int
    timeout: float = 5.0
    type: CheckType = CheckType.TCP


@dataclass(frozen=True)
class ProcessCheck:
    """Counts processes whose name or command line matches `pattern`."""

    name: str
    pattern: str
    timeout: float = 5.0
    type: CheckType = CheckType.PROCESS


Check = CommandCheck | HttpCheck | TcpCheck | ProcessCheck


@dataclass(frozen=True)
class NoticeLog:
    """What the outbox says about one alert: when it was last announced, where, and whether escalated."""

    last_notice_at: float | None = None
    escalated: bool = False
    channels: frozenset[str] = frozenset()
    last_severity: Mapping[str, Severity] = field(default_factory=dict)
    """Per channel, the severity its latest announcement carried: a reopen above it is news."""


class SilenceState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    LIFTED = "lifted"


@dataclass(frozen=True)
class Silence:
    """Mutes a rule's alerts whose labels include all of `labels`, from `starts_at` to `ends_at`.

    Its state is a pure function of time (and of `lifted_at`), never stored.
    """

    id: int
    rule: str
    labels: Labels
    starts_at: float
    ends_at: float
    reason: str
    created_by: str
    lifted_at: float | None = None

    def state(self, now: float) -> SilenceState:
        if self.lifted_at is not None and self.lifted_at <= now and self.lifted_at < self.ends_at:
            return SilenceState.LIFTED
        if now >= self.ends_at:
            return SilenceState.EXPIRED
        return SilenceState.PENDING if now < self.starts_at else SilenceState.ACTIVE

    def active(self, now: float) -> bool:
        return self.state(now) is SilenceState.ACTIVE

    def matches(self, rule: str, labels: Mapping[str, str]) -> bool:
        return rule == self.rule and all(labels.get(k) == v for k, v in self.labels)
