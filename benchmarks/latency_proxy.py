"""A TCP proxy on 127.0.0.1 that adds network latency, to put a local warehouse at cloud distance.

Every chunk of bytes is held for half the round trip in the direction it travels, counted from the
moment the proxy read it, so a request/response protocol (the PostgreSQL wire protocol: a query goes
out, rows come back) pays one full round trip per exchange, as it would against a remote server.
Chunks in one direction are forwarded by one thread in the order they were read, so bytes are never
reordered; chunks read close together are delayed together (this models latency, not bandwidth).

From Python::

    with LatencyProxy("127.0.0.1", pg.port, rtt=0.040) as proxy:
        connect(host=proxy.host, port=proxy.port, ...)

As a script (stops on Ctrl-C, SIGTERM, or after ``--lifetime`` seconds)::

    python benchmarks/latency_proxy.py --target 127.0.0.1:5432 --rtt-ms 40 --listen-port 6543
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["LatencyProxy", "main"]

DEFAULT_RTT = 0.040
CHUNK_SIZE = 65536

#: A chunk in flight: when it was read, and its bytes (None marks the end of the stream).
_Chunk = tuple[float, bytes | None]


@dataclass(eq=False)  # identity, so links can sit in a set
class _Link:
    """One client connection and its connection to the target, with the threads that pump them."""

    client: socket.socket
    upstream: socket.socket
    threads: list[threading.Thread] = field(default_factory=list)
    open_directions: int = 2


class LatencyProxy:
    """Forward 127.0.0.1:``port`` to ``target_host``:``target_port``, ``rtt`` seconds per round trip.

    ``clock`` and ``sleep`` are injectable so a test can observe the delays asked for without timing
    anything. ``max_connections`` bounds the connections served at once (more wait in the backlog);
    ``lifetime`` stops the proxy by itself after that many seconds, so a forgotten one cannot linger.
    """

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        rtt: float = DEFAULT_RTT,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        max_connections: int = 64,
        lifetime: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rtt < 0:
            raise ValueError("rtt must be zero or more seconds")
        self.target = (target_host, target_port)
        self.rtt = rtt
        self.host = listen_host
        self.port = listen_port
        self.forwarded_bytes = {"upstream": 0, "downstream": 0}
        self._max_connections = max_connections
        self._lifetime = lifetime
        self._clock = clock
        self._sleep = sleep
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._links: set[_Link] = set()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._stopping = threading.Event()

    @property
    def one_way(self) -> float:
        """The delay applied to each chunk in each direction: half the round trip."""
        return self.rtt / 2

    def start(self) -> LatencyProxy:
        """Listen and serve in background threads; returns at once with :attr:`port` set."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(self._max_connections)
        # A short accept timeout lets the thread notice stop() and the lifetime without a wake-up call.
        listener.settimeout(0.2)
        self._listener = listener
        self.port = int(listener.getsockname()[1])
        self._accept_thread = threading.Thread(target=self._accept_loop, name="latency-proxy", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every forwarded connection, and wait for the threads; idempotent."""
        self._stopping.set()
        if self._accept_thread is not None and self._accept_thread is not threading.current_thread():
            self._accept_thread.join(timeout=5)
        self._shut_down()

    def request_stop(self) -> None:
        """Ask the proxy to stop soon without waiting (safe from a signal handler)."""
        self._stopping.set()

    def wait(self) -> None:
        """Block until the proxy has stopped (by :meth:`stop`, a signal, or its lifetime)."""
        thread = self._accept_thread
        # Short joins so the main thread still runs its signal handlers.
        while thread is not None and thread.is_alive():
            thread.join(0.5)

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        started = time.monotonic()
        listener = self._listener
        while listener is not None and not self._stopping.is_set():
            if self._lifetime is not None and time.monotonic() - started > self._lifetime:
                break
            if not self._slots.acquire(timeout=0.2):
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                self._slots.release()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                # The target refused: the client sees its connection closed, as it would directly.
                client.close()
                self._slots.release()
                continue
            self._serve(client, upstream)
        # Whatever ended the loop (stop(), a signal, the lifetime), nothing is left listening or open.
        self._stopping.set()
        self._shut_down()

    def _shut_down(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            _close(link)
        current = threading.current_thread()
        for link in links:
            for thread in link.threads:
                if thread is not current:
                    thread.join(timeout=5)

    def _serve(self, client: socket.socket, upstream: socket.socket) -> None:
        for sock in (client, upstream):
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = _Link(client, upstream)
        with self._lock:
            self._links.add(link)
        for source, target, direction in ((client, upstream, "upstream"), (upstream, client, "downstream")):
            chunks: queue.Queue[_Chunk] = queue.Queue()
            reader = threading.Thread(target=_read, args=(source, chunks, self._clock), daemon=True)
            writer = threading.Thread(target=self._write, args=(link, target, chunks, direction), daemon=True)
            link.threads += [reader, writer]
        for thread in link.threads:
            thread.start()

    def _write(self, link: _Link, target: socket.socket, chunks: queue.Queue[_Chunk], direction: str) -> None:
        while True:
            read_at, data = chunks.get()
            if data is None:
                with contextlib.suppress(OSError):
                    target.shutdown(socket.SHUT_WR)  # pass the end of the stream on, as TCP would
                break
            # Held until one-way latency has passed since the chunk was read; a chunk that already
            # waited behind earlier ones in this direction is not delayed twice.
            delay = read_at + self.one_way - self._clock()
            if delay > 0:
                self._sleep(delay)
            try:
                target.sendall(data)
            except OSError:
                break
            with self._lock:
                self.forwarded_bytes[direction] += len(data)
        with self._lock:
            link.open_directions -= 1
            finished = link.open_directions <= 0
            if finished:
                self._links.discard(link)
        if finished:
            _close(link)
            self._slots.release()


def _read(source: socket.socket, chunks: queue.Queue[_Chunk], clock: Callable[[], float]) -> None:
    while True:
        try:
            data = source.recv(CHUNK_SIZE)
        except OSError:
            data = b""
        if not data:
            chunks.put((clock(), None))
            return
        chunks.put((clock(), data))


def _close(link: _Link) -> None:
    for sock in (link.client, link.upstream):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()


def _parse_target(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--target", type=_parse_target, required=True, help="HOST:PORT to forward to")
    parser.add_argument("--rtt-ms", type=float, default=DEFAULT_RTT * 1000, help="round trip added (40)")
    parser.add_argument("--listen-port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--max-connections", type=int, default=64)
    parser.add_argument(
        "--lifetime", type=float, default=3600.0, help="stop by itself after this many seconds (3600)"
    )
    args = parser.parse_args(argv)
    host, port = args.target
    proxy = LatencyProxy(
        host,
        port,
        rtt=args.rtt_ms / 1000,
        listen_port=args.listen_port,
        max_connections=args.max_connections,
        lifetime=args.lifetime,
    )
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: proxy.request_stop())
    with proxy:
        print(f"listening on {proxy.host}:{proxy.port} -> {host}:{port}, rtt {args.rtt_ms:g} ms", flush=True)
        proxy.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
