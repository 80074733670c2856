"""What was true when an alert opened, kept on the alert so `show` can tell the story later."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alertctl.model import Rule, Sample, Transition

_TOP_BY = {"cpu": "cpu", "load": "cpu", "memory": "memory", "swap": "memory"}

TopProcesses = Callable[[str], list[dict[str, object]]]


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
    if family in _TOP_BY and measured:
        context["top_processes"] = top_processes(_TOP_BY[family])
    if family == "disk" and measured:
        context["mount"] = {s.metric: s.value for s in samples if s.metric.startswith("disk.") and s.labels == transition.key.labels}
    if family in details:
        values = {s.metric: s.value for s in samples if s.metric.startswith(f"{family}.")}
        context["check"] = details[family] | values
    if rule.recommendations:
        context["recommendations"] = list(rule.recommendations)
    if rule.runbook:
        context["runbook"] = rule.runbook
    return context
