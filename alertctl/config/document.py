"""A config as TOML-shaped data (durations spelled with units), and the commented starter file.

`config init`, `config show` and `sample-configs/default.toml` all come from here,
so the starter file and the built-in defaults cannot drift apart.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import asdict

import tomli_w

from alertctl.config.keys import Declared, Kind, declared, to_file
from alertctl.config.runtime import AlertmanagerChannel, Channel, Config
from alertctl.durations import format_duration
from alertctl.model import Check, Forecast, Rule, Severity
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
    """A runtime section as the file spells it, every declared key but the unset ones."""
    values = {key.key: written(key, getattr(section, key.name)) for key in declared(type(section))}
    return _without_none(values)


def written(key: Declared, value: object) -> object:
    """One value as the file spells it: durations with a unit, severities by name, lists."""
    if key.setting.kind in (Kind.DURATION, Kind.POSITIVE_DURATION) and isinstance(value, int | float):
        return format_duration(value)
    return to_file(value)


def _alertmanager_channel(channel: AlertmanagerChannel) -> dict[str, object]:
    """Credentials always hidden: Alertmanager URLs are never Apprise's to redact."""
    return table(channel) | {"alertmanager": [redact_http(u) for u in channel.urls]}


def _without_none(table: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in table.items() if v is not None}


def _check(check: Check) -> dict[str, object]:
    data = asdict(check)
    data["type"] = check.type.value
    data["timeout"] = format_duration(check.timeout)
    if "command" in data:
        data["command"] = list(redact_argv(data["command"]))
    if "url" in data:
        data["url"] = redact_check_url(data["url"])
    return _without_none({"name": data.pop("name"), "type": data.pop("type"), **data})


def _level(rule: Rule, severity: str) -> object:
    level = getattr(rule, severity)
    if level is None:
        return None
    value = _threshold(rule, level.value)
    if level.for_seconds is None:
        return value
    return {"value": value, "for": format_duration(level.for_seconds)}


def _threshold(rule: Rule, value: float) -> object:
    """A forecast rule's levels are time left, written as durations."""
    return value if rule.forecast is None else format_duration(value)


def _forecast(forecast: Forecast) -> dict[str, object]:
    return _without_none(
        {
            "reaches": forecast.reaches,
            "window": format_duration(forecast.window),
            "confirm": format_duration(forecast.confirm) if forecast.confirm is not None else None,
            "from": forecast.past,
        }
    )


def rule_document(rule: Rule) -> dict[str, object]:
    """A rule as a user writes it: defaults left out, so the file stays short."""
    data: dict[str, object] = {"name": rule.name, "metric": rule.metric}
    if rule.forecast is not None:
        data["forecast"] = _forecast(rule.forecast)
    elif rule.op.value != ">":
        data["op"] = rule.op.value
    for severity in Severity:
        data[severity.label] = _level(rule, severity.label)
    if rule.for_seconds:
        data["for"] = format_duration(rule.for_seconds)
    if rule.consecutive != 1:
        data["consecutive"] = rule.consecutive
    data["clear"] = None if rule.clear is None else _threshold(rule, rule.clear)
    data["mount"] = dict(rule.match).get("mount")
    data["channels"] = list(rule.channels) or None
    data["labels"] = dict(rule.labels) or None
    data["description"] = rule.description or None
    data["runbook"] = rule.runbook or None
    data["recommendations"] = list(rule.recommendations) or None
    if rule.nodata is not Severity.WARNING:
        data["nodata"] = rule.nodata.label if rule.nodata else "ignore"
    if rule.nodata_after != Rule.nodata_after:
        data["nodata_after"] = format_duration(rule.nodata_after)
    return _without_none(data)


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
_CHECKS = """
# [[checks]] add metrics of your own; each check's metrics are NAME.something.
#
# [[checks]]
# name = "queue"               # metrics: queue.value, queue.exit_code, queue.duration
# type = "command"
# command = ["sh", "-c", "redis-cli llen jobs"]
# timeout = "5s"
#
# [[checks]]
# name = "site"                # metrics: site.up, site.status, site.response_time
# type = "http"
# url = "http://127.0.0.1/health"
#
# [[checks]]
# name = "db"                  # metrics: db.up, db.connect_time
# type = "tcp"
# host = "127.0.0.1"
# port = 5432
#
# [[checks]]
# name = "nginx"               # metrics: nginx.count, nginx.cpu_percent, nginx.rss
# type = "process"
# pattern = "nginx: master"
"""
_RULES = """
# [[rules]] replace the built-in rules as a whole once you write one. Keys: name,
# metric, op (> >= < <= == !=), the levels info, warning, error, critical (any of
# them, mildest first; each a number or { value = N, for = "15m" }), for,
# consecutive, clear (hysteresis), mount, channels, labels, description, runbook,
# recommendations, nodata (a level or "ignore": the alert when the metric gives no sample),
# nodata_after (how long without a sample before that alert opens, default "5m") and
# forecast = { reaches, window, confirm, from } (judge the time left until the
# metric reaches a value; levels and clear are then durations, docs/history.md).
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
            _CHECKS,
            _RULES,
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
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, width=88, initial_indent="# ", subsequent_indent="# ")
