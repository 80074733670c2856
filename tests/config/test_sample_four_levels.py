"""`sample-configs/four-levels.toml`: the seed's three rules validate and fire at the levels the seed gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app
from alertctl.config import load_config
from alertctl.model import Rule, Sample, Severity
from tests.engine.replay import Replay

SAMPLE = Path(__file__).resolve().parents[2] / "sample-configs" / "four-levels.toml"


def _rule(name: str) -> Rule:
    return next(r for r in load_config(SAMPLE, use_cache=False).rules if r.name == name)


def _held(rule: Rule, value: float, seconds: float) -> Severity | None:
    """The open alert's severity once `value` has held for `seconds` (sampled every 10 s)."""
    replay = Replay([rule])
    for at in range(0, int(seconds) + 1, 10):
        replay.step(float(at), [Sample(rule.metric, value)])
    return next((alert.severity for alert in replay.open.values()), None)


def test_the_sample_validates_through_the_cli() -> None:
    result = CliRunner().invoke(app, ["config", "validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "3 rules" in result.stdout


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        (55, None),
        (50, None),
        (45, Severity.WARNING),
        (30, Severity.WARNING),
        (25, Severity.ERROR),
        (10, Severity.ERROR),
        (5, Severity.CRITICAL),
    ],
)
def test_cache_hit_rate_medium_below_50_high_below_30_critical_below_10(
    value: float, severity: Severity | None
) -> None:
    assert _held(_rule("cache-hit-rate"), value, 300) == severity


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        (70, None),
        (75, None),
        (80, Severity.WARNING),
        (90, Severity.ERROR),
        (96, Severity.CRITICAL),
    ],
)
def test_memory_pressure_medium_75_high_85_critical_95(value: float, severity: Severity | None) -> None:
    assert _held(_rule("memory-pressure"), value, 120) == severity


def test_service_downtime_medium_after_a_minute_high_after_5_critical_after_15() -> None:
    rule = _rule("service-down")
    replay = Replay([rule])
    seen: dict[int, Severity | None] = {}
    for at in range(0, 1000, 10):
        replay.step(float(at), [Sample(rule.metric, 0)])
        seen[at] = next((alert.severity for alert in replay.open.values()), None)
    assert [seen[at] for at in (50, 60, 290, 300, 890, 900)] == [
        None,
        Severity.WARNING,
        Severity.WARNING,
        Severity.ERROR,
        Severity.ERROR,
        Severity.CRITICAL,
    ]
    assert replay.step(1000.0, [Sample(rule.metric, 1)])[0].change.value == "resolved"
