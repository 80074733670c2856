"""How values read everywhere (`show`, notices, messages, tables): one table of examples."""

from __future__ import annotations

import pytest

from alertctl.model import Unit
from alertctl.units import human, metric_value, plain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (750.0, "750"),
        (0.0, "0"),
        (97.23, "97.2"),
        (95.04, "95.0"),
        (5.25, "5.25"),
        (0.00314199600052234, "0.00314"),
        (0.0999999, "0.100"),
        (9.9999, "10.0"),
        (1234.5, "1234"),
        (12345.678, "12346"),
        (-3.5, "-3.50"),
        (float("inf"), "inf"),
    ],
)
def test_plain_keeps_three_significant_digits_and_never_an_exponent(value: float, expected: str) -> None:
    assert plain(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (97.23, Unit.PERCENT, "97.2%"),
        (0.5, Unit.PERCENT, "0.5%"),
        (100.0, Unit.PERCENT, "100%"),
        (512.0, Unit.BYTES, "512 B"),
        (1536.0, Unit.BYTES, "1.50 KiB"),
        (84086779904.0, Unit.BYTES, "78.3 GiB"),
        (0.00314199600052234, Unit.SECONDS, "3.14 ms"),
        (0.0000042, Unit.SECONDS, "4.20 µs"),
        (2.5, Unit.SECONDS, "2.50 s"),
        (0.0, Unit.SECONDS, "0 s"),
        (3.0, Unit.NONE, "3"),
    ],
)
def test_human_scales_to_the_unit(value: float, unit: Unit, expected: str) -> None:
    assert human(value, unit) == expected


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("queue.duration", "3.14 ms"),
        ("disk.free", "0 B"),
        ("cpu.percent", "0.0%"),
        ("queue.value", "0.00314"),
    ],
)
def test_a_metric_value_takes_the_metric_unit(metric: str, expected: str) -> None:
    assert metric_value(metric, 0.00314199600052234) == expected
