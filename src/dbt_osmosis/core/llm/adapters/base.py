"""What every SDK adapter shares: the call flow, stream accumulation, reply reduction, error mapping.

An adapter is a thin translation of one SDK family: it builds the SDK's clients, turns an
``LLMRequest`` into the SDK's parameters, reduces the SDK's answer to ``_Raw`` and maps the SDK's
exceptions into the ``LLMError`` tree (at this boundary only). Logging, structured-output validation,
token reporting and the HTTP-status-to-error mapping live here, once for all families. The SDKs' own
retries are switched off because retrying, rate limiting and usage accounting live in
``managed.ManagedClient``. SDKs are imported inside the adapters' methods, never at module import.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import inspect
import json
import re
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.capabilities import CapabilityStore, classify_refusal
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMError,
    LLMInternalError,
    LLMParameterError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.logging import log_request, log_response, register_secret
from dbt_osmosis.core.llm.providers import ResolvedProvider
from dbt_osmosis.core.llm.settings import JsonMode, LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Message, Usage

__all__ = ["STREAMS_BY_DEFAULT", "parse_retry_after"]

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "apim-request-id",
    "x-goog-request-id",
    "x-fake-request-id",
)


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _not_a_stream(headers: Mapping[str, str]) -> bool:
    """Whether a reply to a streamed request is one JSON (or HTML) body instead of server-sent events."""
    content_type = headers.get("content-type", "").lower()
    return "json" in content_type or "html" in content_type


def _lower_headers(headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    try:
        return {str(key).lower(): str(value) for key, value in headers.items()}
    except AttributeError:
        return {}


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        if headers.get(name):
            return headers[name]
    return None


def _schema_name(name: str) -> str:
    # OpenAI and Anthropic accept only [A-Za-z0-9_-]{1,64} for schema and tool names.
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64]
    return cleaned or "response"


def _with_json_instruction(messages: Sequence[Message], schema: Mapping[str, Any]) -> tuple[Message, ...]:
    """Put the prompt-only JSON instruction into the system message (adding one when absent)."""
    instruction = structured.json_instruction(schema)
    out = list(messages)
    for index, message in enumerate(out):
        if message.role == "system":
            out[index] = Message("system", f"{message.content}\n\n{instruction}")
            return tuple(out)
    return (Message("system", instruction), *out)


@dataclass
class _Raw:
    """An SDK answer reduced to the fields every family has."""

    text: str
    usage: Usage
    request_id: str | None
    finish_reason: str | None
    headers: dict[str, str]


#: Providers whose hosted APIs stream structured output (schema-constrained JSON, forced tool input);
#: with ``OSMOSIS_LLM_STREAM`` unset they stream, others (local servers, gateways) do not.
STREAMS_BY_DEFAULT = frozenset({"openai", "azure-openai", "anthropic", "google-gemini"})

# A streamed reply longer than this many characters per allowed output token has certainly passed the
# limit (tokens average about four characters), so reading more would only cost time and money.
_CUTOFF_CHARS_PER_TOKEN = 6


class _StreamedReply:
    """Collects a streamed reply: text, usage, finish reason; reports tokens; stops at the limit."""

    def __init__(self, request: LLMRequest, provider: str, model: str) -> None:
        self._request = request
        self._provider = provider
        self._model = model
        self._parts: list[str] = []
        self._chars = 0
        self._reported = 0
        self.usage = Usage()
        self.finish_reason: str | None = None
        self.request_id: str | None = None
        self.headers: dict[str, str] = {}

    def add(self, text: str | None) -> None:
        """Take one piece of the reply's text; raise once it is past the output limit."""
        if not text:
            return
        self._parts.append(text)
        self._chars += len(text)
        estimate = self._chars // 4
        if estimate > self._reported:
            self._report(estimate - self._reported)
        limit = self._request.max_tokens
        if limit is not None and self._chars > limit * _CUTOFF_CHARS_PER_TOKEN:
            raise LLMResponseError(
                f"The reply went past the output limit of {limit} tokens "
                f"({self._chars} characters so far); stopped reading it.",
                provider=self._provider,
                model=self._model,
                request_id=self.request_id,
            )

    @property
    def text(self) -> str:
        """Everything received so far."""
        return "".join(self._parts)

    def _report(self, tokens: int) -> None:
        self._reported += tokens
        hook = self._request.on_tokens
        if hook is not None and tokens:
            hook(tokens)

    def finish(self, text: str | None = None) -> _Raw:
        """The reply as a non-streamed call would have returned it; settles the token count."""
        if self.usage.completion_tokens:
            self._report(self.usage.completion_tokens - self._reported)
        return _Raw(
            text=self.text if text is None else text,
            usage=self.usage,
            request_id=self.request_id,
            finish_reason=self.finish_reason,
            headers=self.headers,
        )


