"""`check`'s verdict as a Nagios plugin says it: exit status, status line, perfdata.

Follows the plugin guidelines: `'label'=value[UOM];warn;crit;min;max`, plain
decimals, ranges as Nagios reads them (`80` alerts above 80, `20:` below 20).
A forecast rule's item is its time left in whole seconds, labelled with the rule and
mount (`'disk-filling /'=32400s;86400:;;0`): less is worse, so its ranges end in `:`.
A label is quoted unless it is plain (`q.value`), a `'` in it doubled; `=`, `|`
and control characters, which no quoting makes safe, become `_`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence

from alertctl.catalog import SYSTEM_METRICS
from alertctl.messages import subject
from alertctl.model import Alert, Level, Op, Rule, Sample, Severity, Unit, Warming
from alertctl.units import unit_of

_MAXIMUM = {spec.name: spec.maximum for spec in SYSTEM_METRICS if spec.maximum is not None}
_UNSAFE = re.compile(r"[=|\x00-\x1f\x7f]")
"""`=` ends a label, `|` starts perfdata in the status line, a line break ends the output."""
_CONTROL = re.compile(r"[|\x00-\x1f\x7f]")
"""In text before the perfdata: `|` would start it, a line break would end the output."""
_PLAIN = re.compile(r"[A-Za-z0-9_.:/@%+,-]+")


class ServiceState(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


_STATES = {
    Severity.INFO: ServiceState.OK,
    Severity.WARNING: ServiceState.WARNING,
    Severity.ERROR: ServiceState.CRITICAL,
    Severity.CRITICAL: ServiceState.CRITICAL,
}
"""Nagios has no level for info (OK, still named in the line) and one for error and critical."""


def state_of(open_alerts: Sequence[Alert], blind: Mapping[str, str] | None = None) -> ServiceState:
    """Worst severity among open alerts, acknowledged and suppressed ones included; with no
    warning or worse, UNKNOWN while any rule (`blind`: rule name to reason, ignored rules
    left out) has no data."""
    worst = max((_STATES[alert.severity] for alert in open_alerts), default=ServiceState.OK)
    return ServiceState.UNKNOWN if worst is ServiceState.OK and blind else worst


def status_line(
    state: ServiceState,
    open_alerts: Sequence[Alert],
    samples: Sequence[Sample],
    rules: Sequence[Rule],
    blind: Mapping[str, str] | None = None,
    warming: Sequence[Warming] = (),
) -> str:
    """The firing rules first; the rules without data after them (or alone: `UNKNOWN - no data: …`);
    last, forecast rules still warming up, which change nothing in the state."""
    parts = []
    if open_alerts:
        ordered = sorted(open_alerts, key=lambda a: (-a.severity, a.rule))
        parts.append(", ".join(_alert_name(alert) for alert in ordered))
    if blind:
        unseen = "no data: " + ", ".join(f"{rule} ({_one_line(why)})" for rule, why in sorted(blind.items()))
        parts.insert(0 if state is ServiceState.UNKNOWN else len(parts), unseen)
    if not parts:
        parts.append(f"{len(rules)} rules, no open alerts")
    if warming:
        parts.append("warming up: " + ", ".join(sorted({_UNSAFE.sub("_", subject(w.rule, w.labels)) for w in warming})))
    summary = "; ".join(parts)
    perf = " ".join(perfdata(sample, rules) for sample in samples)
    return f"ALERTCTL {state.name} - {summary}" + (f" | {perf}" if perf else "")


def _one_line(text: str) -> str:
    """A reason is the operator's text: keep it from ending the line or starting perfdata."""
    return _CONTROL.sub("_", text)


def _alert_name(alert: Alert) -> str:
    values = [_UNSAFE.sub("_", v) for k, v in sorted(alert.labels.items()) if k == "mount"]
    name = f"{alert.rule} ({', '.join(values)})" if values else alert.rule
    if alert.nodata:
        name += " [no data]"
    if alert.severity is Severity.INFO:
        name += " [info]"
    return name if alert.status.value == "firing" else f"{name} [{alert.status.value}]"


def perfdata(sample: Sample, rules: Sequence[Rule]) -> str:
    rule = next((r for r in rules if r.selects(sample)), None)
    if sample.trend is not None and rule is not None:
        return _time_left(sample, rule)
    unit = unit_of(sample.metric)
    fields = [
        f"{decimal(sample.value, unit)}{unit.value}",
        _range(rule, _threshold(rule, ServiceState.WARNING)) if rule else "",
        _range(rule, _threshold(rule, ServiceState.CRITICAL)) if rule else "",
        "0" if unit in (Unit.PERCENT, Unit.BYTES, Unit.SECONDS) else "",
        decimal(_MAXIMUM[sample.metric], unit) if _MAXIMUM.get(sample.metric) else "",
    ]
    while fields and fields[-1] == "":
        fields.pop()
    return f"{_label(subject(sample.metric, sample.labels))}={';'.join(fields)}"


def _threshold(rule: Rule, state: ServiceState) -> Level | None:
    """Perfdata has warn and crit only: the mildest level that `check` reports as that state."""
    return next((level for severity, level in rule.levels() if _STATES[severity] is state), None)


def _time_left(sample: Sample, rule: Rule) -> str:
    """A forecast rule's derived sample: seconds left (a century when not heading there)."""
    fields = [
        f"{round(sample.value)}s",
        _range(rule, _threshold(rule, ServiceState.WARNING)),
        _range(rule, _threshold(rule, ServiceState.CRITICAL)),
        "0",
    ]
    return f"{_label(subject(rule.name, sample.labels))}={';'.join(fields)}"


def _label(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text)
    return cleaned if _PLAIN.fullmatch(cleaned) else "'" + cleaned.replace("'", "''") + "'"


def _range(rule: Rule, level: Level | None) -> str:
    if level is None or rule.op in (Op.EQ, Op.NE):
        return ""
    bound = decimal(level.value, Unit.NONE)
    return bound if rule.op.rises else f"{bound}:"


def decimal(value: float, unit: Unit) -> str:
    """Plain decimal notation, never an exponent: what every perfdata parser accepts."""
    if unit is Unit.BYTES or value == int(value):
        return str(round(value))
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"
