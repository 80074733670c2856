"""The engine's half for rules that got no sample: a rule that cannot see is never silently green.

Pure, like the engine that calls it: the samples, what the collectors could not read
(`Unavailable`, with a reason), the rules' blind spells so far and `now` in; the new
spells and the no-data alerts' transitions out. A rule is `nodata` in any run with
no sample of its metric (and pinned labels); after `nodata_after` of that, one alert
opens for it at its `nodata` severity, and it resolves when samples return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from alertctl import messages
from alertctl.model import Blind, Change, OpenAlert, Rule, Sample, SeriesKey, Severity, Transition, Unavailable, Warming
from alertctl.waits import waited


@dataclass(frozen=True)
class Spells:
    blind: dict[str, Blind]
    """Per rule name, every rule without a sample in this run (ignored ones too: they are shown)."""
    transitions: list[Transition]
    watched: set[SeriesKey]
    """No-data alerts this run speaks for (kept open or resolved), so the engine does not expire them."""


def key_of(rule: Rule) -> SeriesKey:
    """A rule's no-data incident: one per rule, labelled with what the rule pins (a mount)."""
    return SeriesKey(rule.name, rule.match, nodata=True)


def reason_for(rule: Rule, unavailable: Iterable[Unavailable]) -> str:
    """The collector's word for why, or plainly that nothing came."""
    for gap in unavailable:
        if gap.covers(rule.metric, rule.match):
            return gap.reason
    return f"no sample of {messages.subject(rule.metric, rule.match)}"


def follow(
    rules: Sequence[Rule],
    samples: Sequence[Sample],
    unavailable: Sequence[Unavailable],
    blind: Mapping[str, Blind],
    open_alerts: Mapping[SeriesKey, OpenAlert],
    recent: Mapping[SeriesKey, OpenAlert],
    now: float,
    host: str,
    max_gap: float,
    warming: Sequence[Warming] = (),
) -> Spells:
    """A spell older runs saw continues unless nobody looked for `max_gap` (a paused cron):
    time nobody sampled is not time without data, just as it is not time in breach.

    A forecast rule `warming` up is not blind: its metric reports, the trend is still to come.
    """
    spells = Spells({}, [], set())
    for rule in rules:
        key = key_of(rule)
        alert = open_alerts.get(key)
        previous = blind.get(rule.name)
        if _judged_later(previous, alert, now):  # a slow run committing late: the newer verdict stands
            if previous is not None:
                spells.blind[rule.name] = previous
            if alert is not None:
                spells.watched.add(key)
            continue
        seen = next((s for s in samples if rule.selects(s)), None)
        if seen is not None:
            if alert is not None:
                spells.watched.add(key)
                spells.transitions.append(_resolved(rule, alert, messages.data_back(rule, seen, host), now))
            continue
        early = next((w for w in warming if w.rule == rule.name), None)
        if early is not None:
            if alert is not None:
                spells.watched.add(key)
                spells.transitions.append(_resolved(rule, alert, messages.warming_up(rule, early, host), now))
            continue
        since = previous.since if previous is not None and now - previous.last_at <= max_gap else now
        spell = Blind(since, now, reason_for(rule, unavailable))
        spells.blind[rule.name] = spell
        if rule.nodata is None:
            continue
        spells.watched.add(key)
        transition = _judge(rule, rule.nodata, spell, alert, recent.get(key), now, host)
        if transition is not None:
            spells.transitions.append(transition)
    return spells


def _judged_later(previous: Blind | None, alert: OpenAlert | None, now: float) -> bool:
    """Whether another run already judged this rule on a reading newer than `now`: samples are
    applied in the order they were taken, as `engine.superseded` does for breaches."""
    return (previous is not None and now < previous.last_at) or (alert is not None and now < alert.last_seen_at)


def _judge(
    rule: Rule,
    severity: Severity,
    spell: Blind,
    alert: OpenAlert | None,
    recovered: OpenAlert | None,
    now: float,
    host: str,
) -> Transition | None:
    message = messages.no_data(rule.metric, rule.match, spell.reason, host)
    if alert is not None:
        change = Change.ONGOING
        if severity != alert.severity:
            change = Change.RAISED if severity > alert.severity else Change.LOWERED
        return Transition(change, alert.key, rule.metric, severity, now, message=message, alert_id=alert.id)
    if not waited(spell.since, rule.nodata_after, now):
        return None
    change, alert_id = (Change.OPENED, None) if recovered is None else (Change.REOPENED, recovered.id)
    return Transition(change, key_of(rule), rule.metric, severity, now, message=message, alert_id=alert_id)


def _resolved(rule: Rule, alert: OpenAlert, message: str, now: float) -> Transition:
    """The no-data alert ends: samples are back (or the forecast is back to warming up: not blind)."""
    return Transition(Change.RESOLVED, alert.key, rule.metric, alert.severity, now, message=message, alert_id=alert.id)
