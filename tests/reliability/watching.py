"""Shared pieces for the fault tests: a config around a file-fed `command` check, and sqlite reads."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path


def write_config(path: Path, value_file: Path, rules: str, preamble: str = "") -> Path:
    """Check `q` prints what `value_file` holds; `rules` and `preamble` are TOML."""
    path.write_text(
        textwrap.dedent(preamble)
        + textwrap.dedent(f"""
        [[checks]]
        name = "q"
        type = "command"
        command = ["cat", "{value_file}"]
        """)
        + textwrap.dedent(rules)
    )
    return path


def start_watch(config: Path, db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "alertctl", "watch", *args, "-c", str(config), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def query(db: Path, statement: str, *params: object) -> list[tuple[object, ...]]:
    """A fresh connection each time, closed at once: the test must not hold locks."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()
