"""`GET /metrics` on a loopback (or any) address, served from a daemon thread."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alertctl.errors import UsageError
from alertctl.export.prometheus import CONTENT_TYPE


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        """`HOST:PORT`, `[IPv6]:PORT`, or `:PORT` for every IPv4 interface."""
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise UsageError(f"--listen {text!r}: expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:9310")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        elif ":" in host:
            raise UsageError(f"--listen {text!r}: put an IPv6 address in brackets, e.g. [::1]:9310")
        return cls(host, int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """Answers `GET /metrics` with the latest published text; 503 before the first, 404 elsewhere.

    Binding happens in the constructor, so a taken port fails `watch` before its first cycle.
    """

    def __init__(self, address: Address) -> None:
        self._text: bytes | None = None
        server_class = _Server6 if ":" in address.host else _Server
        self._server = server_class((address.host, address.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def publish(self, text: str) -> None:
        self._text = text.encode()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """`shutdown` waits for `serve_forever` to return, so it is asked only of a running server."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = owner._text
                if self.path.partition("?")[0] != "/metrics":
                    self._answer(404, b"not found: try /metrics\n", "text/plain; charset=utf-8")
                elif body is None:
                    self._answer(503, b"no cycle has finished yet\n", "text/plain; charset=utf-8")
                else:
                    self._answer(200, body, CONTENT_TYPE)

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                """Quiet: watch's stdout is its event log."""

        return Handler
