"""The config file's shape and its rules, checked by pydantic.

Strict on purpose: an unknown key is an error, because a typo that passes
silently is a rule that never fires.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from alertctl import catalog, declaration, model
from alertctl.config import keys, runtime
from alertctl.config.defaults import DEFAULT_RULES, needs_history
from alertctl.durations import format_duration, parse_duration
from alertctl.model import CheckType, Op, Severity


class KeyProblem(ValueError):
    """A problem with one key below the model being validated, so the message can name it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


Duration = Annotated[float, BeforeValidator(parse_duration)]
LEVELS = tuple(s.label for s in Severity)
"""A rule's level keys, mildest first (the labels of `model.Severity`)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_HTTP_URL = re.compile(r"^https?://[^/\s]+")
_SYSTEM_FAMILIES = sorted({spec.name.split(".")[0] for spec in catalog.SYSTEM_METRICS})


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"must be a number (got {value!r})")
    return value


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("must be more than 0s")
    return seconds


PositiveDuration = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]


def _level(value: object) -> object:
    if isinstance(value, dict):
        return value
    return {"value": _number(value)}


def _name(value: object) -> object:
    if isinstance(value, str) and not _NAME.match(value):
        raise ValueError(f"must be letters, digits, '-' or '_' (got {value!r})")
    return value


def _whole(value: object) -> object:
    """`port = true` is a typo, not port 1 (pydantic reads a bool as an int)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {str(value).lower()}")
    return value


