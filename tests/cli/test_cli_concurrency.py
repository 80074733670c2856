"""Many processes on one database at once: cron `check`s overlapping with operators' `ack`s."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli.conftest import Rig

pytestmark = pytest.mark.slow  # a dozen processes racing on one database


def start(rig: Rig, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "alertctl", *args, "-c", str(rig.config), "--db", str(rig.db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            raise
        results.append((proc.returncode, stdout, stderr))
    return results


def test_eight_checks_racing_on_a_new_database_open_one_alert(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(99)

    results = finish([start(rig, "check") for _ in range(8)])

    for code, stdout, stderr in results:
        assert code == 2, stderr
        assert stdout.startswith("ALERTCTL CRITICAL - q-high")
        assert "locked" not in stderr
        assert "Traceback" not in stderr
    (alert,) = rig.alerts()
    assert 1 <= alert["occurrences"] <= 8  # a sample committed after a newer one is not applied


def test_eight_checks_and_four_acks_at_once_lose_nothing(rig: Rig) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    assert rig.check().returncode == 1
    (opened,) = rig.alerts()

    checks = [start(rig, "check") for _ in range(8)]
    acks = [start(rig, "ack", str(opened["id"]), "--by", f"op{n}", "--note", f"note {n}") for n in range(4)]
    results = finish(checks + acks)

    for code, _, stderr in results[:8]:
        assert code == 1, stderr
        assert "locked" not in stderr
    for code, stdout, stderr in results[8:]:
        assert code == 0, stderr
        assert "locked" not in stderr
        assert f"#{opened['id']} q-high: acknowledged by op" in stdout
    (alert,) = rig.alerts()
    assert alert["id"] == opened["id"]
    assert alert["status"] == "acknowledged"
    assert alert["acked_by"] in {f"op{n}" for n in range(4)}
    assert alert["ack_note"] is not None and alert["ack_note"].startswith("note ")
    assert 2 <= alert["occurrences"] <= 9  # the first check and those of the eight whose sample was not superseded
    assert rig.check().returncode == 1  # still acknowledged after yet another check
    assert rig.alerts()[0]["status"] == "acknowledged"
