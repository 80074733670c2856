"""Durations ("30s", "5m", "1h30m") and points in time ("2h" ago, or ISO 8601).

Kept free of pydantic so the CLI can parse `--since` without loading it.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0, "y": 365 * 86400.0}
_LONGEST = 100 * 365 * 86400.0
_NUMBER = r"\d+(?:\.\d+)?"
_SECONDS = re.compile(rf"^\s*({_NUMBER})\s*$")
_COMPOUND = re.compile(rf"^\s*(?:{_NUMBER}\s*(?:ms|s|m|h|d|w|y)\s*)+$")
_PART = re.compile(rf"({_NUMBER})\s*(ms|s|m|h|d|w|y)")


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration (`90`, `30s`, or a compound such as `1h30m`); raises ValueError
    with a message fit for a user."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"must not be negative (got {text!r})")
        return _finite(float(text), text)
    if not isinstance(text, str):
        raise ValueError(f"must be a duration like 30s, 5m or 1h30m (got {text!r})")
    bare = _SECONDS.match(text)
    if bare:
        return _finite(float(bare.group(1)), text)
    if _COMPOUND.match(text):
        return _finite(sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(text)), text)
    raise ValueError(f"must be a duration like 30s, 5m or 1h30m (got {text!r})")


def _finite(seconds: float, text: object) -> float:
    """`inf`, `nan` and 400-digit numbers would reach `sleep()` and SQL as no time at all."""
    if not math.isfinite(seconds) or seconds > _LONGEST:
        raise ValueError(f"must be a duration of at most 100 years (got {text!r})")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling, so a written config reads as a person would write it."""
    if seconds == 0:
        return "0s"
    for unit in ("y", "w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    if (seconds * 1000) % 1 == 0:
        return f"{int(seconds * 1000)}ms"
    return f"{seconds}s"


def parse_time_point(text: str, now: float) -> float:
    """Epoch seconds of `text`: a duration ago, or an ISO date/date-time (local time if no offset)."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"must be a duration ago (like 7d) or an ISO 8601 date/time (got {text!r})") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def iso(epoch: float | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 with the UTC offset, as every JSON field carries time (a history's samples, kept
    to the tenth of a second, in milliseconds so that two of them never share a time)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec=timespec)
