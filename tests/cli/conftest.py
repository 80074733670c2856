"""A rig for driving the real CLI: a `command` check that reads its value from a file."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alertctl.cli.app import app
from alertctl.config import load_config
from alertctl.loop import Cycle, Runner
from alertctl.metrics.demand import families_for
from alertctl.store.db import open_database
from tests.conftest import run_cli, run_here


class Rig:
    """One config, one database and one value file under the test's tmp_path.

    `check`/`run` start `python -m alertctl` in a child process (process-level
    behaviour: exit status, stdout and stderr as cron sees them); `here` runs the console
    script's `main` in this process and `invoke` the typer app through CliRunner, which
    are much faster.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.value_file = root / "value"
        self.db = root / "a.db"
        self.config = root / "c.toml"
        self.set_value(0)

    # -- inputs ---------------------------------------------------------------

    def set_value(self, value: object) -> None:
        """What the `q` check prints next; an empty string makes q.value unavailable."""
        self.value_file.write_text(f"{value}\n" if value != "" else "")

    def configure(self, rules: str, preamble: str = "", path: Path | None = None) -> Path:
        """A config with check `q` reading the value file, plus `rules` (TOML)."""
        target = path or self.config
        target.write_text(
            textwrap.dedent(preamble)
            + textwrap.dedent(f"""
            [[checks]]
            name = "q"
            type = "command"
            command = ["cat", "{self.value_file}"]
            """)
            + textwrap.dedent(rules)
        )
        return target

    def q_rule(self, name: str = "q-high", extra: str = "", warning: float = 80, critical: float = 95) -> str:
        return f"""
        [[rules]]
        name = "{name}"
        metric = "q.value"
        warning = {warning}
        critical = {critical}
        {extra}
        """

    # -- running --------------------------------------------------------------

    def _where(self) -> list[str]:
        return ["-c", str(self.config), "--db", str(self.db)]

    def run(self, *args: str, timeout: float = 30):  # type: ignore[no-untyped-def]
        return run_cli(*args, *self._where(), timeout=timeout)

    def check(self, *args: str):  # type: ignore[no-untyped-def]
        return self.run("check", *args)

    def here(self, *args: str):  # type: ignore[no-untyped-def]
        """`run` in this process, for reading back what a run recorded (see tests.conftest.run_here)."""
        return run_here(*args, *self._where())

    def invoke(self, *args: str, where: bool = True):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, [*args, *(self._where() if where else [])])

    def cycle_at(self, now: float) -> Cycle:
        """One cycle as a fresh `check` process runs it (config, database, Runner), at `now`.

        Runs placed in the past this way, followed by a real `check` on the real clock, test
        durations without a margin: the clock only moves forward. It samples only the system
        areas the rules read, as `watch` does: a CPU reading needs 0.1 s of real time since the
        last, which cycles run back to back would otherwise sleep every time.
        """
        conn = open_database(self.db)
        try:
            config = load_config(self.config, use_cache=False)
            return Runner(config, conn, families=families_for(config.rules, exporting=False)).run_once(now)
        finally:
            conn.close()

    # -- reading back -----------------------------------------------------------

    def alerts(self) -> list[dict[str, Any]]:
        """Every alert, newest first, through `history --json`."""
        result = self.invoke("history", "--json", "--limit", "1000")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def open_alerts(self) -> list[dict[str, Any]]:
        return [a for a in self.alerts() if a["status"] != "resolved"]

    def sql(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Direct access for arranging what the CLI cannot (e.g. old start times)."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(statement, params).fetchall()
        conn.close()
        return rows


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)
