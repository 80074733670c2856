"""What was true when an alert opened, kept on the alert so `show` can tell the story later."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from alertctl.durations import format_duration
from alertctl.engine import breached
from alertctl.model import Change, Forecast, Rule, Sample, Transition

_TOP_BY = {"cpu": "cpu", "load": "cpu", "memory": "memory", "swap": "memory"}

TopProcesses = Callable[[str], list[dict[str, object]]]

GATHERED_AT = (Change.OPENED, Change.RAISED)
"""At open, and again when an alert peaks at a worse level."""


def breach_with_top(rules: Sequence[Rule], samples: Sequence[Sample]) -> bool:
    """Whether any cpu, load, memory or swap rule is in breach this cycle: only then can an alert
    that wants top processes open or rise, so only then is the cycle previewed at all."""
    return any(
        rule.metric.partition(".")[0] in _TOP_BY and breached(rule, sample.value) is not None
        for rule in rules
        for sample in samples
        if rule.selects(sample)
    )


def top_wanted(rules: Mapping[str, Rule], transitions: Sequence[Transition]) -> set[str]:
    """Which top-process lists ("cpu", "memory") the alerts of these transitions will hold.

    Context is gathered when an alert opens or rises, so a long incident or a breach
    still waiting on its `for` scans nothing, and the scan happens before the write
    lock is taken: the loop asks with a preview of the cycle's evaluation.
    """
    return {
        by
        for t in transitions
        if t.change in GATHERED_AT
        and not t.key.nodata
        and (by := _TOP_BY.get(rules[t.key.rule].metric.partition(".")[0])) is not None
    }


def gather(
    rule: Rule,
    transition: Transition,
    samples: Sequence[Sample],
    details: dict[str, dict[str, object]],
    top_processes: TopProcesses,
) -> dict[str, object]:
    context: dict[str, object] = {}
    if rule.description:
        context["description"] = rule.description
    family = rule.metric.partition(".")[0]
    measured = not transition.key.nodata  # a no-data alert has no reading for top processes to explain
    if family in _TOP_BY and measured and (top := top_processes(_TOP_BY[family])):
        context["top_processes"] = top
    if family == "disk" and measured:
        context["mount"] = {
            s.metric: s.value for s in samples if s.metric.startswith("disk.") and s.labels == transition.key.labels
        }
    if family in details:
        values = {s.metric: s.value for s in samples if s.metric.startswith(f"{family}.")}
        context["check"] = details[family] | values
    if rule.forecast is not None:
        context["forecast"] = forecast_context(rule.forecast)
    if rule.recommendations:
        context["recommendations"] = list(rule.recommendations)
    if rule.runbook:
        context["runbook"] = rule.runbook
    return context


def forecast_context(forecast: Forecast) -> dict[str, object]:
    """What the alert's value (seconds left) was fitted against: `show` reads its values as time left."""
    found: dict[str, object] = {"reaches": forecast.reaches, "window": format_duration(forecast.window)}
    if forecast.confirm is not None:
        found["confirm"] = format_duration(forecast.confirm)
    if forecast.past is not None:
        found["from"] = forecast.past
    return found
