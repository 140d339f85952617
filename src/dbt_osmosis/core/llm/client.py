"""The provider-neutral LLM client: a small request/response model and one adapter per SDK family.

``create_client`` turns a provider configuration into an ``LLMClient``: OpenAI, Ollama, LM Studio and
any OpenAI-compatible endpoint through ``openai.OpenAI``; Azure through ``openai.AzureOpenAI``;
Anthropic through the Messages API of ``anthropic``; Gemini through ``google-genai``. Adapters are
cached per configuration so a run builds each SDK client once, and the SDKs' own retries are switched
off because retrying, rate limiting and usage accounting live in ``managed.ManagedClient``.

Adapters translate SDK exceptions into the ``LLMError`` tree by exception type, at this boundary only.
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
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.capabilities import classify_refusal
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMConfigError,
    LLMError,
    LLMInternalError,
    LLMParameterError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.logging import log_request, log_response, register_secret
from dbt_osmosis.core.llm.providers import ProviderConfig, ResolvedProvider, resolve_provider
from dbt_osmosis.core.llm.settings import JsonMode, LLMSettings

__all__ = [
    "LLMClient",
    "LLMRequest",
    "LLMResponse",
    "Message",
    "MockLLMClient",
    "MockReply",
    "Usage",
    "clear_client_cache",
    "create_client",
    "parse_retry_after",
    "raw_sdk_client",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str


@dataclass(frozen=True)
class LLMRequest:
    """What to ask: messages, sampling knobs and, optionally, the JSON schema the answer must match."""

    messages: tuple[Message, ...]
    temperature: float | None = None
    max_tokens: int | None = None
    #: When set, a JSON answer validated against this schema is wanted (``LLMResponse.parsed``).
    json_schema: Mapping[str, Any] | None = None
    #: What the answer is checked against when it should be looser than what the provider is told
    #: (e.g. the provider gets an ``enum`` of column names, while the caller tolerates other names and
    #: drops them itself). ``None`` checks against ``json_schema``.
    validation_schema: Mapping[str, Any] | None = None
    schema_name: str = "response"
    #: Names the call in logs and usage ("model_doc", "column_doc", ...).
    operation: str = "chat"
    #: For the token-per-minute limiter; ``None`` lets the limiter estimate from the text.
    estimated_tokens: int | None = None
    #: How to ask for JSON: ``"schema"`` (the provider's schema mechanism), ``"object"`` (its plain
    #: JSON mode, schema in the prompt) or ``"prompt"`` (instruction only). ``None``: the provider's
    #: best. The managed client sets it from what it learned the model accepts.
    json_mode: JsonMode | None = None
    #: Called with the number of output tokens that just arrived, while a streamed reply comes in
    #: (estimated at four characters per token), then once with the correction that makes the sum
    #: equal the provider's count; a reply that is not streamed reports its count once. For progress
    #: displays; not part of what is asked, so it takes no part in equality.
    on_tokens: Callable[[int], None] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_messages(cls, messages: Iterable[Mapping[str, str]], **kwargs: Any) -> LLMRequest:
        """Build a request from OpenAI-style ``{"role": ..., "content": ...}`` dictionaries."""
        converted: list[Message] = []
        for item in messages:
            role = item.get("role", "user")
            if role not in ("system", "user", "assistant"):
                raise LLMConfigError(f"Unsupported message role {role!r}; use system, user or assistant.")
            converted.append(Message(role, str(item.get("content", ""))))  # type: ignore[arg-type]
        return cls(messages=tuple(converted), **kwargs)

    def schema_to_validate(self) -> Mapping[str, Any]:
        """The schema an answer must satisfy: ``validation_schema`` when given, else ``json_schema``."""
        schema = self.validation_schema if self.validation_schema is not None else self.json_schema
        return schema or {}

    def prompt_chars(self) -> int:
        """Total characters across messages; the basis of token estimates."""
        return sum(len(message.content) for message in self.messages)


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the provider (``prompt_tokens`` includes ``cached_tokens``)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class LLMResponse:
    """What came back: the text, the validated JSON when a schema was asked for, and accounting data."""

    text: str
    parsed: Any | None
    usage: Usage
    latency_s: float
    request_id: str | None
    provider: str
    model: str
    finish_reason: str | None = None
    #: Response headers with lower-case names (the rate limiter reads the ``*ratelimit*`` ones).
    headers: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class LLMClient(Protocol):
    """Anything that can answer an ``LLMRequest``, synchronously and asynchronously."""

    # Read-only in the protocol so that wrappers may expose them as properties of the client they wrap.
    @property
    def provider(self) -> str:
        """The provider's registry name."""
        ...

    @property
    def model(self) -> str:
        """The model (or Azure deployment) requests go to."""
        ...

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` or raise an ``LLMError``."""
        ...

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` without blocking the event loop, or raise an ``LLMError``."""
        ...


# --------------------------------------------------------------------------------------------------
# Mock client
# --------------------------------------------------------------------------------------------------

MockReply = str | dict[str, Any] | list[Any] | LLMError | Callable[[LLMRequest], Any]


class MockLLMClient:
    """A scripted ``LLMClient`` for tests: replies in order, every request recorded in ``calls``.

    A reply may be a string (sent as the text), a dict or list (sent as JSON text), an ``LLMError``
    instance (raised), or a callable that receives the request and returns any of those. When a schema
    is requested the reply goes through the same extraction and validation as a real provider's, so a
    test sees the ``LLMResponseError`` a bad reply would cause in production. Once the script runs out,
    ``default`` answers (or, when it is ``None``, an ``LLMConfigError`` says the script was too short).
    """

    def __init__(
        self,
        replies: Iterable[MockReply] = (),
        *,
        default: MockReply | None = None,
        provider: str = "mock",
        model: str = "mock-model",
    ) -> None:
        self.provider = provider
        self.model = model
        self.calls: list[LLMRequest] = []
        self._replies: list[MockReply] = list(replies)
        self._default = default
        self._lock = threading.Lock()

    def add_reply(self, *replies: MockReply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._replies.extend(replies)

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Record ``request`` and answer with the next scripted reply."""
        with self._lock:
            self.calls.append(request)
            if self._replies:
                reply = self._replies.pop(0)
            elif self._default is not None:
                reply = self._default
            else:
                raise LLMConfigError(
                    f"MockLLMClient has no scripted reply left for call #{len(self.calls)} "
                    f"(operation={request.operation!r}).",
                    provider=self.provider,
                    model=self.model,
                )
        if callable(reply) and not isinstance(reply, LLMError):
            reply = reply(request)
        if isinstance(reply, LLMError):
            raise reply
        text = reply if isinstance(reply, str) else json.dumps(reply)
        parsed = None
        if request.json_schema is not None:
            parsed = structured.parse_structured(
                text, request.schema_to_validate(), provider=self.provider, model=self.model
            )
        usage = Usage(
            prompt_tokens=max(1, request.prompt_chars() // 4), completion_tokens=max(1, len(text) // 4)
        )
        return LLMResponse(
            text=text,
            parsed=parsed,
            usage=usage,
            latency_s=0.0,
            request_id=f"mock-{len(self.calls)}",
            provider=self.provider,
            model=self.model,
            finish_reason="stop",
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Async twin of ``complete``; answers immediately."""
        return self.complete(request)


# --------------------------------------------------------------------------------------------------
# Shared adapter machinery
# --------------------------------------------------------------------------------------------------

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
        return request.json_mode or self.json_modes[0]

    @property
    def streams(self) -> bool:
        """Whether replies are streamed: ``OSMOSIS_LLM_STREAM``, else where the provider supports it."""
        if self._settings.stream is not None:
            return self._settings.stream
        return self.provider in STREAMS_BY_DEFAULT

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
        try:
            if self.streams:
                raw = self._call_streamed(request, _StreamedReply(request, self.provider, self.model))
            else:
                raw = self._call(request)
                _report_once(request, raw)
        except LLMError as known:
            self._report_failure(request, known, start)
            raise
        except Exception as exc:
            translated = self._translate_or_wrap(exc)
            self._report_failure(request, translated, start)
            raise translated from exc
        return self._finish(request, raw, start)

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Async twin of ``complete`` using the SDK's async client."""
        self._announce(request)
        start = self._clock()
        try:
            if self.streams:
                raw = await self._acall_streamed(request, _StreamedReply(request, self.provider, self.model))
            else:
                raw = await self._acall(request)
                _report_once(request, raw)
        except LLMError as known:
            self._report_failure(request, known, start)
            raise
        except Exception as exc:
            translated = self._translate_or_wrap(exc)
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
        if isinstance(exc, json.JSONDecodeError):
            # Some SDKs (google-genai) let the JSON parser's error through for a body that is not JSON
            # (a proxy's HTML page): the provider's reply is unusable, which is not a bug of ours.
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
            parsed = structured.parse_structured(
                raw.text,
                request.schema_to_validate(),
                provider=self.provider,
                model=self.model,
                request_id=raw.request_id,
                finish_reason=raw.finish_reason,
            )
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
    ) -> LLMError:
        """The LLMError for an HTTP error status; used by every family once it has status and headers."""
        rid = request_id or _request_id(headers)
        context = self._context(status, rid)
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
                f"{self.provider} rejected the credentials (HTTP {status}): {detail}. "
                "Check the API key and its permissions.",
                **context,
            )
        if status == 429:
            retry_after = parse_retry_after(headers)
            wait = f" Retry after {retry_after:g}s." if retry_after is not None else ""
            return LLMRateLimitError(
                f"{self.provider} is rate limiting requests (HTTP 429): {detail}.{wait}",
                retry_after=retry_after,
                **context,
            )
        return LLMAPIError(f"{self.provider} returned HTTP {status}: {detail}", **context)

    def _timeout_error(self) -> LLMTimeoutError:
        return LLMTimeoutError(
            f"{self.provider} did not answer within {self._settings.timeout:g}s "
            f"(connect timeout {self._settings.connect_timeout:g}s; set OSMOSIS_LLM_TIMEOUT to change it).",
            **self._context(),
        )

    def _connection_error(self, exc: BaseException) -> LLMAPIError:
        return LLMAPIError(
            f"Could not talk to {self.provider}: {type(exc).__name__}: {structured.excerpt(str(exc))}",
            **self._context(),
        )


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


