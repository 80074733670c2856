"""Read, validate and convert the config; the only module that imports pydantic.

Validation costs more than the rest of a cron `check` together, so the result
is cached (see `cache.py`) and this module is imported only on a cache miss.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError, TomlConfigSettingsSource

from alertctl.config import schema
from alertctl.config.runtime import Agent, AlertmanagerChannel, Channel, Config, History, Notify
from alertctl.errors import ConfigError
from alertctl.model import (
    Check,
    CommandCheck,
    HttpCheck,
    Level,
    Op,
    ProcessCheck,
    Rule,
    Severity,
    TcpCheck,
    make_labels,
)


def validate(path: Path | None) -> Config:
    """The config in `path` (None: built-in defaults) plus the environment, or ConfigError."""
    where = str(path) if path else "built-in defaults"
    if path is not None:
        _check_readable(path)
    try:
        settings = _settings_class(path)()
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML: {error}") from None
    except SettingsError as error:
        raise ConfigError(f"environment: {error} (ALERTCTL_ values for lists and tables are JSON)") from None
    except ValidationError as error:
        raise ConfigError(_describe(where, error)) from None
    return to_runtime(settings, where)


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise ConfigError(f"{path}: no such config file")
    if not path.is_file():
        raise ConfigError(f"{path}: not a file")
    try:
        path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start})") from None


def _settings_class(path: Path | None) -> type[schema.Settings]:
    """Settings reading `path`: environment first, then the file, then defaults."""

    class FileSettings(schema.Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources = [init_settings, env_settings]
            if path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            return tuple(sources)

    return FileSettings


def _describe(where: str, error: ValidationError) -> str:
    """The first problem (file or variable, key path, what is wrong), and how many more there are.

    Two lines at most: a cron mail or a Nagios status shows the first line, and fixing
    one problem at a time is what a person does anyway.
    """
    first, *rest = error.errors()
    line = f"{_source(where, first)}: {_key_path(first)}: {_message(first)}"
    if not rest:
        return line
    return f"{line}\n... and {len(rest)} more problem{'s' if len(rest) > 1 else ''}"


def _source(where: str, item: Any) -> str:
    """Blame the ALERTCTL_ variable when one set the value, not the file."""
    names = [str(part) for part in item["loc"] if isinstance(part, str)]
    for depth in range(len(names), 0, -1):
        variable = "ALERTCTL_" + "__".join(names[:depth]).upper()
        if any(key.upper() == variable for key in os.environ):
            return f"${variable}"
    return where


def _key_path(item: Any) -> str:
    parts: list[str] = []
    loc = list(item["loc"])
    for position, part in enumerate(loc):
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif position > 0 and loc[0] == "checks" and isinstance(loc[position - 1], int):
            continue
        elif part.startswith("function-") or part == "[key]":  # a validator's own step, not a key
            continue
        else:
            parts.append(("." if parts else "") + _bare_or_quoted(part))
    problem = item.get("ctx", {}).get("error")
    if isinstance(problem, schema.KeyProblem):
        parts.append(("." if parts else "") + problem.key)
    return "".join(parts) or "(top level)"


def _bare_or_quoted(key: str) -> str:
    """As TOML spells the key: `notify.channels."on call"`."""
    return key if _BARE_KEY.match(key) else f'"{key}"'


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling; `alertctl config init` writes every key)",
    "missing": "is required",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
}

_BOUNDS = {
    "greater_than_equal": "must be at least",
    "greater_than": "must be more than",
    "less_than_equal": "must be at most",
    "less_than": "must be less than",
}


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind == "union_tag_invalid":
        return f"unknown check type {item['ctx']['tag']!r} (expected one of command, http, tcp, process)"
    if kind == "union_tag_not_found":
        return "needs a type: command, http, tcp or process"
    if kind == "enum":
        return f"must be one of {item['ctx']['expected']} (got {item['input']!r})"
    if kind == "literal_error":
        return f"must be one of {item['ctx']['expected']} (got {item['input']!r})"
    if kind in _BOUNDS:
        return f"{_BOUNDS[kind]} {next(iter(item['ctx'].values()))} (got {item['input']!r})"
    text = _MESSAGES.get(kind, item["msg"])
    if kind not in ("missing", "extra_forbidden") and not _may_hold_secrets(item):
        text += f" (got {item['input']!r})"
    return text


def _may_hold_secrets(item: Any) -> bool:
    """Never echo what was written under a channel, nor anything shaped like a URL."""
    under_channels = tuple(item["loc"][:2]) == ("notify", "channels")
    return under_channels or "://" in repr(item.get("input"))


def to_runtime(settings: schema.Settings, source: str) -> Config:
    notify = settings.notify
    return Config(
        agent=Agent(**settings.agent.model_dump()),
        notify=Notify(
            resolved=notify.resolved,
            renotify=notify.renotify,
            dedup_window=notify.dedup_window,
            escalate_after=notify.escalate_after,
            escalate_to=tuple(notify.escalate_to),
            channels=tuple(
                Channel(name, tuple(c.urls), Severity.parse(c.min_severity), c.config)
                for name, c in notify.channels.items() if not c.alertmanager
            ),
            alertmanagers=tuple(
                AlertmanagerChannel(name, tuple(c.alertmanager), Severity.parse(c.min_severity), c.resend)
                for name, c in notify.channels.items() if c.alertmanager
            ),
            digest_after=notify.digest_after,
            max_per_minute=notify.max_per_minute,
            max_silence=notify.max_silence,
            ack_survives_rise=notify.ack_survives_rise,
            title_template=notify.title_template,
            body_template=notify.body_template,
        ),
        history=History(**settings.history.model_dump()),
        checks=tuple(_check(c) for c in settings.checks),
        rules=tuple(_rule(r) for r in settings.rules),
        source=source,
    )


def _check(section: Any) -> Check:
    if isinstance(section, schema.CommandCheckSection):
        return CommandCheck(section.name, tuple(section.command), section.timeout)
    if isinstance(section, schema.HttpCheckSection):
        return HttpCheck(section.name, section.url, section.timeout, section.expect_status)
    if isinstance(section, schema.TcpCheckSection):
        return TcpCheck(section.name, section.host, section.port, section.timeout)
    return ProcessCheck(section.name, section.pattern, section.timeout)


def _level(section: schema.LevelSection | None) -> Level | None:
    return None if section is None else Level(section.value, section.for_)


def _rule(section: schema.RuleSection) -> Rule:
    return Rule(
        name=section.name,
        metric=section.metric,
        op=Op(section.op),
        warning=_level(section.warning),
        critical=_level(section.critical),
        for_seconds=section.for_,
        consecutive=section.consecutive,
        clear=section.clear,
        match=make_labels({"mount": section.mount} if section.mount else None),
        channels=tuple(section.channels or ()),
        labels=make_labels(section.labels),
        description=section.description,
        runbook=section.runbook,
        recommendations=tuple(section.recommendations),
    )


def defaults() -> Config:
    """The built-in defaults alone, without the environment: what `config init` writes."""
    return to_runtime(schema.Settings.model_validate({}), "built-in defaults")
