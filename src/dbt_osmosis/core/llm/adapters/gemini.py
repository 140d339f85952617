"""Google Gemini: ``generateContent`` through ``google-genai``, structured output by response schema.

The SDK is imported when a client is built.
"""

from __future__ import annotations

from typing import Any

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.adapters.base import _Adapter, _lower_headers, _Raw, _request_id, _StreamedReply
from dbt_osmosis.core.llm.exceptions import LLMError, LLMResponseError
from dbt_osmosis.core.llm.types import LLMRequest, Usage

__all__ = ["GeminiAdapter"]


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
        if request.service_tier is not None:
            config["service_tier"] = request.service_tier
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
        if reply.finish_reason is None:
            # A complete stream's last candidate carries a finish_reason: without one the connection
            # closed early (cleanly), which is a cut, not a short answer.
            raise self._cut_error(reply.request_id, "finish_reason")
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
            # The status name (UNAVAILABLE, RESOURCE_EXHAUSTED) is Gemini's own word for the error.
            detail = ": ".join(part for part in (exc.status, exc.message) if part)
            return self._status_error(int(exc.code), headers, detail, body=exc.details)
        if isinstance(exc, errors.UnknownApiResponseError):
            if "<html" in str(exc).lower() or "<!doctype" in str(exc).lower():
                return self._html_error("text/html", str(exc).split("Raw response:", 1)[-1])
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