# --------------------------------------------------------------------------------------------------
# OpenAI family: OpenAI, Azure OpenAI, Ollama, LM Studio, any OpenAI-compatible endpoint
# --------------------------------------------------------------------------------------------------


class OpenAIAdapter(_Adapter):
    """Chat Completions through the ``openai`` SDK (``AzureOpenAI`` for the azure family)."""

    def _timeout(self) -> Any:
        import openai

        return openai.Timeout(self._settings.timeout, connect=self._settings.connect_timeout)

    def _build_sync(self) -> Any:
        import openai

        if self._resolved.family == "azure":
            return openai.AzureOpenAI(**self._azure_kwargs(asynchronous=False))
        return openai.OpenAI(
            api_key=self._resolved.api_key or "not-needed",
            base_url=self._resolved.base_url,
            timeout=self._timeout(),
            max_retries=0,
        )

    def _build_async(self) -> Any:
        import openai

        if self._resolved.family == "azure":
            return openai.AsyncAzureOpenAI(**self._azure_kwargs(asynchronous=True))
        return openai.AsyncOpenAI(
            api_key=self._resolved.api_key or "not-needed",
            base_url=self._resolved.base_url,
            timeout=self._timeout(),
            max_retries=0,
        )

    def _azure_kwargs(self, *, asynchronous: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "azure_endpoint": self._resolved.base_url,
            "api_version": self._resolved.api_version,
            "timeout": self._timeout(),
            "max_retries": 0,
        }
        if self._resolved.api_key:
            kwargs["api_key"] = self._resolved.api_key
        else:
            kwargs["azure_ad_token_provider"] = _entra_token_provider(asynchronous=asynchronous)
        return kwargs

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        messages: Sequence[Message] = request.messages
        params: dict[str, Any] = {"model": self.model}
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.max_tokens is not None:
            # OpenAI and Azure deprecated max_tokens; local servers only know max_tokens.
            key = "max_completion_tokens" if self.provider in ("openai", "azure-openai") else "max_tokens"
            params[key] = request.max_tokens
        schema = request.json_schema
        if schema is not None:
            mode = self._json_mode(request)
            if mode == "schema":
                params["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": _schema_name(request.schema_name),
                        "schema": dict(schema),
                        "strict": structured.is_strict_compatible(schema),
                    },
                }
            else:
                messages = _with_json_instruction(messages, schema)
                if mode == "object":
                    params["response_format"] = {"type": "json_object"}
        params["messages"] = [{"role": m.role, "content": m.content} for m in messages]
        return params

    def _call(self, request: LLMRequest) -> _Raw:
        raw = self.sdk_client.chat.completions.with_raw_response.create(**self._params(request))
        return self._reduce(raw.parse(), _lower_headers(raw.headers))

    async def _acall(self, request: LLMRequest) -> _Raw:
        raw = await (await self._async_client()).chat.completions.with_raw_response.create(
            **self._params(request)
        )
        return self._reduce(raw.parse(), _lower_headers(raw.headers))

    def _stream_params(self, request: LLMRequest) -> dict[str, Any]:
        # include_usage adds a last chunk with the token counts a non-streamed reply carries.
        return {**self._params(request), "stream": True, "stream_options": {"include_usage": True}}

    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        raw = self.sdk_client.chat.completions.with_raw_response.create(**self._stream_params(request))
        self._start_stream(reply, _lower_headers(raw.headers))
        stream = raw.parse()
        try:
            for chunk in stream:
                self._take_chunk(chunk, reply)
        finally:
            stream.close()
        return self._end_stream(reply)

    async def _acall_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        client = await self._async_client()
        raw = await client.chat.completions.with_raw_response.create(**self._stream_params(request))
        self._start_stream(reply, _lower_headers(raw.headers))
        stream = await _parsed(raw)
        try:
            async for chunk in stream:
                self._take_chunk(chunk, reply)
        finally:
            await stream.close()
        return self._end_stream(reply)

    @staticmethod
    def _start_stream(reply: _StreamedReply, headers: dict[str, str]) -> None:
        reply.headers = headers
        reply.request_id = _request_id(headers)

    def _take_chunk(self, chunk: Any, reply: _StreamedReply) -> None:
        if reply.request_id is None:
            reply.request_id = getattr(chunk, "id", None)
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            details = getattr(usage, "prompt_tokens_details", None)
            reply.usage = Usage(
                prompt_tokens=usage.prompt_tokens or 0,
                completion_tokens=usage.completion_tokens or 0,
                cached_tokens=(getattr(details, "cached_tokens", None) or 0) if details else 0,
            )
        for choice in getattr(chunk, "choices", None) or []:
            if getattr(choice, "index", 0) != 0:
                continue
            delta = getattr(choice, "delta", None)
            refusal = getattr(delta, "refusal", None)
            if refusal:
                raise LLMResponseError(
                    f"{self.provider} returned no content (the model refused: {refusal}).",
                    **self._context(request_id=reply.request_id),
                )
            reply.add(getattr(delta, "content", None))
            if choice.finish_reason:
                reply.finish_reason = choice.finish_reason

    def _end_stream(self, reply: _StreamedReply) -> _Raw:
        if reply.finish_reason is None and not reply.text:
            raise LLMResponseError(
                f"{self.provider} ended the stream without any choices.",
                **self._context(request_id=reply.request_id),
            )
        return reply.finish()

    def _reduce(self, completion: Any, headers: dict[str, str]) -> _Raw:
        rid = _request_id(headers)
        if isinstance(completion, str):
            raise LLMResponseError(
                f"{self.provider} sent a body that is not a chat completion: "
                f"{structured.excerpt(completion)!r}",
                **self._context(request_id=rid),
            )
        if not getattr(completion, "choices", None):
            raise LLMResponseError(
                f"{self.provider} answered without any choices: {structured.excerpt(str(completion))!r}",
                **self._context(request_id=rid),
            )
        choice = completion.choices[0]
        content = choice.message.content
        if content is None:
            refusal = getattr(choice.message, "refusal", None)
            reason = f"the model refused: {refusal}" if refusal else "the reply has no text"
            raise LLMResponseError(
                f"{self.provider} returned no content ({reason}).", **self._context(request_id=rid)
            )
        usage = completion.usage
        cached = 0
        if usage is not None and getattr(usage, "prompt_tokens_details", None) is not None:
            cached = usage.prompt_tokens_details.cached_tokens or 0
        return _Raw(
            text=content,
            usage=Usage(
                prompt_tokens=(usage.prompt_tokens or 0) if usage else 0,
                completion_tokens=(usage.completion_tokens or 0) if usage else 0,
                cached_tokens=cached,
            ),
            request_id=rid or getattr(completion, "id", None),
            finish_reason=choice.finish_reason,
            headers=headers,
        )

    def _translate(self, exc: BaseException) -> LLMError | None:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return self._timeout_error()
        if isinstance(exc, openai.APIConnectionError):
            return self._connection_error(exc.__cause__ or exc)
        if isinstance(exc, openai.APIStatusError):
            headers = _lower_headers(exc.response.headers)
            return self._status_error(
                exc.status_code, headers, _error_detail(exc.body, exc.message), exc.request_id, exc.body
            )
        if isinstance(exc, openai.APIResponseValidationError):
            return LLMResponseError(
                f"{self.provider} sent a reply that does not match the chat-completions format.",
                **self._context(exc.status_code),
            )
        if isinstance(exc, (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError)):
            return LLMResponseError(f"{self.provider}: {exc}", **self._context())
        if isinstance(exc, openai.OpenAIError):
            return LLMAPIError(f"{self.provider}: {structured.excerpt(str(exc))}", **self._context())
        return None


