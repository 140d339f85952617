"""The latency proxy passes bytes through unchanged and holds each chunk for half the round trip."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from benchmarks.latency_proxy import LatencyProxy, main


class EchoServer:
    """Sends back whatever it reads on each connection, until the client closes its side."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    server.thread.start()
    yield server
    server.listener.close()


def _exchange(port: int, payload: bytes) -> bytes:
    """Send ``payload``, close the sending side, and read everything that comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:

        def send() -> None:
            # The far side may close first (a refused target): then there is nothing left to send to.
            with contextlib.suppress(OSError):
                sock.sendall(payload)
                sock.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send)
        sender.start()
        received = bytearray()
        # A peer that closes with our bytes unread resets the connection: closed all the same.
        with contextlib.suppress(ConnectionResetError):
            while data := sock.recv(65536):
                received += data
        sender.join()
    return bytes(received)


class RecordingSleep:
    """Records the delays the proxy asks for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self.lock:
            self.delays.append(seconds)


def test_bytes_pass_through_unchanged_and_in_order(echo: EchoServer) -> None:
    payload = os.urandom(3 * 1024 * 1024) + bytes(range(256)) * 64
    with LatencyProxy("127.0.0.1", echo.port, rtt=0.0) as proxy:
        assert _exchange(proxy.port, payload) == payload
        assert _exchange(proxy.port, b"") == b""
    assert proxy.forwarded_bytes == {"upstream": len(payload), "downstream": len(payload)}


def test_each_chunk_is_held_for_half_the_round_trip_in_each_direction(echo: EchoServer) -> None:
    sleep = RecordingSleep()
    # A frozen clock: no time passes while a chunk waits, so each delay asked for is the whole one-way
    # latency, whatever the machine's speed.
    with LatencyProxy("127.0.0.1", echo.port, rtt=0.040, clock=lambda: 100.0, sleep=sleep) as proxy:
        for message in (b"select 1", b"select 2"):
            assert _exchange(proxy.port, message) == message
    assert proxy.one_way == pytest.approx(0.020)
    assert len(sleep.delays) >= 4, "at least one chunk each way for each of the two exchanges"
    assert all(delay == pytest.approx(0.020) for delay in sleep.delays)


def test_time_already_spent_waiting_is_not_charged_twice(echo: EchoServer) -> None:
    sleep = RecordingSleep()
    ticks = iter(range(1_000_000))
    # A clock that moves 1 s on every reading: by the time a chunk is forwarded its latency has passed.
    with LatencyProxy(
        "127.0.0.1", echo.port, rtt=0.040, clock=lambda: float(next(ticks)), sleep=sleep
    ) as proxy:
        assert _exchange(proxy.port, b"ping") == b"ping"
    assert sleep.delays == []


def test_a_round_trip_takes_at_least_the_configured_time(echo: EchoServer) -> None:
    with LatencyProxy("127.0.0.1", echo.port, rtt=0.050) as proxy:
        started = time.monotonic()
        assert _exchange(proxy.port, b"ping") == b"ping"
        elapsed = time.monotonic() - started
    assert elapsed >= 0.050  # a lower bound only: a busy machine can only make it slower


def test_stop_closes_open_connections_and_the_listener(echo: EchoServer) -> None:
    proxy = LatencyProxy("127.0.0.1", echo.port, rtt=0.0).start()
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
    client.sendall(b"x")
    assert client.recv(1) == b"x"
    proxy.stop()
    assert client.recv(1) == b"", "the proxy closed the forwarded connection"
    client.close()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", proxy.port)) != 0


def test_a_refused_target_closes_the_client_connection() -> None:
    with socket.create_server(("127.0.0.1", 0)) as unused:
        dead_port = int(unused.getsockname()[1])
    with LatencyProxy("127.0.0.1", dead_port, rtt=0.0) as proxy:
        assert _exchange(proxy.port, b"hello") == b""


def test_script_rejects_a_bad_target(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--target", "nowhere"])
    assert info.value.code == 2
    assert "expected HOST:PORT" in capsys.readouterr().err


def test_a_proxy_with_a_lifetime_stops_by_itself(echo: EchoServer) -> None:
    proxy = LatencyProxy("127.0.0.1", echo.port, rtt=0.0, lifetime=0.0).start()
    proxy.wait()  # returns once the lifetime ran out and the proxy shut down; pytest's timeout guards a hang
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", proxy.port)) != 0
    proxy.stop()
