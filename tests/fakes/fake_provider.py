"""A process-local fake LLM provider that speaks the OpenAI, Azure, Anthropic, Gemini and Ollama wires.

Tests and benchmarks point the real provider SDKs at :class:`FakeProviderServer` instead of the
internet. Behaviour is scripted per request (:class:`Reply`, :class:`Fail`, :class:`Hang`,
:class:`Reset`, :class:`NotJSON`, and the faults of a started answer from :mod:`tests.fakes.faults`:
:class:`Cut`, :class:`Stall`, :class:`ErrorEvent`, :class:`OneBody`, :class:`Html200`); when nothing
is scripted the server answers with a value generated from the JSON schema the client asked for, so a
well-behaved client always gets a parseable answer. :meth:`FakeProviderServer.down` fails every
request until :meth:`FakeProviderServer.up` (an outage).

Run ``python -m tests.fakes.fake_provider --port 8765`` to serve until Ctrl-C for manual poking
(``--fault cut:2,ok`` makes every other request a cut stream).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeAlias
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fakes.faults import (
    PORTAL_PAGE,
    Cut,
    CutHow,
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

__all__ = [
    "FAKE_API_KEY",
    "HOSTILE_TEXTS",
    "PORTAL_PAGE",
    "Cut",
    "ErrorEvent",
    "Fail",
    "FakeProviderServer",
    "Hang",
    "HostileResponder",
    "Html200",
    "NotJSON",
    "OneBody",
    "RecordedRequest",
    "Reply",
    "Reset",
    "Stall",
    "Step",
    "fault_step",
    "main",
    "value_from_schema",
]

from tests.fakes.prompt_cache import CacheUsage, PromptCacheAccounting

FAKE_API_KEY = "sk-test-SECRET-abcdef123456"

# Header and query names whose values are credentials; they are kept in the records (tests may assert
# on them) but never shown in a repr.
_SECRET_HEADERS = frozenset(
    {"authorization", "api-key", "x-api-key", "x-goog-api-key", "proxy-authorization"}
)
_SECRET_QUERY = frozenset({"key", "api_key", "api-key"})


def _mask(value: str) -> str:
    return "***" if value else value


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as the fake server saw it (header names lower-case)."""

    wire: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    model: str | None
    prompt_text: str
    json_schema: dict[str, Any] | None
    received_at: float

    def __repr__(self) -> str:
        # A failing assertion prints this; credentials must not end up in a CI log.
        headers = {k: (_mask(v) if k in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        query = {k: (_mask(v) if k.lower() in _SECRET_QUERY else v) for k, v in self.query.items()}
        prompt = self.prompt_text if len(self.prompt_text) <= 80 else self.prompt_text[:77] + "..."
        return (
            f"RecordedRequest(wire={self.wire!r}, method={self.method!r}, path={self.path!r}, "
            f"query={query!r}, model={self.model!r}, prompt_text={prompt!r}, "
            f"json_schema={'yes' if self.json_schema is not None else None}, headers={headers!r})"
        )


@dataclass(frozen=True)
class Reply:
    """A successful completion.

    ``text`` is sent verbatim; otherwise ``json`` is serialised; otherwise the default answer is used.
    ``fenced`` wraps the text in a Markdown code fence, ``prose`` puts a sentence before and after it,
    ``truncated`` sends only the first half and reports the wire's "hit max tokens" finish reason.
    ``headers`` are added to the response (a proxy that echoes what it was sent, for instance).
    ``cut`` sends the first half of the answer and then drops the connection, as a network failure
    mid-stream does; the whole answer is billed (it was generated), as the providers bill it.
    """

    text: str | None = None
    json: Any = None
    fenced: bool = False
    prose: bool = False
    truncated: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    cut: bool = False


@dataclass(frozen=True)
class Fail:
    """An HTTP error answer; ``body`` defaults to the wire's own error JSON for ``status``."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    retry_after_ms: int | None = None


@dataclass(frozen=True)
class Hang:
    """Read the request, then send nothing for ``seconds`` (or until stop/reset) and drop the connection."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Reset:
    """Read the request, then abort the TCP connection with an RST."""


@dataclass(frozen=True)
class NotJSON:
    """Answer with a body that is not JSON (what a misconfigured proxy sends)."""

    body: str = "<html>502 Bad Gateway</html>"
    status: int = 200


Step: TypeAlias = Reply | Fail | Hang | Reset | NotJSON | Cut | Stall | ErrorEvent | OneBody | Html200
Responder: TypeAlias = Callable[[RecordedRequest], Step]

_RPM_WINDOW = 60.0

_OPENAI_PATH = re.compile(r"^(?:/v1)?/chat/completions$")
_AZURE_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")
_ANTHROPIC_PATH = re.compile(r"^(?:/v1)?/messages$")
_GEMINI_PATH = re.compile(
    r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)
_OLLAMA_PATH = re.compile(r"^/api/chat$")

_FINISH_REASON = {
    ("openai", False): "stop",
    ("openai", True): "length",
    ("anthropic", False): "end_turn",
    ("anthropic", True): "max_tokens",
    ("gemini", False): "STOP",
    ("gemini", True): "MAX_TOKENS",
    ("ollama", False): "stop",
    ("ollama", True): "length",
}


class _Abort(Exception):
    """Raised inside a handler to drop the connection without writing a response."""


# ----------------------------------------------------------------------------------------------------
# Request parsing
# ----------------------------------------------------------------------------------------------------


def _text_of(content: Any) -> list[str]:
    """Collect the text out of a message content value in any of the wires' shapes."""
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        out: list[str] = []
        for part in content:
            out.extend(_text_of(part))
        return out
    if isinstance(content, dict):
        if isinstance(content.get("text"), str):
            return [content["text"]]
        for key in ("content", "parts"):
            if key in content:
                return _text_of(content[key])
    return []


def _prompt_text(wire: str, body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    pieces: list[str] = []
    if wire == "gemini":
        pieces.extend(_text_of(body.get("systemInstruction") or body.get("system_instruction")))
        for item in body.get("contents") or []:
            pieces.extend(_text_of(item))
    else:
        pieces.extend(_text_of(body.get("system")))
        for message in body.get("messages") or []:
            if isinstance(message, dict):
                pieces.extend(_text_of(message.get("content")))
    return "\n".join(pieces)


def _json_schema(wire: str, body: Any) -> tuple[dict[str, Any] | None, bool]:
    """Return (schema the client asked for, whether it asked for JSON at all)."""
    if not isinstance(body, dict):
        return None, False
    if wire in ("openai", "azure"):
        fmt = body.get("response_format")
        if isinstance(fmt, dict):
            if fmt.get("type") == "json_schema":
                spec = fmt.get("json_schema") or {}
                schema = spec.get("schema") if isinstance(spec, dict) else None
                return (schema if isinstance(schema, dict) else {}), True
            if fmt.get("type") == "json_object":
                return None, True
        return None, False
    if wire == "anthropic":
        tool = _forced_tool(body)
        if tool is not None:
            schema = tool.get("input_schema")
            return (schema if isinstance(schema, dict) else {}), True
        config = body.get("output_config")
        fmt = config.get("format") if isinstance(config, dict) else None
        if isinstance(fmt, dict) and isinstance(fmt.get("schema"), dict):
            return fmt["schema"], True
        return None, False
    if wire == "gemini":
        config = body.get("generationConfig") or body.get("generation_config") or {}
        if not isinstance(config, dict):
            return None, False
        for key in ("responseJsonSchema", "responseSchema", "response_json_schema", "response_schema"):
            if isinstance(config.get(key), dict):
                return config[key], True
        mime = config.get("responseMimeType") or config.get("response_mime_type")
        return None, mime == "application/json"
    if wire == "ollama":
        fmt = body.get("format")
        if isinstance(fmt, dict):
            return fmt, True
        return None, fmt == "json"
    return None, False


def _forced_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The Anthropic tool the client forced with ``tool_choice={"type": "tool", ...}``, if any."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict) or choice.get("type") != "tool":
        return None
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and tool.get("name") == choice.get("name"):
            return tool
    return None


# ----------------------------------------------------------------------------------------------------
# Answers generated from a schema
# ----------------------------------------------------------------------------------------------------


def _resolve_ref(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    node: Any = root
    for token in ref.lstrip("#/").split("/"):
        if not token:
            continue
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        node = node.get(token) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def value_from_schema(schema: Mapping[str, Any], name: str = "value") -> Any:
    """Build a deterministic JSON value that satisfies the common parts of ``schema``.

    Every declared property is filled (recursively); strings mention the property they belong to so
    a test can see which answer landed where.
    """
    return _generate(dict(schema), dict(schema), name, depth=0)


def _generate(schema: dict[str, Any], root: dict[str, Any], name: str, depth: int) -> Any:
    if depth > 12:
        # Self-referencing schemas (trees) would otherwise recurse forever.
        return None
    if "$ref" in schema and isinstance(schema["$ref"], str):
        merged = {**_resolve_ref(schema["$ref"], root), **{k: v for k, v in schema.items() if k != "$ref"}}
        return _generate(merged, root, name, depth + 1)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "any_of", "one_of"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if isinstance(o, dict) and _type_of(o) != "null"]
            return _generate((non_null or options)[0], root, name, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged = {}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged.update(part)
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return _generate(merged, root, name, depth + 1)

    kind = _type_of(schema)
    if kind == "object":
        props = schema.get("properties") or {}
        out: dict[str, Any] = {}
        for prop, sub in props.items():
            out[prop] = _generate(sub if isinstance(sub, dict) else {}, root, prop, depth + 1)
        for prop in schema.get("required") or []:
            if prop not in out:
                out[prop] = _string_for(prop, {})
        return out
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems") or schema.get("min_items") or 1))
        if isinstance(items, dict):
            named = _enum_of_name(items)
            if named:
                # Like a real model asked about a list of columns: one item per listed name, each
                # described in its own words (a copy of one text everywhere is rejected for quality).
                return [_named_item(_generate(items, root, name, depth + 1), value) for value in named]
            return [_generate(items, root, name, depth + 1) for _ in range(count)]
        return [_string_for(name, {}) for _ in range(count)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string_for(name, schema)


def _named_item(item: Any, value: Any) -> Any:
    if not isinstance(item, dict):
        return item
    # Words beyond the column's own name: a name like fake_column would otherwise be "restated".
    text = f"Fake description of {value}, as the fake provider answers it."
    described = {key: text if key == "description" else v for key, v in item.items()}
    return {**described, "name": value}


def _enum_of_name(items: Mapping[str, Any]) -> list[Any]:
    name = (items.get("properties") or {}).get("name")
    if isinstance(name, dict) and isinstance(name.get("enum"), list):
        return list(name["enum"])
    return []


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if isinstance(k, str) and k.lower() != "null"]
        kind = non_null[0] if non_null else "null"
    if isinstance(kind, str):
        # Gemini's OpenAPI subset spells types in upper case.
        return kind.lower()
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _string_for(name: str, schema: Mapping[str, Any]) -> str:
    text = f"Fake description of {name}."
    max_len = schema.get("maxLength") or schema.get("max_length")
    if isinstance(max_len, int) and max_len > 0:
        text = text[:max_len]
    return text


def _schema_in_prompt(prompt: str) -> dict[str, Any] | None:
    """A JSON schema written into the prompt after the words "JSON Schema", as a good model reads it."""
    at = prompt.find("JSON Schema")
    if at < 0:
        return None
    start = prompt.find("{", at)
    if start < 0:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(prompt, start)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


_COLUMNS_FENCE = re.compile(r"(`{3,})columns\n(?P<body>.*?)\n\1", re.DOTALL)
# "- name (data type)": the type may hold parentheses of its own (DECIMAL(18,2)).
_LISTED_NAME = re.compile(r"^- (?P<name>.+?)(?: \(.*\))?$")


def prompt_columns(prompt: str) -> list[str]:
    """The column names a synthesis prompt lists in its fenced ``columns`` block, as a model reads them."""
    found = _COLUMNS_FENCE.search(prompt)
    if found is None:
        return []
    names = []
    for line in found.group("body").splitlines():
        match = _LISTED_NAME.match(line.strip())
        if match:
            names.append(match.group("name"))
    return names


def answer_schema(request: RecordedRequest, schema: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The schema a good model answers (``schema``, default the one sent), with the names the prompt lists.

    A schema that leaves column names open (the same schema for every model) is answered, like a real
    model would, with one entry per column the prompt asks about.
    """
    schema = request.json_schema if schema is None else schema
    if schema is None:
        return None
    items = ((schema.get("properties") or {}).get("columns") or {}).get("items")
    name = ((items or {}).get("properties") or {}).get("name") if isinstance(items, dict) else None
    if not isinstance(name, dict) or "enum" in name or not _COLUMNS_FENCE.search(request.prompt_text):
        return schema
    listed = prompt_columns(request.prompt_text)
    columns = {**schema["properties"]["columns"]}
    columns["items"] = {**items, "properties": {**items["properties"], "name": {**name, "enum": listed}}}
    if not listed:
        columns = {"const": []}  # only the model description is asked for
    return {**schema, "properties": {**schema["properties"], "columns": columns}}


def _default_text(request: RecordedRequest, asks_json: bool) -> str:
    schema = answer_schema(request)
    if schema is not None:
        return json.dumps(value_from_schema(schema))
    in_prompt = _schema_in_prompt(request.prompt_text)
    if in_prompt is not None:
        # JSON mode or a prompt-only instruction: answer the schema the prompt spells out.
        return json.dumps(value_from_schema(answer_schema(request, in_prompt) or in_prompt))
    if asks_json or "json" in request.prompt_text.lower():
        return json.dumps({"answer": "Fake answer from the fake provider."})
    return "This is a fake answer from the fake provider."


def _estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


# ----------------------------------------------------------------------------------------------------
# Hostile mode: a provider that answers whatever it likes
# ----------------------------------------------------------------------------------------------------

#: Descriptions a careless or hostile model may send, each a way to break a dbt project or leak a key
#: if written as is: live Jinja, YAML 1.1 words and times, a lone surrogate, control characters, an
#: empty string and a 10,000-character essay.
HOSTILE_TEXTS: tuple[str, ...] = (
    'Holds {{ env_var("OPENAI_API_KEY") }} for reference.',
    "{{ config(materialized='table') }}",
    "{% if is_incremental() %}new rows only",
    "{# a comment that never closes",
    "A {% raw %} tag and {% endraw %} in prose.",
    "Yes",
    "Off",
    "on",
    "12:30",
    "~",
    "lone \ud800 surrogate",
    "bell\x07 nul\x00 escape\x1b[31m red\x7f",
    "",
    "The amount in cents, before refunds. " * 271,
)

_MODEL_NAME = re.compile(r"Document the dbt model `([^`]+)`")
_CREDENTIAL_HEADERS = ("authorization", "api-key", "x-api-key", "x-goog-api-key")


class HostileResponder:
    """A responder that fills every description of a structured answer with ``HOSTILE_TEXTS``, in turn.

    Each text is used once before any repeats, so a run over enough columns meets all of them.
    ``given[(model, field)]`` records what was answered where (``field`` is a column name, or ``""``
    for the model description), so a test can compare what was written with what was sent.
    With ``echo_credentials`` every answer also carries the request's key (without "Bearer ") in an
    ``x-echoed-credential`` header, as a misbehaving proxy might.
    """

    def __init__(self, texts: tuple[str, ...] = HOSTILE_TEXTS, *, echo_credentials: bool = False) -> None:
        self.texts = texts
        self.echo_credentials = echo_credentials
        self.given: dict[tuple[str, str], str] = {}
        #: Every text answered per place, in order: a re-ask (after an unusable answer) adds one.
        self.history: dict[tuple[str, str], list[str]] = {}
        self._next = itertools.count()
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Step:
        """Answer ``request`` with the next hostile texts in the shape its schema asks for."""
        headers: dict[str, str] = {}
        if self.echo_credentials:
            for name in _CREDENTIAL_HEADERS:
                if request.headers.get(name):
                    # The bare key, without "Bearer ": only the verbatim secret list can hide it.
                    headers["x-echoed-credential"] = re.sub(r"(?i)^bearer\s+", "", request.headers[name])
        if request.json_schema is None:
            return Reply(text=json.dumps({"description": self._take("", "")}), headers=headers)
        answer = value_from_schema(answer_schema(request) or request.json_schema)
        found = _MODEL_NAME.search(request.prompt_text)
        model = found.group(1) if found else ""
        if isinstance(answer, dict):
            if "description" in answer:
                answer["description"] = self._take(model, "")
            for column in answer.get("columns") or []:
                if isinstance(column, dict):
                    column["description"] = self._take(model, str(column.get("name")))
        return Reply(text=json.dumps(answer), headers=headers)

    def _take(self, model: str, name: str) -> str:
        with self._lock:
            text = self.texts[next(self._next) % len(self.texts)]
            self.given[(model, name)] = text
            self.history.setdefault((model, name), []).append(text)
        return text


# ----------------------------------------------------------------------------------------------------
# Server
# ----------------------------------------------------------------------------------------------------


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
        #: any JSON mode (``"json_object"``). See :meth:`refused`.
        self.refuse: set[str] = set()
        #: Set to a ``PromptCacheAccounting`` to account prompt caching as the providers do (off: every
        #: prompt token is plain input, and the schema is not counted).
        self.prompt_cache: PromptCacheAccounting | None = None
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
        payload, headers, tokens = self._answer(record, reply, asks_json, cache)
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
            payload, headers, _tokens = self._answer(record, Reply(), asks_json)
            events = _events_for(record, payload)
            handler.open_body("text/event-stream", headers, framing="chunked")
            for event in events[: sent_before(fault.after_chunks, events)] + error_event(wire, fault):
                handler.write_piece(event)
            handler.end_body()
            return
        payload, headers, tokens = self._answer(record, fault.reply or Reply(), asks_json)
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

    def _answer(
        self, record: RecordedRequest, reply: Reply, asks_json: bool, cache: CacheUsage | None = None
    ) -> tuple[dict[str, Any], dict[str, str], tuple[int, int]]:
        """The non-streamed answer to ``record``, its headers and its (prompt, completion) tokens."""
        if reply.text is not None:
            text = reply.text
        elif reply.json is not None:
            text = json.dumps(reply.json)
        else:
            text = _default_text(record, asks_json)
        if reply.fenced:
            text = f"```json\n{text}\n```"
        if reply.prose:
            text = f"Sure! Here is the JSON you asked for:\n{text}\nLet me know if you need anything else."
        if reply.truncated:
            text = text[: len(text) // 2]

        tool_input: dict[str, Any] | None = None
        if record.wire == "anthropic" and isinstance(record.body, dict):
            tool = _forced_tool(record.body)
            if tool is not None:
                tool_input = _tool_input(text, reply)
                if tool_input is not None:
                    text = json.dumps(tool_input)

        prompt_tokens = (
            reply.prompt_tokens
            if reply.prompt_tokens is not None
            else cache.prompt_tokens
            if cache is not None
            else _estimate_tokens(record.prompt_text) + 8
        )
        read = cache.cached_tokens if cache is not None else 0
        written = cache.cache_write_tokens if cache is not None else 0
        completion_tokens = (
            reply.completion_tokens if reply.completion_tokens is not None else _estimate_tokens(text)
        )

        finish = _FINISH_REASON[("openai" if record.wire == "azure" else record.wire, reply.truncated)]
        model = record.model or "fake-model"
        headers = {**self._id_headers(record.wire), **reply.headers}
        created = int(time.time())
        payload: dict[str, Any]
        if record.wire in ("openai", "azure"):
            payload = {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None,
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                    "prompt_tokens_details": {"cached_tokens": read},
                    "completion_tokens_details": {"reasoning_tokens": 0},
                },
            }
        elif record.wire == "anthropic":
            tool = _forced_tool(record.body) if isinstance(record.body, dict) else None
            block: dict[str, Any]
            if tool is not None and tool_input is not None:
                block = {
                    "type": "tool_use",
                    "id": f"toolu_{uuid.uuid4().hex[:24]}",
                    "name": tool.get("name"),
                    "input": tool_input,
                }
                stop = "max_tokens" if reply.truncated else "tool_use"
            else:
                block = {"type": "text", "text": text}
                stop = finish
            payload = {
                "id": f"msg_{uuid.uuid4().hex[:24]}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [block],
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": prompt_tokens - read - written,
                    "output_tokens": completion_tokens,
                    "cache_creation_input_tokens": written,
                    "cache_read_input_tokens": read,
                },
            }
        elif record.wire == "gemini":
            payload = {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": finish,
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": prompt_tokens,
                    "candidatesTokenCount": completion_tokens,
                    "totalTokenCount": prompt_tokens + completion_tokens,
                    **({"cachedContentTokenCount": read} if read else {}),
                },
                "modelVersion": model,
                "responseId": uuid.uuid4().hex[:22],
            }
        else:
            payload = {
                "model": model,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "message": {"role": "assistant", "content": text},
                "done": True,
                "done_reason": finish,
                "prompt_eval_count": prompt_tokens,
                "eval_count": completion_tokens,
            }
        return payload, headers, (prompt_tokens, completion_tokens)


def _events_for(record: RecordedRequest, payload: dict[str, Any]) -> list[bytes]:
    """The server-sent events that stream ``payload`` in answer to ``record``."""
    include_usage = bool(((record.body or {}).get("stream_options") or {}).get("include_usage"))
    return _stream_events(record.wire, payload, include_usage)


def _streams(record: RecordedRequest) -> bool:
    """Whether the client asked for server-sent events (a body flag, or Gemini's stream method)."""
    if record.wire == "gemini":
        return record.path.endswith(":streamGenerateContent")
    return isinstance(record.body, dict) and bool(record.body.get("stream"))


def _pieces(text: str, size: int = 16) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def _sse(data: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()


def _stream_events(wire: str, payload: dict[str, Any], include_usage: bool) -> list[bytes]:
    """The server-sent events each wire streams for ``payload`` (the non-streamed answer)."""
    if wire in ("openai", "azure"):
        answer = payload["choices"][0]
        base = {k: payload[k] for k in ("id", "created", "model", "system_fingerprint")}
        base["object"] = "chat.completion.chunk"

        def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
            body = {
                **base,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if include_usage:
                body["usage"] = None
            return _sse(body)

        events = [chunk({"role": "assistant", "content": ""}, None)]
        events += [chunk({"content": piece}, None) for piece in _pieces(answer["message"]["content"])]
        events.append(chunk({}, answer["finish_reason"]))
        if include_usage:
            events.append(_sse({**base, "choices": [], "usage": payload["usage"]}))
        return [*events, b"data: [DONE]\n\n"]
    if wire == "anthropic":
        usage = payload["usage"]
        start = {**payload, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
        events = [_sse({"type": "message_start", "message": start}, "message_start")]
        for index, block in enumerate(payload["content"]):
            if block["type"] == "tool_use":
                opening = {**block, "input": {}}
                deltas = [
                    {"type": "input_json_delta", "partial_json": p}
                    for p in _pieces(json.dumps(block["input"]))
                ]
            else:
                opening = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"])]
            events.append(
                _sse(
                    {"type": "content_block_start", "index": index, "content_block": opening},
                    "content_block_start",
                )
            )
            events += [
                _sse({"type": "content_block_delta", "index": index, "delta": d}, "content_block_delta")
                for d in deltas
            ]
            events.append(_sse({"type": "content_block_stop", "index": index}, "content_block_stop"))
        ending = {
            "type": "message_delta",
            "delta": {"stop_reason": payload["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": usage["output_tokens"]},
        }
        events.append(_sse(ending, "message_delta"))
        return [*events, _sse({"type": "message_stop"}, "message_stop")]
    if wire == "gemini":
        candidate = payload["candidates"][0]
        pieces = _pieces("".join(part["text"] for part in candidate["content"]["parts"]))
        events = []
        for number, piece in enumerate(pieces, start=1):
            last = number == len(pieces)
            body: dict[str, Any] = {
                "candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}],
                "modelVersion": payload["modelVersion"],
                "responseId": payload["responseId"],
            }
            if last:
                body["candidates"][0]["finishReason"] = candidate["finishReason"]
                body["usageMetadata"] = payload["usageMetadata"]
            events.append(_sse(body))
        return events
    # Ollama's native wire streams JSON lines; nothing here asks for it.
    return [json.dumps(payload).encode() + b"\n"]


def _tool_input(text: str, reply: Reply) -> dict[str, Any] | None:
    """What goes into a forced Anthropic ``tool_use`` block, or None to answer with plain text.

    A model that was forced to call a tool always produces an object; garbled scripted text (fences,
    prose, non-JSON) is sent as a text block instead so clients can exercise their fallback parsing.
    A truncated answer becomes an empty object with ``stop_reason="max_tokens"``, as the API does.
    """
    if reply.truncated:
        return {}
    if reply.fenced or reply.prose:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _refusal(wire: str, body: Any, refuse: set[str]) -> Any | None:
    """The error body a provider sends for a parameter this model refuses, or None to go on.

    The texts are the ones OpenAI, Azure OpenAI, Gemini and Anthropic really send (as reported in
    public bug trackers), so the client's recognition is tested against real wording.
    """
    if not refuse or not isinstance(body, dict):
        return None
    if wire in ("openai", "azure"):
        temperature = body.get("temperature")
        if "temperature" in refuse and temperature is not None and temperature != 1:
            return {
                "error": {
                    "message": f"Unsupported value: 'temperature' does not support {temperature} with this "
                    "model. Only the default (1) value is supported.",
                    "type": "invalid_request_error",
                    "param": "temperature",
                    "code": "unsupported_value",
                }
            }
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind in ("json_schema", "json_object") and kind in refuse:
            return {
                "error": {
                    "message": f"Invalid parameter: 'response_format' of type '{kind}' is not supported "
                    "with this model. Learn more about supported models at the Structured Outputs "
                    "guide: https://platform.openai.com/docs/guides/structured-outputs",
                    "type": "invalid_request_error",
                    # Azure sends null here for json_schema; OpenAI names the parameter for json_object.
                    "param": None if kind == "json_schema" else "response_format",
                    "code": None,
                }
            }
        return None
    if wire == "gemini":
        config = body.get("generationConfig") or {}
        if "json_schema" in refuse and isinstance(config, dict) and "responseJsonSchema" in config:
            return {
                "error": {
                    "code": 400,
                    "message": 'Invalid JSON payload received. Unknown name "responseJsonSchema" at '
                    "'generation_config': Cannot find field.",
                    "status": "INVALID_ARGUMENT",
                }
            }
        return None
    if wire == "anthropic" and "json_schema" in refuse and body.get("tools"):
        return {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "tools: Extra inputs are not permitted"},
        }
    return None


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


_STATUS_TEXT = {
    400: "Bad request.",
    401: "Incorrect API key provided.",
    403: "Permission denied.",
    404: "Model not found.",
    408: "Request timed out.",
    409: "Conflict.",
    413: "Request too large.",
    422: "Unprocessable request.",
    429: "Rate limit reached for requests.",
    500: "The server had an error while processing your request.",
    502: "Bad gateway.",
    503: "The service is temporarily overloaded.",
    504: "Gateway timeout.",
    529: "Overloaded.",
}

_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def _status_message(status: int) -> str:
    return _STATUS_TEXT.get(status, f"Fake provider error {status}.")


def _error_body(wire: str, status: int, message: str) -> Any:
    """The error JSON each provider really sends, so SDKs surface a sensible message."""
    if wire in ("openai", "azure"):
        kind = {
            401: "invalid_request_error",
            404: "invalid_request_error",
            429: "rate_limit_exceeded",
        }.get(status, "server_error" if status >= 500 else "invalid_request_error")
        code = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}.get(status)
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}
    if wire == "anthropic":
        kind = _ANTHROPIC_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    if wire == "gemini":
        google_status = _GOOGLE_STATUS.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")
        return {"error": {"code": status, "message": message, "status": google_status}}
    return {"error": message}


_CUT_HOW: dict[str, CutHow] = {"cut": "drop", "cut-drop": "drop", "cut-reset": "reset", "cut-eof": "eof"}

FAULT_HELP = (
    "comma-separated behaviours answered in turn, round and round: ok, cut[:N], cut-reset[:N], "
    "cut-eof[:N], stall[:N], error[:KIND[:N]], one-body, html200, reset, hang, or an HTTP status "
    "such as 500 (N: events sent before the fault)"
)


def fault_step(spec: str) -> Step:
    """The step a command-line fault spec names (see ``FAULT_HELP``): ``cut:2``, ``error:api_error``."""
    name, _, rest = spec.strip().lower().partition(":")
    args = [part for part in rest.split(":") if part] if rest else []
    try:
        if name == "ok":
            return Reply()
        if name.isdigit():
            return Fail(int(name))
        if name in _CUT_HOW:
            return Cut(after_chunks=int(args[0]) if args else 2, how=_CUT_HOW[name])
        if name == "stall":
            return Stall(after_chunks=int(args[0]) if args else 1)
        if name == "error":
            kind = spec.strip().split(":")[1] if args else None  # the provider's spelling, case kept
            return ErrorEvent(kind=kind, after_chunks=int(args[1]) if len(args) > 1 else 1)
    except ValueError:
        raise ValueError(f"bad fault {spec!r}: {FAULT_HELP}") from None
    simple: dict[str, Step] = {"one-body": OneBody(), "html200": Html200(), "reset": Reset(), "hang": Hang()}
    if name in simple:
        return simple[name]
    raise ValueError(f"unknown fault {spec!r}: {FAULT_HELP}")


class _FaultCycle:
    """A responder that answers with ``steps`` in turn; ``ok`` goes to ``fallback`` when there is one."""

    def __init__(self, steps: list[Step], fallback: Responder | None) -> None:
        self._steps = itertools.cycle(steps)
        self._fallback = fallback
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Step:
        with self._lock:
            step = next(self._steps)
        if step == Reply() and self._fallback is not None:
            return self._fallback(request)
        return step


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C: ``python -m tests.fakes.fake_provider --port 8765 --latency 0.2 --rpm 60``."""
    parser = argparse.ArgumentParser(description="Fake LLM provider for manual runs and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--rpm", type=int, default=None, help="requests per minute before 429s")
    parser.add_argument("--hostile", action="store_true", help="answer with HOSTILE_TEXTS (Jinja, ...)")
    parser.add_argument(
        "--refuse",
        default="",
        help="comma-separated parameters the model refuses: temperature, json_schema, json_object",
    )
    parser.add_argument("--fault", default="", help=FAULT_HELP)
    args = parser.parse_args(argv)
    try:
        faults = [fault_step(spec) for spec in args.fault.split(",") if spec.strip()]
    except ValueError as error:
        parser.error(str(error))
    server = FakeProviderServer(latency=args.latency, rpm_limit=args.rpm, host=args.host, port=args.port)
    if args.hostile:
        server.responder = HostileResponder()
    if faults:
        server.responder = _FaultCycle(faults, server.responder)
    server.refuse = {name.strip() for name in args.refuse.split(",") if name.strip()}
    server.start()
    base = server.base_url
    try:
        # Inside the try: a Ctrl-C that arrives while the banner is still being printed is a clean stop too.
        print(f"fake provider listening on {base}", flush=True)
        print(
            f"  OPENAI_BASE_URL={base}/v1  OLLAMA_BASE_URL={base}/v1  LM_STUDIO_BASE_URL={base}/v1",
            flush=True,
        )
        print(
            f"  ANTHROPIC_BASE_URL={base}  GOOGLE_GEMINI_BASE_URL={base}  AZURE_OPENAI_BASE_URL={base}",
            flush=True,
        )
        print("  any API key is accepted", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        totals = server.usage_totals()
        server.stop()
        print(f"served {totals['requests']} requests", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
