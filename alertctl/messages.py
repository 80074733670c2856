"""The sentence an alert carries: what, how bad, against which threshold, where."""

from __future__ import annotations

from alertctl.model import NEVER, Alert, Labels, Op, Rule, Sample, Severity, Unit, Warming
from alertctl.units import human, human_seconds, metric_value, percent_number, plain, unit_of


def _number(value: float, metric: str) -> str:
    """Percentages stay bare ("97.2", as the contract's example reads); sizes and times get units."""
    unit = unit_of(metric)
    return percent_number(value) if unit is Unit.PERCENT else human(value, unit)


def subject(metric: str, labels: Labels) -> str:
    """`disk.percent /var`: the metric and its label values, as people say it."""
    return " ".join([metric, *(value for _, value in labels)])


def breach(rule: Rule, sample: Sample, severity: Severity, host: str) -> str:
    if rule.forecast is not None:
        return _heading(rule, sample, host)
    labels, value = sample.labels, sample.value
    threshold = rule.level(severity).value
    detail = f"{severity.label} {rule.op.words} {_number(threshold, rule.metric)}"
    distance = _distance(rule.op, value, threshold)
    if distance:
        detail += f", {distance}"
    return f"{subject(rule.metric, labels)} is {_number(value, rule.metric)} ({detail}) on {host}"


def _distance(op: Op, value: float, threshold: float) -> str:
    if threshold == 0 or op in (Op.EQ, Op.NE):
        return ""
    share = abs(value - threshold) / abs(threshold) * 100
    return f"exceeded by {share:.1f}%" if op.rises else f"short by {share:.1f}%"


def _heading(rule: Rule, sample: Sample, host: str) -> str:
    """`disk.percent on / will reach 100 in 9h 10m (+1.2%/h over 6h) on web1`: when, and how fast."""
    assert rule.forecast is not None
    trend = (
        f" ({_rate(sample.trend.per_hour, rule.metric)} over {human_seconds(rule.forecast.window)})"
        if sample.trend
        else ""
    )
    return f"{_where(rule.metric, sample.labels)} {_time_left(rule, sample.value)}{trend} on {host}"


def _where(metric: str, labels: Labels) -> str:
    """`disk.percent on /`, as the forecast's sentence reads."""
    return " on ".join([metric, *(value for _, value in labels)][:2]) if labels else metric


def _rate(per_hour: float, metric: str) -> str:
    """`+1.2%/h`, `+2 GiB/h`: the fitted change per hour, signed."""
    sign = "+" if per_hour >= 0 else "-"
    unit = unit_of(metric)
    if unit is Unit.PERCENT:
        amount = f"{abs(per_hour):.1f}%" if abs(per_hour) >= 0.1 else f"{abs(per_hour):.2g}%"
    elif unit is Unit.NONE:
        amount = plain(abs(per_hour))
    else:
        amount = human(abs(per_hour), unit)
    return f"{sign}{amount}/h"


def time_left(seconds: float) -> str:
    """A forecast's value as people read it: `9h 10m`, or `never` for a series not heading there."""
    return "never" if seconds >= NEVER else human_seconds(seconds)


def alert_value(alert: Alert, value: float) -> str:
    """One of an alert's values in its unit: a forecast rule's alert (its context says so) holds time left."""
    return time_left(value) if "forecast" in alert.context else metric_value(alert.metric, value)


def _time_left(rule: Rule, seconds: float) -> str:
    """A forecast's value: the time left, that it is there already, or that it is not heading there."""
    assert rule.forecast is not None
    reaches = _number(rule.forecast.reaches, rule.metric)
    if seconds <= 0:
        return f"has reached {reaches}"
    return f"is not heading for {reaches}" if seconds >= NEVER else f"will reach {reaches} in {human_seconds(seconds)}"


def recovered(rule: Rule, labels: Labels, value: float, host: str) -> str:
    if rule.forecast is not None:
        clears = f"clears with more than {human_seconds(rule.clear_threshold)} left"
        return f"{subject(rule.metric, labels)} {_time_left(rule, value)} ({clears}) on {host}"
    clears = f"clears when not {rule.op.words} {_number(rule.clear_threshold, rule.metric)}"
    return f"{subject(rule.metric, labels)} is back to {_number(value, rule.metric)} ({clears}) on {host}"


def level_crossing(rule: Rule, severity: Severity) -> str:
    """`above the warning level (80)`"""
    if rule.forecast is not None:
        return f"within the {severity.label} level ({human_seconds(rule.level(severity).value)} left)"
    return f"{rule.op.words} the {severity.label} level ({_number(rule.level(severity).value, rule.metric)})"


def still_breached(rule: Rule, labels: Labels, value: float) -> str:
    if rule.forecast is not None:
        clears = f"clears with more than {human_seconds(rule.clear_threshold)} left"
        reaches = _number(rule.forecast.reaches, rule.metric)
        return f"{subject(rule.metric, labels)} had {time_left(value)} left to {reaches} at the last check ({clears})"
    clears = f"clears when not {rule.op.words} {_number(rule.clear_threshold, rule.metric)}"
    if rule.op in (Op.EQ, Op.NE):
        clears = "a level still holds"
    return f"{subject(rule.metric, labels)} was still {_number(value, rule.metric)} at the last check ({clears})"


def expired(metric: str, labels: Labels, host: str, rule_gone: bool) -> str:
    why = "its rule is no longer configured" if rule_gone else "the metric stopped reporting"
    return f"{subject(metric, labels)}: alert expired, {why}, on {host}"


def no_data(metric: str, labels: Labels, reason: str, host: str) -> str:
    return f"no data for {subject(metric, labels)}: {reason} on {host}"


def data_back(rule: Rule, sample: Sample, host: str) -> str:
    if rule.forecast is not None:
        return f"{subject(rule.metric, rule.match)} has a forecast again ({_time_left(rule, sample.value)}) on {host}"
    return f"{subject(rule.metric, rule.match)} is reporting again ({_number(sample.value, rule.metric)}) on {host}"


def warming_up(rule: Rule, early: Warming, host: str) -> str:
    """A forecast rule's metric reports again but its trend is not there yet."""
    return f"{subject(rule.metric, early.labels)} is reporting again (forecast warming up: {early.reason}) on {host}"
