"""The filter that says a lasting problem once (once-only and on-change keys, settling, scopes),
and `logging` loaded only when something is reported."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from alertctl import reported
from alertctl.repeats import Repeats
from alertctl.reported import scope


def _passes(repeats: Repeats, message: str, **extra: object) -> bool:
    record = logging.LogRecord("alertctl.x", logging.WARNING, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return repeats.filter(record)


def test_a_once_key_passes_its_first_record_only_whatever_the_message() -> None:
    repeats = Repeats()
    assert _passes(repeats, "metrics from db unavailable: timeout", once=(1, "db"))
    assert not _passes(repeats, "metrics from db unavailable: timeout", once=(1, "db"))
    assert not _passes(repeats, "metrics from db unavailable: refused", once=(1, "db"))
    assert _passes(repeats, "metrics from web unavailable: timeout", once=(1, "web"))


def test_an_on_change_key_passes_each_change_and_drops_repeats() -> None:
    repeats = Repeats()
    said = [
        message
        for message in ("disk full", "disk full", "locked", "locked", "disk full")
        if _passes(repeats, message, on_change=(1, "delivery"))
    ]
    assert said == ["disk full", "locked", "disk full"]


@pytest.mark.parametrize("key", ["once", "on_change"])
def test_a_settled_key_says_its_problem_again(key: str) -> None:
    repeats = Repeats()
    assert _passes(repeats, "cannot write", **{key: (1, "textfile")})
    assert not _passes(repeats, "cannot write", **{key: (1, "textfile")})
    repeats.settle((1, "textfile"))
    assert _passes(repeats, "cannot write", **{key: (1, "textfile")})


def test_records_without_a_key_always_pass_and_scopes_are_apart() -> None:
    repeats = Repeats()
    assert all(_passes(repeats, "the wall clock was set +3600s") for _ in range(3))
    first, second = scope(), scope()
    assert first != second
    assert _passes(repeats, "template fails", once=(first, "template fails"))
    assert _passes(repeats, "template fails", once=(second, "template fails"))


def test_on_a_logger_the_rule_holds_for_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    log = reported.logger("alertctl.tests.reported")
    key = (scope(), "cycle")
    for message in ("cycle failed: full", "cycle failed: full", "cycle failed: locked"):
        log.warning(message, extra={"on_change": key})
    assert [r.getMessage() for r in caplog.records] == ["cycle failed: full", "cycle failed: locked"]


def test_a_command_s_handlers_come_with_its_first_record_and_go_when_it_ends() -> None:
    installed: list[str] = []

    def install() -> Callable[[], None]:
        installed.append("in")
        return lambda: installed.append("out")

    with reported.routed(install):
        assert installed == []  # nothing said yet: nothing installed (nor `logging` needed)
        reported.logger("alertctl.tests.reported")
        reported.logger("alertctl.tests.reported")
        assert installed == ["in"]
    assert installed == ["in", "out"]
    with reported.routed(install):
        pass
    assert installed == ["in", "out"]  # a command that said nothing installed nothing


def test_a_quiet_check_never_loads_logging(tmp_path: Path) -> None:
    """`logging` costs a cron `check` 2 ms of its start-up budget (bench/coldstart.py)."""
    seen = tmp_path / "modules"
    code = (
        "import atexit, sys; "
        f"atexit.register(lambda: open({str(seen)!r}, 'w').write(' '.join(sys.modules))); "
        "from alertctl.cli.entry import main; main()"
    )
    args = ["check", "--dry-run", "--db", str(tmp_path / "a.db")]
    for _ in range(2):  # the second as cron's every minute: the config cache warm (the first loads pydantic)
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode in (0, 1, 2), done.stderr
    assert "logging" not in seen.read_text().split()


def test_only_the_way_to_logging_imports_it() -> None:
    """A module logging on its own would log before the command's handlers are in place."""
    package = Path(reported.__file__).parent
    allowed = {"reported.py", "repeats.py", "cli/logs.py"}
    importing = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name == "logging" or name.startswith("logging.") for name in names):
                importing.add(str(path.relative_to(package)))
    assert importing == allowed
