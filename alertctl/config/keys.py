"""How a config key is declared: once, as a field of a runtime dataclass (runtime.py).

`setting()` makes the field and carries what the rest needs: the one-line doc, how the
value is written (a duration, a template), its lower bound, its TOML spelling when that is
not the field's name, and an example for keys that have no default value. Validation
(schema.py), the conversion (load.py), `config show` and the starter file (document.py)
and the generated reference (docs/generate.py) all walk these fields, so adding a key is
one line. Nothing here imports pydantic: a cached config loads without it.
"""

from __future__ import annotations

import enum
from dataclasses import Field, dataclass, field, fields
from typing import Any

from alertctl.model import Severity


class Kind(enum.Enum):
    """How a value is read and written beyond its Python type."""

    PLAIN = "plain"
    DURATION = "duration"
    """A duration ("5m" or seconds); 0 allowed (it turns the feature off)."""
    POSITIVE_DURATION = "positive duration"
    """A duration of more than 0s."""
    TEMPLATE = "template"
    """A notice template, checked by rendering it for a sample alert."""


@dataclass(frozen=True)
class Setting:
    doc: str
    kind: Kind = Kind.PLAIN
    at_least: int | None = None
    key: str | None = None
    """The key as the file spells it, when not the field's name."""
    example: object = None
    """A value to show for a key with no default (the starter file writes it commented out)."""
    choices: tuple[Severity, ...] = ()
    """For a severity key, the levels allowed (default: all of them)."""


def setting(
    default: object,
    doc: str,
    *,
    kind: Kind = Kind.PLAIN,
    at_least: int | None = None,
    key: str | None = None,
    example: object = None,
    choices: tuple[Severity, ...] = (),
) -> Any:
    """A dataclass field that is a config key. Defaults are immutable (tuples, not lists)."""
    return field(default=default, metadata={"setting": Setting(doc, kind, at_least, key, example, choices)})


@dataclass(frozen=True)
class Declared:
    """One config key of a section: its field and its declaration."""

    field: Field[Any]
    setting: Setting

    @property
    def name(self) -> str:
        """The field's name in the runtime dataclass."""
        return self.field.name

    @property
    def key(self) -> str:
        """The key as the file spells it."""
        return self.setting.key or self.field.name

    @property
    def default(self) -> object:
        return self.field.default


def declared(section: type) -> list[Declared]:
    """The config keys of a runtime dataclass, in declaration order (fields made without
    `setting()`, such as a channel's name, are not keys)."""
    return [Declared(f, f.metadata["setting"]) for f in fields(section) if "setting" in f.metadata]


def to_file(value: object) -> object:
    """A runtime value as the file (and pydantic) has it: a list for a tuple, a severity's name."""
    if isinstance(value, tuple):
        return [to_file(item) for item in value]
    if isinstance(value, Severity):
        return value.label
    return value


def from_file(key: Declared, value: object) -> object:
    """A validated value as its field's type wants it: the inverse of `to_file`."""
    if isinstance(key.default, tuple) and isinstance(value, list):
        return tuple(value)
    if isinstance(key.default, Severity) and isinstance(value, str):
        return Severity.parse(value)
    return value
