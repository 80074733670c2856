"""Which system areas a `watch` has to sample: cost follows need.

A rule names a metric, and its family is the first part of the name (`swap.*`
comes with `memory`). `processes` is sampled only when a rule reads it: `process`
checks and an alert's top-process context scan the table on their own, once a
cycle at most. alertctl's own cost is always sampled (it is nearly free, and the
live view shows it). Exports publish every metric, so they want them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from alertctl.metrics.collector import SYSTEM_FAMILIES
from alertctl.model import Rule

_FAMILY_OF_PREFIX = {"swap": "memory"}


def families_for(rules: Sequence[Rule], exporting: bool) -> frozenset[str]:
    if exporting:
        return frozenset(SYSTEM_FAMILIES)
    prefixes = {rule.metric.partition(".")[0] for rule in rules}
    named = {_FAMILY_OF_PREFIX.get(prefix, prefix) for prefix in prefixes}
    return frozenset(named & set(SYSTEM_FAMILIES)) | {"alertctl"}
