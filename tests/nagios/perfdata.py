"""A strict reader of plugin output per the Nagios plugin development guidelines, for the tests.

`STATUS text | 'label'=value[UOM];[warn];[crit];[min];[max] ...`: labels quoted
with `'` (a `'` inside doubled; unquoted ones have no space, `'` or `=`), values
`[-0-9.]+` or `U` with no exponent, warn/crit as ranges `[@][start:][end]` where
start may be `~`, min/max plain numbers, trailing empty fields dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
UOM = r"(?:s|ms|us|%|B|KB|MB|GB|TB|c)?"
RANGE = rf"@?(?:(?:~|{NUMBER}):)?(?:{NUMBER})?"
LABEL = r"'(?P<quoted>(?:[^'=]|'')+)'|(?P<plain>[^'= ]+)"
ITEM = re.compile(
    rf"(?:{LABEL})=(?P<value>{NUMBER}|U)(?P<uom>{UOM})"
    rf"(?:;(?P<warn>{RANGE})(?:;(?P<crit>{RANGE})(?:;(?P<min>{NUMBER})?(?:;(?P<max>{NUMBER})?)?)?)?)?"
)
STATUS = re.compile(
    r"(?P<service>[A-Z]+) (?P<state>OK|WARNING|CRITICAL|UNKNOWN) - (?P<text>[^|\n]*?)(?: \| (?P<perf>.*))?"
)


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    uom: str
    warn: str | None
    crit: str | None
    min: str | None
    max: str | None


def parse_status_line(line: str) -> tuple[str, list[Item]]:
    """The state and the perfdata items of a first output line; AssertionError on anything off-grammar."""
    match = STATUS.fullmatch(line)
    assert match, f"not a plugin status line: {line!r}"
    return match.group("state"), parse_perfdata(match.group("perf") or "")


def parse_perfdata(text: str) -> list[Item]:
    items = []
    position = 0
    while position < len(text):
        match = ITEM.match(text, position)
        assert match, f"not a perfdata item at {position}: {text[position : position + 60]!r}"
        end = match.end()
        assert end == len(text) or text[end] == " ", f"item runs on at {end}: {text[position : end + 10]!r}"
        items.append(_item(match))
        position = end
        while position < len(text) and text[position] == " ":
            position += 1
    return items


def _item(match: re.Match[str]) -> Item:
    quoted = match.group("quoted")
    label = quoted.replace("''", "'") if quoted is not None else match.group("plain")
    for name in ("warn", "crit"):
        _check_range(match.group(name))
    return Item(
        label,
        match.group("value"),
        match.group("uom"),
        match.group("warn"),
        match.group("crit"),
        match.group("min"),
        match.group("max"),
    )


def _check_range(text: str | None) -> None:
    """Ranges the guidelines allow but make no sense: `@` alone, or a start above the end."""
    if not text:
        return
    assert text != "@", "a range of `@` alone"
    start, colon, end = text.lstrip("@").rpartition(":")
    if colon and start not in ("", "~") and end:
        assert float(start) <= float(end), f"range start above its end: {text!r}"
