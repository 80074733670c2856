"""The rule engine: samples, previous state and `now` in; new state and named transitions out.

Pure on purpose (no I/O, no clock, no SQL): `watch` and `check` feed it the
same way, so a `for = "2m"` means the same under cron as in a loop, and tests
replay a stream of samples through it without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from alertctl import messages, nodata
from alertctl.model import (
    Blind,
    Change,
    LevelTrack,
    Op,
    OpenAlert,
    Rule,
    Sample,
    SeriesKey,
    Severity,
    Track,
    Transition,
    Unavailable,
    Warming,
)
from alertctl.waits import waited


@dataclass(frozen=True)
class Judging:
    host: str
    expire_after: float = 600.0


@dataclass(frozen=True)
class Evaluation:
    tracks: dict[SeriesKey, Track]
    transitions: list[Transition]
    blind: dict[str, Blind] = field(default_factory=dict)
    """Rules without a sample in this run (state `nodata`), by name, with since when and why."""
    superseded: list[SeriesKey] = field(default_factory=list)
    """Series whose sample is older than the one they last judged: not applied (see `superseded`)."""


def evaluate(
    rules: Sequence[Rule],
    samples: Iterable[Sample],
    tracks: Mapping[SeriesKey, Track],
    open_alerts: Mapping[SeriesKey, OpenAlert],
    recent: Mapping[SeriesKey, OpenAlert],
    now: float,
    policy: Judging,
    unavailable: Sequence[Unavailable] = (),
    blind: Mapping[str, Blind] | None = None,
    warming: Sequence[Warming] = (),
) -> Evaluation:
    """`recent` maps series to alerts resolved within the dedup window (reopened, not re-announced);
    `unavailable` says why metrics are missing, `blind` is the previous outcome's; `warming` are
    forecast series with no trend yet: neither judged nor blind, and their open alerts held.

    `now` is when the samples were taken.
    """
    samples = list(samples)
    new_tracks: dict[SeriesKey, Track] = {}
    transitions: list[Transition] = []
    behind: list[SeriesKey] = []
    for rule in rules:
        for sample in samples:
            if not rule.selects(sample):
                continue
            key = SeriesKey(rule.name, sample.labels)
            previous = tracks.get(key) or Track(key)
            if superseded(previous, now):
                new_tracks[key] = previous
                behind.append(key)
                continue
            track = advance(rule, previous, sample.value, now, policy.expire_after)
            new_tracks[key] = track
            transition = judge(rule, sample, track, open_alerts.get(key), recent.get(key), now, policy.host)
            if transition is not None:
                transitions.append(transition)
    spells = nodata.follow(
        rules, samples, unavailable, blind or {}, open_alerts, recent, now, policy.host, policy.expire_after, warming
    )
    transitions += spells.transitions
    held = {SeriesKey(w.rule, w.labels) for w in warming}
    transitions += _expire(rules, new_tracks.keys() | spells.watched | held, open_alerts, now, policy)
    tracks_now = _carry_over(rules, tracks, new_tracks, open_alerts, now, policy)
    return Evaluation(tracks_now, transitions, spells.blind, behind)


def superseded(track: Track, taken_at: float) -> bool:
    """Whether a sample taken at `taken_at` is older than the last one this series judged.

    `watch` and cron `check`s share one file, and a slow check can commit a value after
    another process has judged a later one: applying it would undo what the later value
    decided (a recovery followed by a reopen nobody's values justified, then a second
    recovery). The series keeps what the newer sample made of it.
    """
    return track.last_at is not None and taken_at < track.last_at


_FIELDS = tuple(severity.label for severity in Severity)
"""`Track`'s field for each severity, by number: `Severity.label` is a property, and the engine
asks for every sample (a backtest for every step)."""

_NO_RUN = LevelTrack()


def advance(rule: Rule, track: Track, value: float, now: float, max_gap: float) -> Track:
    """Count this sample against each level: breach extends the run, anything else resets it.

    A series silent for longer than `max_gap` (a stopped `watch`, a paused cron) starts
    afresh: time nobody sampled is not time in breach. Levels the rule no longer has keep their runs.
    """
    stale = track.last_at is not None and now - track.last_at > max_gap
    runs = [getattr(track, name) for name in _FIELDS]
    for severity, level in rule.levels():
        if rule.op.holds(value, level.value):
            previous = _NO_RUN if stale else runs[severity]
            runs[severity] = LevelTrack(previous.since if previous.since is not None else now, previous.count + 1)
        else:
            runs[severity] = _NO_RUN
    info, warning, error, critical = runs
    return Track(track.key, warning=warning, critical=critical, last_at=now, info=info, error=error)


def qualified(rule: Rule, track: Track, now: float) -> Severity | None:
    """The worst level whose breach has held long enough (`for`) and often enough (`consecutive`)."""
    worst = None
    for severity, level in rule.levels():
        run = getattr(track, _FIELDS[severity])  # `track.of`, without the property
        if run.since is None or run.count < rule.consecutive:
            continue
        wait = rule.for_level(level)
        if waited(run.since, wait, now):
            worst = severity
    return worst


def breached(rule: Rule, value: float) -> Severity | None:
    worst = None
    for severity, level in rule.levels():
        if rule.op.holds(value, level.value):
            worst = severity
    return worst


def judge(
    rule: Rule,
    sample: Sample,
    track: Track,
    alert: OpenAlert | None,
    recovered: OpenAlert | None,
    now: float,
    host: str,
) -> Transition | None:
    value = sample.value
    if alert is None:
        severity = qualified(rule, track, now)
        if severity is None:
            return None
        runs = max(track.of(s).count for s, _ in rule.levels())
        if recovered is None:
            return _breach(Change.OPENED, rule, sample, severity, value, now, host, runs, None)
        peak = _worse(rule, recovered.peak, value)
        return _breach(Change.REOPENED, rule, sample, severity, peak, now, host, runs, recovered.id)
    current = _configured(rule, alert.severity)
    if cleared(rule, value):
        return Transition(
            Change.RESOLVED,
            alert.key,
            rule.metric,
            current,
            now,
            value,
            alert.peak,
            rule.level(current).value,
            messages.recovered(rule, sample.labels, value, host),
            alert_id=alert.id,
        )
    now_breached = breached(rule, value)
    severity, change = _next_severity(rule, current, qualified(rule, track, now), now_breached)
    if change is Change.ONGOING and severity != alert.severity:
        change = Change.RAISED if severity > alert.severity else Change.LOWERED
    peak = _worse(rule, alert.peak, value) if now_breached or alert.peak is None else alert.peak
    return _breach(change, rule, sample, severity, peak, now, host, int(now_breached is not None), alert.id)


def cleared(rule: Rule, value: float) -> bool:
    """Past `clear` (hysteresis); for == and != simply when no level holds any more.

    Also what `resolve` asks of an alert's last value: one that has not cleared opens again.
    """
    if rule.op in (Op.EQ, Op.NE):
        return breached(rule, value) is None
    return not rule.op.holds(value, rule.clear_threshold)


def _configured(rule: Rule, severity: Severity) -> Severity:
    """The alert's level, or the nearest one left after the rule was edited (a SIGHUP, a new file)."""
    levels = [s for s, _ in rule.levels()]
    return severity if severity in levels else min(levels, key=lambda s: abs(s - severity))


