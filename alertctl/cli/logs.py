"""Where the package's log records go while a command runs: set up once per command.

Modules below the CLI never print: they log to `logging.getLogger(__name__)`, under
`alertctl`, and add no handler. The command (`common.guarded`) sends their records here:

- WARNING and above are diagnostics: `alertctl: MESSAGE` on stderr, the line `error_line`
  prints for the CLI's own problems, written to the stderr of the moment (the live view
  of `watch` swaps it, to print each line above the screen it redraws);
- INFO is what `watch` did besides its cycles (each notice sent, each channel that starts
  failing or recovers, each Alertmanager post that carried a change): part of its event
  log, on stdout when it is not drawing the live view (`activity_on_stdout`); other
  commands leave it out.

A lasting problem is said once through `alertctl.reported`'s filter, on the logger that
says it. The handlers are removed when the command ends (typer's test runner calls
several in one process).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from alertctl.errors import shown

_TAB = "\t"
_PACKAGE = "alertctl"


def error_line(message: str) -> None:
    print(f"alertctl: {shown(message, keep=_TAB)}", file=sys.stderr)


class _Diagnostics(logging.Handler):
    """`alertctl: MESSAGE` on `sys.stderr` as it is when the record comes (not when the command began).

    A failed write raises, as `print` does: it is not turned into logging's own report."""

    def emit(self, record: logging.LogRecord) -> None:
        error_line(record.getMessage())


class _Activity(logging.Handler):
    """One line per record on stdout, the message as it is (it carries its own time)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), flush=True)


@contextmanager
def reporting() -> Iterator[None]:
    """Diagnostics on stderr for as long as the command runs."""
    package = logging.getLogger(_PACKAGE)
    level, before = package.level, list(package.handlers)
    package.addHandler(_Diagnostics(logging.WARNING))
    package.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in [h for h in package.handlers if h not in before]:
            package.removeHandler(handler)
        package.setLevel(level)


def activity_on_stdout() -> None:
    """`watch` on a pipe or under systemd: its INFO records join the event lines on stdout.

    Within `reporting()`, which removes the handler again when the command ends."""
    package = logging.getLogger(_PACKAGE)
    activity = _Activity(logging.INFO)
    activity.addFilter(lambda record: record.levelno < logging.WARNING)
    package.addHandler(activity)
    package.setLevel(logging.INFO)