class _Adapter(ABC):
    """Common flow of every SDK adapter: log, call, translate errors, validate structured output."""

    def __init__(
        self,
        resolved: ResolvedProvider,
        settings: LLMSettings,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.provider = resolved.name
        self.model = resolved.model
        self._resolved = resolved
        self._settings = settings
        self._clock = clock
        self._sync_client: Any | None = None
        self._async_clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Any, AsyncGenerator[None, None]]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        #: Where what was learned about the endpoint (it does not stream) is kept; the factory sets the
        #: run's store, so it is remembered between runs like the models' capabilities.
        self.capabilities: CapabilityStore | None = None
        register_secret(resolved.api_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, model={self.model!r})"

    # ---- SDK client lifecycle -------------------------------------------------------------------

    @property
    def sdk_client(self) -> Any:
        """The synchronous SDK client, built on first use and reused afterwards."""
        with self._lock:
            if self._sync_client is None:
                self._sync_client = self._build_sync()
            return self._sync_client

    async def _async_client(self) -> Any:
        # Async HTTP pools belong to the event loop that opened them, so there is one client per loop.
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._async_clients.get(loop)
            if entry is not None:
                return entry[0]
            client = self._build_async()
            closer = _close_with_loop(client)
            self._async_clients[loop] = (client, closer)
        # Starting the generator registers it with the loop; ``asyncio.run`` finalises live async
        # generators before closing the loop, which closes the client's connections inside its loop.
        await closer.__anext__()
        return client

    def close(self) -> None:
        """Close the synchronous SDK client (async ones close with their event loop)."""
        with self._lock:
            client, self._sync_client = self._sync_client, None
        closer = getattr(client, "close", None)
        if callable(closer):
            # Closing is best effort; a broken pool must not mask the real result.
            with contextlib.suppress(Exception):
                closer()

    @property
    def json_modes(self) -> tuple[JsonMode, ...]:
        """The ways this provider can be asked for JSON, best first (the managed client steps down)."""
        capabilities = self._resolved.capabilities
        modes: list[JsonMode] = []
        if capabilities.json_schema:
            modes.append("schema")
        if capabilities.json_mode:
            modes.append("object")
        modes.append("prompt")
        return tuple(modes)

    def _json_mode(self, request: LLMRequest) -> JsonMode:
        mode = request.json_mode or self.json_modes[0]
        if mode == "strict" and mode not in self.json_modes:
            # A provider without a strict mode of its own: its schema mechanism is the strictest it has.
            return "schema"
        return mode

    @property
    def streams(self) -> bool:
        """Whether replies are streamed: ``OSMOSIS_LLM_STREAM``, else where the provider supports it."""
        if self._settings.stream is not None:
            return self._settings.stream
        if self.provider not in STREAMS_BY_DEFAULT:
            return False
        return self.capabilities is None or self.capabilities.streams(self.endpoint)

    @property
    def endpoint(self) -> str:
        """The endpoint as remembered in the capabilities file: provider, address, model."""
        return f"{self.provider} {self._resolved.base_url or 'default'} {self.model}"

    def _whole_body(self, headers: Mapping[str, str], body: bytes) -> Any:
        """The JSON of a reply that came as one body where a stream was asked for (remembered)."""
        content_type = headers.get("content-type", "")
        if "html" in content_type.lower() or _looks_like_html(body.decode("utf-8", "replace")):
            raise self._html_error(content_type, body)
        try:
            data = json.loads(body)
        except ValueError:
            text = structured.excerpt(body.decode("utf-8", "replace"))
            raise LLMResponseError(
                f"{self.provider} answered a streamed request with a body that is not JSON "
                f"({content_type or 'no content type'}): {text!r}",
                **self._context(request_id=_request_id(headers)),
            ) from None
        if not isinstance(data, Mapping):
            raise LLMResponseError(
                f"{self.provider} answered a streamed request with JSON that is not an object: "
                f"{structured.excerpt(json.dumps(data))!r}",
                **self._context(request_id=_request_id(headers)),
            )
        if self.capabilities is not None and self._settings.stream is None:
            self.capabilities.learn_no_stream(self.endpoint)
        return data

    @abstractmethod
    def _build_sync(self) -> Any: ...

    @abstractmethod
    def _build_async(self) -> Any: ...

    @abstractmethod
    def _call(self, request: LLMRequest) -> _Raw: ...

    @abstractmethod
    async def _acall(self, request: LLMRequest) -> _Raw: ...

    @abstractmethod
    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw: ...

    @abstractmethod
    async def _acall_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw: ...

    @abstractmethod
    def _translate(self, exc: BaseException) -> LLMError | None:
        """Map an SDK exception to the LLMError tree; ``None`` means "not an SDK error, re-raise"."""

    # ---- the public flow ------------------------------------------------------------------------

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send ``request`` through the SDK and return a checked ``LLMResponse``."""
        self._announce(request)
        start = self._clock()
        reply = _StreamedReply(request, self.provider, self.model) if self.streams else None
        try:
            if reply is not None:
                raw = self._call_streamed(request, reply)
            else:
                raw = self._call(request)
                _report_once(request, raw)
        except LLMError as known:
            self._report_failure(request, known, start)
            raise
        except Exception as exc:
            translated = _before_reply(self._translate_or_wrap(exc), reply)
            self._report_failure(request, translated, start)
            raise translated from exc
        return self._finish(request, raw, start)

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Async twin of ``complete`` using the SDK's async client."""
        self._announce(request)
        start = self._clock()
        reply = _StreamedReply(request, self.provider, self.model) if self.streams else None
        try:
            if reply is not None:
                raw = await self._acall_streamed(request, reply)
            else:
                raw = await self._acall(request)
                _report_once(request, raw)
        except LLMError as known:
            self._report_failure(request, known, start)
            raise
        except Exception as exc:
            translated = _before_reply(self._translate_or_wrap(exc), reply)
            self._report_failure(request, translated, start)
            raise translated from exc
        return self._finish(request, raw, start)

    def _announce(self, request: LLMRequest) -> None:
        log_request(
            self.provider,
            self.model,
            request.operation,
            structured=request.json_schema is not None,
            tokens=request.estimated_tokens,
        )

    def _translate_or_wrap(self, exc: Exception) -> LLMError:
        translated = self._translate(exc)
        if translated is not None:
            return translated
        network = self._network_error(exc)
        if network is not None:
            return network
        if isinstance(exc, json.JSONDecodeError):
            # Some SDKs (google-genai) let the JSON parser's error through for a body that is not JSON
            # (a proxy's HTML page): the provider's reply is unusable, which is not a bug of ours.
            if _looks_like_html(exc.doc):
                return self._html_error("text/html", exc.doc)
            return LLMResponseError(
                f"{self.provider} sent a body that is not JSON: {structured.excerpt(str(exc))}",
                **self._context(),
            )
        # Not the SDK's own network or HTTP error: a bug here or in the SDK. Retrying it as if the
        # connection had dropped would only repeat the bug, so it is an internal error, never retried.
        return LLMInternalError(
            f"Internal error while asking {self.provider}: {type(exc).__name__}: "
            f"{structured.excerpt(str(exc))}. This is a bug; please report it with this message.",
            **self._context(),
        )

    def _report_failure(self, request: LLMRequest, err: LLMError, start: float) -> None:
        log_response(
            self.provider,
            self.model,
            request.operation,
            prompt_tokens=0,
            completion_tokens=0,
            duration_s=self._clock() - start,
            request_id=err.request_id,
            outcome=type(err).__name__,
        )

    def _finish(self, request: LLMRequest, raw: _Raw, start: float) -> LLMResponse:
        latency = self._clock() - start
        log_response(
            self.provider,
            self.model,
            request.operation,
            prompt_tokens=raw.usage.prompt_tokens,
            completion_tokens=raw.usage.completion_tokens,
            duration_s=latency,
            request_id=raw.request_id,
        )
        parsed = None
        if request.json_schema is not None:
            try:
                parsed = structured.parse_structured(
                    raw.text,
                    request.schema_to_validate(),
                    provider=self.provider,
                    model=self.model,
                    request_id=raw.request_id,
                    finish_reason=raw.finish_reason,
                )
            except LLMError as unusable:
                # The reply came back whole and was billed: the budget counts what it cost.
                unusable.usage = raw.usage
                raise
        return LLMResponse(
            text=raw.text,
            parsed=parsed,
            usage=raw.usage,
            latency_s=latency,
            request_id=raw.request_id,
            provider=self.provider,
            model=self.model,
            finish_reason=raw.finish_reason,
            headers=raw.headers,
        )

    def _context(self, status: int | None = None, request_id: str | None = None) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "status_code": status,
            "request_id": request_id,
        }

    def _status_error(
        self,
        status: int,
        headers: Mapping[str, str],
        detail: str,
        request_id: str | None = None,
        body: Any = None,
        *,
        event: str | None = None,
    ) -> LLMError:
        """The LLMError for an HTTP error status; used by every family once it has status and headers.

        ``event`` is the provider's error type when the error came as an event inside a stream (the
        HTTP status was 200); ``status`` is then the status the same error has outside a stream.
        """
        rid = request_id or _request_id(headers)
        context = self._context(status, rid)
        said = f"HTTP {status}" if event is None else f"{event} inside the stream, as HTTP {status}"
        refused = classify_refusal(status, body, detail or "")
        detail = structured.excerpt(detail).rstrip(".") if detail else f"HTTP {status}"
        if refused is not None:
            return LLMParameterError(
                f"{self.provider} model {self.model} does not accept {refused} (HTTP {status}): {detail}.",
                parameter=refused,
                **context,
            )
        if status in (401, 403):
            return LLMAuthError(
                f"{self.provider} rejected the credentials ({said}): {detail}. "
                f"Check the API key{_key_hint(self._resolved)} and its permissions.",
                **context,
            )
        if status == 429:
            retry_after = parse_retry_after(headers)
            wait = f" Retry after {retry_after:g}s." if retry_after is not None else ""
            return LLMRateLimitError(
                f"{self.provider} is rate limiting requests ({said}): {detail}.{wait} If it keeps "
                "happening, lower --llm-rate-limit or --llm-concurrency, or check the account's quota.",
                retry_after=retry_after,
                **context,
            )
        if status >= 500:
            return LLMAPIError(
                # Whether to suggest a fallback is the managed client's to say: it knows the chain.
                f"{self.provider} answered {said}: {detail}. The provider is failing or overloaded: "
                "try again later.",
                **context,
            )
        if status == 404:
            advice = f"Check the model or deployment name ({self.model}) and the base URL."
        else:
            advice = "Repeating the same request will not help; check the model name and the base URL."
        return LLMAPIError(f"{self.provider} answered {said}: {detail}. {advice}", **context)

    def _timeout_error(self) -> LLMTimeoutError:
        return LLMTimeoutError(
            f"{self.provider} did not answer within {self._settings.timeout:g}s "
            f"(connect timeout {self._settings.connect_timeout:g}s; set OSMOSIS_LLM_TIMEOUT to change it).",
            **self._context(),
        )

    def _connection_error(self, exc: BaseException) -> LLMAPIError:
        error = LLMAPIError(
            f"{self.provider}: {_describe_transport(exc, self._resolved.base_url)}",
            **self._context(),
        )
        # httpx's ConnectError: no connection, so no request reached the provider and nothing is billed.
        error.never_sent = type(exc).__name__ == "ConnectError"
        return error

    def _network_error(self, exc: BaseException) -> LLMError | None:
        """The retryable error for a raw ``httpx2`` transport failure, which some SDKs let through.

        anthropic (while reading a stream) and google-genai (always) raise the HTTP library's own
        ``ReadTimeout``/``RemoteProtocolError``/``ReadError``/``ConnectError`` instead of wrapping them:
        they are the network failing, exactly like the SDKs' wrapped connection errors.
        """
        try:
            import httpx2
        except ImportError:  # pragma: no cover - every SDK family installs it
            return None
        if isinstance(exc, httpx2.TimeoutException):
            return self._timeout_error()
        if isinstance(exc, httpx2.TransportError):
            return self._connection_error(exc)
        return None

    def _cut_error(self, request_id: str | None, marker: str) -> LLMAPIError:
        """A stream that ended cleanly but without its end marker: the connection was cut (retryable)."""
        return LLMAPIError(
            f"{self.provider} closed the stream before the end of the reply (no {marker} arrived): "
            "the connection was cut. If it keeps happening, check the network and any proxy in between.",
            **self._context(request_id=request_id),
        )

    def _html_error(self, content_type: str, body: Any = None) -> LLMResponseError:
        """An HTML page (a proxy's portal, a wrong base URL) where the provider's JSON was expected."""
        base = self._resolved.base_url or "the provider's default address"
        page = ""
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8", "replace")
        if isinstance(body, str) and body.strip():
            title = re.search(r"<title[^>]*>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
            if title and title.group(1).strip():
                page = f" The page's title: {structured.excerpt(' '.join(title.group(1).split()))!r}."
            else:
                page = f" It starts: {structured.excerpt(' '.join(body.split()))!r}."
        kind = content_type.split(";")[0].strip() or "text/html"
        return LLMResponseError(
            f"{self.provider} answered an HTML page ({kind}) instead of JSON: check the base URL "
            f"({base}) and any proxy in between.{page}",
            **self._context(),
        )

    def _stream_event_error(
        self, kind: str, detail: str, body: Any = None, request_id: str | None = None
    ) -> LLMError:
        """A provider's error event inside a 200 stream, classified as the same error sent as a status.

        Anthropic sends ``overloaded_error`` (its HTTP 529) or ``api_error`` (500) half way through a
        stream, OpenAI a ``server_error`` chunk: retried or not by that type, like outside a stream.
        """
        status = _STREAM_ERROR_STATUS.get(kind.lower(), 500)
        return self._status_error(status, {}, detail or kind, request_id, body, event=kind)


#: The HTTP status each provider error type stands for (Anthropic's, OpenAI's and Gemini's names), so
#: an error event inside a stream is retried exactly as the same error sent as a status would be.
_STREAM_ERROR_STATUS = {
    "overloaded_error": 529,
    "api_error": 500,
    "server_error": 500,
    "internal": 500,
    "unavailable": 503,
    "service_unavailable": 503,
    "timeout_error": 504,
    "deadline_exceeded": 504,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "resource_exhausted": 429,
    "authentication_error": 401,
    "unauthenticated": 401,
    "permission_error": 403,
    "permission_denied": 403,
    "invalid_request_error": 400,
    "invalid_argument": 400,
    "not_found_error": 404,
    "not_found": 404,
    "request_too_large": 413,
}


def _looks_like_html(text: Any) -> bool:
    head = text[:512].lstrip().lower() if isinstance(text, str) else ""
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def _key_hint(resolved: ResolvedProvider) -> str:
    """`` (LLM_X_API_KEY)``: the variable the key came from, when the provider configuration says."""
    name = resolved.key_variable
    return f" ({name})" if name else ""


def _describe_transport(exc: BaseException, base_url: str | None) -> str:
    """What a transport failure means for the user: which way the connection failed, then what to do."""
    name = type(exc).__name__
    text = structured.excerpt(str(exc)).strip()
    detail = f" ({name}: {text})" if text else f" ({name})"
    if "Connect" in name:
        where = base_url or "the provider's address"
        return (
            f"could not connect to {where}{detail}: the server is down or the address is wrong; "
            "check the base URL, or try again later."
        )
    advice = "if it keeps happening, check the network and any proxy in between."
    if "RemoteProtocol" in name:
        return f"the connection was closed before the reply was complete{detail}; {advice}"
    if name in ("ReadError", "WriteError") or "reset" in text.lower():
        return f"the connection was reset{detail}; {advice}"
    return f"the connection failed{detail}; {advice}"


def _before_reply(err: LLMError, reply: _StreamedReply | None) -> LLMError:
    """Mark a streamed request's connection failure that came before any status line (``before_reply``).

    A stream's status line comes before the provider generates anything; a connection reset or dropped
    before it left nothing billed that we can know of, unlike a cut or stall once the reply started
    (its headers are kept on ``reply``). A non-streamed request is answered only once it is generated,
    so a failure before its status line may have been billed whole: never marked.
    """
    if reply is not None and not reply.headers and type(err) is LLMAPIError and err.status_code is None:
        err.before_reply = True
    return err


def _report_once(request: LLMRequest, raw: _Raw) -> None:
    if request.on_tokens is not None and raw.usage.completion_tokens:
        request.on_tokens(raw.usage.completion_tokens)


async def _parsed(raw: Any) -> Any:
    """``raw.parse()`` for both raw-response flavours: the legacy one is sync, the newer one async."""
    value = raw.parse()
    return await value if inspect.isawaitable(value) else value


async def _close_with_loop(client: Any) -> AsyncGenerator[None, None]:
    """Hold ``client`` open until the event loop finalises this generator, then close it."""
    try:
        yield
    finally:
        closer = getattr(client, "aclose", None) or getattr(client, "close", None)
        if callable(closer):
            with contextlib.suppress(Exception):
                await closer()


def _error_detail(body: Any, fallback: str) -> str:
    """Pull the human message out of an SDK error body ({"error": {"message": ...}} in all three wires)."""
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return fallback
