"""One rule of one config replayed over a timeline: the engine and notification policy `watch` runs.

Pure: `engine.evaluate` judges each step exactly as a `watch` cycle would, the alert
rows live in a `Ledger` instead of SQLite, and `notify.policy.decide` says which
notices would have gone out (counted, never sent). Acknowledgements, silences and
manual resolves are not in the history and are not replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from alertctl import engine
from alertctl.backtest.ledger import Ledger, Row
from alertctl.backtest.timeline import Hour, Step, Timeline
from alertctl.config.runtime import Notify
from alertctl.model import Blind, Change, NoticeLog, Rule, Sample, SeriesKey, Severity, Status, Track, Transition
from alertctl.notice_reasons import Kind
from alertctl.notify.policy import Decision, decide
from alertctl.trends import Derived

ANNOUNCING = (Kind.OPENED, Kind.RAISED, Kind.RENOTIFY, Kind.ESCALATED)
"""Notices that tell a channel of an alert (the outbox's `_ANNOUNCING`): what renotify counts from."""

Derive = Callable[[Step], Derived]
"""A forecast rule's samples at a step (seconds left), why there are none, or which are warming up."""

Calm = Callable[[Hour], bool]
"""Whether every step of an hour surely derives only samples that breach no level (no no-data,
no warming up): with nothing open, pending or blind, a forecast rule's replay may jump over it."""


@dataclass(frozen=True)
class Setting:
    """What of a config one rule's replay needs."""

    rule: Rule
    notify: Notify
    host: str
    expire_after: float


@dataclass
class Result:
    rule: str
    rows: list[Row]
    notices: int = 0
    changes: list[tuple[float, Change, SeriesKey, Severity]] = field(default_factory=list)
    """Every notable transition: what a skipping replay must reproduce exactly."""
    steps: int = 0
    hours_skipped: int = 0
    end: float = 0.0
    """The last step's time: alerts still open count their time in alert up to it."""


def replay(
    setting: Setting, timeline: Timeline, skip: bool = True, derive: Derive | None = None, calm: Calm | None = None
) -> Result:
    """Walk the timeline; with `skip`, while nothing is open, pending or blind, quiet hours (and, for
    a forecast rule, `calm` ones) are jumped over whole and steps that breach no level one by one."""
    rule, notify = setting.rule, setting.notify
    policy = engine.Judging(setting.host, setting.expire_after)
    ledger = Ledger()
    result = Result(rule.name, ledger.rows)
    state = _State()
    logs: dict[int, NoticeLog] = {}
    rules = [rule]
    for hour in timeline.hours:
        if skip and state.idle(rule, ledger) and (hour.quiet or (calm is not None and calm(hour))):
            result.hours_skipped += 1
            continue
        for step in hour.steps():
            if skip and derive is None and state.idle(rule, ledger) and _harmless(rule, step.samples):
                continue
            derived = derive(step) if derive is not None else Derived(step.samples)
            samples, unavailable = derived.samples, derived.unavailable
            quiet = not unavailable and not derived.warming
            if skip and derive is not None and quiet and state.idle(rule, ledger) and _harmless(rule, samples):
                continue
            outcome = engine.evaluate(
                rules,
                samples,
                state.tracks,
                ledger.open_alerts(),
                ledger.recent(step.at - notify.dedup_window),
                step.at,
                policy,
                unavailable,
                state.blind,
                derived.warming,
            )
            state = _State(outcome.tracks, outcome.blind)
            before = {row.id: Status.FIRING for row in ledger.open.values()} if notify.channels else {}
            recorded = ledger.record(outcome.transitions)
            notable = [t for t in recorded if t.notable and t.change is not Change.LOWERED]
            result.changes += [(t.at, t.change, t.key, t.severity) for t in recorded if t.notable]
            if notify.channels and (notable or ledger.open):
                result.notices += _tell(setting, ledger, notable, before, logs, step.at)
            result.steps += 1
            result.end = step.at
    return result


@dataclass
class _State:
    """The engine's state between steps, and whether a replay may pass over what comes next."""

    tracks: Mapping[SeriesKey, Track] = field(default_factory=dict)
    blind: Mapping[str, Blind] = field(default_factory=dict)
    pending: bool | None = None
    """Whether any series has a breach run going (`for` or `consecutive` not met yet); worked out
    when first asked, not after every step."""

    def idle(self, rule: Rule, ledger: Ledger) -> bool:
        """Nothing open, pending or without data: nothing a sample that breaches no level can change."""
        if ledger.open or self.blind:
            return False
        if self.pending is None:
            levels = [severity for severity, _ in rule.levels()]
            self.pending = any(track.of(s).since is not None for track in self.tracks.values() for s in levels)
        return not self.pending


def _harmless(rule: Rule, samples: Sequence[Sample]) -> bool:
    """Samples none of which breaches any level: with nothing open, pending or blind, the engine
    would only note that nothing happened (the hour-skip's argument, one step long)."""
    return bool(samples) and all(engine.breached(rule, sample.value) is None for sample in samples)


def _tell(
    setting: Setting,
    ledger: Ledger,
    notable: Sequence[Transition],
    before: Mapping[int, Status],
    logs: dict[int, NoticeLog],
    now: float,
) -> int:
    """The policy's decisions for this step; returns the notices (one per channel) that would go out."""
    open_now = [row.alert(setting.host) for row in ledger.open.values()]
    decisions = decide(notable, open_now, before, logs, setting.notify, {setting.rule.name: setting.rule}, now)
    severities = {alert.id: alert.severity for alert in open_now}
    sent = 0
    for decision in decisions:
        if decision.muted:
            continue
        sent += len(decision.channels)
        if decision.kind in ANNOUNCING:
            logs[decision.alert_id] = _told(logs.get(decision.alert_id), decision, severities, now)
    return sent


def _told(log: NoticeLog | None, decision: Decision, severities: Mapping[int, Severity], now: float) -> NoticeLog:
    """The outbox's view of an alert after this announcement (`outbox.notice_logs`)."""
    log = log or NoticeLog()
    severity = severities.get(decision.alert_id)
    told = dict(log.last_severity)
    if severity is not None:
        told.update(dict.fromkeys(decision.channels, severity))
    return NoticeLog(
        now, log.escalated or decision.kind is Kind.ESCALATED, log.channels | frozenset(decision.channels), told
    )
