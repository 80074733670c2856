"""The nouns every part of alertctl shares: plain frozen data, no behaviour that does I/O.

This module imports nothing else of the package but the way config keys are declared
(a rule's and a check's keys are declared here, on their fields), so the engine, the
store, the collectors and the CLI can all depend on it without depending on each other.
"""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, field, replace

from alertctl.declaration import REQUIRED, Kind, setting

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

    value: float = setting(REQUIRED, "The threshold.")
    for_seconds: float | None = setting(
        None, "Overrides the rule's `for` for this level only.", kind=Kind.DURATION, key="for"
    )


@dataclass(frozen=True)
class Forecast:
    """`forecast = { reaches, window, confirm, from }` on a rule: judge the time left, not the value."""

    reaches: float = setting(REQUIRED, "The value whose arrival is forecast (`100` for a full disk).")
    window: float = setting(REQUIRED, "How much of the history the trend is fitted over.", kind=Kind.POSITIVE_DURATION)
    confirm: float | None = setting(
        None,
        "A second, longer fit that must agree before a level fires (at least `window`).",
        kind=Kind.POSITIVE_DURATION,
    )
    past: float | None = setting(None, "The value must already be past this, on its way to `reaches`.", key="from")


_LEVEL_DOC = 'a number, or `{ value = N, for = "DUR" }` with a `for` of its own for this level'


@dataclass(frozen=True)
class Rule:
    """A validated `[[rules]]` entry: what the engine judges samples against."""

    name: str = setting(REQUIRED, "Unique; the identity of the rule (letters, digits, `-`, `_`).", kind=Kind.NAME)
    metric: str = setting(
        REQUIRED,
        "A metric name from the [table below](#metric-names) or from a check. An unknown name is an error.",
    )
    op: Op = setting(Op.GT, "`>` `>=` `<` `<=` `==` `!=`: the value is in breach when `value OP level`.")
    _: KW_ONLY  # the rest by name: a level passed by position would land on the wrong severity
    info: Level | None = setting(
        None,
        f"The mildest of the four [levels](alerts.md#severity-levels): {_LEVEL_DOC}. `check` stays OK for it.",
    )
    warning: Level | None = setting(None, f"The second level: {_LEVEL_DOC}. `check` says WARNING.")
    error: Level | None = setting(
        None, f"The third level: {_LEVEL_DOC}. `check` says CRITICAL for it, as for critical."
    )
    critical: Level | None = setting(
        None,
        f"The worst level: {_LEVEL_DOC}. A rule needs at least one level. For `>`/`>=` each level must be "
        "above the milder ones, for `<`/`<=` below them, for `==`/`!=` different from the others; "
        "neighbours may share a value when the worse one has the longer `for`.",
    )
    for_seconds: float = setting(
        0.0,
        "The breach must have lasted this long (since the first sample in breach) before the level fires. "
        "A level's own `for` replaces it for that level.",
        kind=Kind.DURATION,
        key="for",
    )
    consecutive: int = setting(1, "... and this many samples in a row must be in breach.", at_least=1)
    clear: float | None = setting(
        None,
        "Hysteresis: an open alert resolves only once the value is no longer beyond `clear`. For `>`/`>=` it "
        "must be at or below the mildest level, for `<`/`<=` at or above; not allowed with `==`/`!=`.",
        default_text="the mildest level",
    )
    mount: str | None = setting(
        None,
        "Only judge this mount point, an absolute path such as `/var` (`disk.*` metrics only). Without it, a disk "
        "rule makes one alert per mount.",
    )
    channels: tuple[str, ...] = setting(
        (),
        "Where its notices go; each must be a configured channel.",
        default_text="every channel whose `min_severity` admits the alert",
    )
    labels: Labels = setting(
        (), "Strings copied onto its alerts (`history --label team=web` filters on them).", kind=Kind.LABELS
    )
    description: str = setting("", "Kept in the alert's context.")
    runbook: str = setting("", "A link, kept in the alert's context.")
    recommendations: tuple[str, ...] = setting((), "What to do, kept in the alert's context and shown by `show`.")
    nodata: Severity | None = setting(
        Severity.WARNING,
        "When the metric gives no sample (a command that cannot run, a pinned mount that is not mounted, a "
        "failing collector), the rule is `nodata` and `check` says UNKNOWN; after `nodata_after` an alert at "
        'this severity opens for it; `"ignore"` turns both the alert and the UNKNOWN off. See '
        "[no data](alerts.md#no-data).",
        off="ignore",
    )
    nodata_after: float = setting(
        300.0,
        "How long a rule may have no sample before its no-data alert opens.",
        kind=Kind.POSITIVE_DURATION,
        default_text='`"5m"` (a forecast rule: its `window`)',
    )
    forecast: Forecast | None = setting(
        None,
        '`{ reaches = N, window = "DUR", confirm = "DUR", from = N }`: judge the time left until the metric '
        "reaches `reaches`, fitted over `window` of the [history](history.md#forecast-rules-warn-before-the-"
        "disk-fills) (`confirm` and `from` optional). The levels and `clear` are then durations of time left "
        '(`warning = "24h"`), `op` is left out (less time left is worse: each worse level shorter than the '
        "milder ones, `clear` at least the longest level), and the alert's `value`/`threshold` are seconds. "
        "Needs `[history] enabled`.",
    )

    @functools.cached_property
    def match(self) -> Labels:
        """Metric labels a sample must carry to be judged by this rule (the pinned mount)."""
        return make_labels({"mount": self.mount} if self.mount is not None else None)

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