def _entra_token_provider(*, asynchronous: bool) -> Callable[[], Any]:
    """A Microsoft Entra ID bearer-token provider for Azure OpenAI when no API key is configured."""
    scope = "https://cognitiveservices.azure.com/.default"
    try:
        if asynchronous:
            from azure.identity.aio import DefaultAzureCredential as AsyncCredential
            from azure.identity.aio import get_bearer_token_provider as async_provider

            return async_provider(AsyncCredential(), scope)
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider

        return get_bearer_token_provider(DefaultAzureCredential(), scope)
    except ImportError:
        raise LLMConfigError(
            "AZURE_OPENAI_API_KEY is not set and Microsoft Entra ID sign-in needs the 'azure-identity' "
            "package. Set the key, or install it with: pip install azure-identity",
            provider="azure-openai",
        ) from None


# --------------------------------------------------------------------------------------------------
# Anthropic
# --------------------------------------------------------------------------------------------------

#: Anthropic requires max_tokens; generous enough for a model's worth of column docs.
ANTHROPIC_DEFAULT_MAX_TOKENS = 4096


class AnthropicAdapter(_Adapter):
    """The Messages API through the ``anthropic`` SDK; structured output by forced tool use."""

    def _kwargs(self) -> dict[str, Any]:
        import anthropic

        kwargs: dict[str, Any] = {
            "api_key": self._resolved.api_key,
            "timeout": anthropic.Timeout(self._settings.timeout, connect=self._settings.connect_timeout),
            "max_retries": 0,
        }
        if self._resolved.base_url:
            kwargs["base_url"] = self._resolved.base_url
        return kwargs

    def _build_sync(self) -> Any:
        import anthropic

        return anthropic.Anthropic(**self._kwargs())

    def _build_async(self) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(**self._kwargs())

    def _uses_tool(self, request: LLMRequest) -> bool:
        schema = request.json_schema
        # Tool input schemas must describe an object; anything else falls back to prompt-only JSON.
        return schema is not None and self._json_mode(request) == "schema" and schema.get("type") == "object"

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        messages: Sequence[Message] = request.messages
        schema = request.json_schema
        if schema is not None and not self._uses_tool(request):
            messages = _with_json_instruction(messages, schema)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
        }
        if system:
            params["system"] = system
        # ``request.temperature`` is deliberately not sent: the current Messages API (anthropic 2.x)
        # has no sampling temperature, and sending one through extra_body would be rejected.
        if schema is not None and self._uses_tool(request):
            name = _schema_name(request.schema_name)
            params["tools"] = [
                {
                    "name": name,
                    "description": "Record the answer. Always call this tool with the complete answer.",
                    "input_schema": dict(schema),
                }
            ]
            params["tool_choice"] = {"type": "tool", "name": name}
        return params

    def _call(self, request: LLMRequest) -> _Raw:
        raw = self.sdk_client.messages.with_raw_response.create(**self._params(request))
        return self._reduce(raw.parse(), _lower_headers(raw.headers), request)

    async def _acall(self, request: LLMRequest) -> _Raw:
        raw = await (await self._async_client()).messages.with_raw_response.create(**self._params(request))
        return self._reduce(await _parsed(raw), _lower_headers(raw.headers), request)

    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        raw = self.sdk_client.messages.with_raw_response.create(**self._params(request), stream=True)
        tool = _AnthropicStream(self, request, reply, _lower_headers(raw.headers))
        stream = raw.parse()
        try:
            for event in stream:
                tool.take(event)
        finally:
            stream.close()
        return tool.finish()

    async def _acall_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        client = await self._async_client()
        raw = await client.messages.with_raw_response.create(**self._params(request), stream=True)
        tool = _AnthropicStream(self, request, reply, _lower_headers(raw.headers))
        stream = await _parsed(raw)
        try:
            async for event in stream:
                tool.take(event)
        finally:
            await stream.close()
        return tool.finish()

    def _reduce(self, message: Any, headers: dict[str, str], request: LLMRequest) -> _Raw:
        rid = _request_id(headers)
        if isinstance(message, str):
            raise LLMResponseError(
                f"{self.provider} sent a body that is not a Messages reply: {structured.excerpt(message)!r}",
                **self._context(request_id=rid),
            )
        texts: list[str] = []
        tool_text: str | None = None
        tool_name = _schema_name(request.schema_name) if self._uses_tool(request) else None
        for block in getattr(message, "content", None) or []:
            kind = getattr(block, "type", None)
            if kind == "tool_use" and tool_name is not None and block.name == tool_name:
                tool_text = json.dumps(block.input)
            elif kind == "text":
                texts.append(block.text)
        text = tool_text if tool_text is not None else "".join(texts)
        if not text and request.json_schema is None:
            raise LLMResponseError(f"{self.provider} returned no text.", **self._context(request_id=rid))
        usage = message.usage
        cache_read = getattr(usage, "cache_read_input_tokens", None) or 0
        cache_write = getattr(usage, "cache_creation_input_tokens", None) or 0
        return _Raw(
            text=text,
            usage=Usage(
                prompt_tokens=(usage.input_tokens or 0) + cache_read + cache_write,
                completion_tokens=usage.output_tokens or 0,
                cached_tokens=cache_read,
            ),
            request_id=rid or getattr(message, "id", None),
            finish_reason=message.stop_reason,
            headers=headers,
        )

    def _translate(self, exc: BaseException) -> LLMError | None:
        import anthropic

        if isinstance(exc, anthropic.APITimeoutError):
            return self._timeout_error()
        if isinstance(exc, anthropic.APIConnectionError):
            return self._connection_error(exc.__cause__ or exc)
        if isinstance(exc, anthropic.APIStatusError):
            headers = _lower_headers(exc.response.headers)
            return self._status_error(
                exc.status_code, headers, _error_detail(exc.body, exc.message), exc.request_id, exc.body
            )
        if isinstance(exc, anthropic.APIResponseValidationError):
            return LLMResponseError(
                f"{self.provider} sent a reply that does not match the Messages format.",
                **self._context(exc.status_code),
            )
        if isinstance(exc, anthropic.AnthropicError):
            return LLMAPIError(f"{self.provider}: {structured.excerpt(str(exc))}", **self._context())
        return None


