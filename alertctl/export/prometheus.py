"""One cycle in Prometheus's text exposition format (version 0.0.4), by the book.

Every alertctl metric becomes a gauge family `alertctl_` + its name with each
character outside `[a-zA-Z0-9_]` turned into `_`, plus the unit as Prometheus
names suffix it (`_bytes`, `_seconds`, `_percent`) unless the name already ends
so: `cpu.percent` → `alertctl_cpu_percent`, `disk.free` → `alertctl_disk_free_bytes`,
`web.response_time` → `alertctl_web_response_time_seconds`. Each series carries
a `host` label and the metric's own (`mount`). No timestamps: node_exporter's
textfile collector refuses them, and the scrape time is what Prometheus wants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from alertctl import catalog
from alertctl.model import Alert, CheckType, Sample, Severity, Unit
from alertctl.units import unit_of

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_SUFFIX = {Unit.BYTES: "_bytes", Unit.SECONDS: "_seconds", Unit.PERCENT: "_percent", Unit.NONE: ""}
_UNIT_WORD = {Unit.BYTES: "bytes", Unit.SECONDS: "seconds", Unit.PERCENT: "percent", Unit.NONE: ""}


@dataclass(frozen=True)
class Snapshot:
    """What `watch` knows after a cycle: its samples and open alerts, or that the cycle failed."""

    host: str
    samples: Sequence[Sample] = ()
    open_alerts: Sequence[Alert] = ()
    checks: Mapping[str, CheckType] = field(default_factory=dict)
    """Configured checks by name, to describe their metrics in `# HELP`."""
    last_cycle_at: float | None = None
    """When the latest successful cycle started; None before the first one."""
    up: bool = True
    """False when the latest cycle failed: then only `alertctl_up` and the timestamp are exposed."""


@dataclass
class _Family:
    name: str
    help: str
    series: dict[tuple[tuple[str, str], ...], float] = field(default_factory=dict)

    def add(self, labels: tuple[tuple[str, str], ...], value: float) -> None:
        """The first value of a series wins: two metrics whose names map alike never make a duplicate."""
        self.series.setdefault(labels, value)


def family_name(metric: str) -> str:
    base = "alertctl_" + _INVALID.sub("_", metric)
    suffix = _SUFFIX[unit_of(metric)]
    return base if base.endswith(suffix) else base + suffix


def exposition(snapshot: Snapshot) -> str:
    families = _own_families(snapshot)
    if snapshot.up:
        for sample in snapshot.samples:
            name = family_name(sample.metric)
            family = families.setdefault(name, _Family(name, _help(sample.metric, snapshot.checks)))
            family.add((("host", snapshot.host), *((_label_name(k), v) for k, v in sample.labels)), sample.value)
    return "".join(_family_text(family) for family in families.values())


def _own_families(snapshot: Snapshot) -> dict[str, _Family]:
    host = (("host", snapshot.host),)
    up = _Family("alertctl_up", "1 when the latest alertctl cycle succeeded, 0 when it failed")
    up.add(host, 1 if snapshot.up else 0)
    families = {up.name: up}
    if snapshot.last_cycle_at is not None:
        stamp = _Family("alertctl_last_cycle_timestamp_seconds", "when the latest successful cycle started (Unix time)")
        stamp.add(host, snapshot.last_cycle_at)
        families[stamp.name] = stamp
    if snapshot.up:
        open_ = _Family("alertctl_alerts_open", "open alerts (firing, acknowledged or suppressed) by severity")
        for severity in Severity:
            count = sum(1 for alert in snapshot.open_alerts if alert.severity is severity)
            open_.add((*host, ("severity", severity.label)), count)
        families[open_.name] = open_
    return families


def _help(metric: str, checks: Mapping[str, CheckType]) -> str:
    spec = catalog.find(metric, dict(checks))
    described = spec.description if spec else "a check's value"
    unit = _UNIT_WORD[unit_of(metric)]
    return f"{described}{f', {unit}' if unit else ''} (alertctl metric {metric})"


def _label_name(key: str) -> str:
    name = _INVALID.sub("_", key)
    return f"_{name}" if name[:1].isdigit() else name


def _family_text(family: _Family) -> str:
    lines = [f"# HELP {family.name} {_escape_help(family.help)}", f"# TYPE {family.name} gauge"]
    for labels, value in family.series.items():
        pairs = ",".join(f'{key}="{_escape_value(text)}"' for key, text in labels)
        lines.append(f"{family.name}{{{pairs}}} {_number(value)}")
    return "\n".join(lines) + "\n"


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """Whole numbers without a fraction; others as Python's shortest round-trip repr (Go parses both)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
