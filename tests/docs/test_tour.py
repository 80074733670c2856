"""The tour in docs/tour.md is what its commands print: run it again and compare."""

from __future__ import annotations

import pytest

from tests.docs.generator import generate

pytestmark = pytest.mark.slow


def test_the_tour_reproduces() -> None:
    page = (generate.DOCS / "tour.md").read_text()

    again = generate.regenerate_tour(page)

    assert again.count("\n$ alertctl ") >= 15
    assert generate.masked(again) == generate.masked(page), "docs/tour.md is stale: run python3 docs/generate.py --tour"


def test_the_comparison_sees_a_changed_verdict_but_not_a_new_time() -> None:
    line = "$ alertctl check\nALERTCTL WARNING - q | … q.value=150;100;500 q.duration=0.003s;;;0\n"
    later = line.replace("0.003s", "0.017s")

    assert generate.masked(later) == generate.masked(line)
    assert generate.masked(line.replace("WARNING", "OK")) != generate.masked(line)
    assert generate.masked("at 2026-11-23T11:00:18+00:00") == generate.masked("at 2026-12-03T08:21:54+00:00")