Number = Annotated[float, BeforeValidator(_number)]
Whole = Annotated[int, BeforeValidator(_whole)]
Name = Annotated[str, BeforeValidator(_name)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _whole_hours(history: Any) -> Any:
    if history.keep_raw < 3600:
        raise KeyProblem("keep_raw", "must be at least 1h: raw samples are kept and pruned an hour at a time")
    return history


def _somewhere_to_send(channel: Any) -> Any:
    if channel.alertmanager:
        _check_alertmanager_urls(channel.alertmanager)
        if channel.urls or channel.config:
            raise KeyProblem(
                "alertmanager",
                "cannot be combined with `urls` or `config`: a channel is either Apprise or Alertmanager",
            )
        return channel
    if "resend" in channel.model_fields_set:
        raise KeyProblem("resend", "only applies to `alertmanager` channels")
    if not channel.urls and not channel.config:
        raise KeyProblem("urls", "needs at least one Apprise URL (or a `config` file, or `alertmanager` URLs)")
    return channel


def _check_alertmanager_urls(urls: list[str]) -> None:
    """Never echoes the URL: it may carry basic-auth credentials."""
    for index, url in enumerate(urls):
        if not _HTTP_URL.match(url):
            raise KeyProblem(f"alertmanager[{index}]", "must start with http:// or https:// and name a host")
        if not _reads_back(url):
            raise KeyProblem(f"alertmanager[{index}]", _UNENCODED)


_UNENCODED = (
    "cannot be read back as a URL (no host, a bad port, or `@` after the host): percent-encode "
    "`#`, `/`, `?` and `@` in the user name and password (`%23`, `%2F`, `%3F`, `%40`)"
)


def _reads_back(url: str) -> bool:
    """Whether a URL parser finds a host, a port and the whole user info where they were meant:
    an unencoded `#` in a password (`http://admin:hunter#2@am:9093`) makes `hunter` the port
    and `2@am:9093` a fragment, so the post fails and the password is shown unredacted."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises on a port that is not a number in range
    except ValueError:
        return False
    return bool(parts.hostname) and "@" not in parts.path + parts.query + parts.fragment


def _template(value: object) -> object:
    """Parsed, then rendered for a sample alert: `{rule.name}` parses but can never be filled in."""
    if isinstance(value, str):
        import string

        from alertctl.notice_text import template_problem

        try:
            list(string.Formatter().parse(value))
        except ValueError as error:
            raise ValueError(f"is not a valid template ({error}); write literal braces as {{{{ and }}}}") from None
        problem = template_problem(value)
        if problem is not None:
            raise ValueError(
                f"cannot be rendered for a sample alert ({problem}); every field is text: "
                "write {rule} or {rule:>20}, not {rule.name}, {id:d} or {0}"
            )
    return value


Template = Annotated[str | None, BeforeValidator(_template)]


def _known_escalation_channels(notify: Any) -> Any:
    for name in notify.escalate_to:
        if name not in notify.channels:
            raise KeyProblem("escalate_to", _unknown_channel(name, notify.channels))
        if notify.channels[name].alertmanager:
            raise KeyProblem(
                "escalate_to",
                f"{name!r} is an Alertmanager channel; escalation sends a notice, so name an Apprise channel",
            )
    return notify


def section_model(
    name: str,
    *sections: type,
    validator: Callable[[Any], Any] | None = None,
    before: Callable[[Any], Any] | None = None,
    **extra: Any,
) -> type[Strict]:
    """The pydantic model of one table, built from the keys declared in `sections`
    (dataclasses; a key declared in two of them is one key) and `extra` fields (each in the
    place of the dataclass field of its name), with `validator` checking the table as a whole
    and `before` reshaping the raw table first."""
    fields: dict[str, Any] = {}
    for section in sections:
        declared = {key.name: key for key in keys.declared(section)}
        for field_name in (f.name for f in dataclasses.fields(section)):
            if field_name in extra:
                fields[field_name] = extra[field_name]
            elif field_name in declared:
                key = declared[field_name]
                fields.setdefault(key.key, (_annotation(key), _default(key)))
    validators: dict[str, Any] = {}
    if validator is not None:
        validators[validator.__name__] = model_validator(mode="after")(validator)
    if before is not None:
        validators[before.__name__] = model_validator(mode="before")(before)
    model: type[Strict] = create_model(name, __base__=Strict, __validators__=validators, **fields)
    return model


def _default(key: keys.Declared) -> Any:
    if key.required:
        return ...
    return keys.to_file(key, key.default)


def _annotation(key: keys.Declared) -> Any:
    """What pydantic checks a declared key against: the type of its value as the file
    writes it, `| None` when the field may be unset and the file has no word for that."""
    annotation = _file_type(key)
    return annotation | None if key.optional and key.setting.off is None else annotation


def _file_type(key: keys.Declared) -> Any:
    setting = key.setting
    by_kind = {
        declaration.Kind.DURATION: Duration,
        declaration.Kind.POSITIVE_DURATION: PositiveDuration,
        declaration.Kind.TEMPLATE: Template,
        declaration.Kind.NAME: Name,
        declaration.Kind.WORDS: Words,
        declaration.Kind.LABELS: dict[str, str],
    }
    base = by_kind[setting.kind] if setting.kind in by_kind else _python_type(key)
    if setting.at_least is not None or setting.at_most is not None:
        return Annotated[base, Field(ge=setting.at_least, le=setting.at_most)]
    return base


def _python_type(key: keys.Declared) -> Any:
    """The file's type for a key of no special kind, from its field's type."""
    setting, hint = key.setting, key.held
    if setting.kind is declaration.Kind.TAG:
        return Literal[keys.to_file(key, key.default)]
    if hint is Severity:
        names = tuple(s.label for s in setting.choices or Severity)
        return Literal[(*names, setting.off)] if setting.off else Literal[names]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return Literal[tuple(member.value for member in hint)]
    if hint in _TABLES:
        return _TABLES[hint]
    if get_origin(hint) is tuple:
        return list[get_args(hint)[0]]  # type: ignore[misc]
    if hint is float:
        return Number
    if hint is int:
        return Whole
    return hint


def _words(value: object) -> object:
    """A string is split as a shell would split words, but never run through a shell."""
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError as error:
            raise ValueError(f"cannot be split into words ({error})") from None
    return value


Words = Annotated[list[str], BeforeValidator(_words)]


def _confirm_is_longer(forecast: Any) -> Any:
    if forecast.confirm is not None and forecast.confirm < forecast.window:
        raise KeyProblem("confirm", f"must be at least the window ({format_duration(forecast.window)})")
    return forecast


_TABLES: dict[type, Any] = {}
"""What validates a key that holds a table (a rule's levels and `forecast`), by the table's dataclass."""

if TYPE_CHECKING:  # built at run time from the declarations, which mypy cannot follow
    AgentSection = Any
    HistorySection = Any
    ChannelSection = Any
    NotifySection = Any
    LevelSection = Any
    ForecastSection = Any
else:
    AgentSection = section_model("AgentSection", runtime.Agent)
    HistorySection = section_model("HistorySection", runtime.History, validator=_whole_hours)
    ChannelSection = section_model(
        "ChannelSection", runtime.Channel, runtime.AlertmanagerChannel, validator=_somewhere_to_send
    )
    NotifySection = section_model(
        "NotifySection", runtime.Notify, validator=_known_escalation_channels, channels=(dict[Name, ChannelSection], {})
    )
    LevelSection = section_model("LevelSection", model.Level)
    ForecastSection = section_model("ForecastSection", model.Forecast, validator=_confirm_is_longer)
    _TABLES[model.Level] = Annotated[LevelSection, BeforeValidator(_level)]
    _TABLES[model.Forecast] = ForecastSection


def _runnable(check: Any) -> Any:
    """Refused here, not at every cycle: a command that could never start."""
    if not check.command or not check.command[0]:
        raise KeyProblem("command", "must name a program to run")
    if any("\0" in word for word in check.command):
        raise KeyProblem("command", "cannot hold a NUL character (\\u0000): no program can be given one")
    return check


def _http_url(check: Any) -> Any:
    if not _HTTP_URL.match(check.url):
        shown = check.url.split("://")[0] + "://..." if "://" in check.url else check.url
        raise KeyProblem("url", f"must start with http:// or https:// (got {shown!r})")
    return check


def _connectable(check: Any) -> Any:
    if not check.host.strip() or "\0" in check.host:
        raise KeyProblem("host", "must be a host name or address")
    return check


def _valid_regex(check: Any) -> Any:
    try:
        re.compile(check.pattern)
    except re.error as error:
        raise KeyProblem("pattern", f"is not a valid regular expression ({error})") from None
    return check


_CHECK_VALIDATORS: dict[type, Callable[[Any], Any]] = {
    model.CommandCheck: _runnable,
    model.HttpCheck: _http_url,
    model.TcpCheck: _connectable,
    model.ProcessCheck: _valid_regex,
}

CHECK_SECTIONS: dict[type, type[Strict]] = {
    kind: section_model(f"{kind.__name__}Section", kind, validator=_CHECK_VALIDATORS.get(kind))
    for kind in get_args(model.Check)
}
"""One model per kind of check, by its dataclass; `type` tells them apart in the file."""

CheckSection: Any = Annotated[Union[tuple(CHECK_SECTIONS.values())], Field(discriminator="type")]  # noqa: UP007


def _forecast_levels(data: object) -> object:
    """With `forecast`, levels and `clear` are durations of time left ("24h", or seconds) and
    op is "<" (a shorter time left is worse): turned into seconds here, so the usual checks
    of order and hysteresis apply to them."""
    if not isinstance(data, dict) or "forecast" not in data:
        return data
    data = dict(data)
    if data.get("op", "<") != "<":
        raise KeyProblem("op", "must be left out with forecast: levels are time left, and less is worse")
    data["op"] = "<"
    for key in (*LEVELS, "clear"):
        value = data.get(key)
        try:
            if isinstance(value, dict) and "value" in value:
                data[key] = value | {"value": parse_duration(value["value"])}
            elif value is not None and not isinstance(value, dict):
                data[key] = parse_duration(value)
        except ValueError as error:
            raise KeyProblem(key, f"is time left with forecast, so {error}") from None
    return data


def _levels_make_sense(rule: Any) -> Any:
    levels = _levels_set(rule)
    if not levels:
        raise ValueError("needs at least one level (info, warning, error or critical)")
    if rule.forecast is not None:
        _check_time_left(levels, rule.clear)
        if "nodata_after" not in rule.model_fields_set:
            rule.nodata_after = max(rule.nodata_after, rule.forecast.window)  # a fresh start needs half of it
        return rule
    waits = [(key, level.value, _wait(rule, level)) for key, level in levels]
    _check_order(Op(rule.op), waits)
    if rule.clear is not None:
        _check_clear(Op(rule.op), rule.clear, levels[0][1].value)
    return rule


def _levels_set(rule: Any) -> list[tuple[str, Any]]:
    """A validated rule's levels, mildest first, by key."""
    return [(key, level) for key in LEVELS if (level := getattr(rule, key)) is not None]


def _wait(rule: Any, level: Any) -> float:
    own: float | None = getattr(level, "for")
    return float(getattr(rule, "for")) if own is None else own


if TYPE_CHECKING:
    RuleSection = Any
else:
    RuleSection = section_model("RuleSection", model.Rule, validator=_levels_make_sense, before=_forecast_levels)


def _check_order(op: Op, levels: list[tuple[str, float, float]]) -> None:
    """Each level (key, value, wait) worse than the milder one next to it, for the operator (for
    == and != different from every other); the same value is allowed with a longer wait
    (`down 1m: warning, down 15m: critical`)."""
    for index, (key, value, wait) in enumerate(levels):
        worse_ones = levels[index + 1 :] if op in (Op.EQ, Op.NE) else levels[index + 1 : index + 2]
        for worse, bound, longer in worse_ones:
            if not (value == bound and longer > wait):
                _check_pair(op, key, value, worse, bound)


def _check_pair(op: Op, key: str, value: float, worse: str, bound: float) -> None:
    same = f" (or equal, with a longer `for` on {worse})"
    if op in (Op.GT, Op.GE) and not value < bound:
        raise KeyProblem(key, f"must be below {worse} ({bound:g}) for op '{op}'{same}")
    if op in (Op.LT, Op.LE) and not value > bound:
        raise KeyProblem(key, f"must be above {worse} ({bound:g}) for op '{op}'{same}")
    if op in (Op.EQ, Op.NE) and value == bound:
        raise KeyProblem(key, f"must differ from {worse} ({bound:g})")


def _check_time_left(levels: list[tuple[str, LevelSection]], clear: float | None) -> None:
    """A forecast rule's order: less time left is worse, so each worse level is a shorter span
    and `clear` (hysteresis in time) at least the longest level."""
    for (key, level), (worse, shorter) in zip(levels, levels[1:], strict=False):
        if not level.value > shorter.value:
            raise KeyProblem(
                key, f"must be longer than {worse} ({format_duration(shorter.value)}): less time left is worse"
            )
    mildest = levels[0][1]
    if clear is not None and clear < mildest.value:
        raise KeyProblem("clear", f"must be at least the longest level ({format_duration(mildest.value)})")


def _check_clear(op: Op, clear: float, mildest: float) -> None:
    if op in (Op.EQ, Op.NE):
        raise KeyProblem("clear", f"has no meaning with op '{op}'; leave it out")
    if op.rises and clear > mildest:
        raise KeyProblem("clear", f"must be at or below the lowest level ({mildest:g}) for op '{op}'")
    if not op.rises and clear < mildest:
        raise KeyProblem("clear", f"must be at or above the lowest level ({mildest:g}) for op '{op}'")


def _unknown_channel(name: str, channels: dict[str, Any]) -> str:
    known = ", ".join(sorted(channels)) or "none; add [notify.channels.NAME]"
    return f"unknown channel {name!r} (configured: {known})"


class Settings(BaseSettings):
    """The whole file; sources are wired in `load.py` (file path known only at run time)."""

    model_config = SettingsConfigDict(extra="forbid", env_prefix="ALERTCTL_", env_nested_delimiter="__")

    agent: AgentSection = AgentSection()
    notify: NotifySection = NotifySection()
    history: HistorySection = HistorySection()
    checks: list[CheckSection] = []
    rules: list[RuleSection] = Field(default_factory=lambda: [RuleSection.model_validate(r) for r in DEFAULT_RULES])

    @model_validator(mode="after")
    def _cross_references(self) -> Settings:
        if "rules" not in self.model_fields_set and not self.history.enabled:
            self.rules = [RuleSection.model_validate(r) for r in DEFAULT_RULES if not needs_history(r)]
        if not self.rules:
            raise KeyProblem("rules", "is empty, so nothing would ever alert (leave it out for the built-in rules)")
        if self.agent.retention < self.notify.dedup_window:
            raise KeyProblem("agent.retention", "must be at least notify.dedup_window, or nothing could be reopened")
        _unique("checks", [c.name for c in self.checks])
        _unique("rules", [r.name for r in self.rules])
        for index, check in enumerate(self.checks):
            if check.name in _SYSTEM_FAMILIES:
                raise KeyProblem(f"checks[{index}].name", f"{check.name!r} is a built-in metric family")
        check_types = {c.name: CheckType(c.type) for c in self.checks}
        for index, rule in enumerate(self.rules):
            _check_rule_refs(index, rule, check_types, self.notify.channels)
            if rule.forecast is not None and not self.history.enabled:
                raise KeyProblem(f"rules[{index}].forecast", "needs the metric history, and [history] enabled is false")
        return self


def _unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise KeyProblem(f"{section}[{index}].name", f"duplicate name {name!r}")
        seen.add(name)


def _closest_metric(metric: str, checks: dict[str, CheckType]) -> str:
    """`did you mean 'cpu.percent'? ` for `cpu.percentage`, or nothing (only asked within a known family:
    `gpu.percent` is not a typo of `cpu.percent`)."""
    import difflib

    names = [spec.name for spec in catalog.SYSTEM_METRICS]
    names += [spec.name for name, kind in checks.items() for spec in catalog.check_metrics(name, kind)]
    close = difflib.get_close_matches(metric, names, n=1, cutoff=0.75)
    return f"did you mean {close[0]!r}? " if close else ""


def _check_rule_refs(index: int, rule: RuleSection, checks: dict[str, CheckType], channels: dict[str, Any]) -> None:
    where = f"rules[{index}]"
    spec = catalog.find(rule.metric, checks)
    if spec is None:
        family = rule.metric.partition(".")[0]
        known = ", ".join([*_SYSTEM_FAMILIES, *sorted(checks)])
        what = "metric" if family in _SYSTEM_FAMILIES or family in checks else "metric family"
        hint = _closest_metric(rule.metric, checks) if what == "metric" else ""
        raise KeyProblem(
            f"{where}.metric",
            f"unknown {what} {rule.metric!r} ({hint}families: {known}; `alertctl metrics` lists every name)",
        )
    if rule.mount is not None and "mount" not in spec.labels:
        raise KeyProblem(f"{where}.mount", f"{rule.metric} has no mount label")
    if rule.mount is not None and not rule.mount.startswith("/"):
        raise KeyProblem(f"{where}.mount", f'must be a mount point like "/var" (got {rule.mount!r})')
    for name in rule.channels:
        if name not in channels:
            raise KeyProblem(f"{where}.channels", _unknown_channel(name, channels))
