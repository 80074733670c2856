"""Expected failures: each carries the exit status the CLI boundary turns it into."""

from __future__ import annotations


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
