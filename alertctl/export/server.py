"""`GET /metrics` on a loopback (or any) address, served from a daemon thread.

Bounded, so a flood of connections cannot take the file descriptors the monitor's
collectors need: at most MAX_CONNECTIONS are open at once; a new one at the limit
pushes out the oldest that has not yet sent its request (a scrape still gets in
under a flood of idle connections), and each may be idle IDLE_SECONDS at most.
"""

from __future__ import annotations

import socket
import threading
import time
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


MAX_CONNECTIONS = 16
"""Connections open at once; the kernel's backlog holds the next ones."""
IDLE_SECONDS = 5.0
"""How long a connection may take to send its request, and each read of the answer."""


class _Server(ThreadingHTTPServer):
    """Counts its connections; at the limit, pushes out the oldest still waiting to send a
    request and takes the new one once it has gone (the kernel holds the rest meanwhile)."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], limit: int, idle_seconds: float
    ) -> None:
        self.limit = limit
        self.idle_seconds = idle_seconds
        self.closing = False
        self._room = threading.Condition()
        self._open = 0
        self._waiting: dict[socket.socket, None] = {}
        """Connections that have not sent a whole request yet, oldest first."""
        super().__init__(address, handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if not self._admit(request):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._room:
                self._open -= 1
                self._waiting.pop(request, None)
                self._room.notify_all()

    def answering(self, request: socket.socket) -> None:
        """The request has been read: this connection is no longer one to push out."""
        with self._room:
            self._waiting.pop(request, None)

    def stop_admitting(self) -> None:
        """Stop waiting for room, so `shutdown` is not kept waiting by a flood."""
        with self._room:
            self.closing = True
            self._room.notify_all()

    def _admit(self, request: socket.socket) -> bool:
        """Room for `request`, made by hanging up on the oldest idle connection; False when
        every connection is busy answering for longer than the idle time, or on shutdown."""
        deadline = time.monotonic() + self.idle_seconds
        with self._room:
            while self._open >= self.limit:
                if self._waiting:
                    oldest = next(iter(self._waiting))
                    del self._waiting[oldest]
                    _hang_up(oldest)  # its thread's read ends at once, and the thread with it
                remaining = deadline - time.monotonic()
                if self.closing or remaining <= 0:
                    return False
                self._room.wait(remaining)
            self._open += 1
            self._waiting[request] = None
            return True


def _hang_up(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its client


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """Answers `GET /metrics` with the latest published text; 503 before the first, 404 elsewhere.

    Binding happens in the constructor, so a taken port fails `watch` before its first cycle.
    """

    def __init__(self, address: Address, limit: int = MAX_CONNECTIONS, idle_seconds: float = IDLE_SECONDS) -> None:
        self._text: bytes | None = None
        server_class = _Server6 if ":" in address.host else _Server
        self._server = server_class((address.host, address.port), self._handler(idle_seconds), limit, idle_seconds)
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
            self._server.stop_admitting()
            self._server.shutdown()
        self._server.server_close()

    def _handler(self, idle_seconds: float) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            timeout = idle_seconds  # the socket's: a silent client is dropped, not waited for

            def parse_request(self) -> bool:
                parsed = super().parse_request()
                owner._server.answering(self.request)
                return parsed

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
