"""Read, validate and convert the config; the only module that imports pydantic.

Validation costs more than the rest of a cron `check` together, so the result
is cached (see `cache.py`) and this module is imported only on a cache miss.
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError, TomlConfigSettingsSource

from alertctl.config import schema
from alertctl.config.keys import Declared, declared
from alertctl.config.runtime import Agent, AlertmanagerChannel, Channel, Config, History, Notify
from alertctl.declaration import Kind
from alertctl.errors import ConfigError
from alertctl.model import Check, Rule, Severity, make_labels

T = TypeVar("T")


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
        problems = tuple(_problem(where, item) for item in error.errors())
        raise ConfigError(_summary(problems), problems) from None
    except RecursionError:
        raise ConfigError(f"{where}: tables or lists nested too deeply to read") from None
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


def _problem(where: str, item: Any) -> str:
    """One problem as a line: file or variable, key path, what is wrong."""
    return f"{_source(where, item)}: {_key_path(item)}: {_message(item)}"


def _summary(problems: tuple[str, ...]) -> str:
    """The first problem, and how many more there are.

    Two lines at most: a cron mail or a Nagios status shows the first line, and fixing
    one problem at a time is what a person does anyway; `config validate` lists them all.
    """
    first, *rest = problems
    if not rest:
        return first
    more = f"{len(rest)} more problem{'s' if len(rest) > 1 else ''}"
    return f"{first}\n... and {more} (`alertctl config validate` or --debug lists them all)"


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
    if kind == "extra_forbidden":
        return _unknown_key(item["loc"])
    text: str = _MESSAGES.get(kind, item["msg"])
    from alertctl.secrets import may_echo  # only on the error path: a cron `check` never loads it

    if kind != "missing" and may_echo(item["loc"], item.get("input")):
        text += f" (got {item['input']!r})"
    return text


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    """`critcal` next to `critical`: name the key that was probably meant."""
    typed = str(loc[-1])
    close = difflib.get_close_matches(typed, _known_keys(loc[:-1]), n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean `{close[0]}`?)"
    return "unknown key (check the spelling; `alertctl config init` writes every key)"


def _known_keys(table: tuple[str | int, ...]) -> list[str]:
    """The keys the table at `table` accepts, as TOML spells them (the models' field names)."""
    current: list[Any] = [schema.Settings]
    for part in table:
        current = _step(current, part)
    models = [kind for kind in current if _is_model(kind)]
    return [name for model in models for name in model.model_fields]


def _step(types: list[Any], part: str | int) -> list[Any]:
    """The models one step down the error's location: a field, a list item, a table entry,
    or (for `[[checks]]`) the member of the union that pydantic named by its `type` tag."""
    options = [inner for kind in types for inner in _options(kind)]
    tagged = [kind for kind in options if _is_model(kind) and _tag(kind) == part]
    if tagged:
        return tagged
    found: list[Any] = []
    for kind in options:
        origin = get_origin(kind)
        if _is_model(kind) and isinstance(part, str):
            field = kind.model_fields.get(part)
            found += _options(field.annotation) if field is not None else []
        elif origin is list and isinstance(part, int):
            found += _options(get_args(kind)[0])
        elif origin is dict and isinstance(part, str):
            found += _options(get_args(kind)[1])
    return found


def _options(kind: Any) -> list[Any]:
    """`Annotated[X, ...]` is X; `X | Y` is both."""
    origin = get_origin(kind)
    if origin is Annotated:
        return _options(get_args(kind)[0])
    if origin is Union or type(kind).__name__ == "UnionType":
        return [inner for member in get_args(kind) for inner in _options(member)]
    return [kind]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _tag(model: type[BaseModel]) -> object:
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return None
    return get_args(field.annotation)[0]


def to_runtime(settings: schema.Settings, source: str) -> Config:
    notify = settings.notify
    channels = notify.channels.items()
    return Config(
        agent=runtime_section(Agent, settings.agent),
        notify=runtime_section(
            Notify,
            notify,
            channels=tuple(runtime_section(Channel, c, name=n) for n, c in channels if not c.alertmanager),
            alertmanagers=tuple(runtime_section(AlertmanagerChannel, c, name=n) for n, c in channels if c.alertmanager),
        ),
        history=runtime_section(History, settings.history),
        checks=tuple(_check(c) for c in settings.checks),
        rules=tuple(runtime_section(Rule, r) for r in settings.rules),
        source=source,
    )


def runtime_section(section: type[T], table: BaseModel, **extra: object) -> T:
    """The dataclass `section` from its validated table: every declared key, as its field's
    type wants it (a tuple for a list, a Severity for its name, a dataclass for a table),
    plus `extra`."""
    values = {key.name: _runtime_value(key, getattr(table, key.key)) for key in declared(section)}
    return section(**values, **extra)


def _runtime_value(key: Declared, value: object) -> object:
    """The inverse of `keys.to_file`, for one validated value."""
    kind = key.held
    if value is None or (key.setting.off is not None and value == key.setting.off):
        return None
    if isinstance(value, BaseModel):
        return runtime_section(kind, value)
    if key.setting.kind is Kind.LABELS and isinstance(value, dict):
        return make_labels(value)
    if isinstance(value, list):
        return tuple(value)
    if kind is Severity and isinstance(value, str):
        return Severity.parse(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    return value


def _check(section: BaseModel) -> Check:
    kind = next(kind for kind, model in schema.CHECK_SECTIONS.items() if isinstance(section, model))
    check: Check = runtime_section(kind, section)
    return check


def defaults() -> Config:
    """The built-in defaults alone, without the environment: what `config init` writes."""
    return to_runtime(schema.Settings.model_validate({}), "built-in defaults")
