"""What the fake provider sends back, in each wire's own shape: answers, streamed events, errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from tests.fakes.prompt_cache import CacheUsage
from tests.fakes.request_parsing import _forced_tool
from tests.fakes.schema_answers import _default_text, _estimate_tokens
from tests.fakes.steps import RecordedRequest, Reply

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


def answer_payload(
    record: RecordedRequest,
    reply: Reply,
    asks_json: bool,
    id_headers: Mapping[str, str],
    cache: CacheUsage | None = None,
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
    headers = {**id_headers, **reply.headers}
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
    if wire == "anthropic":
        # What Bedrock, Vertex and gateways answer for a model without JSON outputs (vercel/ai#14773,
        # Portkey-AI/gateway#1570): "strict" refuses only that, "json_schema" every schema mechanism.
        if refuse & {"strict", "json_schema"} and isinstance(body.get("output_config"), dict):
            return _anthropic_refusal("output_config.format: Extra inputs are not permitted")
        if "json_schema" in refuse and body.get("tools"):
            return _anthropic_refusal("tools: Extra inputs are not permitted")
    return None


def _anthropic_refusal(message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": "invalid_request_error", "message": message}}


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


def asks_flex(wire: str, body: Any) -> bool:
    """Whether a request asks for the flex tier (OpenAI ``service_tier``, Gemini ``serviceTier``)."""
    if not isinstance(body, dict):
        return False
    if wire in ("openai", "azure"):
        return str(body.get("service_tier", "")).lower() == "flex"
    if wire == "gemini":
        return str(body.get("serviceTier", body.get("service_tier", ""))).lower() == "flex"
    return False


def no_flex_capacity(wire: str) -> tuple[int, Any]:
    """The status and body a provider answers a flex request it has no capacity for.

    OpenAI's flex guide names the answer "429 Resource Unavailable" (nothing is billed); Gemini's flex
    tier is best-effort and sheds load with its overload answer, 503 ``UNAVAILABLE``.
    """
    if wire == "gemini":
        message = "The model is overloaded. Flex capacity is not available right now; please try again later."
        return 503, {"error": {"code": 503, "message": message, "status": "UNAVAILABLE"}}
    message = (
        "Resource Unavailable: there is not enough capacity to process this flex request right now. "
        "Please retry later, or send it without service_tier 'flex'."
    )
    kind = "resource_unavailable"
    return 429, {"error": {"message": message, "type": kind, "param": None, "code": kind}}
