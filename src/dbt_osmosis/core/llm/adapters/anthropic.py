"""Anthropic: the Messages API through the ``anthropic`` SDK.

Structured output is asked for the strict way where the model has it: JSON outputs
(``output_config.format`` with a ``json_schema``), which constrains the reply's text to the schema.
Anthropic documents JSON outputs for "Claude's response in a specific JSON format" and strict tool use
for a tool's input; a forced tool (``tool_choice`` of one tool) is also refused alongside extended
thinking, which JSON outputs work with. A model or endpoint without it (older models; Bedrock, Vertex
and gateways that answer ``output_config.format: Extra inputs are not permitted``) is asked with a
forced tool whose input schema is the answer's, as before: the managed client learns that from the
400 (``capabilities``) and remembers it. The SDK is imported when a client is built.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.adapters.base import (
    _Adapter,
    _error_detail,
    _lower_headers,
    _not_a_stream,
    _parsed,
    _Raw,
    _request_id,
    _schema_name,
    _StreamedReply,
    _with_json_instruction,
)
from dbt_osmosis.core.llm.exceptions import LLMAPIError, LLMError, LLMResponseError
from dbt_osmosis.core.llm.settings import JsonMode
from dbt_osmosis.core.llm.types import LLMRequest, Message, Usage

__all__ = [
    "ANTHROPIC_DEFAULT_MAX_TOKENS",
    "AnthropicAdapter",
    "cacheable_prefix",
    "min_cacheable_tokens",
    "supports_strict_output",
]

#: Anthropic requires max_tokens; generous enough for a model's worth of column docs.
ANTHROPIC_DEFAULT_MAX_TOKENS = 4096

#: The shortest prefix Anthropic caches, by model family (its prompt-caching documentation): shorter
#: prefixes are processed without caching even when marked, so marking them would only add noise.
_MIN_CACHEABLE: tuple[tuple[str, int], ...] = (
    ("claude-opus-4-5", 4096),
    ("claude-haiku-4-5", 4096),
    ("claude-3-5-haiku", 2048),
    ("claude-3-haiku", 2048),
    ("claude-haiku", 2048),
)
_DEFAULT_MIN_CACHEABLE = 1024
# Prompt characters per token for the estimate of the prefix length (English prose and JSON).
_CHARS_PER_TOKEN = 4


# Models documented without structured outputs (they came with the 4.5 generation: Haiku 4.5, Sonnet
# 4.5, Opus 4.5 and later): Claude 2 and 3.x, Sonnet 4, Opus 4 and 4.1, however a platform prefixes or
# suffixes the name ("anthropic.claude-3-5-haiku-20241022-v1:0", "claude-opus-4@20250514"). They are
# asked with a forced tool from the start; any other model is asked strictly, and learned from a 400.
_NO_STRICT_OUTPUT = re.compile(
    r"(?:^|[/.])claude-(?:instant|2(?:[-.]|$)|3(?:-|$)|(?:sonnet|opus)-4(?:$|@|-[01](?:$|[-@])|-20\d{6}))",
    re.IGNORECASE,
)

#: How one request asks for JSON: strict JSON outputs, a forced tool, the prompt alone, or not at all.
_Structure = Literal["strict", "tool", "prompt", "none"]


def supports_strict_output(model: str) -> bool:
    """Whether ``model`` may take strict structured output (unknown models are tried, then learned)."""
    return not _NO_STRICT_OUTPUT.search(model.strip())


@functools.cache
def _sdk_takes_output_config() -> bool:
    """Whether the installed SDK's ``messages.create`` takes ``output_config``.

    SDKs from before JSON outputs, which the ``anthropic>=0.40`` extra still allows, do not.
    """
    try:
        from anthropic.resources.messages import Messages

        return "output_config" in inspect.signature(Messages.create).parameters
    except (ImportError, TypeError, ValueError):
        return False


def _for_sdk(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as keyword arguments of the installed SDK: the same JSON body whatever its version."""
    if "output_config" not in params or _sdk_takes_output_config():
        return params
    rest = dict(params)
    rest["extra_body"] = {"output_config": rest.pop("output_config")}
    return rest


def min_cacheable_tokens(model: str) -> int:
    """The shortest prompt prefix, in tokens, that ``model`` caches."""
    name = model.lower()
    for prefix, tokens in _MIN_CACHEABLE:
        if name.startswith(prefix):
            return tokens
    return _DEFAULT_MIN_CACHEABLE


def cacheable_prefix(model: str, request: LLMRequest) -> bool:
    """Whether ``request``'s stable prefix is long enough for ``model`` to cache it."""
    return request.stable_prefix_chars // _CHARS_PER_TOKEN >= min_cacheable_tokens(model)


