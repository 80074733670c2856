"""`alertctl.prom` for node_exporter's textfile collector, replaced whole every cycle."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILENAME = "alertctl.prom"
MODE = 0o644
"""Readable by node_exporter's own user; metrics hold no secrets (Apprise URLs never get here)."""


def write_atomically(directory: Path, text: str) -> Path:
    """A temporary file in the same folder, then `os.replace`: a scrape sees the old file or the new, never half.

    The temporary name ends `.prom.tmp`, which the collector's `*.prom` glob skips. No fsync:
    after a crash the next cycle rewrites the file anyway.
    """
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".alertctl.", suffix=".prom.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, MODE)
        target = directory / FILENAME
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
