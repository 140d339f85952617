"""Each error type from the HTTP situation that causes it, for every SDK family, sync and async."""

from __future__ import annotations

import asyncio

import pytest
from tests.fakes.fake_provider import Fail, FakeProviderServer, Hang, NotJSON, Reply, Reset

from dbt_osmosis.core.llm.adapters import parse_retry_after
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message

# One provider per SDK family (plus Azure, whose client class differs).
FAMILIES = ["openai", "azure-openai", "anthropic", "google-gemini"]
# A short timeout so a Hang ends quickly; the assertion is on the error type, never on elapsed time.
SETTINGS = LLMSettings(timeout=0.5, connect_timeout=0.5)
SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}


def _request(schema: dict[str, object] | None = None) -> LLMRequest:
    return LLMRequest(messages=(Message("user", "Describe the orders model."),), json_schema=schema)


def _call(
    provider: str, env: dict[str, str], *, use_async: bool, schema: dict[str, object] | None = None
) -> None:
    client = create_client(get_provider_config(provider), SETTINGS, env)
    if use_async:
        asyncio.run(client.acomplete(_request(schema)))
    else:
        client.complete(_request(schema))


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_429_is_rate_limit_error_with_retry_after(
    provider: str, use_async: bool, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(429, retry_after=7))
    with pytest.raises(LLMRateLimitError) as info:
        _call(provider, fake_provider_env, use_async=use_async)
    assert info.value.retry_after == 7.0
    assert info.value.status_code == 429
    assert info.value.provider == provider
    # Exactly one request: the SDK's own retries are off, retrying belongs to the managed client.
    assert len(fake_provider.requests) == 1


@pytest.mark.parametrize("provider", FAMILIES)
def test_retry_after_ms_wins_over_seconds(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(429, retry_after=9, retry_after_ms=1500))
    with pytest.raises(LLMRateLimitError) as info:
        _call(provider, fake_provider_env, use_async=False)
    assert info.value.retry_after == 1.5


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_api_error_with_status(
    provider: str,
    status: int,
    use_async: bool,
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
) -> None:
    fake_provider.script(Fail(status))
    with pytest.raises(LLMAPIError) as info:
        _call(provider, fake_provider_env, use_async=use_async)
    assert info.value.status_code == status
    assert f"HTTP {status}" in str(info.value)
    assert len(fake_provider.requests) == 1


@pytest.mark.parametrize("provider", FAMILIES)
@pytest.mark.parametrize("status", [401, 403])
def test_401_403_is_auth_error(
    provider: str, status: int, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(status))
    with pytest.raises(LLMAuthError) as info:
        _call(provider, fake_provider_env, use_async=False)
    assert info.value.status_code == status
    assert "API key" in str(info.value)


@pytest.mark.parametrize("provider", FAMILIES)
def test_400_is_api_error_not_retryable_type(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(400))
    with pytest.raises(LLMAPIError) as info:
        _call(provider, fake_provider_env, use_async=False)
    assert info.value.status_code == 400


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_hung_server_ends_in_timeout_error(
    provider: str, use_async: bool, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Hang(30))
    with pytest.raises(LLMTimeoutError) as info:
        _call(provider, fake_provider_env, use_async=use_async)
    assert "OSMOSIS_LLM_TIMEOUT" in str(info.value)
    assert info.value.provider == provider


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("provider", FAMILIES)
def test_connection_reset_is_api_error_without_status(
    provider: str, use_async: bool, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Reset())
    with pytest.raises(LLMAPIError) as info:
        _call(provider, fake_provider_env, use_async=use_async)
    assert info.value.status_code is None
    assert not isinstance(info.value, LLMTimeoutError)


@pytest.mark.parametrize("provider", FAMILIES)
def test_non_json_body_is_response_error(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(NotJSON())
    with pytest.raises(LLMResponseError) as info:
        _call(provider, fake_provider_env, use_async=False)
    # Still a ValueError, so old `except ValueError` code catches it.
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("provider", FAMILIES)
def test_truncated_json_is_response_error_with_excerpt(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(
        Reply(text='{"description": "Orders placed by customers, one row per order"}', truncated=True)
    )
    with pytest.raises(LLMResponseError) as info:
        _call(provider, fake_provider_env, use_async=False, schema=SCHEMA)
    assert "cut off at the token limit" in str(info.value)


@pytest.mark.parametrize("provider", FAMILIES)
def test_fenced_json_with_prose_is_accepted(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Reply(json={"description": "Orders."}, fenced=True, prose=True))
    client = create_client(get_provider_config(provider), SETTINGS, fake_provider_env)
    assert client.complete(_request(SCHEMA)).parsed == {"description": "Orders."}


@pytest.mark.parametrize("provider", FAMILIES)
def test_wrong_shape_is_response_error_naming_the_problem(
    provider: str, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Reply(json={"summary": "Orders."}))
    with pytest.raises(LLMResponseError) as info:
        _call(provider, fake_provider_env, use_async=False, schema=SCHEMA)
    assert "description" in str(info.value)


def test_sdk_exception_is_chained_as_cause(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    import openai

    fake_provider.script(Fail(503))
    with pytest.raises(LLMError) as info:
        _call("openai", fake_provider_env, use_async=False)
    assert isinstance(info.value.__cause__, openai.InternalServerError)


def test_error_carries_request_id(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(500))
    with pytest.raises(LLMAPIError) as info:
        _call("anthropic", fake_provider_env, use_async=False)
    assert info.value.request_id and info.value.request_id.startswith("req_fake_")


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "12"}) == 12.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0) == 10.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
