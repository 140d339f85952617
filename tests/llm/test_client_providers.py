"""Every provider end to end through its real SDK against the fake provider server, sync and async."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from tests.fakes.fake_provider import FakeProviderServer, Reply

from dbt_osmosis.core.llm.factory import cached_client_count, create_client
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message

PROVIDERS = [
    "openai",
    "azure-openai",
    "anthropic",
    "google-gemini",
    "ollama",
    "lm-studio",
    "openai-compatible",
]

# Which wire format the fake server must have seen for each provider: proves the native SDK was used
# (Anthropic and Gemini no longer go through OpenAI-compatibility shims).
EXPECTED_WIRE = {
    "openai": "openai",
    "azure-openai": "azure",
    "anthropic": "anthropic",
    "google-gemini": "gemini",
    "ollama": "openai",
    "lm-studio": "openai",
    "openai-compatible": "openai",
}

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

SETTINGS = LLMSettings(timeout=10, connect_timeout=5)


@pytest.fixture
def env(fake_provider_env: dict[str, str], fake_provider: FakeProviderServer) -> dict[str, str]:
    return {
        **fake_provider_env,
        "OPENAI_COMPATIBLE_BASE_URL": f"{fake_provider.base_url}/v1",
        "OPENAI_COMPATIBLE_MODEL": "my-vllm-model",
    }


def _request(**kwargs: object) -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You write dbt docs."), Message("user", "Document the orders model.")),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_plain_text_completion_sync(
    provider: str, env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Reply(text="One row per order.", prompt_tokens=42, completion_tokens=7))
    client = create_client(get_provider_config(provider), SETTINGS, env)

    response = client.complete(_request(temperature=0.2, max_tokens=100))

    assert response.text == "One row per order."
    assert response.parsed is None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (42, 7)
    assert response.provider == provider
    assert response.request_id
    assert response.latency_s >= 0
    seen = fake_provider.requests[-1]
    assert seen.wire == EXPECTED_WIRE[provider]
    assert "Document the orders model." in seen.prompt_text
    assert "You write dbt docs." in seen.prompt_text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_structured_completion_async(
    provider: str, env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    client = create_client(get_provider_config(provider), SETTINGS, env)

    response = asyncio.run(client.acomplete(_request(json_schema=SCHEMA, schema_name="model_doc")))

    assert isinstance(response.parsed, dict)
    assert isinstance(response.parsed["description"], str)
    assert response.parsed["columns"][0].keys() == {"name", "description"}
    # The provider's own structured-output mechanism carried the schema on the wire.
    assert fake_provider.requests[-1].json_schema == SCHEMA


@pytest.mark.parametrize("provider", PROVIDERS)
def test_structured_completion_sync_and_async_agree(
    provider: str, env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    answer = {"description": "Orders.", "columns": [{"name": "id", "description": "Order id."}]}
    fake_provider.script(Reply(json=answer), Reply(json=answer))
    client = create_client(get_provider_config(provider), SETTINGS, env)

    sync = client.complete(_request(json_schema=SCHEMA))
    asynchronous = asyncio.run(client.acomplete(_request(json_schema=SCHEMA)))

    assert sync.parsed == asynchronous.parsed == answer


def test_default_models_are_sent(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    for provider, model in [
        ("openai", "gpt-4.1-mini"),
        ("anthropic", "claude-haiku-4-5"),
        ("google-gemini", "gemini-2.5-flash"),
        ("ollama", "llama3.1"),
    ]:
        create_client(get_provider_config(provider), SETTINGS, env).complete(_request())
        assert fake_provider.requests[-1].model == model


def test_model_env_overrides_default(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    client = create_client(get_provider_config("openai"), SETTINGS, {**env, "OPENAI_MODEL": "gpt-4.1"})
    client.complete(_request())
    assert client.model == "gpt-4.1"
    assert fake_provider.requests[-1].model == "gpt-4.1"


def test_response_headers_are_exposed_lower_case(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    response = create_client(get_provider_config("openai"), SETTINGS, env).complete(_request())
    assert response.headers["x-request-id"] == response.request_id
    assert all(name == name.lower() for name in response.headers)


def test_prompt_only_json_when_the_model_lacks_schema_support(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    answer = {"description": "Orders.", "columns": []}
    fake_provider.script(Reply(json=answer, fenced=True, prose=True))
    client = create_client(
        get_provider_config("lm-studio"), SETTINGS, {**env, "LM_STUDIO_JSON_SCHEMA": "false"}
    )

    response = client.complete(_request(json_schema=SCHEMA))

    seen = fake_provider.requests[-1]
    assert "response_format" not in seen.body
    assert "JSON Schema" in seen.body["messages"][0]["content"]
    assert response.parsed == answer


def test_anthropic_uses_strict_json_output(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    create_client(get_provider_config("anthropic"), SETTINGS, env).complete(
        _request(json_schema=SCHEMA, schema_name="model doc!")
    )
    body = fake_provider.requests[-1].body
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "tools" not in body and "tool_choice" not in body
    assert body["system"] == "You write dbt docs."


def test_anthropic_models_without_structured_outputs_use_forced_tool_use(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    older = {**env, "ANTHROPIC_MODEL": "claude-3-5-haiku-latest"}
    create_client(get_provider_config("anthropic"), SETTINGS, older).complete(
        _request(json_schema=SCHEMA, schema_name="model doc!")
    )
    body = fake_provider.requests[-1].body
    assert body["tool_choice"] == {"type": "tool", "name": "model_doc_"}
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert "output_config" not in body


def test_openai_strict_schema_flag(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    client = create_client(get_provider_config("openai"), SETTINGS, env)
    client.complete(_request(json_schema=SCHEMA))
    strict_format = fake_provider.requests[-1].body["response_format"]
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    fake_provider.script(Reply(json={"a": "x"}))
    client.complete(_request(json_schema=loose))
    loose_format = fake_provider.requests[-1].body["response_format"]

    assert strict_format["type"] == "json_schema"
    assert strict_format["json_schema"]["strict"] is True
    assert loose_format["json_schema"]["strict"] is False


def test_clients_are_cached_per_configuration(env: dict[str, str]) -> None:
    first = create_client(get_provider_config("openai"), SETTINGS, env)
    again = create_client(get_provider_config("openai"), SETTINGS, env)
    other_model = create_client(get_provider_config("openai"), SETTINGS, {**env, "OPENAI_MODEL": "gpt-4.1"})
    other_key = create_client(
        get_provider_config("openai"), SETTINGS, {**env, "OPENAI_API_KEY": "sk-other-key-123"}
    )
    other_timeout = create_client(
        get_provider_config("openai"), dataclasses.replace(SETTINGS, timeout=3), env
    )

    assert first is again
    assert len({id(first), id(other_model), id(other_key), id(other_timeout)}) == 4
    assert cached_client_count() == 4


def test_sdk_client_is_built_once_across_calls(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    client = create_client(get_provider_config("anthropic"), SETTINGS, env)
    client.complete(_request())
    sdk = client.sdk_client  # type: ignore[attr-defined]
    client.complete(_request())
    assert client.sdk_client is sdk  # type: ignore[attr-defined]
    assert len(fake_provider.requests) == 2


def test_provider_from_llm_provider_env(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    client = create_client(None, SETTINGS, {**env, "LLM_PROVIDER": "Google-Gemini"})
    client.complete(_request())
    assert client.provider == "google-gemini"
    assert fake_provider.requests[-1].wire == "gemini"


def test_gemini_shim_base_url_from_old_config_still_works(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    # The old module pointed an OpenAI client at Gemini's /v1beta/openai shim; that value must still work.
    old_style = {**env, "GOOGLE_GEMINI_BASE_URL": f"{fake_provider.base_url}/v1beta/openai"}
    response = create_client(get_provider_config("google-gemini"), SETTINGS, old_style).complete(_request())
    assert response.text
    assert fake_provider.requests[-1].wire == "gemini"


def test_many_concurrent_async_requests_share_one_client(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    client = create_client(get_provider_config("openai"), SETTINGS, env)

    async def run() -> list[str]:
        replies = await asyncio.gather(*(client.acomplete(_request()) for _ in range(20)))
        return [reply.text for reply in replies]

    texts = asyncio.run(run())
    assert len(texts) == 20 and all(texts)
    assert fake_provider.usage_totals()["requests"] == 20
