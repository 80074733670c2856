"""Expected failures: each carries the exit status the CLI boundary turns it into."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
"""What a terminal, a log or Nagios would act on or split a line at (a newline, a CR, an
escape, a record separator), and the stand-ins for bytes a file name had that are not UTF-8
(which a strict stdout cannot print at all)."""


def shown(text: str, keep: str = "") -> str:
    """`text` with those characters written as escapes (`\\x1b`, `\\n`), except any in `keep`: an
    operator's typo echoed in an error stays one visible line."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else repr(char)[1:-1]


class AlertctlError(Exception):
    """A failure the user can act on; printed as one line, never as a traceback."""

    exit_code = 1


class ConfigError(AlertctlError):
    """The config file or environment is wrong: names the file, the key, what is wrong.

    The message holds the first problem (and how many more there are); `problems` holds
    every one, a line each, for `config validate` and `--debug` to list.
    """

    exit_code = 2

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class UsageError(AlertctlError):
    exit_code = 2


class NotFoundError(AlertctlError):
    """An alert id or other named thing does not exist."""


class StoreError(AlertctlError):
    """The database cannot be opened, read or written."""

    def __init__(self, message: str, refuses_writes: bool = False) -> None:
        super().__init__(message)
        self.refuses_writes = refuses_writes
        """The file or its folder cannot take writes now (full, read-only): `watch` can wait that out."""
