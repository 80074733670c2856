"""Numbers as people read them: 97.2%, 1.50 GiB, 3.14 ms, 1h 30m.

The one place values are rounded for people (`show`, notice bodies, messages, the
live view, tables), so a value reads the same wherever it appears; JSON keeps raw numbers.
"""

from __future__ import annotations

import math

from alertctl.catalog import CHECK_METRICS, SYSTEM_METRICS
from alertctl.model import Unit

SIGNIFICANT = 3
"""Digits kept of a fraction: 97.2, 5.25, 0.00314 (whole numbers and big ones keep theirs);
percentages have one decimal instead (0.5%, 97.2%), so a column of them lines up."""

_SYSTEM_UNITS = {spec.name: spec.unit for spec in SYSTEM_METRICS}
_CHECK_UNITS = {suffix: unit for specs in CHECK_METRICS.values() for suffix, unit, _ in specs}
_BYTE_SUFFIXES = ("KiB", "MiB", "GiB", "TiB", "PiB")


def unit_of(metric: str) -> Unit:
    if metric in _SYSTEM_UNITS:
        return _SYSTEM_UNITS[metric]
    return _CHECK_UNITS.get(metric.rpartition(".")[2], Unit.NONE)


def plain(value: float) -> str:
    """Three significant digits, never an exponent: 97.2, 95.0, 0.00314; whole numbers as they are."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    rounded = float(f"{value:.{SIGNIFICANT - 1}e}")  # 0.0999999 is 0.100, not 0.1000
    if rounded == int(rounded) and abs(rounded) >= 10 ** (SIGNIFICANT - 1):
        return str(round(value))
    magnitude = math.floor(math.log10(abs(rounded)))
    decimals = max(SIGNIFICANT - 1 - magnitude, 0)
    return f"{value:.{decimals}f}"


def human(value: float, unit: Unit) -> str:
    """`value` in `unit`, scaled to a readable size: 23.2 GiB, 3.14 ms, 97.2%."""
    if unit is Unit.BYTES:
        return _bytes(value)
    if unit is Unit.SECONDS:
        return _seconds(value)
    if unit is Unit.PERCENT:
        return f"{percent_number(value)}%"
    return plain(value)


def percent_number(value: float) -> str:
    """A percentage without its sign, to one decimal (97.2, 0.5), whole ones bare (95, 100)."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def metric_value(metric: str, value: float) -> str:
    """A value of `metric`, in the metric's unit."""
    return human(value, unit_of(metric))


def _bytes(value: float) -> str:
    if abs(value) < 1024:
        return f"{plain(round(value))} B"
    size = float(value)
    for suffix in _BYTE_SUFFIXES:
        size /= 1024
        if abs(size) < 1024 or suffix == _BYTE_SUFFIXES[-1]:
            break
    return f"{plain(size)} {suffix}"


def _seconds(value: float) -> str:
    if value != 0 and abs(value) < 0.001:
        return f"{plain(value * 1e6)} µs"
    if abs(value) < 1 and value != 0:
        return f"{plain(value * 1000)} ms"
    return f"{plain(value)} s"


def human_seconds(seconds: float | None) -> str:
    """A span at a glance, its two largest parts: 45s, 1m 30s, 2h 5m, 1d 1h."""
    if seconds is None:
        return "-"
    seconds = round(seconds)
    parts = [(seconds // 86400, "d"), (seconds % 86400 // 3600, "h"), (seconds % 3600 // 60, "m"), (seconds % 60, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n]
    return " ".join(shown[:2]) or "0s"
