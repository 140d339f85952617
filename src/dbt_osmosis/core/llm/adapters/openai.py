"""The OpenAI family: OpenAI, Azure OpenAI, Ollama, LM Studio and any OpenAI-compatible endpoint.

Chat Completions through ``openai.OpenAI`` (``openai.AzureOpenAI`` for Azure, signing in with
Microsoft Entra ID when no key is configured). The SDK is imported when a client is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
from dbt_osmosis.core.llm.exceptions import LLMAPIError, LLMConfigError, LLMError, LLMResponseError
from dbt_osmosis.core.llm.types import LLMRequest, Message, Usage

__all__ = ["OpenAIAdapter"]


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
        if self.provider == "openai":
            # OpenAI's own API only: local servers and gateways may refuse parameters they do not know.
            if request.cache_key:
                # Requests sharing a prefix go to the same cache shard, so the prefix is read, not re-sent.
                params["prompt_cache_key"] = request.cache_key
            if request.service_tier is not None:
                params["service_tier"] = request.service_tier
        return params

    def _call(self, request: LLMRequest) -> _Raw:
        raw = self.sdk_client.chat.completions.with_raw_response.create(**self._params(request))
        headers = _lower_headers(raw.headers)
        self._refuse_html(headers, raw)
        return self._reduce(raw.parse(), headers)

    async def _acall(self, request: LLMRequest) -> _Raw:
        raw = await (await self._async_client()).chat.completions.with_raw_response.create(
            **self._params(request)
        )
        headers = _lower_headers(raw.headers)
        self._refuse_html(headers, raw)
        return self._reduce(raw.parse(), headers)

    def _refuse_html(self, headers: dict[str, str], raw: Any) -> None:
        # The SDK returns an HTML page as a str "completion"; say what it is instead.
        content_type = headers.get("content-type", "")
        if "html" in content_type.lower():
            raise self._html_error(content_type, _body_text(raw))

    def _one_body(self, request: LLMRequest, headers: dict[str, str], body: bytes) -> _Raw:
        """A whole chat completion sent where a stream was asked for (a gateway ignoring ``stream``)."""
        from openai.types.chat import ChatCompletion

        data = self._whole_body(headers, body)
        raw = self._reduce(ChatCompletion.construct(**data), headers)
        if request.on_tokens is not None and raw.usage.completion_tokens:
            request.on_tokens(raw.usage.completion_tokens)
        return raw

    def _stream_params(self, request: LLMRequest) -> dict[str, Any]:
        # include_usage adds a last chunk with the token counts a non-streamed reply carries.
        return {**self._params(request), "stream": True, "stream_options": {"include_usage": True}}

    def _call_streamed(self, request: LLMRequest, reply: _StreamedReply) -> _Raw:
        raw = self.sdk_client.chat.completions.with_raw_response.create(**self._stream_params(request))
        headers = _lower_headers(raw.headers)
        if _not_a_stream(headers):
            return self._one_body(request, headers, raw.http_response.read())
        self._start_stream(reply, headers)
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
        headers = _lower_headers(raw.headers)
        if _not_a_stream(headers):
            return self._one_body(request, headers, await raw.http_response.aread())
        self._start_stream(reply, headers)
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
        if reply.finish_reason is None:
            # Every complete chat-completions stream ends with a choice's finish_reason: without it
            # the connection closed early (cleanly), which is a cut, not a short answer.
            raise self._cut_error(reply.request_id, "finish_reason")
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
        if isinstance(exc, openai.APIError):
            # An error chunk inside a 200 stream (``data: {"error": {...}}``): no status, the type says.
            kind = str(getattr(exc, "type", None) or getattr(exc, "code", None) or "server_error")
            return self._stream_event_error(kind, _error_detail(exc.body, exc.message), exc.body)
        if isinstance(exc, openai.OpenAIError):
            return LLMAPIError(f"{self.provider}: {structured.excerpt(str(exc))}", **self._context())
        return None


def _body_text(raw: Any) -> str:
    """The text of a raw response's body when it has been read already (else nothing)."""
    try:
        return str(raw.http_response.text)
    except Exception:  # an unread async body: the message goes without the page's first words
        return ""


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