def _next_severity(
    rule: Rule, current: Severity, ready: Severity | None, now_breached: Severity | None
) -> tuple[Severity, Change]:
    if ready is not None and ready > current:
        return ready, Change.RAISED
    floor = now_breached if now_breached is not None else rule.levels()[0][0]
    if floor < current:
        return floor, Change.LOWERED
    return current, Change.ONGOING


def _breach(
    change: Change,
    rule: Rule,
    sample: Sample,
    severity: Severity,
    peak: float,
    now: float,
    host: str,
    runs: int,
    alert_id: int | None,
) -> Transition:
    return Transition(
        change,
        SeriesKey(rule.name, sample.labels),
        rule.metric,
        severity,
        now,
        value=sample.value,
        peak=peak,
        threshold=rule.level(severity).value,
        message=messages.breach(rule, sample, severity, host),
        breaches=runs,
        alert_id=alert_id,
    )


def _worse(rule: Rule, peak: float | None, value: float) -> float:
    if peak is None:
        return value
    return max(peak, value) if rule.op.rises else min(peak, value)


def _expire(
    rules: Sequence[Rule],
    seen: Iterable[SeriesKey],
    open_alerts: Mapping[SeriesKey, OpenAlert],
    now: float,
    policy: Judging,
) -> list[Transition]:
    """Close alerts whose rule is gone, or whose series has sent nothing for `expire_after`."""
    names = {rule.name for rule in rules}
    seen = set(seen)
    expired = []
    for key, alert in open_alerts.items():
        if key in seen:
            continue
        gone = key.rule not in names
        if gone or now - alert.last_seen_at >= policy.expire_after:
            expired.append(
                Transition(
                    Change.EXPIRED,
                    key,
                    alert.metric,
                    alert.severity,
                    now,
                    peak=alert.peak,
                    message=messages.expired(alert.metric, key.labels, policy.host, gone),
                    alert_id=alert.id,
                )
            )
    return expired


def _carry_over(
    rules: Sequence[Rule],
    old: Mapping[SeriesKey, Track],
    new: dict[SeriesKey, Track],
    open_alerts: Mapping[SeriesKey, OpenAlert],
    now: float,
    policy: Judging,
) -> dict[SeriesKey, Track]:
    """Unsampled series keep their runs (unavailable neither breaches nor clears) until they go stale."""
    names = {rule.name for rule in rules}
    for key, track in old.items():
        if key in new or key.rule not in names:
            continue
        stale = track.last_at is not None and now - track.last_at >= policy.expire_after
        if not stale or key in open_alerts:
            new[key] = track
    return new