class _AnthropicStream:
    """Reads Messages API stream events into the reply a non-streamed call returns."""

    def __init__(
        self, adapter: AnthropicAdapter, request: LLMRequest, reply: _StreamedReply, headers: dict[str, str]
    ) -> None:
        self._adapter = adapter
        self._reply = reply
        self._tool_name = _schema_name(request.schema_name) if adapter._uses_tool(request) else None
        self._blocks: dict[int, str] = {}
        self._tool_json: list[str] = []
        self._texts: list[str] = []
        self._input_tokens = 0
        self._cache_read = 0
        self._cache_write = 0
        reply.headers = headers
        reply.request_id = _request_id(headers)

    def take(self, event: Any) -> None:
        """Fold one stream event in."""
        kind = getattr(event, "type", None)
        reply = self._reply
        if kind == "message_start":
            message = event.message
            reply.request_id = reply.request_id or getattr(message, "id", None)
            usage = getattr(message, "usage", None)
            self._input_tokens = getattr(usage, "input_tokens", None) or 0
            self._cache_read = getattr(usage, "cache_read_input_tokens", None) or 0
            self._cache_write = getattr(usage, "cache_creation_input_tokens", None) or 0
            self._set_usage(getattr(usage, "output_tokens", None) or 0)
        elif kind == "content_block_start":
            block = event.content_block
            block_type = getattr(block, "type", "")
            if block_type == "tool_use" and getattr(block, "name", None) == self._tool_name:
                self._blocks[event.index] = "tool"
            elif block_type == "text":
                self._blocks[event.index] = "text"
                reply.add(getattr(block, "text", None))
                self._texts.append(getattr(block, "text", None) or "")
        elif kind == "content_block_delta":
            where = self._blocks.get(event.index)
            delta = event.delta
            if where == "tool" and getattr(delta, "type", None) == "input_json_delta":
                self._tool_json.append(delta.partial_json)
                reply.add(delta.partial_json)
            elif where == "text" and getattr(delta, "type", None) == "text_delta":
                self._texts.append(delta.text)
                reply.add(delta.text)
        elif kind == "message_delta":
            reply.finish_reason = getattr(event.delta, "stop_reason", None) or reply.finish_reason
            usage = getattr(event, "usage", None)
            if usage is not None:
                # Newer API versions repeat the input counts here; the last word wins.
                self._input_tokens = getattr(usage, "input_tokens", None) or self._input_tokens
                self._set_usage(getattr(usage, "output_tokens", None) or 0)

    def _set_usage(self, output_tokens: int) -> None:
        self._reply.usage = Usage(
            prompt_tokens=self._input_tokens + self._cache_read + self._cache_write,
            completion_tokens=output_tokens,
            cached_tokens=self._cache_read,
        )

    def finish(self) -> _Raw:
        """The reply, with the tool input re-serialised exactly as the non-streamed path does."""
        if "tool" in self._blocks.values():
            joined = "".join(self._tool_json)
            try:
                value = json.loads(joined) if joined.strip() else {}
            except ValueError:
                text = joined
            else:
                text = json.dumps(value)
            return self._reply.finish(text)
        text = "".join(self._texts)
        if not text and self._adapter_request_has_no_schema():
            raise LLMResponseError(
                f"{self._adapter.provider} returned no text.",
                **self._adapter._context(request_id=self._reply.request_id),
            )
        return self._reply.finish(text)

    def _adapter_request_has_no_schema(self) -> bool:
        return self._tool_name is None and self._reply._request.json_schema is None


