"""The chaos harness (`bench/chaos.py`), bounded to three kills (ten under ALERTCTL_THOROUGH=1) so CI
exercises it.

Run the full version for figures: `python3 bench/chaos.py --kills 50`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import thorough

CHAOS = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"
KILLS = thorough(3, 10)


@pytest.mark.slow
def test_kills_amid_checks_and_operators_lose_nothing_and_reopen_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(CHAOS),
            "--kills",
            str(KILLS),
            "--max-seconds",
            "240",
            "--json",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=420,
        env=dict(os.environ),
    )
    figures = json.loads(done.stdout)
    seed = f"seed {figures['seed']}: {figures['problems']}"
    assert figures["kills"] == KILLS, seed
    assert figures["integrity_errors"] == 0, seed
    assert figures["queued"] > 0, seed
    assert figures["lost"] == 0, seed
    assert figures["phantom_reopens"] == 0, seed
    assert figures["doubled_recoveries"] == 0, seed
    assert figures["process_errors"] == 0, seed
    assert done.returncode == 0, done.stderr
