"""Real receivers on 127.0.0.1 for the notification tests: an HTTP endpoint for `json://`, an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HttpReceiver:
    """Answers POSTs with scripted statuses (then 200), or hangs; keeps every JSON payload."""

    def __init__(self, statuses: list[int] | None = None, hang: bool = False) -> None:
        self.statuses = list(statuses or [])
        self.hang = hang
        self.payloads: list[dict[str, object]] = []
        self.headers: list[dict[str, str]] = []
        self.arrivals: list[float] = []
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                if receiver.hang:
                    receiver.released.wait(30)
                    return
                receiver.payloads.append(payload)
                receiver.headers.append(dict(self.headers.items()))
                receiver.arrivals.append(time.time())
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str = "hook", extra: str = "") -> str:
        return f"json://127.0.0.1:{self.port}/{path}{extra}"

    def types(self) -> list[object]:
        return [p["type"] for p in self.payloads]

    def titles(self) -> list[str]:
        return [str(p["title"]) for p in self.payloads]

    def wait_for(self, count: int, timeout: float = 60.0) -> bool:
        """Whether `count` payloads came within `timeout`: a guard against none coming, not a bound."""
        deadline = time.monotonic() + timeout
        while len(self.payloads) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.payloads) >= count


@contextmanager
def http_receiver(statuses: list[int] | None = None, hang: bool = False) -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(statuses, hang)
    # polled every 50 ms rather than 500: shutdown() waits for the poll, at the end of every test
    thread = threading.Thread(target=receiver.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        receiver.server.shutdown()
        receiver.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
