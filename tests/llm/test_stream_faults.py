"""Streams that fail the way providers' streams do, through the real SDKs and the managed client.

A cut, a reset, a clean close without the end marker and a stall are the network failing: retried. A
provider's error event inside a 200 stream is retried or not as the same error sent as a status would
be. A server that ignores ``stream`` is read whole and remembered as non-streaming; an HTML page says
what it is. Nothing here is ever called "a bug".
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.fakes.fake_provider import (
    Cut,
    ErrorEvent,
    FakeProviderServer,
    Html200,
    OneBody,
    RecordedRequest,
    Reply,
    Stall,
    Step,
)

from dbt_osmosis.core.llm.capabilities import CAPABILITIES_FILE, CapabilityStore
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMError,
    LLMInternalError,
    LLMResponseError,
)
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.managed import ManagedClient
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Message

FAMILIES = ["openai", "azure-openai", "anthropic", "google-gemini"]
SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}
ANSWER = {"description": "One row per order."}
# Short enough that a stall costs a second, long enough for a loaded machine to start the stream.
STALL_TIMEOUT = 1.5

FAULTS: dict[str, Step] = {
    "cut": Cut(after_chunks=2),
    "reset": Cut(after_chunks=1, how="reset"),
    "eof": Cut(after_chunks=2, how="eof"),
    "stall": Stall(after_chunks=1, seconds=60),
    "error-event": ErrorEvent(),
}


def _request() -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You document models."), Message("user", "Describe orders.")),
        json_schema=SCHEMA,
        max_tokens=500,
    )


def _client(
    provider: str, env: dict[str, str], *, cache_dir: Path | None = None, timeout: float = 20.0
) -> ManagedClient:
    settings = LLMSettings(timeout=timeout, cache_dir=cache_dir, max_retries=2, retry_delay=0.0)
    runtime = LLMRuntime()
    inner = create_client(get_provider_config(provider), settings, env, runtime=runtime)
    return ManagedClient(
        inner,
        retry=RetryPolicy(max_retries=2, base_delay=0.0),
        settings=settings,
        capabilities=runtime.capability_store(cache_dir),
        sleep=lambda _seconds: None,
    )


def _ask(client: ManagedClient, use_async: bool) -> LLMResponse:
    if use_async:
        return asyncio.run(client.acomplete(_request()))
    return client.complete(_request())


def _streamed(request: RecordedRequest) -> bool:
    body = request.body or {}
    return request.path.endswith("streamGenerateContent") or bool(body.get("stream"))


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("provider", FAMILIES)
def test_a_failed_stream_is_retried_and_the_answer_arrives(
    provider: str,
    fault: str,
    use_async: bool,
    fake_provider: FakeProviderServer,
    fake_provider_env: dict[str, str],
) -> None:
    fake_provider.script(FAULTS[fault], Reply(json=ANSWER))
    timeout = STALL_TIMEOUT if fault == "stall" else 20.0
    response = _ask(_client(provider, fake_provider_env, timeout=timeout), use_async)
    assert response.parsed == ANSWER
    # One failed request, one that worked: the fault cost exactly one request.
    assert len(fake_provider.requests) == 2
    assert all(_streamed(request) for request in fake_provider.requests)


@pytest.mark.parametrize("fault", ["cut", "reset", "eof", "error-event"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_a_stream_that_keeps_failing_says_what_happened_never_a_bug(
    provider: str, fault: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.script(FAULTS[fault], FAULTS[fault], FAULTS[fault])
    with pytest.raises(LLMError) as caught:
        _client(provider, fake_provider_env).complete(_request())
    error = caught.value
    assert isinstance(error, LLMAPIError) and not isinstance(error, LLMInternalError)
    text = str(error)
    assert "bug" not in text.lower()
    assert error.provider == provider and provider in text
    assert error.attempts == 3 and len(fake_provider.requests) == 3
    if fault == "error-event":
        kind = {"anthropic": "overloaded_error", "google-gemini": "UNAVAILABLE"}.get(provider, "server_error")
        assert kind in text
    elif fault == "eof":
        assert "closed the stream before the end" in text
    else:
        assert "connection" in text


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_an_error_event_that_a_retry_cannot_fix_is_not_retried(
    provider: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    # The same types as an HTTP 401 or 400 outside a stream: not retried, like those statuses.
    kind = "authentication_error" if provider == "anthropic" else "invalid_request_error"
    fake_provider.script(ErrorEvent(kind=kind, message="bad key"))
    client = _client(provider, fake_provider_env)
    with pytest.raises(LLMError) as caught:
        client.complete(_request())
    assert len(fake_provider.requests) == 1
    if provider == "anthropic":
        assert isinstance(caught.value, LLMAuthError)
        assert "ANTHROPIC_API_KEY" in str(caught.value)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_a_one_body_reply_is_read_whole_and_the_endpoint_is_not_asked_to_stream_again(
    provider: str,
    use_async: bool,
    tmp_path: Path,
    fake_provider: FakeProviderServer,
    fake_provider_env: dict[str, str],
) -> None:
    fake_provider.script(OneBody(reply=Reply(json=ANSWER)), OneBody(reply=Reply(json=ANSWER)))
    client = _client(provider, fake_provider_env, cache_dir=tmp_path)
    assert _ask(client, use_async).parsed == ANSWER
    assert _ask(client, use_async).parsed == ANSWER
    first, second = fake_provider.requests
    assert _streamed(first)
    if provider == "google-gemini":
        # google-genai reads a one-body answer to a stream by itself: nothing to learn.
        assert _streamed(second)
        return
    assert not _streamed(second)
    # Remembered for the next run, like the models' capabilities.
    saved = json.loads((tmp_path / CAPABILITIES_FILE).read_text("utf-8"))
    assert any(provider in key for key in saved["endpoints"])
    assert CapabilityStore(tmp_path / CAPABILITIES_FILE).streams(client.inner.endpoint) is False  # type: ignore[attr-defined]
    fake_provider.reset()
    fresh = _client(provider, fake_provider_env, cache_dir=tmp_path)
    assert _ask(fresh, use_async).parsed is not None
    assert not _streamed(fake_provider.requests[0])


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "plain"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_an_html_page_with_status_200_says_what_came_back(
    provider: str, stream: bool, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.script(Html200())
    settings = LLMSettings(stream=stream, max_retries=0)
    client = ManagedClient(
        create_client(get_provider_config(provider), settings, fake_provider_env, runtime=LLMRuntime()),
        retry=RetryPolicy(max_retries=0),
        settings=settings,
    )
    with pytest.raises(LLMResponseError) as caught:
        client.complete(_request())
    text = str(caught.value)
    assert "answered an HTML page (text/html) instead of JSON: check the base URL" in text
    if not (provider == "google-gemini" and stream):
        # (google-genai's streamed error keeps only the page's first line.)
        assert "The page's title: 'Sign in - Corporate Gateway'" in text
    assert len(fake_provider.requests) == 1
