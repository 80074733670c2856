"""What a replay amounts to, and what one config raises that the other does not: pure.

An incident is one alert row, from its start to its final resolve (reopens inside the
dedup window are the same incident). `missed`: incidents of the config in use that
lasted `INCIDENT_SECONDS` or more with no overlapping alert of the same series under
the candidate; `added` the reverse. For incidents both raise, the candidate's delay
to detect is its overlapping alert's start minus the current one's (negative: earlier).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from alertctl.backtest.ledger import Row
from alertctl.backtest.replay import Result

INCIDENT_SECONDS = 600.0
BLIP_SECONDS = 120.0
"""An alert resolved this soon after it started is a blip (the report's `resolved_within_2m`)."""


@dataclass(frozen=True)
class Summary:
    alerts: int
    reopened: int
    notices: int
    seconds_in_alert: float
    blips: int

    def to_dict(self) -> dict[str, object]:
        return {
            "alerts": self.alerts,
            "reopened": self.reopened,
            "notices": self.notices,
            "seconds_in_alert": round(self.seconds_in_alert, 1),
            "blips": self.blips,
        }


@dataclass(frozen=True)
class Incident:
    started_at: float
    seconds: float
    reopened: int = 0


@dataclass(frozen=True)
class Comparison:
    missed: list[Incident] = field(default_factory=list)
    added: list[Incident] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    """Per incident of 10 minutes or more both raise: the candidate's detection delay, seconds."""

    @property
    def median_delay(self) -> float | None:
        return statistics.median(self.delays) if self.delays else None

    @property
    def max_delay(self) -> float | None:
        return max(self.delays) if self.delays else None


def summarise(result: Result) -> Summary:
    end = result.end
    return Summary(
        alerts=len(result.rows),
        reopened=sum(row.reopened for row in result.rows),
        notices=result.notices,
        seconds_in_alert=sum(row.seconds(end) for row in result.rows),
        blips=sum(
            1 for row in result.rows if row.resolved_at is not None and row.resolved_at - row.started_at < BLIP_SECONDS
        ),
    )


def compare(current: Result, candidate: Result, shortest: float = INCIDENT_SECONDS) -> Comparison:
    """`shortest`: the incidents that count (`--incident`, default 10 minutes)."""
    missed, delays = _unmatched(current, candidate, shortest)
    added, _ = _unmatched(candidate, current, shortest)
    return Comparison(missed, added, [-d for d in delays])


def _unmatched(mine: Result, theirs: Result, shortest: float) -> tuple[list[Incident], list[float]]:
    """Long incidents of `mine` with no overlapping alert in `theirs`; and for the others, how much
    earlier `mine` raised them (their start minus the overlapping alert's)."""
    unmatched, earlier = [], []
    for row in mine.rows:
        span = _span(row, mine.end)
        if span[1] - span[0] < shortest:
            continue
        overlapping = [r for r in theirs.rows if r.key == row.key and _overlaps(span, _span(r, theirs.end))]
        if not overlapping:
            unmatched.append(Incident(row.started_at, span[1] - span[0]))
        else:
            earlier.append(row.started_at - min(r.started_at for r in overlapping))
    return unmatched, earlier


def incidents(result: Result) -> list[Incident]:
    """Every alert of a replay, in start order: what `history` would have listed."""
    return [Incident(row.started_at, _span(row, result.end)[1] - row.started_at, row.reopened) for row in result.rows]


def _span(row: Row, end: float) -> tuple[float, float]:
    return row.started_at, row.resolved_at if row.resolved_at is not None else end


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]