_CHECK_NAME = (
    "Unique among the checks; letters, digits, `-`, `_`; not a built-in family such as `cpu` or `disk`. "
    "The check's metrics are `NAME.something`."
)
_CHECK_TYPE = "Which kind of check this table is."


@dataclass(frozen=True)
class CommandCheck:
    """Runs `command` (argv, no shell); its first printed number is NAME.value."""

    name: str = setting(REQUIRED, _CHECK_NAME, kind=Kind.NAME, example="queue")
    type: CheckType = setting(CheckType.COMMAND, _CHECK_TYPE, kind=Kind.TAG, kw_only=True)
    command: tuple[str, ...] = setting(
        REQUIRED,
        'An argv list (`["sh", "-c", "redis-cli llen jobs"]`), or a string split like a shell would split it. '
        "No shell is involved unless you run one.",
        kind=Kind.WORDS,
        example=["sh", "-c", "redis-cli llen jobs"],
    )
    timeout: float = setting(
        5.0,
        "The program and everything it started are killed after this. Whatever it left running in the "
        "background is killed when it exits, too.",
        kind=Kind.POSITIVE_DURATION,
    )


@dataclass(frozen=True)
class HttpCheck:
    """Requests `url`; NAME.up says whether it answered as expected."""

    name: str = setting(REQUIRED, _CHECK_NAME, kind=Kind.NAME, example="site")
    type: CheckType = setting(CheckType.HTTP, _CHECK_TYPE, kind=Kind.TAG, kw_only=True)
    url: str = setting(
        REQUIRED,
        "`http://` or `https://` URL. `user:password@` in it (percent-encode `@`, `:`, `/`, `?`, `#` in them) is "
        "sent as HTTP basic auth; the URL in alerts and notices is shown without it and with secret-looking "
        "query values hidden (`http://***@host/health?token=***`).",
        example="http://127.0.0.1/health",
    )
    timeout: float = setting(
        5.0,
        "For the whole request, headers included: a server dripping them is cut off.",
        kind=Kind.POSITIVE_DURATION,
    )
    expect_status: int | None = setting(
        None,
        "The one status that counts as up (100–599).",
        at_least=100,
        at_most=599,
        default_text="any status below 400",
    )


@dataclass(frozen=True)
class TcpCheck:
    """Connects to `host:port`; NAME.up says whether it accepted."""

    name: str = setting(REQUIRED, _CHECK_NAME, kind=Kind.NAME, example="db")
    type: CheckType = setting(CheckType.TCP, _CHECK_TYPE, kind=Kind.TAG, kw_only=True)
    host: str = setting(REQUIRED, "Name or address.", example="127.0.0.1")
    port: int = setting(REQUIRED, "1–65535.", at_least=1, at_most=65535, example=5432)
    timeout: float = setting(5.0, "For the connection to be accepted.", kind=Kind.POSITIVE_DURATION)


@dataclass(frozen=True)
class ProcessCheck:
    """Counts processes whose name or command line matches `pattern`."""

    name: str = setting(REQUIRED, _CHECK_NAME, kind=Kind.NAME, example="nginx")
    type: CheckType = setting(CheckType.PROCESS, _CHECK_TYPE, kind=Kind.TAG, kw_only=True)
    pattern: str = setting(
        REQUIRED,
        "A regular expression searched in each process's name and in its command line. The alertctl "
        "process itself is never counted.",
        example="nginx: master",
    )
    timeout: float = setting(
        5.0,
        "Like every check's, bounds how long a cycle waits for its checks (twice the slowest timeout); "
        "reading the process table seldom comes near it.",
        kind=Kind.POSITIVE_DURATION,
    )


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
