"""Streamed replies: the result of a non-streamed call, tokens counted as they come, cut at the limit."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from tests.fakes.fake_provider import FakeProviderServer, Reply

from dbt_osmosis.core.llm.exceptions import LLMResponseError
from dbt_osmosis.core.llm.factory import clear_client_cache, create_client
from dbt_osmosis.core.llm.managed import ManagedClient
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Message

SCHEMA = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "columns": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
                "required": ["name", "description"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["description", "columns"],
    "additionalProperties": False,
}
ANSWER = {
    "description": "One row per order, with its status and amounts. Ünïcode too: naïve café.",
    "columns": [
        {"name": f"col_{i}", "description": f"What column {i} holds, in a sentence."} for i in range(9)
    ],
}
FAMILIES = ["openai", "azure-openai", "anthropic", "google-gemini"]


def _ask(
    provider: str, env: dict[str, str], *, stream: bool, use_async: bool, request: LLMRequest
) -> LLMResponse:
    client = create_client(get_provider_config(provider), LLMSettings(stream=stream), env)
    if use_async:
        return asyncio.run(client.acomplete(request))
    return client.complete(request)


def _request(**kwargs: object) -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You document models."), Message("user", "Describe orders.")),
        json_schema=SCHEMA,
        **{"max_tokens": 2000, **kwargs},  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_a_streamed_reply_equals_the_non_streamed_one(
    provider: str, use_async: bool, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.script(Reply(json=ANSWER), Reply(json=ANSWER))
    plain = _ask(provider, fake_provider_env, stream=False, use_async=use_async, request=_request())
    clear_client_cache()
    counted: list[int] = []
    streamed = _ask(
        provider,
        fake_provider_env,
        stream=True,
        use_async=use_async,
        request=_request(on_tokens=counted.append),
    )
    first, second = fake_provider.requests
    assert not _asked_to_stream(first) and _asked_to_stream(second)
    assert streamed.parsed == plain.parsed == ANSWER
    assert (streamed.text, streamed.usage, streamed.finish_reason) == (
        plain.text,
        plain.usage,
        plain.finish_reason,
    )
    # Tokens arrive in several pieces and add up to the provider's count.
    assert len(counted) > 3 and sum(counted) == streamed.usage.completion_tokens


def _asked_to_stream(request: object) -> bool:
    path = getattr(request, "path", "")
    body = getattr(request, "body", None) or {}
    return path.endswith(":streamGenerateContent") or bool(body.get("stream"))


def test_streaming_is_the_default_for_hosted_providers_only(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    for provider in ("openai", "lm-studio"):
        create_client(get_provider_config(provider), LLMSettings(), fake_provider_env).complete(_request())
    hosted, local = fake_provider.requests
    assert hosted.body["stream"] is True and hosted.body["stream_options"] == {"include_usage": True}
    assert "stream" not in local.body


@pytest.mark.parametrize("provider", FAMILIES)
def test_a_reply_past_the_output_limit_is_cut_off(
    provider: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    # A provider that ignores max_tokens and goes on and on.
    fake_provider.script(Reply(json={"description": "word " * 5000, "columns": []}))
    with pytest.raises(LLMResponseError, match="went past the output limit of 50 tokens"):
        _ask(provider, fake_provider_env, stream=True, use_async=False, request=_request(max_tokens=50))


def test_a_non_streamed_reply_reports_its_tokens_once(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    counted: list[int] = []
    client = ManagedClient(
        create_client(get_provider_config("openai"), LLMSettings(stream=False), fake_provider_env),
        on_tokens=counted.append,
    )
    response = client.complete(_request())
    assert counted == [response.usage.completion_tokens]
    # A request's own hook wins over the client's.
    own: list[int] = []
    client.complete(dataclasses.replace(_request(), on_tokens=own.append))
    assert len(counted) == 1 and len(own) == 1