# --------------------------------------------------------------------------------------------------
# Google Gemini
# --------------------------------------------------------------------------------------------------


class GeminiAdapter(_Adapter):
    """``generateContent`` through ``google-genai``; structured output with a response JSON schema."""

    def _build(self) -> Any:
        from google import genai
        from google.genai import types

        options: dict[str, Any] = {"timeout": int(self._settings.timeout * 1000)}
        if self._resolved.base_url:
            options["base_url"] = self._resolved.base_url
        return genai.Client(
            api_key=self._resolved.api_key, vertexai=False, http_options=types.HttpOptions(**options)
        )

    def _build_sync(self) -> Any:
        return self._build()

    def _build_async(self) -> Any:
        return self._build().aio

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        from google.genai import types

        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        contents = [
            types.Content(
                role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.content)]
            )
            for m in request.messages
            if m.role != "system"
        ]
        config: dict[str, Any] = {}
        if request.temperature is not None:
            config["temperature"] = request.temperature
        if request.max_tokens is not None:
            config["max_output_tokens"] = request.max_tokens
        schema = request.json_schema
        if schema is not None:
            mode = self._json_mode(request)
            if mode != "prompt":
                config["response_mime_type"] = "application/json"
            if mode == "schema":
                config["response_json_schema"] = dict(schema)
            else:
                instruction = structured.json_instruction(schema)
                system = f"{system}\n\n{instruction}" if system else instruction
        if system:
            config["system_instruction"] = system
        return {"model": self.model, "contents": contents, "config": types.GenerateContentConfig(**config)}

    def _call(self, request: LLMRequest) -> _Raw:
        return self._reduce(self.sdk_client.models.generate_content(**self._params(request)))

    async def _acall(self, request: LLMRequest) -> _Raw:
        return self._reduce(
            await (await self._async_client()).models.generate_content(**self._params(request))
        )

    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        stream = self.sdk_client.models.generate_content_stream(**self._params(request))
        try:
            for chunk in stream:
                self._take_chunk(chunk, reply)
        finally:
            closer = getattr(stream, "close", None)
            if callable(closer):
                closer()
        return self._end_stream(reply)

    async def _acall_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        client = await self._async_client()
        stream = await client.models.generate_content_stream(**self._params(request))
        try:
            async for chunk in stream:
                self._take_chunk(chunk, reply)
        finally:
            closer = getattr(stream, "aclose", None)
            if callable(closer):
                await closer()
        return self._end_stream(reply)

    def _take_chunk(self, chunk: Any, reply: _StreamedReply) -> None:
        if not reply.headers:
            http = getattr(chunk, "sdk_http_response", None)
            reply.headers = _lower_headers(getattr(http, "headers", None))
        reply.request_id = (
            reply.request_id or _request_id(reply.headers) or getattr(chunk, "response_id", None)
        )
        meta = getattr(chunk, "usage_metadata", None)
        if meta is not None:
            reply.usage = _gemini_usage(meta)
        for candidate in (getattr(chunk, "candidates", None) or [])[:1]:
            parts = getattr(getattr(candidate, "content", None), "parts", None) or []
            for part in parts:
                if getattr(part, "text", None) and not getattr(part, "thought", None):
                    reply.add(part.text)
            finish = getattr(candidate, "finish_reason", None)
            if finish is not None:
                reply.finish_reason = getattr(finish, "value", None) or str(finish)

    def _end_stream(self, reply: _StreamedReply) -> _Raw:
        if reply.finish_reason is None and not reply.text:
            raise LLMResponseError(
                f"{self.provider} returned no candidates.", **self._context(request_id=reply.request_id)
            )
        return reply.finish()

    def _reduce(self, response: Any) -> _Raw:
        http = getattr(response, "sdk_http_response", None)
        headers = _lower_headers(getattr(http, "headers", None))
        rid = _request_id(headers) or getattr(response, "response_id", None)
        candidates = getattr(response, "candidates", None) or []
        if not candidates:
            feedback = getattr(response, "prompt_feedback", None)
            reason = getattr(feedback, "block_reason", None)
            raise LLMResponseError(
                f"{self.provider} returned no candidates" + (f" (blocked: {reason})." if reason else "."),
                **self._context(request_id=rid),
            )
        candidate = candidates[0]
        parts = getattr(getattr(candidate, "content", None), "parts", None) or []
        # Thought summaries are parts too; only the answer's text belongs in the reply.
        text = "".join(
            part.text for part in parts if getattr(part, "text", None) and not getattr(part, "thought", None)
        )
        finish = getattr(candidate, "finish_reason", None)
        finish_name = getattr(finish, "value", None) or (str(finish) if finish is not None else None)
        meta = getattr(response, "usage_metadata", None)
        return _Raw(
            text=text,
            usage=_gemini_usage(meta),
            request_id=rid,
            finish_reason=finish_name,
            headers=headers,
        )

    def _translate(self, exc: BaseException) -> LLMError | None:
        import httpx2
        from google.genai import errors

        if isinstance(exc, errors.APIError):
            response = getattr(exc, "response", None)
            headers = _lower_headers(getattr(response, "headers", None))
            return self._status_error(
                int(exc.code), headers, exc.message or exc.status or "", body=exc.details
            )
        if isinstance(exc, errors.UnknownApiResponseError):
            return LLMResponseError(
                f"{self.provider} sent a body that is not JSON: {structured.excerpt(str(exc))}",
                **self._context(),
            )
        if isinstance(exc, httpx2.TimeoutException):
            return self._timeout_error()
        if isinstance(exc, httpx2.TransportError):
            return self._connection_error(exc)
        return None


