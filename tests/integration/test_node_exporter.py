"""The real node_exporter (Debian's prometheus-node-exporter) serving alertctl's textfile.

Skipped where the binary is missing, except under CI (`CI` set), where it must be
installed: `apt-get install prometheus-node-exporter`.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.export.exposition import parse
from tests.notify.receivers import free_port

pytestmark = pytest.mark.integration

NODE_EXPORTER = Path("/usr/bin/prometheus-node-exporter")


@pytest.fixture
def node_exporter(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """node_exporter on 127.0.0.1 with only the textfile collector, reading a folder of this test."""
    if not NODE_EXPORTER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{NODE_EXPORTER} is missing: apt-get install prometheus-node-exporter")
        pytest.skip(f"{NODE_EXPORTER} is not installed (apt-get install prometheus-node-exporter)")
    folder = tmp_path / "textfiles"
    folder.mkdir()
    port = free_port()
    log = tmp_path / "node_exporter.log"
    proc = subprocess.Popen(
        [
            str(NODE_EXPORTER),
            f"--web.listen-address=127.0.0.1:{port}",
            "--collector.disable-defaults",
            "--collector.textfile",
            f"--collector.textfile.directory={folder}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        _wait_until_up(port, proc, log)
        yield port, folder
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"node_exporter exited {proc.returncode}: {log.read_text()}")
        try:
            scrape(port)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("node_exporter did not answer within 15 s")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def test_node_exporter_serves_alertctl_metrics_from_the_textfile(
    node_exporter: tuple[int, Path], tmp_path: Path
) -> None:
    port, folder = node_exporter
    before = scrape(port)

    result = run_cli("watch", "--cycles", "1", "--textfile", str(folder), "--db", str(tmp_path / "a.db"))
    after = scrape(port)

    assert result.returncode == 0, result.stderr
    assert "alertctl_up" not in before
    families = parse(_only_alertctl_and_textfile(after))
    assert list(families["alertctl_up"].samples.values()) == [1]
    assert len(families["alertctl_cpu_percent"].samples) == 1
    assert any(dict(series).get("mount") == "/" for series in families["alertctl_disk_percent"].samples)
    assert list(families["node_textfile_scrape_error"].samples.values()) == [0]
    assert any(dict(s)["file"].endswith("alertctl.prom") for s in families["node_textfile_mtime_seconds"].samples)


def _only_alertctl_and_textfile(text: str) -> str:
    """node_exporter's own families (go_*, process_*, promhttp_*) are not ours to judge."""
    kept = [block for block in text.split("# HELP ")[1:] if block.startswith(("alertctl_", "node_textfile_"))]
    return "".join(f"# HELP {block}" for block in kept)
