"""`watch --textfile DIR` and `--listen HOST:PORT`: each cycle's metrics for Prometheus.

Exporting never stops watching: a file that cannot be written is said once (again
only once it has been written in between), and the loop carries on.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from alertctl import reported
from alertctl.errors import AlertctlError, UsageError
from alertctl.export.prometheus import Snapshot, exposition
from alertctl.export.textfile import FILENAME, write_atomically
from alertctl.loop import Cycle, Runner

if TYPE_CHECKING:
    from alertctl.export.server import MetricsServer


class Export:
    """Where `watch` publishes: a textfile, an HTTP endpoint, both or neither."""

    def __init__(self, textfile: Path | None, server: MetricsServer | None) -> None:
        self.textfile = textfile
        self.server = server
        self._unwritten = (reported.scope(), "textfile")
        """The key its "cannot write" warning is said once under, until a write goes through."""
        self._last_cycle_at: float | None = None

    @classmethod
    def from_options(cls, textfile: Path | None, listen: str | None) -> Export:
        """Checks the folder and binds the address now, so a mistake fails before the first cycle."""
        if textfile is not None:
            _check_folder(textfile)
        return cls(textfile, _bind(listen) if listen is not None else None)

    def start(self) -> None:
        if self.server is not None:
            self.server.start()

    def stop(self) -> None:
        """The textfile stays as the last cycle left it: `alertctl_last_cycle_timestamp_seconds` ages."""
        if self.server is not None:
            self.server.stop()

    def cycle_done(self, runner: Runner, cycle: Cycle) -> None:
        self._last_cycle_at = cycle.at
        checks = {check.name: check.type for check in runner.config.checks}
        self._publish(Snapshot(runner.policy.host, cycle.reading.samples, cycle.open_alerts, checks, cycle.at))

    def cycle_failed(self, runner: Runner) -> None:
        self._publish(Snapshot(runner.policy.host, last_cycle_at=self._last_cycle_at, up=False))

    def _publish(self, snapshot: Snapshot) -> None:
        if self.textfile is None and self.server is None:
            return
        text = exposition(snapshot)
        if self.server is not None:
            self.server.publish(text)
        if self.textfile is not None:
            self._write(self.textfile, text)

    def _write(self, folder: Path, text: str) -> None:
        try:
            write_atomically(folder, text)
        except OSError as error:
            reported.logger(__name__).warning(
                "--textfile %s: cannot write %s, still watching: %s",
                folder,
                FILENAME,
                error.strerror or error,
                extra={"on_change": self._unwritten},
            )
        else:
            reported.settle(self._unwritten)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise UsageError(f"--textfile {folder}: not a directory (node_exporter's --collector.textfile.directory)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--textfile {folder}: this user cannot write there")


def _bind(listen: str) -> MetricsServer:
    """Imported here: http.server costs a cron `check`, which never listens, a tenth of its start-up."""
    from alertctl.export.server import Address, MetricsServer

    address = Address.parse(listen)
    try:
        return MetricsServer(address)
    except socket.gaierror as error:
        raise UsageError(f"--listen {address}: unknown host ({error.strerror})") from None
    except OSError as error:
        raise AlertctlError(f"--listen {address}: cannot listen: {error.strerror or error}") from None
