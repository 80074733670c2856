"""Fields and an alert's context as aligned text: the one layout `show` and notice bodies share.

A title column, then the text; text longer than the width is wrapped under itself,
never inside a word, and no line ends in spaces. Values go through `alertctl.units`,
so `queue.duration` reads `3.14 ms` and `disk.free` `78.3 GiB`, never a raw float.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alertctl.model import Unit
from alertctl.units import human, metric_value, plain

GAP = "  "
_NESTED_CONTEXTS = {"at_peak"}
"""Context entries that are a context themselves (what was true when it rose to critical)."""


@dataclass(frozen=True)
class Field:
    title: str
    text: str
    """May hold several lines; each is placed under the first."""


def aligned(fields: Sequence[Field], width: int | None = None) -> list[str]:
    """The fields as lines, titles padded to one column; wrapped at `width` when given."""
    column = max((len(f.title) for f in fields), default=0) + len(GAP)
    lines: list[str] = []
    for field in fields:
        body = [piece for line in field.text.splitlines() or [""] for piece in _wrap(line, width, column)]
        lines.append((field.title.ljust(column) + body[0]).rstrip())
        lines += [(" " * column + piece).rstrip() for piece in body[1:]]
    return lines


def _wrap(line: str, width: int | None, indent: int) -> list[str]:
    """One line of text as it fits after `indent` columns, continuing under its own start."""
    lead = line[: len(line) - len(line.lstrip(" "))]
    room = (width or 0) - indent - len(lead)
    if width is None or len(line) + indent <= width or room < 10:
        return [line]
    pieces = textwrap.wrap(line.strip(), room, break_long_words=False, break_on_hyphens=False)
    return [lead + piece for piece in pieces] or [line]


def labels_text(labels: Mapping[str, str], separator: str = " ") -> str:
    """`mount=/var team=web`: labels sorted by name."""
    return separator.join(f"{k}={v}" for k, v in sorted(labels.items()))


def context_fields(context: Mapping[str, object], metric: str) -> list[Field]:
    """An alert's `context` as fields: `Top processes` as a table, `Check` and `Mount` as
    name/value pairs in their units, lists as `- ` items. `metric` gives `value` its unit."""
    fields = []
    for key, value in context.items():
        text = _value_text(key, value, metric)
        if text:
            fields.append(Field(key.replace("_", " ").capitalize(), text))
    return fields


def _value_text(key: str, value: object, metric: str) -> str:
    if isinstance(value, Mapping):
        inner = context_fields(value, metric) if key in _NESTED_CONTEXTS else _pairs(value, metric)
        return "\n".join(aligned(inner))
    if isinstance(value, list):
        if value and all(isinstance(item, Mapping) for item in value):
            return "\n".join(_table(value))
        return "\n".join(f"- {_scalar(key, item, metric)}" for item in value)
    return _scalar(key, value, metric)


def _pairs(mapping: Mapping[str, object], metric: str) -> list[Field]:
    """Name/value pairs, empty ones left out (an `error` of None says nothing)."""
    found = []
    for key, value in mapping.items():
        if value is None or value == "":
            continue
        found.append(Field(str(key), _value_text(str(key), value, metric)))
    return found


def _scalar(key: str, value: object, metric: str) -> str:
    """A number in the unit its name implies: a metric name, `value` (the alert's metric), `*percent`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if "." in key:
        return metric_value(key, value)
    if key == "value":
        return metric_value(metric, value)
    if key.endswith("percent"):
        return human(value, Unit.PERCENT)
    return plain(value)


def _table(rows: list[Mapping[str, object]]) -> list[str]:
    """Rows of like objects (top processes) under one header; numbers right-aligned."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_scalar(key, row.get(key), "") for key in keys] for row in rows]
    header = [key.removesuffix("_percent").replace("_", " ").upper() for key in keys]
    widths = [max(len(text) for text in column) for column in zip(header, *cells, strict=True)]
    numeric = [all(_is_number(row.get(key)) for row in rows) for key in keys]
    lines = []
    for line in [header, *cells]:
        padded = [
            text.rjust(w) if right else text.ljust(w) for text, w, right in zip(line, widths, numeric, strict=True)
        ]
        lines.append(GAP.join(padded).rstrip())
    return lines


def _is_number(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