class AnthropicAdapter(_Adapter):
    """The Messages API through the ``anthropic`` SDK; strict JSON outputs, or a forced tool."""

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

    @property
    def json_modes(self) -> tuple[JsonMode, ...]:
        """Strict JSON outputs first where the model may have them, then the forced tool, the prompt."""
        modes = super().json_modes
        if "schema" in modes and supports_strict_output(self.model):
            return ("strict", *modes)
        return modes

    def _structure(self, request: LLMRequest) -> tuple[_Structure, Mapping[str, Any] | None]:
        """How ``request`` asks for JSON, with the strict schema when it is asked for strictly."""
        schema = request.json_schema
        if schema is None:
            return "none", None
        mode = self._json_mode(request)
        if mode == "strict":
            strict = structured.strict_subset(schema)
            if strict is not None:
                return "strict", strict
            mode = "schema"  # a schema strict output cannot express goes as the forced tool's input
        # Tool input schemas must describe an object; anything else falls back to prompt-only JSON.
        if mode == "schema" and schema.get("type") == "object":
            return "tool", None
        return "prompt", None

    def _uses_tool(self, request: LLMRequest) -> bool:
        return self._structure(request)[0] == "tool"

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        messages: Sequence[Message] = request.messages
        schema = request.json_schema
        structure, strict = self._structure(request)
        if schema is not None and structure == "prompt":
            messages = _with_json_instruction(messages, schema)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS,
            "messages": [{"role": m.role, "content": m.content} for m in messages if m.role != "system"],
        }
        if system:
            params["system"] = system
            if cacheable_prefix(self.model, request):
                # The breakpoint after the system prompt caches the answer schema (the output format's
                # or the tool's) and the system prompt (style guide included) together: every request
                # of the run starts with them.
                params["system"] = [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
        # ``request.temperature`` is deliberately not sent: the current Messages API (anthropic 2.x)
        # has no sampling temperature, and sending one through extra_body would be rejected.
        if strict is not None:
            # The same bytes for every request with this schema, so the cached prefix stays the same.
            params["output_config"] = {"format": {"type": "json_schema", "schema": strict}}
        elif schema is not None and structure == "tool":
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
        raw = self.sdk_client.messages.with_raw_response.create(**_for_sdk(self._params(request)))
        headers = _lower_headers(raw.headers)
        self._refuse_html(headers, raw)
        return self._reduce(raw.parse(), headers, request)

    async def _acall(self, request: LLMRequest) -> _Raw:
        client = await self._async_client()
        raw = await client.messages.with_raw_response.create(**_for_sdk(self._params(request)))
        headers = _lower_headers(raw.headers)
        self._refuse_html(headers, raw)
        return self._reduce(await _parsed(raw), headers, request)

    def _refuse_html(self, headers: dict[str, str], raw: Any) -> None:
        # The SDK returns an HTML page as a str "message"; say what it is instead.
        content_type = headers.get("content-type", "")
        if "html" in content_type.lower():
            try:
                page = str(raw.http_response.text)
            except Exception:  # an unread async body: the message goes without the page's first words
                page = ""
            raise self._html_error(content_type, page)

    def _one_body(self, request: LLMRequest, headers: dict[str, str], body: bytes) -> _Raw:
        """A whole Messages reply sent where a stream was asked for (a gateway ignoring ``stream``)."""
        from anthropic.types import Message as AnthropicMessage

        data = self._whole_body(headers, body)
        raw = self._reduce(AnthropicMessage.construct(**data), headers, request)
        if request.on_tokens is not None and raw.usage.completion_tokens:
            request.on_tokens(raw.usage.completion_tokens)
        return raw

    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        params = _for_sdk(self._params(request))
        raw = self.sdk_client.messages.with_raw_response.create(**params, stream=True)
        headers = _lower_headers(raw.headers)
        if _not_a_stream(headers):
            return self._one_body(request, headers, raw.http_response.read())
        tool = _AnthropicStream(self, request, reply, headers)
        stream = raw.parse()
        try:
            for event in stream:
                tool.take(event)
        finally:
            stream.close()
        return tool.finish()

    async def _acall_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        client = await self._async_client()
        raw = await client.messages.with_raw_response.create(**_for_sdk(self._params(request)), stream=True)
        headers = _lower_headers(raw.headers)
        if _not_a_stream(headers):
            return self._one_body(request, headers, await raw.http_response.aread())
        tool = _AnthropicStream(self, request, reply, headers)
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
                cache_write_tokens=cache_write,
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
        if isinstance(exc, anthropic.APIStatusError) and exc.status_code < 400:
            # An ``event: error`` inside a 200 stream (overloaded_error, api_error): the type says.
            error = exc.body.get("error", exc.body) if isinstance(exc.body, dict) else None
            kind = str((error.get("type") if isinstance(error, dict) else None) or "api_error")
            return self._stream_event_error(
                kind, _error_detail(exc.body, exc.message), exc.body, exc.request_id
            )
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
        self._stopped = False
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
        elif kind == "message_stop":
            self._stopped = True
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
            cache_write_tokens=self._cache_write,
        )

    def finish(self) -> _Raw:
        """The reply, with the tool input re-serialised exactly as the non-streamed path does."""
        if not self._stopped and self._reply.finish_reason is None:
            # A complete Messages stream ends with message_delta's stop_reason and message_stop.
            raise self._adapter._cut_error(self._reply.request_id, "message_stop")
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
