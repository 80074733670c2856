"""The real Alertmanager (Debian's `prometheus-alertmanager`) on 127.0.0.1, and a forwarder that can cut it off."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
AMTOOL = "/usr/bin/amtool"
_CONFIG = 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n'


def require_binaries() -> None:
    """Skipped where they are not installed; in CI (`CI` set) their absence is a failure."""
    missing = [path for path in (ALERTMANAGER, AMTOOL) if not shutil.which(path)]
    if missing and os.environ.get("CI"):
        pytest.fail(f"not installed: {', '.join(missing)} (apt-get install prometheus-alertmanager)")
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (apt-get install prometheus-alertmanager)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Alertmanager:
    """One instance, clustering off, no notifications (a receiver with no integrations)."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> Alertmanager:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "am.yml").write_text(_CONFIG)
        self.process = subprocess.Popen(
            [
                ALERTMANAGER,
                f"--config.file={self.root / 'am.yml'}",
                f"--storage.path={self.root / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "log.txt").open("wb"),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"alertmanager exited: {(self.root / 'log.txt').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("alertmanager did not become ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def alerts(self) -> list[dict[str, object]]:
        """Active (and silenced) alerts through the v2 API; ended ones are not listed."""
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=5) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def amtool(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [AMTOOL, *args, f"--alertmanager.url={self.url}"], capture_output=True, text=True, timeout=15, check=True
        )

    def queried(self) -> list[dict[str, object]]:
        return json.loads(self.amtool("alert", "query", "-o", "json").stdout)  # type: ignore[no-any-return]


class Forwarder:
    """A TCP forwarder to an Alertmanager, on a fixed port: stopping it makes the instance unreachable
    (connection refused) while it keeps its alerts, as a network outage would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.listener: socket.socket | None = None

    def start(self) -> Forwarder:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.listener.close()
            self.listener = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    source.settimeout(10)
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
