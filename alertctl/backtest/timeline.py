"""The steps one rule would have seen, hour by hour, built from its metric's stored history.

The cycle clock is every time any series of the metric has a sample (`watch` samples a
family's label sets together): a step where none of the rule's series (its pinned labels)
has a sample is a no-data step, as in `watch`. A gap longer than `GAP_INTERVALS` sampling
intervals in the clock itself is filled with no-data steps at the sampling pace (a check
that could not run) and listed, since the history cannot tell it from a stopped `watch`.
"""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from alertctl.model import Labels, Op, Rule, Sample
from alertctl.store.history.blocks import Block, SeriesBlocks
from alertctl.store.history.write import TICKS

GAP_INTERVALS = 3
"""A silence in the samples longer than this many intervals is a gap (said, and replayed as no data)."""


@dataclass(frozen=True)
class Step:
    at: float
    samples: list[Sample]
    """The rule's samples at `at`; empty: the rule had no data then."""


@dataclass(frozen=True)
class Gap:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Hour:
    start: int
    quiet: bool
    """Every step has a sample and no stored min/max of the hour can breach any level of the rule:
    a replay with nothing open or pending may jump over it."""
    steps: Callable[[], Iterator[Step]]
    complete: bool = False
    """Every step has a sample of the rule's own series (no no-data step): what a forecast rule's
    replay asks before judging the hour's values (`Fits.calm`)."""
    blocks: Sequence[tuple[Labels, Block]] = ()
    """The rule's own series' blocks of the hour, by label set."""


@dataclass(frozen=True)
class Timeline:
    hours: list[Hour]
    gaps: list[Gap]
    samples: int


def interval_of(series: Sequence[SeriesBlocks], default: float) -> float:
    """The sampling pace, from the spacing of the first samples (robust to jitter); `default` with too few."""
    ticks = next((b.ticks for s in series for b in s.blocks if len(b.ticks) > 2), None)
    if ticks is None:
        return default
    spacing = statistics.median(b - a for a, b in zip(ticks[:200], ticks[1:201], strict=False)) / TICKS
    return spacing if spacing > 0 else default


def build(rule: Rule, series: Sequence[SeriesBlocks], interval: float) -> Timeline:
    """`series`: every label set of the rule's metric; `interval`: the sampling pace, in seconds."""
    mine = [s for s in series if set(rule.match) <= set(s.labels)]
    by_hour: dict[int, list[tuple[SeriesBlocks, Block]]] = {}
    for s in series:
        for block in s.blocks:
            by_hour.setdefault(block.start, []).append((s, block))
    hours: list[Hour] = []
    gaps: list[Gap] = []
    last: int | None = None
    limit = GAP_INTERVALS * interval * TICKS
    for start in sorted(by_hour):
        present = by_hour[start]
        clock = _clock([b for _, b in present])
        filled = _fill(last, clock, limit, interval, gaps)
        last = clock[-1]
        own = [(s, b) for s, b in present if s in mine]
        complete = not filled and _covered(clock, own)
        quiet = complete and rule.forecast is None and all(not _can_breach(rule, b.low, b.high) for _, b in own)
        blocks = [(s.labels, b) for s, b in own]
        hours.append(Hour(start, quiet, _stepper(rule, clock, filled, own), complete, blocks))
    samples = sum(len(b.ticks) for s in mine for b in s.blocks)
    return Timeline(hours, gaps, samples)


def _clock(blocks: Sequence[Block]) -> Sequence[int]:
    """The hour's cycle times: usually every label set was sampled at the same ones."""
    first = blocks[0].ticks
    if all(b.ticks == first for b in blocks[1:]):
        return first
    return sorted({t for b in blocks for t in b.ticks})


def _fill(last: int | None, clock: Sequence[int], limit: float, interval: float, gaps: list[Gap]) -> list[int]:
    """No-data ticks for every silence longer than `limit` ticks, before and inside this hour."""
    filled: list[int] = []
    step = round(interval * TICKS)
    previous = last
    widest = max(map(operator.sub, clock[1:], clock[:-1]), default=0)
    if widest <= limit and (last is None or clock[0] - last <= limit):
        return filled
    for tick in clock:
        if previous is not None and tick - previous > limit:
            gaps.append(Gap(previous / TICKS, tick / TICKS))
            filled += range(previous + step, tick - step // 2, step)
        previous = tick
    return filled


def _covered(clock: Sequence[int], own: Sequence[tuple[SeriesBlocks, Block]]) -> bool:
    """Whether every step of the hour has a sample of the rule's own series (no no-data step)."""
    if not own:
        return False
    if any(len(b.ticks) == len(clock) for _, b in own):
        return True
    return len({t for _, b in own for t in b.ticks}) == len(clock)


def _can_breach(rule: Rule, low: float, high: float) -> bool:
    """Whether any value in [low, high] holds for any level (the mildest one included)."""
    return any(_holds_somewhere(rule.op, low, high, level.value) for _, level in rule.levels())


def _holds_somewhere(op: Op, low: float, high: float, threshold: float) -> bool:
    if op is Op.EQ:
        return low <= threshold <= high
    if op is Op.NE:
        return not low == high == threshold
    return op.holds(high, threshold) or op.holds(low, threshold)


def _stepper(
    rule: Rule, clock: Sequence[int], filled: list[int], own: Sequence[tuple[SeriesBlocks, Block]]
) -> Callable[[], Iterator[Step]]:
    def steps() -> Iterator[Step]:
        if len(own) == 1 and not filled and len(own[0][1].ticks) == len(clock):
            labels, block = own[0][0].labels, own[0][1]
            for tick, value in zip(block.ticks, block.values, strict=True):
                yield Step(tick / TICKS, [Sample(rule.metric, value, labels)])
            return
        values = [(s.labels, dict(zip(b.ticks, b.values, strict=True))) for s, b in own]
        for tick in sorted([*clock, *filled]) if filled else clock:
            at = [Sample(rule.metric, found[tick], labels) for labels, found in values if tick in found]
            yield Step(tick / TICKS, at)

    return steps
