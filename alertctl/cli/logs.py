"""Where the package's log records go while a command runs: its handlers, set up once per command.

Modules below the CLI never print: they log (`alertctl.reported`) under `alertctl`, and
add no handler. The error boundary (`common.guarded`) routes their records here for the
command's duration, and they are installed only when the first record comes (a quiet
cron `check` never loads `logging`):

- WARNING and above are diagnostics: `alertctl: MESSAGE` on stderr, the line `error_line`
  prints for the CLI's own problems, written to the stderr of the moment (the live view
  of `watch` swaps it, to print each line above the screen it redraws);
- INFO is what `watch` did besides its cycles (each notice sent, each channel that starts
  failing or recovers, each Alertmanager post that carried a change): part of its event
  log, on stdout when it is not drawing the live view (`activity_on_stdout`); other
  commands leave it out.

The handlers are removed when the command ends (typer's test runner runs several in one
process).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from alertctl import reported
from alertctl.cli.common import error_line

_PACKAGE = logging.getLogger("alertctl")
_added: list[logging.Handler] = []
"""The handlers this command added, all removed when it ends."""


class _Diagnostics(logging.Handler):
    """`alertctl: MESSAGE` on `sys.stderr` as it is when the record comes (not when the command began).

    A failed write raises, as `print` does: it is not turned into logging's own report."""

    def emit(self, record: logging.LogRecord) -> None:
        error_line(record.getMessage())


class _Activity(logging.Handler):
    """One line per record on stdout, the message as it is (it carries its own time)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), flush=True)


def install() -> Callable[[], None]:
    """Diagnostics on stderr; returns what puts the `alertctl` logger back as it was."""
    level = _PACKAGE.level
    _add(_Diagnostics(logging.WARNING))
    _PACKAGE.setLevel(logging.WARNING)

    def remove() -> None:
        while _added:
            _PACKAGE.removeHandler(_added.pop())
        _PACKAGE.setLevel(level)

    return remove


def activity_on_stdout() -> None:
    """`watch` on a pipe or under systemd: its INFO records join the event lines on stdout.

    The command's diagnostics are installed first, so that their removal removes this too."""
    reported.engage()
    activity = _Activity(logging.INFO)
    activity.addFilter(lambda record: record.levelno < logging.WARNING)
    _add(activity)
    _PACKAGE.setLevel(logging.INFO)


def _add(handler: logging.Handler) -> None:
    _added.append(handler)
    _PACKAGE.addHandler(handler)
