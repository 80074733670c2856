"""The config keys a dataclass declares, and a key's value as the file (and pydantic) has it.

The declarations themselves are made with alertctl/declaration.py; reading them back is
here, with the one conversion that validation's defaults and `config show` share, kept
apart from both so neither needs the other (and a cron `check` needs none of it).
"""

from __future__ import annotations

import enum
from dataclasses import MISSING, Field, dataclass, fields
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from alertctl.declaration import Kind, Setting
from alertctl.model import Severity


@dataclass(frozen=True)
class Declared:
    """One config key of a table: its field, its declaration and the type of its value."""

    field: Field[Any]
    setting: Setting
    held: Any
    """The field's type without `| None`: what validation, conversion and the starter read."""
    optional: bool
    """Whether the field may be None (unset)."""

    @property
    def name(self) -> str:
        """The field's name in the dataclass."""
        return self.field.name

    @property
    def key(self) -> str:
        """The key as the file spells it."""
        return self.setting.key or self.field.name

    @property
    def default(self) -> object:
        return self.field.default

    @property
    def required(self) -> bool:
        """Whether the file must give the key (a check's `type` too, though its class knows it)."""
        return self.field.default is MISSING or self.setting.kind is Kind.TAG


def declared(table: type) -> list[Declared]:
    """The config keys of a dataclass, in declaration order (fields made without
    `setting()`, such as a channel's name, are not keys)."""
    hints = get_type_hints(table)
    return [_key(f, hints[f.name]) for f in fields(table) if "setting" in f.metadata]


def _key(field: Field[Any], hint: Any) -> Declared:
    optional = get_origin(hint) in (Union, UnionType) and type(None) in get_args(hint)
    held = next(arg for arg in get_args(hint) if arg is not type(None)) if optional else hint
    return Declared(field, field.metadata["setting"], held, optional)


def to_file(key: Declared, value: object) -> object:
    """A list for a tuple, a table for labels, a level's or an enum's name, the `off` word for None."""
    if value is None:
        return key.setting.off
    if key.setting.kind is Kind.LABELS and isinstance(value, tuple):
        return dict(value)
    if isinstance(value, tuple):
        return [to_file(key, item) for item in value]
    if isinstance(value, Severity):
        return value.label
    if isinstance(value, enum.Enum):
        return value.value
    return value
