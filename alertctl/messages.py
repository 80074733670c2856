"""The sentence an alert carries: what, how bad, against which threshold, where."""

from __future__ import annotations

from alertctl.model import Labels, Op, Rule, Severity, Unit
from alertctl.units import human, percent_number, unit_of


def _number(value: float, metric: str) -> str:
    """Percentages stay bare ("97.2", as the contract's example reads); sizes and times get units."""
    unit = unit_of(metric)
    return percent_number(value) if unit is Unit.PERCENT else human(value, unit)


def subject(metric: str, labels: Labels) -> str:
    """`disk.percent /var`: the metric and its label values, as people say it."""
    return " ".join([metric, *(value for _, value in labels)])


def breach(rule: Rule, labels: Labels, value: float, severity: Severity, host: str) -> str:
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


def recovered(rule: Rule, labels: Labels, value: float, host: str) -> str:
    clears = f"clears when not {rule.op.words} {_number(rule.clear_threshold, rule.metric)}"
    return f"{subject(rule.metric, labels)} is back to {_number(value, rule.metric)} ({clears}) on {host}"


def level_crossing(rule: Rule, severity: Severity) -> str:
    """`above the warning level (80)`"""
    return f"{rule.op.words} the {severity.label} level ({_number(rule.level(severity).value, rule.metric)})"


def still_breached(rule: Rule, labels: Labels, value: float) -> str:
    clears = f"clears when not {rule.op.words} {_number(rule.clear_threshold, rule.metric)}"
    if rule.op in (Op.EQ, Op.NE):
        clears = "a level still holds"
    return f"{subject(rule.metric, labels)} was still {_number(value, rule.metric)} at the last check ({clears})"


def expired(metric: str, labels: Labels, host: str, rule_gone: bool) -> str:
    why = "its rule is no longer configured" if rule_gone else "the metric stopped reporting"
    return f"{subject(metric, labels)}: alert expired, {why}, on {host}"


def no_data(metric: str, labels: Labels, reason: str, host: str) -> str:
    return f"no data for {subject(metric, labels)}: {reason} on {host}"


def data_back(metric: str, labels: Labels, value: float, host: str) -> str:
    return f"{subject(metric, labels)} is reporting again ({_number(value, metric)}) on {host}"
