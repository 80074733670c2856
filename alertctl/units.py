"""Numbers as people read them: 97.2, 1.5 GiB, 250 ms."""

from __future__ import annotations

from alertctl.metrics.catalog import CHECK_METRICS, SYSTEM_METRICS
from alertctl.model import Unit

_SYSTEM_UNITS = {spec.name: spec.unit for spec in SYSTEM_METRICS}
_CHECK_UNITS = {suffix: unit for specs in CHECK_METRICS.values() for suffix, unit, _ in specs}


def unit_of(metric: str) -> Unit:
    if metric in _SYSTEM_UNITS:
        return _SYSTEM_UNITS[metric]
    return _CHECK_UNITS.get(metric.rpartition(".")[2], Unit.NONE)


def plain(value: float) -> str:
    """At most one decimal, none for whole numbers: 97.2, 3, 0.05."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.1f}"


def human(value: float, unit: Unit) -> str:
    if unit is Unit.BYTES:
        size = float(value)
        for suffix in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(size) < 1024 or suffix == "TiB":
                return f"{plain(size)} {suffix}" if suffix != "B" else f"{int(size)} B"
            size /= 1024
    if unit is Unit.SECONDS:
        return f"{plain(value * 1000)} ms" if abs(value) < 1 else f"{plain(value)} s"
    if unit is Unit.PERCENT:
        return f"{plain(value)}%"
    return plain(value)
