"""Models that refuse parameters: the client learns from the real 400s, re-sends at once, remembers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.fakes.fake_provider import Fail, FakeProviderServer, Reply

from dbt_osmosis.core.llm.capabilities import (
    CAPABILITIES_FILE,
    CapabilityStore,
    classify_refusal,
    rejects_temperature_by_default,
)
from dbt_osmosis.core.llm.exceptions import LLMAPIError, LLMAuthError, LLMInternalError, LLMParameterError
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message
from dbt_osmosis.core.llm.usage import LLMUsageStats

SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}


def _request(text: str = "Describe the orders model.") -> LLMRequest:
    return LLMRequest(messages=(Message("user", text),), temperature=0.2, json_schema=SCHEMA)


def _client(
    provider: str,
    env: dict[str, str],
    *,
    settings: LLMSettings | None = None,
    store: CapabilityStore | None = None,
) -> ManagedClient:
    settings = settings or LLMSettings()
    inner = create_client(get_provider_config(provider), settings, env)
    return ManagedClient(
        inner,
        retry=RetryPolicy(max_retries=2, base_delay=0.0),
        usage=LLMUsageStats(),
        settings=settings,
        capabilities=store or CapabilityStore(),
    )


# ---- recognising refusals in the bodies providers really send ---------------------------------------


def test_real_refusal_bodies_are_recognised() -> None:
    openai_temperature = {
        "error": {
            "message": "Unsupported value: 'temperature' does not support 0.2 with this model. "
            "Only the default (1) value is supported.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "unsupported_value",
        }
    }
    o1_temperature = {
        "error": {
            "message": "Unsupported parameter: 'temperature' is not supported with this model.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "unsupported_parameter",
        }
    }
    azure_schema = {
        "error": {
            "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with "
            "this model. Learn more about supported models at the Structured Outputs guide",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    json_object = {
        "error": {
            "message": "Invalid parameter: 'response_format' of type 'json_object' is not supported with "
            "this model.",
            "type": "invalid_request_error",
            "param": "response_format",
            "code": None,
        }
    }
    for body, expected in (
        (openai_temperature, "temperature"),
        (o1_temperature, "temperature"),
        (azure_schema, "response_format"),
        (json_object, "response_format"),
    ):
        assert classify_refusal(400, body, body["error"]["message"]) == expected  # type: ignore[index]
    gemini = "Invalid JSON payload received. Unknown name \"responseJsonSchema\" at 'generation_config'"
    assert classify_refusal(400, {"error": {"message": gemini}}, gemini) == "response_format"


def test_other_errors_are_not_refusals() -> None:
    # A schema the provider rejects is our bug, and a 500 or a 400 about something else is no refusal.
    bad_schema = "Invalid schema for response_format 'x': 'additionalProperties' is required to be false"
    assert classify_refusal(400, {"error": {"message": bad_schema}}, bad_schema) is None
    assert classify_refusal(500, {"error": {"param": "temperature"}}, "temperature unsupported") is None
    too_long = "This model's maximum context length is 8192 tokens."
    assert classify_refusal(400, {"error": {"message": too_long}}, too_long) is None


def test_known_reasoning_families_skip_temperature() -> None:
    for model in ("o1", "o1-mini", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "openai/o3"):
        assert rejects_temperature_by_default(model), model
    for model in ("gpt-4.1-mini", "gpt-4o", "claude-haiku-4-5", "llama3.1", "gpt-50-turbo", "o1x"):
        assert not rejects_temperature_by_default(model), model


# ---- learning through the real SDKs -----------------------------------------------------------------


def test_temperature_refused_once_then_never_sent_again(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"temperature"}
    client = _client("openai", fake_provider_env)
    for _ in range(3):
        assert client.complete(_request()).parsed == {"description": "Fake description of description."}
    bodies = [r.body for r in fake_provider.requests]
    assert fake_provider.refused == 1
    assert bodies[0]["temperature"] == 0.2 and all("temperature" not in b for b in bodies[1:])
    assert client.usage is not None
    totals = client.usage.totals()
    # The refused attempt was sent (a request) but is not a retry of a transient failure.
    assert (totals.requests, totals.refused, totals.retries, totals.answered) == (4, 1, 0, 3)


def test_azure_steps_down_from_json_schema_to_json_object_to_the_prompt(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"json_schema", "json_object"}
    # The answer still has to match the schema when JSON is only asked for in the prompt.
    fake_provider.script(Reply(json={"description": "Orders."}))
    client = _client("azure-openai", fake_provider_env)
    assert client.complete(_request()).parsed == {"description": "Orders."}
    formats = [(r.body.get("response_format") or {}).get("type") for r in fake_provider.requests]
    assert formats == ["json_schema", "json_object", None]
    assert "JSON Schema" in fake_provider.requests[-1].prompt_text
    assert fake_provider.refused == 2


def test_a_stepped_down_answer_is_still_validated(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"json_schema"}
    fake_provider.script(Reply(json={"wrong": "shape"}))
    client = _client("openai", fake_provider_env)
    with pytest.raises(ValueError, match="description"):
        client.complete(_request())


# Anthropic has two schema mechanisms to step down from: strict JSON outputs, then the forced tool.
@pytest.mark.parametrize(("provider", "refusals"), [("google-gemini", 1), ("anthropic", 2)])
def test_other_wires_step_down_from_their_schema_mechanism(
    provider: str, refusals: int, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"json_schema"}
    client = _client(provider, fake_provider_env)
    assert client.complete(_request()).parsed == {"description": "Fake description of description."}
    assert fake_provider.refused == refusals and len(fake_provider.requests) == refusals + 1


def test_what_was_learned_is_remembered_by_the_next_run(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], tmp_path: Path
) -> None:
    fake_provider.refuse = {"temperature", "json_schema"}
    settings = LLMSettings(cache_dir=tmp_path)
    build_managed_client(settings, env=fake_provider_env, runtime=LLMRuntime()).complete(_request())
    assert fake_provider.refused == 2
    saved = json.loads((tmp_path / CAPABILITIES_FILE).read_text())
    assert saved["models"]["openai/gpt-4.1-mini"] == {"temperature": False, "json_mode": "object"}
    assert "sk-" not in (tmp_path / CAPABILITIES_FILE).read_text()

    fake_provider.reset()
    fake_provider.refuse = {"temperature", "json_schema"}
    next_run = LLMRuntime()  # a new process starts with nothing in memory
    build_managed_client(settings, env=fake_provider_env, runtime=next_run).complete(_request())
    assert fake_provider.refused == 0 and len(fake_provider.requests) == 1


def test_known_family_never_sends_temperature(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"temperature"}
    client = _client("openai", {**fake_provider_env, "OPENAI_MODEL": "o3-mini"})
    client.complete(_request())
    assert fake_provider.refused == 0 and "temperature" not in fake_provider.requests[0].body


def test_hand_settings_choose_temperature_and_json_mode(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], llm_runtime: LLMRuntime
) -> None:
    settings = LLMSettings.from_env({"OSMOSIS_LLM_TEMPERATURE": "0.7", "OSMOSIS_LLM_JSON_MODE": "prompt"})
    _client("openai", fake_provider_env, settings=settings).complete(_request())
    body = fake_provider.requests[0].body
    assert body["temperature"] == 0.7 and "response_format" not in body

    fake_provider.reset()
    llm_runtime.clear_clients()
    settings = LLMSettings.from_env({"OSMOSIS_LLM_TEMPERATURE": "default", "OSMOSIS_LLM_JSON_MODE": "object"})
    _client("openai", fake_provider_env, settings=settings).complete(_request())
    body = fake_provider.requests[0].body
    assert "temperature" not in body and body["response_format"] == {"type": "json_object"}


def test_concurrent_requests_cost_at_most_the_refusals_of_one(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"temperature", "json_schema"}
    fake_provider.latency = 0.02
    client = _client("openai", fake_provider_env)

    async def run() -> list[object]:
        return await asyncio.gather(*(client.acomplete(_request(f"node {i}")) for i in range(12)))

    answers = asyncio.run(run())
    assert len(answers) == 12
    # Only the first request goes out until the model's parameters are settled.
    assert fake_provider.refused == 2
    assert len(fake_provider.requests) == 14


def test_a_rejected_key_is_sent_once_however_many_requests_wait(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    # The requests waiting for the model's first answer used to be let through when that answer was
    # a 401, each sending the same bad key; now they fail at once with the provider's own refusal.
    fake_provider.responder = lambda request: Fail(401)
    client = _client("openai", fake_provider_env)

    async def run() -> list[object]:
        calls = (client.acomplete(_request(f"node {i}")) for i in range(6))
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(run())
    assert len(fake_provider.requests) == 1
    assert all(isinstance(outcome, LLMAuthError) for outcome in outcomes)
    assert len({str(outcome) for outcome in outcomes}) == 1  # the same words for every node
    with pytest.raises(LLMAuthError):
        client.complete(_request("later, in the same run"))
    assert len(fake_provider.requests) == 1


def test_a_refusal_with_nothing_left_to_drop_fails_without_looping(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    body = {"error": {"message": "Unsupported parameter: 'temperature'", "param": "temperature"}}
    fake_provider.script(*[Fail(400, body=body)] * 5)
    client = _client("openai", fake_provider_env)
    with pytest.raises(LLMParameterError) as info:
        client.complete(_request())
    assert info.value.parameter == "temperature"
    # One refusal with temperature, then one without it that was refused all the same: give up.
    assert len(fake_provider.requests) == 2


def test_an_unrecognised_exception_is_an_internal_error_and_not_retried() -> None:
    calls: list[LLMRequest] = []

    class Broken:
        provider, model = "mock", "mock-model"

        def complete(self, request: LLMRequest) -> object:
            calls.append(request)
            raise KeyError("choices")

        async def acomplete(self, request: LLMRequest) -> object:
            return self.complete(request)

    client = ManagedClient(Broken(), retry=RetryPolicy(max_retries=3, base_delay=0.0))  # type: ignore[arg-type]
    with pytest.raises(LLMInternalError, match="KeyError") as info:
        client.complete(_request())
    assert len(calls) == 1 and not isinstance(info.value, LLMAPIError)