def _gemini_usage(meta: Any) -> Usage:
    completion = (getattr(meta, "candidates_token_count", None) or 0) + (
        getattr(meta, "thoughts_token_count", None) or 0
    )
    return Usage(
        prompt_tokens=getattr(meta, "prompt_token_count", None) or 0,
        completion_tokens=completion,
        cached_tokens=getattr(meta, "cached_content_token_count", None) or 0,
    )


# --------------------------------------------------------------------------------------------------
# Factory and cache
# --------------------------------------------------------------------------------------------------

_ADAPTERS: Mapping[str, type[_Adapter]] = {
    "openai": OpenAIAdapter,
    "azure": OpenAIAdapter,
    "anthropic": AnthropicAdapter,
    "gemini": GeminiAdapter,
}

_cache: dict[tuple[Any, ...], _Adapter] = {}
_cache_lock = threading.Lock()


def create_client(
    config: ProviderConfig | None = None,
    settings: LLMSettings | None = None,
    env: Mapping[str, str] | None = None,
) -> LLMClient:
    """Return the SDK adapter for ``config`` (default: ``LLM_PROVIDER`` from ``env``), cached.

    The cache key is (provider, base URL, model, timeouts, API version, capabilities, first 12 hex
    digits of the key's SHA-256): never the key itself. Raises ``LLMConfigError`` for unknown providers,
    missing variables (all named at once) and missing SDK extras (naming the ``pip install`` fix).
    """
    settings = settings or LLMSettings.from_env(env)
    resolved = resolve_provider(config, env)
    key = (
        resolved.name,
        resolved.base_url,
        resolved.model,
        settings.timeout,
        settings.connect_timeout,
        resolved.api_version,
        resolved.capabilities,
        resolved.key_fingerprint,
        settings.stream,
    )
    with _cache_lock:
        adapter = _cache.get(key)
        if adapter is None:
            adapter = _ADAPTERS[resolved.family](resolved, settings)
            _cache[key] = adapter
        return adapter


def raw_sdk_client(client: LLMClient) -> Any:
    """The synchronous SDK client behind an adapter from ``create_client`` (for the deprecated facade)."""
    if not isinstance(client, _Adapter):
        raise LLMConfigError(f"{client!r} is not an SDK adapter built by create_client().")
    return client.sdk_client


def clear_client_cache() -> None:
    """Close and forget every cached adapter (tests, or a long-lived process rotating keys)."""
    with _cache_lock:
        adapters = list(_cache.values())
        _cache.clear()
    for adapter in adapters:
        adapter.close()


def cached_client_count() -> int:
    """How many adapters the cache holds (lets tests and benchmarks prove clients are reused)."""
    with _cache_lock:
        return len(_cache)
