"""SIGHUP with a broken config keeps the running one in force; a good one applies next cycle;
one that arrives while `watch` is still starting is a reload, not the end of it."""

from __future__ import annotations

import signal

import pytest

from tests.cli.conftest import Rig, rig  # noqa: F401  (fixture)
from tests.cli.test_cli_watch import Watcher, watchers  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow

BROKEN = {
    "not TOML": "this is = not [ toml\n",
    "a bad value": '[agent]\ninterval = "soon"\n',
    "an unknown metric": '[[rules]]\nname = "x"\nmetric = "no.such"\nwarning = 1\n',
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_broken_reload_keeps_the_old_rules_watching(
    rig: Rig,  # noqa: F811  (the fixture)
    watchers: list[Watcher],  # noqa: F811  (the fixture)
    breakage: str,
) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(10)
    watcher = Watcher(rig, "--interval", "0.2s")
    watchers.append(watcher)
    watcher.wait_for("watching")
    good = rig.config.read_text()

    rig.config.write_text(good + "\n" + BROKEN[breakage])
    watcher.proc.send_signal(signal.SIGHUP)
    error = watcher.wait_for(r"config reload failed, keeping the running config", stream="stderr")
    assert str(rig.config) in error

    rig.set_value(90)  # the old rule still judges the samples
    watcher.wait_for(r" opened #1 q-high warning")
    rig.config.unlink()  # even a vanished file leaves it running
    watcher.proc.send_signal(signal.SIGHUP)
    watcher.wait_for(r"config reload failed", stream="stderr")

    rig.configure(rig.q_rule(warning=95, critical=99) + rig.q_rule("q-new", warning=50, critical=60))
    watcher.proc.send_signal(signal.SIGHUP)
    watcher.wait_for(r"config reloaded from .*: 2 rules, 1 checks")
    watcher.wait_for(r" resolved #1 q-high")  # 90 is no longer a breach of the edited rule
    watcher.wait_for(r" opened #2 q-new critical")
    assert watcher.stop() == 0
    assert not any("Traceback" in line for line in watcher.seen["stderr"])


def test_a_sighup_during_start_up_is_a_reload_not_an_exit(
    rig: Rig,  # noqa: F811  (the fixture)
    watchers: list[Watcher],  # noqa: F811  (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The signal lands while typer is still being imported: Python's `-X importtime` says when
    (one stderr line as each module finishes), so no timing guess is needed."""
    rig.configure(rig.q_rule())
    rig.set_value(10)
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    watcher = Watcher(rig, "--interval", "0.2s")
    watchers.append(watcher)
    watcher.wait_for(r"\|\s+typer\.colors$", stream="stderr")  # typer has only begun to import
    watcher.proc.send_signal(signal.SIGHUP)

    watcher.wait_for("watching")
    watcher.wait_for(r"config reloaded from ")
    assert watcher.proc.poll() is None
    assert watcher.stop() == 0
