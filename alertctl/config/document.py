"""A config as TOML-shaped data (durations spelled with units), and the commented starter file.

`config init`, `config show` and `sample-configs/default.toml` all come from here,
so the starter file and the built-in defaults cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import tomli_w

from alertctl.config.runtime import AlertmanagerChannel, Channel, Config
from alertctl.durations import format_duration
from alertctl.model import Check, Forecast, Rule, Severity
from alertctl.secrets import redact_argv, redact_check_url, redact_http

Redact = Callable[[str], str]


def document(config: Config, redact: Redact = lambda url: url) -> dict[str, object]:
    agent = config.agent
    notify = config.notify
    return {
        "agent": _without_none({
            "interval": format_duration(agent.interval),
            "host": agent.host,
            "database": agent.database,
            "retention": format_duration(agent.retention),
            "expire_after": format_duration(agent.expire_after),
        }),
        "notify": {
            "resolved": notify.resolved,
            "renotify": format_duration(notify.renotify),
            "dedup_window": format_duration(notify.dedup_window),
            "escalate_after": format_duration(notify.escalate_after),
            "escalate_to": list(notify.escalate_to),
            "escalate_severity": notify.escalate_severity.label,
            "digest_after": notify.digest_after,
            "max_per_minute": notify.max_per_minute,
            "max_silence": format_duration(notify.max_silence),
            "ack_survives_rise": notify.ack_survives_rise,
            **_without_none({"title_template": notify.title_template, "body_template": notify.body_template}),
            "channels": {c.name: _channel(c, redact) for c in notify.channels}
            | {c.name: _alertmanager_channel(c) for c in notify.alertmanagers},
        },
        "history": {
            "enabled": config.history.enabled,
            "keep_raw": format_duration(config.history.keep_raw),
            "keep_5m": format_duration(config.history.keep_5m),
            "keep_1h": format_duration(config.history.keep_1h),
        },
        "checks": [_check(c) for c in config.checks],
        "rules": [rule_document(r) for r in config.rules],
    }


def _channel(channel: Channel, redact: Redact) -> dict[str, object]:
    return _without_none({
        "urls": [redact(u) for u in channel.urls],
        "config": channel.config,
        "min_severity": channel.min_severity.label,
    })


def _alertmanager_channel(channel: AlertmanagerChannel) -> dict[str, object]:
    """Credentials always hidden: Alertmanager URLs are never Apprise's to redact."""
    return {
        "alertmanager": [redact_http(u) for u in channel.urls],
        "min_severity": channel.min_severity.label,
        "resend": format_duration(channel.resend),
    }


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
    return _without_none({
        "reaches": forecast.reaches,
        "window": format_duration(forecast.window),
        "confirm": format_duration(forecast.confirm) if forecast.confirm is not None else None,
        "from": forecast.past,
    })


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
# alertctl configuration. Every key is optional; these are the built-in defaults.
# Durations take a unit: 500ms, 30s, 5m, 2h, 7d, 1w. Reference: README.md.
# Any key can be overridden from the environment: ALERTCTL_AGENT__INTERVAL=5s.

"""
_AGENT = """\
# [agent] how often `watch` samples, which host name alerts carry (default: this
# machine's hostname), where the database lives (default:
# ~/.local/state/alertctl/alertctl.db), how long resolved alerts are kept, and how
# long a metric may stay silent before its open alert expires.
"""
_NOTIFY = """
# [notify] recovery notices, repeats for unacknowledged alerts ("0" = never), the
# window in which a re-firing alert is reopened instead of announced again, and
# escalation of unacknowledged critical alerts (escalate_severity = "error" escalates
# error alerts too); more than `digest_after` notices
# due at once for one channel go out as one digest, at most `max_per_minute` notices
# per channel a minute (the rest wait for the next digest), and title_template /
# body_template shape the notices (fields: README "Notifications"); max_silence is
# the longest `alertctl suppress --for` accepted.
# Channels are Apprise URLs; ${VARIABLE} is read from the environment at send time:
#
# [notify.channels.ops]
# urls = ["mailto://user:password@example.com", "slack://${SLACK_TOKEN}"]
# min_severity = "warning"
# config = "/etc/alertctl/apprise.yml"   # optional: an Apprise config file too
#
# An Alertmanager channel gets the open alerts themselves, not notices; alertctl
# posts them to every listed instance and again every `resend` while open:
#
# [notify.channels.am]
# alertmanager = ["http://am1:9093", "http://am2:9093"]
# resend = "1m"
"""
_HISTORY = """
# [history] every sample `watch` and `check` take, kept in the same database: raw
# samples for keep_raw, 5-minute and hourly min/max/average for keep_5m and keep_1h.
# About half a byte per sample: 30 series every 10s add about 0.16 MB a day, and the
# file settles near 16 MB with these defaults (docs/history.md has the figures).
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
    """The commented file `config init` writes; comments between sections tomli-w cannot write."""
    tables = document(config)
    notify = {k: v for k, v in tables["notify"].items() if v or k == "resolved"}  # type: ignore[attr-defined]
    return "".join([
        _HEADER,
        _AGENT,
        tomli_w.dumps({"agent": tables["agent"]}),
        _NOTIFY,
        tomli_w.dumps({"notify": notify}),
        _HISTORY,
        tomli_w.dumps({"history": tables["history"]}),
        _CHECKS,
        _RULES,
        tomli_w.dumps({"rules": tables["rules"]}),
    ])
