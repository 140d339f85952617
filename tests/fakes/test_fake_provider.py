"""The fake provider, exercised through the real SDKs the LLM client will use."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from tests.fakes.fake_provider import (
    FAKE_API_KEY,
    Fail,
    FakeProviderServer,
    Hang,
    NotJSON,
    RecordedRequest,
    Reply,
    Reset,
    value_from_schema,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "columns": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
                "required": ["name", "description"],
            },
        },
    },
    "required": ["description", "columns"],
}
EXPECTED = {
    "description": "Fake description of description.",
    "columns": [{"name": "Fake description of name.", "description": "Fake description of description."}],
}


def _openai(server: FakeProviderServer, **kwargs: Any) -> openai.OpenAI:
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(api_key=FAKE_API_KEY, base_url=f"{server.base_url}/v1", **kwargs)


def _ask_openai(client: openai.OpenAI, prompt: str = "hello") -> Any:
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])


def _wait_for_requests(server: FakeProviderServer, count: int, timeout: float = 5.0) -> None:
    # Waits on the server's own record, not on elapsed time: returns as soon as the request landed.
    deadline = time.monotonic() + timeout
    while len(server.requests) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"server saw {len(server.requests)} requests, expected {count}")
        threading.Event().wait(0.01)


def _settings(server: FakeProviderServer) -> tuple[float, int | None, object]:
    return server.latency, server.rpm_limit, server.responder


@pytest.fixture
def private_server() -> Iterator[FakeProviderServer]:
    """A server of its own, for tests that stop it or inject a clock."""
    server = FakeProviderServer().start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------
# Each wire through its real SDK
# ---------------------------------------------------------------------------------------------------


def test_openai_json_schema_answer_is_built_from_the_schema(fake_provider: FakeProviderServer) -> None:
    client = _openai(fake_provider)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You document dbt models."},
            {"role": "user", "content": [{"type": "text", "text": "Describe orders."}]},
        ],
        response_format={"type": "json_schema", "json_schema": {"name": "doc", "schema": SCHEMA}},
    )
    completion = raw.parse()

    assert json.loads(completion.choices[0].message.content or "") == EXPECTED
    assert completion.choices[0].finish_reason == "stop"
    assert raw.headers["x-request-id"].startswith("req_fake_")
    assert completion.usage is not None
    prompt_text = "You document dbt models.\nDescribe orders."
    assert completion.usage.prompt_tokens == -(-len(prompt_text) // 4) + 8
    assert completion.usage.completion_tokens == -(-len(completion.choices[0].message.content or "") // 4)
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert completion.usage.prompt_tokens_details is not None
    assert completion.usage.prompt_tokens_details.cached_tokens == 0

    (seen,) = fake_provider.requests
    assert seen.wire == "openai"
    assert seen.path == "/v1/chat/completions"
    assert seen.model == "gpt-4o-mini"
    assert seen.prompt_text == prompt_text
    assert seen.json_schema == SCHEMA
    assert seen.headers["authorization"] == f"Bearer {FAKE_API_KEY}"


def test_openai_async_client_and_plain_text_default(fake_provider: FakeProviderServer) -> None:
    async def run() -> list[str]:
        client = openai.AsyncOpenAI(
            api_key=FAKE_API_KEY, base_url=f"{fake_provider.base_url}/v1", max_retries=0
        )
        answers = await asyncio.gather(
            *(
                client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"q{i}"}])
                for i in range(5)
            )
        )
        await client.close()
        return [a.choices[0].message.content or "" for a in answers]

    answers = asyncio.run(run())

    assert answers == ["This is a fake answer from the fake provider."] * 5
    assert sorted(r.prompt_text for r in fake_provider.requests) == [f"q{i}" for i in range(5)]
    assert all(r.headers["x-stainless-async"].startswith("async") for r in fake_provider.requests)


def test_json_object_mode_without_schema_gets_a_json_object(fake_provider: FakeProviderServer) -> None:
    completion = _openai(fake_provider).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}], response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(completion.choices[0].message.content or ""), dict)
    assert fake_provider.requests[0].json_schema is None


def test_azure_deployment_is_the_model_and_api_key_header_is_recorded(
    fake_provider: FakeProviderServer,
) -> None:
    client = openai.AzureOpenAI(
        api_key=FAKE_API_KEY,
        azure_endpoint=fake_provider.base_url,
        azure_deployment="gpt-4o-deploy",
        api_version="2024-10-21",
        max_retries=0,
    )
    completion = client.chat.completions.create(
        model="ignored",
        messages=[{"role": "user", "content": "x"}],
        response_format={"type": "json_schema", "json_schema": {"name": "doc", "schema": SCHEMA}},
    )

    assert json.loads(completion.choices[0].message.content or "") == EXPECTED
    assert completion.model == "gpt-4o-deploy"
    (seen,) = fake_provider.requests
    assert seen.wire == "azure"
    assert seen.model == "gpt-4o-deploy"
    assert seen.query == {"api-version": "2024-10-21"}
    assert seen.headers["api-key"] == FAKE_API_KEY


def test_azure_async(fake_provider: FakeProviderServer) -> None:
    async def run() -> str:
        client = openai.AsyncAzureOpenAI(
            api_key=FAKE_API_KEY,
            azure_endpoint=fake_provider.base_url,
            azure_deployment="dep-async",
            api_version="2024-10-21",
            max_retries=0,
        )
        answer = await client.chat.completions.create(model="x", messages=[{"role": "user", "content": "q"}])
        await client.close()
        return answer.model

    assert asyncio.run(run()) == "dep-async"
    assert fake_provider.requests[0].wire == "azure"


def test_anthropic_forced_tool_gets_tool_use_block(fake_provider: FakeProviderServer) -> None:
    client = anthropic.Anthropic(api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="claude-fake-sonnet",
        max_tokens=512,
        system="You document dbt models.",
        messages=[{"role": "user", "content": "Describe orders."}],
        tools=[{"name": "emit_docs", "description": "Return docs.", "input_schema": SCHEMA}],
        tool_choice={"type": "tool", "name": "emit_docs"},
    )
    message = raw.parse()

    (block,) = message.content
    assert block.type == "tool_use"
    assert block.name == "emit_docs"
    assert block.input == EXPECTED
    assert message.stop_reason == "tool_use"
    assert message.usage.input_tokens == -(-len("You document dbt models.\nDescribe orders.") // 4) + 8
    assert message.usage.output_tokens > 0
    assert message.usage.cache_read_input_tokens == 0
    assert raw.headers["request-id"].startswith("req_fake_")
    (seen,) = fake_provider.requests
    assert (seen.wire, seen.model, seen.json_schema) == ("anthropic", "claude-fake-sonnet", SCHEMA)


def test_anthropic_async_text_and_output_config_schema(fake_provider: FakeProviderServer) -> None:
    async def run() -> tuple[Any, Any]:
        client = anthropic.AsyncAnthropic(
            api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0
        )
        plain = await client.messages.create(
            model="claude-haiku", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        )
        structured = await client.messages.create(
            model="claude-haiku",
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
            output_config={"format": {"type": "json_schema", "schema": SCHEMA}},
        )
        await client.close()
        return plain, structured

    plain, structured = asyncio.run(run())

    assert plain.content[0].type == "text"
    assert plain.content[0].text == "This is a fake answer from the fake provider."
    assert plain.stop_reason == "end_turn"
    assert json.loads(structured.content[0].text) == EXPECTED


def test_gemini_response_schema_sync_and_async(fake_provider: FakeProviderServer) -> None:
    client = genai.Client(
        api_key=FAKE_API_KEY, http_options=genai_types.HttpOptions(base_url=fake_provider.base_url)
    )
    config = genai_types.GenerateContentConfig(
        response_mime_type="application/json", response_schema=SCHEMA, system_instruction="Be terse."
    )
    answer = client.models.generate_content(
        model="gemini-2.5-flash", contents="Describe orders.", config=config
    )

    assert json.loads(answer.text or "") == EXPECTED
    assert answer.candidates is not None
    assert answer.candidates[0].finish_reason == genai_types.FinishReason.STOP
    assert answer.usage_metadata is not None
    assert answer.usage_metadata.prompt_token_count == -(-len("Be terse.\nDescribe orders.") // 4) + 8
    assert answer.usage_metadata.total_token_count == (
        answer.usage_metadata.prompt_token_count + (answer.usage_metadata.candidates_token_count or 0)
    )
    seen = fake_provider.requests[0]
    assert seen.wire == "gemini"
    assert seen.model == "gemini-2.5-flash"
    assert seen.headers["x-goog-api-key"] == FAKE_API_KEY
    # The SDK sends responseSchema with upper-case OpenAPI types; the fake still fills every field.
    assert seen.json_schema is not None

    async def run() -> str:
        json_config = genai_types.GenerateContentConfig(
            response_mime_type="application/json", response_json_schema=SCHEMA
        )
        reply = await client.aio.models.generate_content(
            model="gemini-2.5-pro", contents="again", config=json_config
        )
        return reply.text or ""

    assert json.loads(asyncio.run(run())) == EXPECTED
    assert fake_provider.requests[1].json_schema == SCHEMA
    assert fake_provider.requests[1].model == "gemini-2.5-pro"


def _post(url: str, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_gemini_v1beta_path_and_ollama_native_wire(fake_provider: FakeProviderServer) -> None:
    status, _, body = _post(
        f"{fake_provider.base_url}/v1beta/models/gemini-2.0-flash:generateContent",
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
    )
    assert status == 200
    assert json.loads(body)["candidates"][0]["content"]["parts"][0]["text"]

    status, _, body = _post(
        f"{fake_provider.base_url}/api/chat",
        {"model": "llama3.2", "messages": [{"role": "user", "content": "doc it"}], "format": SCHEMA},
    )
    answer = json.loads(body)
    assert status == 200
    assert json.loads(answer["message"]["content"]) == EXPECTED
    assert answer["prompt_eval_count"] == -(-len("doc it") // 4) + 8
    assert answer["eval_count"] > 0
    assert [r.wire for r in fake_provider.requests] == ["gemini", "ollama"]
    assert fake_provider.requests[1].model == "llama3.2"


def test_unknown_path_is_a_404_and_streaming_is_served_as_events(fake_provider: FakeProviderServer) -> None:
    status, _, _ = _post(f"{fake_provider.base_url}/v2/whatever", {})
    assert status == 404
    fake_provider.script(Reply(text="streamed answer, in pieces of sixteen characters"))
    chunks = list(
        _openai(fake_provider).chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "x"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "streamed answer, in pieces of sixteen characters"
    assert len(chunks) > 3 and chunks[-1].usage is not None


# ---------------------------------------------------------------------------------------------------
# Scripted replies
# ---------------------------------------------------------------------------------------------------


def test_script_is_consumed_in_order_then_default_applies(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reply(text="first"), Reply(json={"n": 2}), Reply(text="third"))
    client = _openai(fake_provider)

    answers = [_ask_openai(client).choices[0].message.content for _ in range(4)]

    assert answers == ["first", '{"n": 2}', "third", "This is a fake answer from the fake provider."]
    assert fake_provider.pending() == 0


def test_script_for_only_matches_prompts_containing_the_text(fake_provider: FakeProviderServer) -> None:
    fake_provider.script_for("model: customers", Fail(500), Reply(text="customers ok"))
    fake_provider.script(Reply(text="general"))
    client = _openai(fake_provider)

    assert _ask_openai(client, "model: orders").choices[0].message.content == "general"
    with pytest.raises(openai.InternalServerError):
        _ask_openai(client, "model: customers")
    assert _ask_openai(client, "model: customers").choices[0].message.content == "customers ok"
    assert _ask_openai(client, "model: orders").choices[0].message.content == (
        "This is a fake answer from the fake provider."
    )


def test_fenced_prose_and_truncated_replies(fake_provider: FakeProviderServer) -> None:
    payload = {"description": "Orders placed by customers."}
    fake_provider.script(
        Reply(json=payload, fenced=True),
        Reply(json=payload, prose=True),
        Reply(json=payload, truncated=True, prompt_tokens=1000, completion_tokens=7),
    )
    client = _openai(fake_provider)

    fenced = _ask_openai(client).choices[0].message.content or ""
    prose = _ask_openai(client).choices[0].message.content or ""
    truncated = _ask_openai(client)

    assert fenced == f"```json\n{json.dumps(payload)}\n```"
    assert prose.startswith("Sure!") and json.dumps(payload) in prose and not prose.endswith("}")
    assert truncated.choices[0].finish_reason == "length"
    text = truncated.choices[0].message.content or ""
    assert json.dumps(payload).startswith(text) and len(text) == len(json.dumps(payload)) // 2
    assert truncated.usage is not None
    assert (truncated.usage.prompt_tokens, truncated.usage.completion_tokens) == (1000, 7)


def test_truncated_on_anthropic_and_gemini_report_their_own_finish_reasons(
    fake_provider: FakeProviderServer,
) -> None:
    fake_provider.script(Reply(json=EXPECTED, truncated=True), Reply(json=EXPECTED, truncated=True))
    claude = anthropic.Anthropic(api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0)
    message = claude.messages.create(
        model="c",
        max_tokens=5,
        messages=[{"role": "user", "content": "x"}],
        tools=[{"name": "emit", "input_schema": SCHEMA}],
        tool_choice={"type": "tool", "name": "emit"},
    )
    gemini = genai.Client(
        api_key=FAKE_API_KEY, http_options=genai_types.HttpOptions(base_url=fake_provider.base_url)
    )
    answer = gemini.models.generate_content(model="g", contents="x")

    assert message.stop_reason == "max_tokens"
    assert answer.candidates is not None
    assert answer.candidates[0].finish_reason == genai_types.FinishReason.MAX_TOKENS
    with pytest.raises(ValueError):
        json.loads(answer.text or "")


def test_anthropic_forced_tool_with_garbled_text_falls_back_to_a_text_block(
    fake_provider: FakeProviderServer,
) -> None:
    fake_provider.script(Reply(json=EXPECTED, fenced=True))
    client = anthropic.Anthropic(api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0)
    message = client.messages.create(
        model="c",
        max_tokens=500,
        messages=[{"role": "user", "content": "x"}],
        tools=[{"name": "emit", "input_schema": SCHEMA}],
        tool_choice={"type": "tool", "name": "emit"},
    )
    assert message.content[0].type == "text"
    assert message.content[0].text.startswith("```json")


def test_responder_sets_the_default_behaviour(fake_provider: FakeProviderServer) -> None:
    def responder(request: RecordedRequest) -> Reply:
        return Reply(text=f"echo: {request.prompt_text}")

    fake_provider.responder = responder
    fake_provider.script(Reply(text="scripted wins"))
    client = _openai(fake_provider)

    assert _ask_openai(client, "a").choices[0].message.content == "scripted wins"
    assert _ask_openai(client, "b").choices[0].message.content == "echo: b"


# ---------------------------------------------------------------------------------------------------
# Failures
# ---------------------------------------------------------------------------------------------------


def test_429_carries_retry_after_headers_and_provider_error_body(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(
        Fail(429, retry_after=7, retry_after_ms=6500, headers={"x-ratelimit-remaining": "0"})
    )
    with pytest.raises(openai.RateLimitError) as info:
        _ask_openai(_openai(fake_provider))

    assert info.value.response.headers["retry-after"] == "7"
    assert info.value.response.headers["retry-after-ms"] == "6500"
    assert info.value.response.headers["x-ratelimit-remaining"] == "0"
    assert info.value.code == "rate_limit_exceeded"
    assert FAKE_API_KEY not in str(info.value)


def test_sdk_retry_honours_retry_after_ms_and_both_attempts_are_recorded(
    fake_provider: FakeProviderServer,
) -> None:
    fake_provider.script(Fail(429, retry_after_ms=1), Reply(text="after retry"))
    completion = _ask_openai(_openai(fake_provider, max_retries=1))

    assert completion.choices[0].message.content == "after retry"
    assert [r.headers["x-stainless-retry-count"] for r in fake_provider.requests] == ["0", "1"]
    assert fake_provider.usage_totals()["requests"] == 2


def test_default_error_bodies_are_shaped_like_each_provider(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Fail(429), Fail(529), Fail(503), Fail(401, body={"custom": True}))
    claude = anthropic.Anthropic(api_key=FAKE_API_KEY, base_url=fake_provider.base_url, max_retries=0)
    gemini = genai.Client(
        api_key=FAKE_API_KEY, http_options=genai_types.HttpOptions(base_url=fake_provider.base_url)
    )

    with pytest.raises(anthropic.RateLimitError) as rate:
        claude.messages.create(model="c", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        claude.messages.create(model="c", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(genai_errors.ServerError) as unavailable:
        gemini.models.generate_content(model="g", contents="x")
    with pytest.raises(openai.AuthenticationError) as custom:
        _ask_openai(_openai(fake_provider))

    assert rate.value.body == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "Rate limit reached for requests."},
    }
    assert overloaded.value.status_code == 529
    assert isinstance(overloaded.value.body, dict)
    assert overloaded.value.body["error"]["type"] == "overloaded_error"
    assert unavailable.value.code == 503
    assert unavailable.value.status == "UNAVAILABLE"
    assert custom.value.body == {"custom": True}


def test_reset_step_drops_the_connection(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reset())
    with pytest.raises(openai.APIConnectionError):
        _ask_openai(_openai(fake_provider))
    # The server keeps serving after an aborted connection.
    assert _ask_openai(_openai(fake_provider)).choices[0].message.content


def test_not_json_body_is_sent_verbatim(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(NotJSON(), NotJSON(status=502))
    status, headers, body = _post(
        f"{fake_provider.base_url}/v1/chat/completions", {"model": "m", "messages": []}
    )
    assert (status, body) == (200, b"<html>502 Bad Gateway</html>")
    assert headers["content-type"].startswith("text/html")
    with pytest.raises(openai.InternalServerError) as info:
        _ask_openai(_openai(fake_provider))
    assert info.value.status_code == 502


def test_hang_times_out_on_the_client_and_never_answers(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Hang(seconds=30))
    with pytest.raises(openai.APITimeoutError):
        _ask_openai(_openai(fake_provider, timeout=0.3))
    assert len(fake_provider.requests) == 1


def test_stop_returns_promptly_with_hung_and_slow_requests_in_flight(
    private_server: FakeProviderServer,
) -> None:
    private_server.script(Hang(seconds=60), Reply(text="slow", latency=60))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            _ask_openai(_openai(private_server, timeout=60))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    _wait_for_requests(private_server, 2)

    started = time.monotonic()
    private_server.stop()
    elapsed = time.monotonic() - started
    for thread in threads:
        thread.join(timeout=5)

    assert elapsed < 1.0
    assert not any(thread.is_alive() for thread in threads)
    assert len(errors) == 2
    assert all(isinstance(e, openai.APIConnectionError) for e in errors)


# ---------------------------------------------------------------------------------------------------
# Rate limit, reset, totals
# ---------------------------------------------------------------------------------------------------


def test_rpm_limit_uses_a_sliding_window_on_the_injected_clock() -> None:
    now = [1000.0]
    with FakeProviderServer(rpm_limit=2, clock=lambda: now[0]) as server:
        client = _openai(server)
        _ask_openai(client)
        now[0] += 20
        _ask_openai(client)
        now[0] += 10
        with pytest.raises(openai.RateLimitError) as first:
            _ask_openai(client)
        now[0] += 29.5
        with pytest.raises(openai.RateLimitError) as second:
            _ask_openai(client)
        now[0] += 0.5
        answer = _ask_openai(client)

    # 30 s after the first request its slot frees 30 s later; then 0.5 s later.
    assert first.value.response.headers["retry-after"] == "30"
    assert second.value.response.headers["retry-after"] == "1"
    assert answer.choices[0].message.content
    assert [r.received_at for r in server.requests] == [1000.0, 1020.0, 1030.0, 1059.5, 1060.0]


def test_reset_clears_everything_and_releases_hung_requests(fake_provider: FakeProviderServer) -> None:
    fake_provider.latency = 5.0
    fake_provider.rpm_limit = 1
    fake_provider.responder = lambda request: Reply(text="custom")
    fake_provider.script(Hang(seconds=60))
    fake_provider.script_for("x", Reply(text="never"))
    failures: list[BaseException] = []

    def hung_call() -> None:
        try:
            _ask_openai(_openai(fake_provider, timeout=30), "hang me")
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=hung_call)
    thread.start()
    _wait_for_requests(fake_provider, 1)

    fake_provider.reset()
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert failures and isinstance(failures[0], openai.APIConnectionError)
    assert _settings(fake_provider) == (0.0, None, None)
    assert fake_provider.requests == []
    assert fake_provider.pending() == 0
    assert fake_provider.usage_totals() == {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0}
    answer = _ask_openai(_openai(fake_provider), "x").choices[0].message.content
    assert answer == "This is a fake answer from the fake provider."


def test_usage_totals_match_what_the_sdks_reported(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reply(text="a"), Fail(500), Reply(text="bb", prompt_tokens=40, completion_tokens=3))
    client = _openai(fake_provider)
    first = _ask_openai(client, "one two three")
    with pytest.raises(openai.InternalServerError):
        _ask_openai(client)
    second = _ask_openai(client)

    assert first.usage is not None and second.usage is not None
    assert fake_provider.usage_totals() == {
        "requests": 3,
        "prompt_tokens": first.usage.prompt_tokens + second.usage.prompt_tokens,
        "completion_tokens": first.usage.completion_tokens + second.usage.completion_tokens,
    }
    assert (second.usage.prompt_tokens, second.usage.completion_tokens) == (40, 3)


def test_server_latency_applies_to_every_answer(fake_provider: FakeProviderServer) -> None:
    # Latency is asserted through its effect (a client timeout), not by timing the call.
    fake_provider.latency = 30.0
    with pytest.raises(openai.APITimeoutError):
        _ask_openai(_openai(fake_provider, timeout=0.3))
    fake_provider.latency = 0.0
    fake_provider.script(Reply(text="quick", latency=0))
    assert _ask_openai(_openai(fake_provider, timeout=5)).choices[0].message.content == "quick"


# ---------------------------------------------------------------------------------------------------
# Secrets, env fixture, schema generator, entry point
# ---------------------------------------------------------------------------------------------------


def test_recorded_request_repr_hides_credentials(fake_provider: FakeProviderServer) -> None:
    _ask_openai(_openai(fake_provider))
    _post(f"{fake_provider.base_url}/v1beta/models/g:generateContent?key={FAKE_API_KEY}", {"contents": []})
    for request in fake_provider.requests:
        assert FAKE_API_KEY not in repr(request)
    assert fake_provider.requests[0].headers["authorization"].endswith(FAKE_API_KEY)


def test_fake_provider_env_points_sdks_at_the_server(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in fake_provider_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)

    openai.OpenAI(max_retries=0).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "o"}]
    )
    anthropic.Anthropic(max_retries=0).messages.create(
        model="c", max_tokens=5, messages=[{"role": "user", "content": "a"}]
    )
    # Keep the client referenced: a garbage-collected genai.Client closes its HTTP pool mid-call.
    gemini = genai.Client(api_key=os.environ["GOOGLE_GEMINI_API_KEY"])
    gemini.models.generate_content(model="g", contents="g")

    assert [r.wire for r in fake_provider.requests] == ["openai", "anthropic", "gemini"]
    assert fake_provider_env["AZURE_OPENAI_DEPLOYMENT_NAME"] == "gpt-4o-deploy"
    assert fake_provider_env["OLLAMA_BASE_URL"] == f"{fake_provider.base_url}/v1"


def test_value_from_schema_handles_refs_unions_enums_and_scalars() -> None:
    schema = {
        "$defs": {
            "Col": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "kind": {"enum": ["a", "b"]}},
            }
        },
        "type": "object",
        "properties": {
            "cols": {"type": "array", "items": {"$ref": "#/$defs/Col"}, "minItems": 2},
            "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "count": {"type": "integer"},
            "ratio": {"type": ["number", "null"]},
            "ok": {"type": "BOOLEAN"},
            "fixed": {"const": "v1"},
        },
        "required": ["cols", "extra"],
    }
    assert value_from_schema(schema) == {
        "cols": [{"name": "Fake description of name.", "kind": "a"}] * 2,
        "note": "Fake description of note.",
        "count": 1,
        "ratio": 1,
        "ok": True,
        "fixed": "v1",
        "extra": "Fake description of extra.",
    }


def test_module_entry_point_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fake_provider", "--port", "0", "--latency", "0", "--rpm", "100"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        base_url = first_line.strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:")
        status, _, body = _post(
            f"{base_url}/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        )
        assert status == 200
        assert json.loads(body)["choices"][0]["message"]["content"]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "served 1 requests" in output
