"""A strict reader of Prometheus's text format 0.0.4, written from the spec, for the tests.

Stricter than Prometheus where alertctl promises more: every family has one HELP
and one TYPE (gauge) before its samples, and no sample has a timestamp (which
node_exporter's textfile collector refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
FLOAT = r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)"
HELP_LINE = re.compile(rf"# HELP ({NAME}) ((?:[^\\\n]|\\[\\n])*)")
TYPE_LINE = re.compile(rf"# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)")
SAMPLE_LINE = re.compile(rf"({NAME})(?:\{{((?:{LABEL}={VALUE},)*(?:{LABEL}={VALUE})?)\}})? ({FLOAT})")
PAIR = re.compile(rf"({LABEL})=({VALUE}),?")

Series = tuple[tuple[str, str], ...]


@dataclass
class Family:
    name: str
    help: str | None = None
    type: str | None = None
    samples: dict[Series, float] = field(default_factory=dict)


def parse(text: str) -> dict[str, Family]:
    """Families by name, in order; raises AssertionError naming the line that breaks a rule."""
    assert text.endswith("\n"), "the text must end with a line feed"
    families: dict[str, Family] = {}
    current: Family | None = None
    for number, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {number}: {line!r}"
        if match := HELP_LINE.fullmatch(line):
            current = _family(families, current, match.group(1), where)
            assert current.help is None and not current.samples, f"second or late HELP, {where}"
            current.help = _unescape(match.group(2))
        elif match := TYPE_LINE.fullmatch(line):
            current = _family(families, current, match.group(1), where)
            assert current.type is None and not current.samples, f"second or late TYPE, {where}"
            current.type = match.group(2)
        elif match := SAMPLE_LINE.fullmatch(line):
            current = _family(families, current, match.group(1), where)
            assert current.help is not None and current.type == "gauge", f"sample before HELP and TYPE, {where}"
            series = tuple((key, _unescape(value[1:-1])) for key, value in PAIR.findall(match.group(2) or ""))
            assert len({key for key, _ in series}) == len(series), f"a label twice, {where}"
            key = tuple(sorted(series))
            assert key not in current.samples, f"duplicate series, {where}"
            current.samples[key] = float(match.group(3))
        else:
            raise AssertionError(f"not a HELP, TYPE or sample line (or has a timestamp), {where}")
    return families


def _family(families: dict[str, Family], current: Family | None, name: str, where: str) -> Family:
    if current is not None and current.name == name:
        return current
    assert name not in families, f"family {name} is not grouped together, {where}"
    families[name] = Family(name)
    return families[name]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)
