"""How a config key is declared: once, as a field of the dataclass that carries its value.

`setting()` makes the field and carries what the rest needs: the one-line doc, how the
value is written (a duration, a level, labels), its bounds, its TOML spelling when that is
not the field's name, and an example for keys that have no default value. The sections'
keys are fields of config/runtime.py, a rule's and a check's of model.py. Validation
(config/schema.py), the conversion (config/load.py), `config show` and the starter file
(config/document.py) and the generated reference (docs/generate.py) all walk these
fields (config/keys.py reads them), so adding a key is one line. Nothing here imports
pydantic or the rest of alertctl: the model itself is declared with it, and a cached
config loads without pydantic.
"""

from __future__ import annotations

import enum
from dataclasses import MISSING, field
from typing import Any, NamedTuple


class Kind(enum.Enum):
    """How a value is read and written beyond its Python type."""

    PLAIN = "plain"
    DURATION = "duration"
    """A duration ("5m" or seconds); 0 allowed (it turns the feature off)."""
    POSITIVE_DURATION = "positive duration"
    """A duration of more than 0s."""
    TEMPLATE = "template"
    """A notice template, checked by rendering it for a sample alert."""
    NAME = "name"
    """An identifier: letters, digits, '-' or '_'."""
    WORDS = "words"
    """A list of words, or a string split into words as a shell would (never run by one)."""
    LABELS = "labels"
    """A table of strings, kept as sorted pairs."""
    TAG = "tag"
    """The `type` that says which kind of table this is: required, fixed by the class."""


class Setting(NamedTuple):
    """What a key's field carries (a named tuple: a third of a dataclass's cost at start-up,
    which every cron `check` pays)."""

    doc: str
    kind: Kind = Kind.PLAIN
    at_least: int | None = None
    at_most: int | None = None
    key: str | None = None
    """The key as the file spells it, when not the field's name."""
    example: object = None
    """A value to show for a key with no default (the starter file writes it commented out)."""
    choices: tuple[Any, ...] = ()
    """For a severity key, the levels allowed (default: all of them)."""
    off: str | None = None
    """The word the file uses for None (the feature off), as `nodata = "ignore"`."""
    default_text: str | None = None
    """The default as the reference says it, when the value alone would mislead."""


def setting(
    default: object,
    doc: str,
    *,
    kind: Kind = Kind.PLAIN,
    at_least: int | None = None,
    at_most: int | None = None,
    key: str | None = None,
    example: object = None,
    choices: tuple[Any, ...] = (),
    off: str | None = None,
    default_text: str | None = None,
    kw_only: bool = False,
) -> Any:
    """A dataclass field that is a config key; `REQUIRED` for a key the file must give.
    Defaults are immutable (tuples, not lists)."""
    declaration = Setting(doc, kind, at_least, at_most, key, example, choices, off, default_text)
    return field(default=default, metadata={"setting": declaration}, kw_only=kw_only)


REQUIRED: Any = MISSING
"""The default of a key that has none: the file must give it."""
