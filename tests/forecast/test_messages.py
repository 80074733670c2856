"""A forecast alert's sentences: when, and how fast (the contract's example), in time left."""

from __future__ import annotations

from alertctl import messages
from alertctl.forecast import NEVER
from alertctl.model import Forecast, Level, Op, Rule, Sample, Severity, Trend

RULE = Rule(
    "disk-filling",
    "disk.percent",
    Op.LT,
    warning=Level(86400),
    clear=129600,
    forecast=Forecast(100, 6 * 3600, 86400, 60),
)
ROOT = (("mount", "/"),)


def test_the_breach_says_when_and_how_fast() -> None:
    sample = Sample("disk.percent", 9 * 3600 + 600, ROOT, Trend("disk-filling", 1.2))

    text = messages.breach(RULE, sample, Severity.WARNING, "web-01")

    assert text == "disk.percent on / will reach 100 in 9h 10m (+1.2%/h over 6h) on web-01"


def test_a_slow_fall_in_bytes_keeps_its_sign_and_unit() -> None:
    rule = Rule("free-falling", "disk.free", Op.LT, warning=Level(3600), forecast=Forecast(0, 3600))
    sample = Sample("disk.free", 1800, ROOT, Trend("free-falling", -2 * 1024**3))

    assert (
        messages.breach(rule, sample, Severity.WARNING, "h")
        == "disk.free on / will reach 0 B in 30m (-2 GiB/h over 1h) on h"
    )


def test_recovery_says_the_time_left_or_that_it_is_not_heading_there() -> None:
    assert messages.recovered(RULE, ROOT, NEVER, "web-01") == (
        "disk.percent / is not heading for 100 (clears with more than 1d 12h left) on web-01"
    )
    assert messages.recovered(RULE, ROOT, 2 * 86400, "h").startswith("disk.percent / will reach 100 in 2d (")


def test_resolving_by_hand_too_early_says_how_little_time_was_left() -> None:
    assert messages.still_breached(RULE, ROOT, 5 * 3600) == (
        "disk.percent / had 5h left to 100 at the last check (clears with more than 1d 12h left)"
    )
