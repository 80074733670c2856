"""`report`'s suggestions for noisy or flapping rules, backed by a replay of the rule's history.

Where the rule's metric has samples in the report's window, the grid of `tune` is
replayed and the best change is added to the suggestion: the sentence, and the
numbers under `evidence.backtest` with the TOML line to paste.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from alertctl.backtest.tune import Tuned, evidence, sentence, tune
from alertctl.config.runtime import Config
from alertctl.durations import iso
from alertctl.report import Report
from alertctl.store.history.blocks import metric_blocks

REPLAYED = ("flapping", "blips")
"""The suggestion kinds a replay can back with numbers."""


def with_replays(report: Report, conn: sqlite3.Connection, config: Config) -> Report:
    rules = {rule.name: rule for rule in config.rules}
    tuned: dict[str, Tuned | None] = {}
    suggestions = []
    for s in report.suggestions:
        rule = rules.get(s.rule or "") if s.kind in REPLAYED else None
        if rule is None or rule.forecast is not None:
            suggestions.append(s)
            continue
        if rule.name not in tuned:
            series = metric_blocks(conn, rule.metric, report.since, report.until)
            recorded = any(block.ticks for found in series for block in found.blocks)
            tuned[rule.name] = tune(series, rule, config) if recorded else None
        found = tuned[rule.name]
        if found is None:
            suggestions.append(s)
            continue
        numbers = evidence(found, iso(report.since), iso(report.until))
        suggestions.append(
            replace(s, text=f"{s.text}; {sentence(found, rule.name)}", evidence={**s.evidence, "backtest": numbers})
        )
    return replace(report, suggestions=suggestions)
