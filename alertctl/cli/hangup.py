"""SIGHUP from the first instant of `watch`: a reload request, never Python's default (death).

systemd's `ExecReload` sends SIGHUP, perhaps right after `start`; by default it ends the
process with status 129, which systemd counts as a clean stop, and monitoring is over.
`app` calls this before importing typer, rich and the rest (a tenth of a second), so
only the interpreter's own start-up is left unguarded.
"""

import signal
import threading
from collections.abc import Sequence

RELOAD = threading.Event()
"""Set by SIGHUP; `watch` reloads the config between cycles and clears it."""


def catch_hangups(args: Sequence[str]) -> None:
    """For `watch` only: any other command may still end with its terminal, as commands do."""
    if next((word for word in args if not word.startswith("-")), None) == "watch":
        signal.signal(signal.SIGHUP, lambda *_: RELOAD.set())
