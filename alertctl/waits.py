"""When a wait has passed: one rule for every timer the engine keeps (`for`, `nodata_after`)."""

from __future__ import annotations

FOR_SLACK = 1.0
"""Seconds a wait may fall short by and still count (at most a tenth of it): cron
starts `check` a few milliseconds early or late, and `for = "3m"` should mean three
runs apart."""


def waited(since: float, wait: float, now: float) -> bool:
    return now - since >= wait - min(FOR_SLACK, wait / 10)
