"""A config as TOML-shaped data (durations spelled with units), and the commented starter file.

`config init`, `config show` and `sample-configs/default.toml` all come from here,
so the starter file and the built-in defaults cannot drift apart.
"""

from __future__ import annotations

import enum
import textwrap
from collections.abc import Callable
from dataclasses import is_dataclass
from typing import get_args

import tomli_w

from alertctl import catalog
from alertctl.config.keys import Declared, declared, to_file
from alertctl.config.runtime import AlertmanagerChannel, Channel, Config
from alertctl.declaration import Kind
from alertctl.durations import format_duration
from alertctl.model import Check, CommandCheck, HttpCheck, Level, Rule, Severity
from alertctl.secrets import redact_argv, redact_check_url, redact_http

Redact = Callable[[str], str]


def document(config: Config, redact: Redact = lambda url: url) -> dict[str, object]:
    notify = config.notify
    return {
        "agent": table(config.agent),
        "notify": table(notify)
        | {
            "channels": {c.name: table(c) | {"urls": [redact(u) for u in c.urls]} for c in notify.channels}
            | {c.name: _alertmanager_channel(c) for c in notify.alertmanagers},
        },
        "history": table(config.history),
        "checks": [_check(c) for c in config.checks],
        "rules": [rule_document(r) for r in config.rules],
    }


def table(section: object) -> dict[str, object]:
    """A section as the file spells it, every declared key but the unset ones."""
    values = {key.key: written(key, getattr(section, key.name)) for key in declared(type(section))}
    return _without_none(values)


def written(key: Declared, value: object) -> object:
    """One value as the file spells it: durations with a unit, a level without a `for` as its
    bare number, a table for a dataclass, severities by name, lists."""
    if key.setting.kind in (Kind.DURATION, Kind.POSITIVE_DURATION) and isinstance(value, int | float):
        return format_duration(value)
    if isinstance(value, Level) and value.for_seconds is None:
        return value.value
    if is_dataclass(value):
        return table(value)
    return to_file(key, value)


def _alertmanager_channel(channel: AlertmanagerChannel) -> dict[str, object]:
    """Credentials always hidden: Alertmanager URLs are never Apprise's to redact."""
    return table(channel) | {"alertmanager": [redact_http(u) for u in channel.urls]}


def _without_none(table: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in table.items() if v is not None}


def _check(check: Check) -> dict[str, object]:
    """Every key, its secrets hidden: a command's flags and words, a URL's credentials."""
    data = table(check)
    if isinstance(check, CommandCheck):
        data["command"] = list(redact_argv(check.command))
    if isinstance(check, HttpCheck):
        data["url"] = redact_check_url(check.url)
    return data


def rule_document(rule: Rule) -> dict[str, object]:
    """A rule as a user writes it: defaults left out, so the file stays short; a forecast
    rule without `op` (it is always "<") and with its levels and `clear` as time left."""
    data: dict[str, object] = {}
    for key in declared(Rule):
        value = getattr(rule, key.name)
        if key.required or value != key.default:
            data[key.key] = written(key, value)
    if rule.forecast is None:
        return data
    data.pop("op", None)
    for name in (*(severity.label for severity in Severity), "clear"):
        if name in data:
            data[name] = _time_left(data[name])
    return data


def _time_left(value: object) -> object:
    """A forecast rule's level (a number or a `{ value, for }` table) or `clear` as a duration."""
    if isinstance(value, dict):
        return value | {"value": format_duration(value["value"])}
    return format_duration(value) if isinstance(value, int | float) else value


_HEADER = """\
# alertctl configuration. Every key is optional; these are the built-in defaults
# (a commented-out key shows an example). Durations take a unit: 500ms, 30s, 5m, 2h,
# 7d, 1w. Reference: docs/configuration.md.
# Any key can be overridden from the environment: ALERTCTL_AGENT__INTERVAL=5s.
"""
_HISTORY = """\
# About half a byte per sample: 30 series every 10s add about 0.16 MB a day, and the
# file settles near 16 MB with these defaults (docs/history.md has the figures).
"""
_CHANNELS = """
# Channels, one table each (NAME: letters, digits, '-' or '_'). An Apprise channel
# gets notices:
#
"""
_ALERTMANAGER = """#
# An Alertmanager channel gets the open alerts themselves, not notices:
#
"""
_RULES = """
# [[rules]] replace the built-in rules as a whole once you write one. A level is a number
# or { value = N, for = "15m" }; with forecast = { reaches, window } the levels are time
# left ("1d"). Every key, explained in docs/configuration.md:
"""


def starter(config: Config) -> str:
    """The commented file `config init` writes: each key with its doc, from the declarations."""
    tables = document(config)
    return "".join(
        [
            _HEADER,
            _section("agent", config.agent),
            _section("notify", config.notify),
            _CHANNELS,
            _section("notify.channels.ops", Channel("ops"), example=True),
            _ALERTMANAGER,
            _section("notify.channels.am", AlertmanagerChannel("am"), example=True),
            _section("history", config.history),
            _HISTORY,
            _example_checks(),
            _RULES,
            "\n".join(_comment(", ".join(_with_choices(key) for key in declared(Rule)))) + "\n",
            tomli_w.dumps({"rules": tables["rules"]}),
        ]
    )


def _section(name: str, section: object, example: bool = False) -> str:
    """One table: its doc, then each key's doc above it; a key without a value is written
    commented out with its example, and so is every key of an `example` table."""
    doc = (type(section).__doc__ or "").strip().splitlines()[0]
    lines = [] if example else ["", *_comment(doc)]
    lines.append(("# " if example else "") + f"[{name}]")
    for key in declared(type(section)):
        value = written(key, getattr(section, key.name))
        shown = key.setting.example if value in (None, []) and key.setting.example is not None else value
        if shown is None:
            continue
        prefix = "# " if example or shown is not value else ""
        lines += [*_comment(key.setting.doc), f"{prefix}{key.key} = {toml_value(shown)}"]
    return "\n".join(lines) + "\n"


def toml_value(value: object) -> str:
    """A value on one line, as TOML writes it (tomli-w splits every array over lines)."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + "}"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, width=88, initial_indent="# ", subsequent_indent="# ")


def _example_checks() -> str:
    """One commented-out table per kind of check, from the declarations' examples."""
    lines = ["", "# [[checks]] add metrics of your own; each check's metrics are NAME.something."]
    for kind in get_args(Check):
        given = [key for key in declared(kind) if key.required and key.setting.kind is not Kind.TAG]
        example = kind(**{key.name: _runtime(key.setting.example) for key in given})
        lines += ["#", "# [[checks]]"]
        for key in declared(kind):
            value = written(key, getattr(example, key.name))
            if value is None:
                continue
            line = f"# {key.key} = {toml_value(value)}"
            if key.key == "name":
                metrics = ", ".join(spec.name for spec in catalog.check_metrics(example.name, example.type))
                line = f"{line:<30} # metrics: {metrics}"
            lines.append(line)
    return "\n".join(lines) + "\n"


def _runtime(example: object) -> object:
    """An example as the file writes it (a list), as the dataclass holds it (a tuple)."""
    return tuple(example) if isinstance(example, list) else example


def _with_choices(key: Declared) -> str:
    """`op (> >= < <= == !=)`: a key and the words it takes, when it takes a few."""
    kind = key.held
    if kind is Severity:
        words = [level.label for level in key.setting.choices or Severity]
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        words = [str(member.value) for member in kind]
    else:
        return key.key
    return f"{key.key} ({' '.join([*words, *filter(None, [key.setting.off])])})"
