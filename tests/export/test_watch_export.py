"""`watch --textfile` and `--listen` through the real CLI."""

from __future__ import annotations

import shutil
import socket
import stat
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from alertctl.cli.watch_export import Export
from alertctl.config import load_config
from alertctl.loop import Runner
from alertctl.store.db import open_database
from tests.cli.conftest import Rig
from tests.cli.test_cli_watch import Watcher
from tests.export.exposition import parse
from tests.notify.receivers import free_port


def scrape(port: int, path: str = "/metrics") -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def value(text: str, family: str) -> dict[tuple[tuple[str, str], ...], float]:
    return parse(text)[family].samples


def test_two_cycles_leave_one_readable_file_and_no_temporary_ones(rig: Rig, tmp_path: Path) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(90)
    folder = tmp_path / "textfiles"
    folder.mkdir()

    result = rig.run("watch", "--cycles", "2", "--interval", "0.1s", "--textfile", str(folder))

    assert result.returncode == 0, result.stderr
    assert [p.name for p in folder.iterdir()] == ["alertctl.prom"]
    written = folder / "alertctl.prom"
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    text = written.read_text()
    assert list(value(text, "alertctl_up").values()) == [1]
    assert list(value(text, "alertctl_q_value").values()) == [90]
    assert {dict(s)["severity"]: v for s, v in value(text, "alertctl_alerts_open").items()} == {
        "info": 0,
        "warning": 1,
        "error": 0,
        "critical": 0,
    }
    assert "alertctl_cpu_percent" in parse(text)


@pytest.mark.parametrize(
    ("option", "argument", "code", "says"),
    [
        ("--textfile", "missing-dir", 2, "--textfile missing-dir: not a directory"),
        ("--listen", "127.0.0.1", 2, "--listen '127.0.0.1': expected HOST:PORT"),
        ("--listen", "127.0.0.1:65536", 2, "port from 1 to 65535"),
        ("--listen", "::1:9310", 2, "put an IPv6 address in brackets"),
    ],
)
def test_bad_export_options_are_one_line_and_exit_2(rig: Rig, option: str, argument: str, code: int, says: str) -> None:
    rig.configure("")

    result = rig.run("watch", "--cycles", "1", option, argument)

    assert result.returncode == code
    assert says in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_taken_port_is_a_runtime_error_naming_the_address(rig: Rig) -> None:
    rig.configure("")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = rig.run("watch", "--cycles", "1", "--listen", f"127.0.0.1:{port}")

    assert result.returncode == 1
    assert result.stderr.startswith(f"alertctl: --listen 127.0.0.1:{port}: cannot listen: ")


def scrape_until(port: int, metric: str, wanted: float, timeout: float = 10) -> tuple[str, str]:
    """Content type and text of the first scrape where `metric` has the `wanted` value."""
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        status, content_type, seen = scrape(port)
        families = parse(seen) if status == 200 else {}
        if metric in families and list(families[metric].samples.values()) == [wanted]:
            return content_type, seen
        time.sleep(0.05)
    raise AssertionError(f"no scrape with {metric} {wanted} in {timeout}s; last: {seen!r}")


def test_listen_serves_the_latest_cycle_on_metrics_only(rig: Rig, watchers: list[Watcher]) -> None:
    rig.configure(rig.q_rule())
    rig.set_value(42)
    port = free_port()
    watcher = Watcher(rig, "--interval", "0.2s", "--listen", f"127.0.0.1:{port}")
    watchers.append(watcher)
    watcher.wait_for("watching")

    content_type, first = scrape_until(port, "alertctl_q_value", 42)
    rig.set_value(97)
    _, later = scrape_until(port, "alertctl_q_value", 97)

    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert {dict(s)["severity"]: v for s, v in value(first, "alertctl_alerts_open").items()} == {
        "info": 0,
        "warning": 0,
        "error": 0,
        "critical": 0,
    }
    assert list(value(later, "alertctl_up").values()) == [1]
    assert scrape(port, "/")[0] == 404
    assert scrape(port, "/metrics/extra")[0] == 404
    assert watcher.stop() == 0


def test_a_folder_that_vanishes_is_said_once_and_watching_goes_on(
    rig: Rig, tmp_path: Path, watchers: list[Watcher]
) -> None:
    rig.configure("")
    folder = tmp_path / "textfiles"
    folder.mkdir()
    watcher = Watcher(rig, "--interval", "0.1s", "--textfile", str(folder))
    watchers.append(watcher)
    watcher.wait_for("watching")
    shutil.rmtree(folder)

    watcher.wait_for(f"--textfile {folder}: cannot write alertctl.prom, still watching", stream="stderr")
    time.sleep(0.5)  # several more cycles fail to write, silently
    folder.mkdir()
    deadline = time.monotonic() + 10
    while not (folder / "alertctl.prom").exists() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert (folder / "alertctl.prom").exists()
    assert watcher.stop() == 0
    said = [line for line in watcher.seen["stderr"] if "cannot write" in line]
    assert len(said) == 1, watcher.seen["stderr"]


def test_a_failed_cycle_rewrites_the_file_as_down_keeping_the_last_good_time(tmp_path: Path) -> None:
    runner = Runner(load_config(None), open_database(tmp_path / "a.db"))
    export = Export.from_options(tmp_path, None)
    cycle = runner.run_once(now=1_795_000_000.0)

    export.cycle_done(runner, cycle)
    good = parse((tmp_path / "alertctl.prom").read_text())
    export.cycle_failed(runner)
    down = parse((tmp_path / "alertctl.prom").read_text())

    assert list(good["alertctl_up"].samples.values()) == [1] and "alertctl_cpu_percent" in good
    assert set(down) == {"alertctl_up", "alertctl_last_cycle_timestamp_seconds"}
    assert list(down["alertctl_up"].samples.values()) == [0]
    assert list(down["alertctl_last_cycle_timestamp_seconds"].samples.values()) == [1_795_000_000.0]
