"""The fake LLM provider server: scripted steps, outages, rate limits and usage accounting."""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.faults import (
    Cut,
    ErrorEvent,
    Html200,
    OneBody,
    Stall,
    StreamFault,
    error_body,
    error_event,
    error_status,
    sent_before,
)
from tests.fakes.http_handler import _Abort, _Handler, _HTTPServer
from tests.fakes.prompt_cache import CacheUsage, PromptCacheAccounting
from tests.fakes.request_parsing import _json_schema, _prompt_text
from tests.fakes.steps import Fail, Hang, NotJSON, RecordedRequest, Reply, Reset, Responder, Step
from tests.fakes.wire_replies import (
    _error_body,
    _events_for,
    _format_seconds,
    _refusal,
    _status_message,
    _streams,
    answer_payload,
    asks_flex,
    no_flex_capacity,
)

_RPM_WINDOW = 60.0

_OPENAI_PATH = re.compile(r"^(?:/v1)?/chat/completions$")
_AZURE_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")
_ANTHROPIC_PATH = re.compile(r"^(?:/v1)?/messages$")
_GEMINI_PATH = re.compile(
    r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)
_OLLAMA_PATH = re.compile(r"^/api/chat$")


class FakeProviderServer:
    """A scripted HTTP server that answers like the hosted LLM providers.

    ``latency`` and ``rpm_limit`` may be changed while it runs. ``clock`` (default
    :func:`time.monotonic`) drives the rate-limit window and ``received_at`` so tests can inject time.
    Only admitted requests take a slot in the rpm window; a request turned away with 429 does not, so
    a client that honours ``retry-after`` gets through on its next attempt.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rpm_limit: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.latency = latency
        self.rpm_limit = rpm_limit
        self.responder: Responder | None = None
        #: Parameters the "model" refuses with the provider's real HTTP 400, like a reasoning model
        #: (``"temperature"``), an older model or Azure deployment (``"json_schema"``), or one without
        #: any JSON mode (``"json_object"``), an Anthropic model or platform without JSON outputs
        #: (``"strict"``: ``output_config.format`` is refused). See :meth:`refused`.
        self.refuse: set[str] = set()
        #: Set to a ``PromptCacheAccounting`` to account prompt caching as the providers do (off: every
        #: prompt token is plain input, and the schema is not counted).
        self.prompt_cache: PromptCacheAccounting | None = None
        #: How many flex requests (OpenAI ``service_tier``, Gemini ``serviceTier``) in a row get the
        #: provider's "no flex capacity" answer (``math.inf``: every one); standard requests are
        #: answered as usual. See :attr:`flex_refusals`.
        self.no_flex_capacity: float = 0
        #: Flex requests answered "no capacity" so far.
        self.flex_refusals = 0
        self.clock = clock
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._queue: deque[Step] = deque()
        self._match_queues: dict[str, deque[Step]] = {}
        self._records: list[RecordedRequest] = []
        self._window: deque[float] = deque()
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._refused = 0
        self._connections: set[socket.socket] = set()
        self._stopped = threading.Event()
        # Replaced on reset(): anything sleeping on the old event wakes up and gives up.
        self._generation = threading.Event()
        self._ids = itertools.count(1)
        # What every request gets while the provider is down (see down()); None when it is up.
        self._down: Step | None = None
        # The port to listen on again after down(refuse=True).
        self._refused_port: int | None = None
        # One event per stream stalled right now (see Stall); set to end the stall.
        self._stalls: set[threading.Event] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        from tests.fakes.batches import FakeBatches

        #: The batch APIs (OpenAI, Anthropic, Gemini); tests complete batches and read them here.
        self.batches = FakeBatches(self)

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> FakeProviderServer:
        """Bind and serve in a daemon thread; returns self so ``FakeProviderServer().start()`` chains."""
        if self._httpd is not None:
            return self
        self._stopped.clear()
        with self._lock:
            # A previous stop() woke every sleeper through this event; start with a fresh one.
            self._generation = threading.Event()
        self._httpd = _HTTPServer(self, (self._host, self._port))
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host if isinstance(host, str) else host.decode()}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"fake-provider-{port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection, including hung ones; returns promptly."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stopped.set()
        with self._lock:
            self._generation.set()
            self._wake_stalls()
            connections = list(self._connections)
        httpd.shutdown()
        httpd.server_close()
        for conn in connections:
            # Wakes handler threads parked on a keep-alive read.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting ------------------------------------------------------------------------------------

    def script(self, *steps: Step) -> None:
        """Append behaviours consumed one per request, in order, by any request."""
        with self._lock:
            self._queue.extend(steps)

    def script_for(self, match: str, *steps: Step) -> None:
        """Append behaviours consumed only by requests whose prompt text contains ``match``."""
        with self._lock:
            self._match_queues.setdefault(match, deque()).extend(steps)

    def reset(self) -> None:
        """Forget scripts, records and usage; restore latency 0, no rpm limit, no responder."""
        with self._lock:
            self._queue.clear()
            self._match_queues.clear()
            self._records.clear()
            self._window.clear()
            self._prompt_tokens = 0
            self._completion_tokens = 0
            self.latency = 0.0
            self.rpm_limit = None
            self.responder = None
            self.refuse = set()
            self.prompt_cache = None
            self.no_flex_capacity = 0
            self.flex_refusals = 0
            self._refused = 0
            self._down = None
            self.batches.reset()
            # Requests still hanging from the previous test give up instead of leaking into this one.
            self._generation.set()
            self._wake_stalls()
            self._generation = threading.Event()
        if self._refused_port is not None:
            self.up()

    # -- outages and stalls ---------------------------------------------------------------------------

    def down(self, status: int = 500, *, step: Step | None = None, refuse: bool = False) -> None:
        """Fail every request from now until :meth:`up`, for circuit-breaker tests.

        Every request is answered with ``Fail(status)`` (the wire's own error body), or with ``step``
        when given (``Reset()``, ``Hang(...)``, ``Html200()``, ...). Scripted steps are not consumed and
        the rpm limit is not counted while down; requests are still recorded. ``refuse=True`` closes
        the listening socket instead, so connections are refused, until :meth:`up` listens again on
        the same port.
        """
        if refuse:
            if self._httpd is not None:
                self._refused_port = int(self.base_url.rsplit(":", 1)[1])
                self.stop()
            return
        with self._lock:
            self._down = step if step is not None else Fail(status)

    def up(self) -> None:
        """End an outage started with :meth:`down`: requests are answered as scripted again."""
        with self._lock:
            self._down = None
        port = self._refused_port
        if port is not None:
            self._refused_port = None
            configured = self._port
            self._port = port
            try:
                self.start()
            finally:
                self._port = configured

    @property
    def is_down(self) -> bool:
        """Whether :meth:`down` is in force."""
        with self._lock:
            return self._down is not None or self._refused_port is not None

    def release(self) -> int:
        """Resume every stream stalled by a :class:`Stall` step; returns how many were stalled."""
        with self._lock:
            return self._wake_stalls()

    @property
    def stalled(self) -> int:
        """How many answers are stalled by a :class:`Stall` step right now."""
        with self._lock:
            return len(self._stalls)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received since the last reset, oldest first."""
        with self._lock:
            return list(self._records)

    def usage_totals(self) -> dict[str, int]:
        """Requests received plus the token usage the server reported in successful answers."""
        with self._lock:
            return {
                "requests": len(self._records),
                "prompt_tokens": self._prompt_tokens,
                "completion_tokens": self._completion_tokens,
            }

    @property
    def refused(self) -> int:
        """How many requests were answered with a parameter refusal (see ``refuse``)."""
        with self._lock:
            return self._refused

    def pending(self) -> int:
        """How many scripted steps have not been consumed yet (all queues)."""
        with self._lock:
            return len(self._queue) + sum(len(q) for q in self._match_queues.values())

    # -- internals ------------------------------------------------------------------------------------

    def _wake_stalls(self) -> int:
        # Called with the lock held.
        stalls = list(self._stalls)
        for wake in stalls:
            wake.set()
        self._stalls.clear()
        return len(stalls)

    def _stall(self, seconds: float, generation: threading.Event) -> bool:
        """Hold a stalled answer; True to resume it, False if reset() or stop() ended it."""
        wake = threading.Event()
        with self._lock:
            # Registered before the check below, so a reset() in between cannot be missed.
            self._stalls.add(wake)
        if not generation.is_set():
            wake.wait(seconds)
        with self._lock:
            self._stalls.discard(wake)
        return not generation.is_set()

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _next_step(self, request: RecordedRequest) -> Step | None:
        with self._lock:
            for match, queue in self._match_queues.items():
                if queue and match in request.prompt_text:
                    return queue.popleft()
            if self._queue:
                return self._queue.popleft()
            return None

    def _admit(self, now: float) -> float | None:
        """Count the request against rpm_limit; return seconds to wait if it is over the limit."""
        with self._lock:
            limit = self.rpm_limit
            while self._window and self._window[0] <= now - _RPM_WINDOW:
                self._window.popleft()
            if limit is not None and len(self._window) >= limit:
                return max(0.0, self._window[0] + _RPM_WINDOW - now)
            self._window.append(now)
            return None

    def _wait(self, seconds: float, generation: threading.Event) -> bool:
        """Sleep up to ``seconds``; False if stop() or reset() interrupted the sleep."""
        if seconds <= 0:
            return not generation.is_set()
        return not generation.wait(seconds)

    def _handle(self, handler: _Handler) -> None:
        generation = self._generation
        split = urlsplit(handler.path)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if self.batches.handle(handler, handler.command, path, raw, headers):
            return

        wire, model = self._route(handler.command, path, body)
        schema, asks_json = _json_schema(wire, body)
        record = RecordedRequest(
            wire=wire,
            method=handler.command,
            path=path,
            query=query,
            headers=headers,
            body=body,
            model=model,
            prompt_text=_prompt_text(wire, body),
            json_schema=schema,
            received_at=self.clock(),
        )
        with self._lock:
            self._records.append(record)

        if wire == "unknown":
            handler.send_json(
                404, {"error": {"message": f"fake provider has no route for {path}"}}, {"connection": "close"}
            )
            handler.close_connection = True
            return
        with self._lock:
            step = self._down
        if step is None:
            step = self._scripted_step(handler, record, body)
            if step is None:
                return
        self._perform(handler, record, step, asks_json, generation)

    def _scripted_step(self, handler: _Handler, record: RecordedRequest, body: Any) -> Step | None:
        """The step for ``record`` (script, responder or default), or None if already answered."""
        wire = record.wire
        refusal = _refusal(wire, body, self.refuse)
        if refusal is not None:
            with self._lock:
                self._refused += 1
            handler.send_json(400, refusal, self._id_headers(wire))
            return None

        with self._lock:
            full = self.no_flex_capacity > 0 and asks_flex(wire, body)
            if full:
                self.no_flex_capacity -= 1
                self.flex_refusals += 1
        if full:
            status, refusal_body = no_flex_capacity(wire)
            handler.send_json(status, refusal_body, self._id_headers(wire))
            return None

        wait = self._admit(record.received_at)
        if wait is not None:
            self._send_error(
                handler,
                wire,
                429,
                "Rate limit reached (fake rpm_limit).",
                {"retry-after": str(math.ceil(wait))},
            )
            return None

        step = self._next_step(record)
        if step is None:
            responder = self.responder
            step = responder(record) if responder is not None else Reply()
        return step

    def _perform(
        self,
        handler: _Handler,
        record: RecordedRequest,
        step: Step,
        asks_json: bool,
        generation: threading.Event,
    ) -> None:
        wire = record.wire
        if isinstance(step, Hang):
            self._wait(step.seconds, generation)
            raise _Abort
        if isinstance(step, Reset):
            self._abort_with_rst(handler)
            raise _Abort

        caching = self.prompt_cache
        cache_usage = (
            caching.account(wire, record.model or "", record.body)
            if caching and isinstance(step, Reply)
            else None
        )
        delay = step.latency if isinstance(step, Reply) and step.latency is not None else self.latency
        if not self._wait(delay, generation):
            raise _Abort

        if isinstance(step, NotJSON | Html200):
            status = step.status if isinstance(step, NotJSON) else 200
            handler.send_raw(status, step.body.encode(), "text/html; charset=utf-8", {})
        elif isinstance(step, Fail):
            extra = dict(step.headers)
            if step.retry_after is not None:
                extra["retry-after"] = _format_seconds(step.retry_after)
            if step.retry_after_ms is not None:
                extra["retry-after-ms"] = str(step.retry_after_ms)
            if step.body is not None:
                extra.update(self._id_headers(wire))
                handler.send_json(step.status, step.body, extra)
            else:
                self._send_error(handler, wire, step.status, _status_message(step.status), extra)
        elif isinstance(step, Reply):
            self._send_reply(handler, record, step, asks_json, cache_usage)
            if caching is not None and cache_usage is not None:
                caching.commit(cache_usage)
        else:
            self._send_fault(handler, record, step, asks_json, generation)

    @staticmethod
    def _route(method: str, path: str, body: Any) -> tuple[str, str | None]:
        body_model = body.get("model") if isinstance(body, dict) else None
        model = body_model if isinstance(body_model, str) else None
        if method != "POST":
            return "unknown", None
        if _OPENAI_PATH.match(path):
            return "openai", model
        if m := _AZURE_PATH.match(path):
            return "azure", unquote(m.group("deployment"))
        if _ANTHROPIC_PATH.match(path):
            return "anthropic", model
        if m := _GEMINI_PATH.match(path):
            return "gemini", unquote(m.group("model"))
        if _OLLAMA_PATH.match(path):
            return "ollama", model
        return "unknown", None

    @staticmethod
    def _abort_with_rst(handler: _Handler) -> None:
        conn = handler.connection
        try:
            # Linger 0 makes close() send RST instead of FIN: the client sees "connection reset".
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # The buffered reader holds a reference that would keep the socket open past close().
            handler.rfile.close()
            handler.wfile.close()
            conn.close()
        except OSError:
            pass

    def _id_headers(self, wire: str) -> dict[str, str]:
        rid = f"req_fake_{next(self._ids):06d}"
        if wire in ("openai", "azure"):
            return {"x-request-id": rid}
        if wire == "anthropic":
            return {"request-id": rid}
        return {"x-fake-request-id": rid}

    def _send_error(
        self, handler: _Handler, wire: str, status: int, message: str, extra: Mapping[str, str]
    ) -> None:
        headers = {**self._id_headers(wire), **extra}
        handler.send_json(status, _error_body(wire, status, message), headers)

    def _send_reply(
        self,
        handler: _Handler,
        record: RecordedRequest,
        reply: Reply,
        asks_json: bool,
        cache: CacheUsage | None = None,
    ) -> None:
        payload, headers, tokens = answer_payload(
            record, reply, asks_json, self._id_headers(record.wire), cache
        )
        self._count(tokens)
        if _streams(record):
            events = _events_for(record, payload)
            if reply.cut:
                # Half the answer, then the connection drops: generated (and billed) whole, read half.
                handler.send_events(events[: len(events) // 2], headers)
                self._abort_with_rst(handler)
                raise _Abort
            handler.send_events(events, headers)
        elif reply.cut:
            body = json.dumps(payload).encode()
            handler.send_response(200)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            self._abort_with_rst(handler)
            raise _Abort
        else:
            handler.send_json(200, payload, headers)

    def _count(self, tokens: tuple[int, int]) -> None:
        with self._lock:
            self._prompt_tokens += tokens[0]
            self._completion_tokens += tokens[1]

    def _send_fault(
        self,
        handler: _Handler,
        record: RecordedRequest,
        fault: StreamFault,
        asks_json: bool,
        generation: threading.Event,
    ) -> None:
        """Answer with one of the faults of a started answer (see :mod:`tests.fakes.faults`)."""
        wire = record.wire
        if isinstance(fault, ErrorEvent):
            if not _streams(record):
                # Outside a stream the same error is the whole answer, with its own status.
                extra = self._id_headers(wire)
                handler.send_json(error_status(wire, fault), error_body(wire, fault), extra)
                return
            payload, headers, _tokens = answer_payload(
                record, Reply(), asks_json, self._id_headers(record.wire)
            )
            events = _events_for(record, payload)
            handler.open_body("text/event-stream", headers, framing="chunked")
            for event in events[: sent_before(fault.after_chunks, events)] + error_event(wire, fault):
                handler.write_piece(event)
            handler.end_body()
            return
        payload, headers, tokens = answer_payload(
            record, fault.reply or Reply(), asks_json, self._id_headers(record.wire)
        )
        if isinstance(fault, OneBody):
            self._count(tokens)
            data = json.dumps(payload, indent=2 if fault.pretty else None).encode()
            handler.send_raw(200, data, "application/json", headers)
            return
        if _streams(record):
            pieces = _events_for(record, payload)
            split = sent_before(fault.after_chunks, pieces)
            eof = isinstance(fault, Cut) and fault.how == "eof"
            handler.open_body("text/event-stream", headers, framing="close" if eof else "chunked")
        else:
            data = json.dumps(payload).encode()
            pieces = [data[: len(data) // 2], data[len(data) // 2 :]]
            split = 1
            handler.open_body("application/json", headers, framing="length", length=len(data))
        for piece in pieces[:split]:
            handler.write_piece(piece)
        if isinstance(fault, Stall) and self._stall(fault.seconds, generation):
            for piece in pieces[split:]:
                handler.write_piece(piece)
            handler.end_body()
            self._count(tokens)
            return
        if isinstance(fault, Cut) and fault.how == "reset":
            self._abort_with_rst(handler)
        else:
            handler.hang_up()
        raise _Abort
