"""What was true when an alert opened, kept on the alert so `show` can tell the story later."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from alertctl.engine import breached
from alertctl.model import OpenAlert, Rule, Sample, SeriesKey, Transition

_TOP_BY = {"cpu": "cpu", "load": "cpu", "memory": "memory", "swap": "memory"}

TopProcesses = Callable[[str], list[dict[str, object]]]


def top_wanted(rules: Sequence[Rule], samples: Sequence[Sample], open_alerts: Mapping[SeriesKey, OpenAlert]) -> set[str]:
    """Which top-process lists ("cpu", "memory") an alert may need this cycle.

    Only a breach that could open an alert or raise one (the only times context is
    gathered) asks for a scan, so a long incident does not scan every cycle, and
    the scan happens before the write lock is taken.
    """
    wanted = set()
    for rule in rules:
        by = _TOP_BY.get(rule.metric.partition(".")[0])
        if by is None or by in wanted:
            continue
        for sample in samples:
            severity = breached(rule, sample.value) if rule.selects(sample) else None
            alert = open_alerts.get(SeriesKey(rule.name, sample.labels))
            if severity is not None and (alert is None or alert.severity < severity):
                wanted.add(by)
                break
    return wanted


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
    if family in _TOP_BY and (top := top_processes(_TOP_BY[family])):
        context["top_processes"] = top
    if family == "disk":
        context["mount"] = {s.metric: s.value for s in samples if s.metric.startswith("disk.") and s.labels == transition.key.labels}
    if family in details:
        values = {s.metric: s.value for s in samples if s.metric.startswith(f"{family}.")}
        context["check"] = details[family] | values
    if rule.recommendations:
        context["recommendations"] = list(rule.recommendations)
    if rule.runbook:
        context["runbook"] = rule.runbook
    return context
