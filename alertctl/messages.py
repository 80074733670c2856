"""The sentence an alert carries: what, how bad, against which threshold, where."""

from __future__ import annotations

from alertctl.model import Labels, Op, Rule, Severity
from alertctl.units import human, unit_of


def subject(metric: str, labels: Labels) -> str:
    """`disk.percent /var`: the metric and its label values, as people say it."""
    return " ".join([metric, *(value for _, value in labels)])


def breach(rule: Rule, labels: Labels, value: float, severity: Severity, host: str) -> str:
    threshold = rule.level(severity).value
    unit = unit_of(rule.metric)
    detail = f"{severity.label} {rule.op.words} {human(threshold, unit)}"
    distance = _distance(rule.op, value, threshold)
    if distance:
        detail += f", {distance}"
    return f"{subject(rule.metric, labels)} is {human(value, unit)} ({detail}) on {host}"


def _distance(op: Op, value: float, threshold: float) -> str:
    if threshold == 0 or op in (Op.EQ, Op.NE):
        return ""
    share = abs(value - threshold) / abs(threshold) * 100
    return f"exceeded by {share:.1f}%" if op.rises else f"short by {share:.1f}%"


def recovered(rule: Rule, labels: Labels, value: float, host: str) -> str:
    unit = unit_of(rule.metric)
    clears = f"clears when not {rule.op.words} {human(rule.clear_threshold, unit)}"
    return f"{subject(rule.metric, labels)} is back to {human(value, unit)} ({clears}) on {host}"


def expired(metric: str, labels: Labels, host: str, rule_gone: bool) -> str:
    why = "its rule is no longer configured" if rule_gone else "the metric stopped reporting"
    return f"{subject(metric, labels)}: alert expired, {why}, on {host}"
