"""A noisy rule's better settings, found by replay: a small grid, judged like a candidate file.

Tried, one change at a time: a `clear` 5 % and 10 % inside the mildest level (not for
`==`/`!=`), `for` 2 and 5 minutes, `consecutive = 3` (each only where it is a change
towards quieter). Kept: the change with the fewest firings (alerts plus reopens) that
misses no incident of 10 minutes or more and adds at most a minute of median delay to
the ones it raises. Pure: the series are handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from alertctl.backtest.compare import Comparison, Summary, compare, summarise
from alertctl.backtest.run import replay_rule
from alertctl.config.runtime import Config
from alertctl.model import Op, Rule
from alertctl.store.history.blocks import SeriesBlocks
from alertctl.units import plain

CLEAR_SHARES = (0.05, 0.10)
FOR_SECONDS = (120.0, 300.0)
CONSECUTIVE = 3
MAX_MEDIAN_DELAY = 60.0


@dataclass(frozen=True)
class Variant:
    toml: str
    """The line to paste into the rule's `[[rules]]` entry, e.g. `clear = 70`."""
    rule: Rule


@dataclass(frozen=True)
class Trial:
    variant: Variant
    summary: Summary
    comparison: Comparison

    @property
    def firings(self) -> int:
        return self.summary.alerts + self.summary.reopened

    @property
    def acceptable(self) -> bool:
        median = self.comparison.median_delay
        return not self.comparison.missed and (median is None or median <= MAX_MEDIAN_DELAY)


@dataclass(frozen=True)
class Tuned:
    current: Summary
    best: Trial
    tried: list[Trial]


def variants(rule: Rule) -> list[Variant]:
    found = []
    if rule.op not in (Op.EQ, Op.NE):
        level = rule.levels()[0][1].value
        inward = -1.0 if rule.op.rises else 1.0
        for share in CLEAR_SHARES:
            clear = float(plain(level + inward * share * abs(level)))  # replayed as it would be pasted
            if rule.op.holds(rule.clear_threshold, clear):  # further inside than it is now
                found.append(Variant(f"clear = {plain(clear)}", replace(rule, clear=clear)))
    for seconds in FOR_SECONDS:
        if seconds > rule.for_seconds:
            found.append(Variant(f'for = "{int(seconds // 60)}m"', replace(rule, for_seconds=seconds)))
    if rule.consecutive < CONSECUTIVE:
        found.append(Variant(f"consecutive = {CONSECUTIVE}", replace(rule, consecutive=CONSECUTIVE)))
    return found


def tune(series: Sequence[SeriesBlocks], rule: Rule, config: Config) -> Tuned | None:
    """The best acceptable change that fires less than the rule does now; None if none does."""
    current, _ = replay_rule(series, rule, config)
    now = summarise(current)
    tried = []
    for variant in variants(rule):
        result, _ = replay_rule(series, variant.rule, config)
        tried.append(Trial(variant, summarise(result), compare(current, result)))
    better = [t for t in tried if t.acceptable and t.firings < now.alerts + now.reopened]
    if not better:
        return None
    best = min(better, key=lambda t: (t.firings, t.summary.notices, t.comparison.median_delay or 0.0))
    return Tuned(now, best, tried)


def sentence(tuned: Tuned, rule: str) -> str:
    """ "clear = 70 would have cut 826 reopens to 12; all 6 incidents over 10 minutes still raised, at most 70 s later"."""
    best, now = tuned.best, tuned.current
    if now.reopened > now.alerts:
        cut = f"cut {now.reopened} reopens to {best.summary.reopened}"
    else:
        cut = f"cut {now.alerts} alerts to {best.summary.alerts}"
    delays = best.comparison.delays
    if not delays:
        kept = "no incident over 10 minutes in the window"
    else:
        latest = max(0.0, best.comparison.max_delay or 0.0)
        kept = f"all {len(delays)} incidents over 10 minutes still raised, at most {latest:.0f} s later"
    return f"by replay, `{best.variant.toml}` in rule {rule} would have {cut}; {kept}"


def evidence(tuned: Tuned, since: str | None, until: str | None) -> dict[str, object]:
    best = tuned.best
    return {
        "change": best.variant.toml,
        "toml": best.variant.toml,
        "since": since,
        "until": until,
        "current": tuned.current.to_dict(),
        "candidate": best.summary.to_dict(),
        "incidents": len(best.comparison.delays),
        "missed": len(best.comparison.missed),
        "median_delay_seconds": _rounded(best.comparison.median_delay),
        "max_delay_seconds": _rounded(best.comparison.max_delay),
        "tried": [
            {
                "change": t.variant.toml,
                "alerts": t.summary.alerts,
                "reopened": t.summary.reopened,
                "missed": len(t.comparison.missed),
                "median_delay_seconds": _rounded(t.comparison.median_delay),
            }
            for t in tuned.tried
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
