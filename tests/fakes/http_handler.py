"""The HTTP layer under the fake provider: a threading server and a handler that writes answers."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.server import FakeProviderServer


class _Abort(Exception):
    """Raised inside a handler to drop the connection without writing a response."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Tests open many short-lived connections; a restarted session must not trip over TIME_WAIT.
    allow_reuse_address = True
    # Benchmarks open dozens of connections at once; the stdlib default backlog of 5 would drop SYNs
    # and add one-second retransmit stalls that look like provider latency.
    request_queue_size = 256

    def __init__(self, owner: FakeProviderServer, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up on us on purpose (timeouts, cancelled tasks); no tracebacks on stderr.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY, keep-alive responses wait on delayed ACKs (~40 ms each), which would make a
    # reused connection slower than a new one and every benchmark figure wrong.
    disable_nagle_algorithm = True
    server: _HTTPServer
    _chunked = False

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        finally:
            self.server.owner._track(self.connection, add=False)

    def handle(self) -> None:
        try:
            super().handle()
        except _Abort:
            self.close_connection = True
        except (ConnectionError, TimeoutError, ValueError, OSError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines could carry a key in the query string; the fake stays silent.
        return

    def do_POST(self) -> None:
        self.server.owner._handle(self)

    def do_GET(self) -> None:
        self.server.owner._handle(self)

    # Used by the owner to write answers.
    def send_json(self, status: int, payload: Any, headers: Mapping[str, str]) -> None:
        self.send_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def send_events(self, events: list[bytes], headers: Mapping[str, str]) -> None:
        """Stream server-sent events, then close: no length, so the end of the body is the close."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        for event in events:
            self.wfile.write(event)
            self.wfile.flush()
        self.close_connection = True

    def send_raw(self, status: int, data: bytes, content_type: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def open_body(
        self, content_type: str, headers: Mapping[str, str], *, framing: str, length: int = 0
    ) -> None:
        """Send status 200 and headers of a body written piece by piece with :meth:`write_piece`.

        ``framing`` is ``"chunked"`` (what the providers stream with: a cut shows as an incomplete
        body), ``"close"`` (no length: the close ends the body) or ``"length"`` (``length`` bytes).
        The connection is closed after the answer, as after every stream.
        """
        self.send_response(200)
        self.send_header("content-type", content_type)
        if framing == "chunked":
            self.send_header("transfer-encoding", "chunked")
        elif framing == "length":
            self.send_header("content-length", str(length))
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        # The client must see the status before the first piece, even when no piece follows.
        self.wfile.flush()
        self._chunked = framing == "chunked"
        self.close_connection = True

    def write_piece(self, data: bytes) -> None:
        """Write one piece of a body opened with :meth:`open_body`."""
        if not data:
            # An empty chunk would be the chunked terminator.
            return
        if self._chunked:
            data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        self.wfile.write(data)
        self.wfile.flush()

    def end_body(self) -> None:
        """Finish a body opened with :meth:`open_body` the proper way."""
        if self._chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    def hang_up(self) -> None:
        """Close the connection now (FIN), whatever the body still owed; the caller then aborts."""
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
