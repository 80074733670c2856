"""The manual builds as a site with no broken link or anchor (`mkdocs build --strict`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_builds_the_manual_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs comes with the test extra: pip install '.[test]'")

    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "cli" / "index.html").exists()
