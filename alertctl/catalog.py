"""Every metric alertctl can report, declared as data.

Config validation, `alertctl metrics`, perfdata units and the manual all read
this one table, so a metric is added in exactly one place. It sits beside the
model and imports only the model, so the pure engine (through `units`) can read
it without importing anything that collects.
"""

from __future__ import annotations

from dataclasses import dataclass

from alertctl.model import CheckType, Unit


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: Unit
    description: str
    labels: tuple[str, ...] = ()
    maximum: float | None = None
    """Upper bound for perfdata (100 for percentages), None when open-ended."""


def _percent(name: str, description: str, labels: tuple[str, ...] = ()) -> MetricSpec:
    return MetricSpec(name, Unit.PERCENT, description, labels, maximum=100.0)


SYSTEM_METRICS: tuple[MetricSpec, ...] = (
    _percent("cpu.percent", "CPU busy, all cores"),
    _percent("cpu.iowait", "CPU time waiting for I/O"),
    _percent("memory.percent", "memory in use"),
    MetricSpec("memory.available", Unit.BYTES, "memory available without swapping"),
    _percent("swap.percent", "swap in use"),
    MetricSpec("load.1", Unit.NONE, "1-minute load average"),
    MetricSpec("load.5", Unit.NONE, "5-minute load average"),
    MetricSpec("load.15", Unit.NONE, "15-minute load average"),
    MetricSpec("load.per_cpu", Unit.NONE, "1-minute load divided by CPU count"),
    _percent("disk.percent", "disk space used", ("mount",)),
    MetricSpec("disk.free", Unit.BYTES, "disk space free", ("mount",)),
    MetricSpec("disk.used", Unit.BYTES, "disk space used", ("mount",)),
    MetricSpec("disk.total", Unit.BYTES, "file system size", ("mount",)),
    _percent("disk.inodes_percent", "inodes used", ("mount",)),
    MetricSpec("processes.total", Unit.NONE, "processes running"),
    MetricSpec("processes.zombie", Unit.NONE, "zombie processes"),
    MetricSpec("alertctl.cpu_percent", Unit.PERCENT, "alertctl's own CPU use since the last cycle"),
    MetricSpec("alertctl.rss", Unit.BYTES, "alertctl's own resident memory"),
    MetricSpec("alertctl.cycle_seconds", Unit.SECONDS, "how long alertctl's last cycle took"),
)

CHECK_METRICS: dict[CheckType, tuple[tuple[str, Unit, str], ...]] = {
    CheckType.COMMAND: (
        ("value", Unit.NONE, "first number the command printed"),
        ("exit_code", Unit.NONE, "the command's exit status"),
        ("duration", Unit.SECONDS, "how long the command ran"),
    ),
    CheckType.HTTP: (
        ("up", Unit.NONE, "1 when the endpoint answered as expected, else 0"),
        ("status", Unit.NONE, "HTTP status code"),
        ("response_time", Unit.SECONDS, "time to the response"),
    ),
    CheckType.TCP: (
        ("up", Unit.NONE, "1 when the port accepted a connection, else 0"),
        ("connect_time", Unit.SECONDS, "time to connect"),
    ),
    CheckType.PROCESS: (
        ("count", Unit.NONE, "matching processes"),
        ("cpu_percent", Unit.PERCENT, "CPU used by matching processes"),
        ("rss", Unit.BYTES, "resident memory of matching processes"),
    ),
}

_SYSTEM_BY_NAME = {spec.name: spec for spec in SYSTEM_METRICS}


def check_metrics(name: str, check_type: CheckType) -> tuple[MetricSpec, ...]:
    return tuple(
        MetricSpec(f"{name}.{suffix}", unit, description) for suffix, unit, description in CHECK_METRICS[check_type]
    )


def find(metric: str, checks: dict[str, CheckType]) -> MetricSpec | None:
    """The spec of a metric name, looking through built-ins and the configured checks."""
    if metric in _SYSTEM_BY_NAME:
        return _SYSTEM_BY_NAME[metric]
    family, _, _ = metric.partition(".")
    if family in checks:
        return next((s for s in check_metrics(family, checks[family]) if s.name == metric), None)
    return None
