"""Anthropic's strict structured output (JSON outputs, ``output_config.format``), through the real SDK.

Asked for where the model may have it, answered as text (streamed as text deltas or in one body);
refused with the 400 Bedrock, Vertex and gateways send ("output_config.format: Extra inputs are not
permitted"), the model steps down to the forced tool once for the whole run and remembers it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tests.fakes.fake_provider import FakeProviderServer, Reply

from dbt_osmosis.core.llm.capabilities import CAPABILITIES_FILE, CapabilityStore
from dbt_osmosis.core.llm.exceptions import LLMResponseError
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.managed import ManagedClient
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.structured import strict_subset
from dbt_osmosis.core.llm.types import LLMRequest, Message
from dbt_osmosis.core.llm.usage import LLMUsageStats

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "description": {"type": "string", "maxLength": 60},
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
ANSWER = {"description": "Orders placed.", "columns": [{"name": "id", "description": "Order id."}]}
MODEL_KEY = "anthropic/claude-haiku-4-5"


def _request(text: str = "Describe the orders model.", **kwargs: Any) -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You write dbt docs."), Message("user", text)),
        json_schema=kwargs.pop("json_schema", SCHEMA),
        schema_name="model_documentation",
        **kwargs,
    )


def _client(
    env: dict[str, str], *, settings: LLMSettings | None = None, store: CapabilityStore | None = None
) -> ManagedClient:
    settings = settings or LLMSettings()
    return ManagedClient(
        create_client(get_provider_config("anthropic"), settings, env),
        retry=RetryPolicy(max_retries=0, base_delay=0.0),
        usage=LLMUsageStats(),
        settings=settings,
        capabilities=store or CapabilityStore(),
    )


def _strict(body: dict[str, Any]) -> bool:
    return "output_config" in body


# ---- what is sent, and how the answer comes back ----------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "one-body"])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_supporting_model_is_asked_strictly_and_its_text_answer_is_read(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], stream: bool, asynchronous: bool
) -> None:
    fake_provider.script(Reply(json=ANSWER))
    client = _client(fake_provider_env, settings=LLMSettings(stream=stream))
    request = _request()
    response = asyncio.run(client.acomplete(request)) if asynchronous else client.complete(request)
    assert response.parsed == ANSWER
    body = fake_provider.requests[0].body
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": strict_subset(SCHEMA)}}
    assert "tools" not in body and "tool_choice" not in body
    assert bool(body.get("stream")) is stream
    assert fake_provider.refused == 0


def test_an_sdk_from_before_json_outputs_sends_the_same_body(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dbt_osmosis.core.llm.adapters import anthropic as adapter_module

    monkeypatch.setattr(adapter_module, "_sdk_takes_output_config", lambda: False)
    _client(fake_provider_env).complete(_request())
    body = fake_provider.requests[0].body
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": strict_subset(SCHEMA)}}
    assert "extra_body" not in body


def test_the_schema_sent_is_closed_and_keeps_its_bounds_in_words() -> None:
    sent = strict_subset(SCHEMA)
    assert sent is not None
    assert sent["additionalProperties"] is False
    assert sent["properties"]["columns"]["items"]["additionalProperties"] is False
    assert "maxLength" not in sent["properties"]["description"]
    assert sent["properties"]["description"]["description"] == "(maxLength 60)"
    # The caller's schema is left as it was; a schema already in the subset is sent unchanged.
    assert "additionalProperties" not in SCHEMA
    closed = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    assert json.dumps(strict_subset(closed)) == json.dumps(closed)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "array", "items": {"type": "string"}}, None),  # the root must be an object
        ({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}}, None),
        (
            {"type": "object", "properties": {"d": {"type": "string", "format": "date", "minLength": 1}}},
            {
                "type": "object",
                "properties": {"d": {"type": "string", "format": "date", "description": "(minLength 1)"}},
                "additionalProperties": False,
            },
        ),
        (
            {"type": "object", "properties": {"t": {"type": "array", "minItems": 1, "maxItems": 3}}},
            {
                "type": "object",
                "properties": {"t": {"type": "array", "minItems": 1, "description": "(maxItems 3)"}},
                "additionalProperties": False,
            },
        ),
    ],
    ids=["array-root", "one-of", "known-format", "min-items-1"],
)
def test_the_strict_subset_keeps_what_strict_output_takes(
    schema: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert strict_subset(schema) == expected


def test_the_fake_refuses_strict_output_in_anthropic_s_own_words(fake_provider: FakeProviderServer) -> None:
    import anthropic

    fake_provider.refuse = {"strict"}
    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=fake_provider.base_url, max_retries=0)
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=64,
            messages=[{"role": "user", "content": "Describe orders."}],
            output_config={"format": {"type": "json_schema", "schema": strict_subset(SCHEMA) or {}}},
        )
    assert caught.value.status_code == 400
    assert caught.value.body == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "output_config.format: Extra inputs are not permitted",
        },
    }


def test_a_bound_strict_output_cannot_carry_is_still_checked_on_the_answer(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.script(Reply(json={**ANSWER, "description": "x" * 61}))
    with pytest.raises(LLMResponseError, match="more than the maximum of 60"):
        _client(fake_provider_env).complete(_request())
    assert _strict(fake_provider.requests[0].body)


def test_a_schema_strict_output_cannot_express_goes_as_the_forced_tool(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    open_map = {"type": "object", "additionalProperties": {"type": "string"}}
    fake_provider.script(Reply(json={"orders": "Orders placed."}))
    client = _client(fake_provider_env)
    assert client.complete(_request(json_schema=open_map)).parsed == {"orders": "Orders placed."}
    body = fake_provider.requests[0].body
    assert not _strict(body) and body["tools"][0]["input_schema"] == open_map
    # Nothing was refused, so nothing is learned: the next request with a closed schema is strict.
    client.complete(_request())
    assert _strict(fake_provider.requests[1].body)


@pytest.mark.parametrize("model", ["claude-3-5-haiku-latest", "claude-sonnet-4-20250514", "claude-opus-4-1"])
def test_models_documented_without_structured_outputs_get_the_forced_tool_at_once(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], model: str
) -> None:
    fake_provider.refuse = {"strict"}
    _client({**fake_provider_env, "ANTHROPIC_MODEL": model}).complete(_request())
    assert fake_provider.refused == 0 and len(fake_provider.requests) == 1
    assert fake_provider.requests[0].body["tool_choice"]["type"] == "tool"


def test_strict_output_can_be_turned_off_by_hand(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    settings = LLMSettings.from_env({"OSMOSIS_LLM_JSON_MODE": "schema"})
    _client(fake_provider_env, settings=settings).complete(_request())
    body = fake_provider.requests[0].body
    assert not _strict(body) and body["tool_choice"] == {"type": "tool", "name": "model_documentation"}


def test_strict_asked_of_a_provider_without_it_is_its_schema_mechanism(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    settings = LLMSettings.from_env({"OSMOSIS_LLM_JSON_MODE": "strict"})
    inner = create_client(get_provider_config("openai"), settings, fake_provider_env)
    ManagedClient(inner, settings=settings).complete(_request())
    assert fake_provider.requests[0].body["response_format"]["type"] == "json_schema"


# ---- refused: fall back, learn once, remember ------------------------------------------------------


def test_a_refused_strict_request_falls_back_to_the_forced_tool_and_is_remembered(
    fake_provider: FakeProviderServer,
    fake_provider_env: dict[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_provider.refuse = {"strict"}
    fake_provider.script(Reply(json=ANSWER))
    store = CapabilityStore(tmp_path / CAPABILITIES_FILE)
    assert _client(fake_provider_env, store=store).complete(_request()).parsed == ANSWER
    sent = [r.body for r in fake_provider.requests]
    assert [_strict(body) for body in sent] == [True, False]
    assert sent[1]["tool_choice"] == {"type": "tool", "name": "model_documentation"}
    assert fake_provider.refused == 1
    notes = [r.getMessage() for r in caplog.records if "strict structured output" in r.getMessage()]
    assert len(notes) == 1 and "asking with a forced tool instead" in notes[0]
    saved = json.loads((tmp_path / CAPABILITIES_FILE).read_text())
    assert saved["version"] == 2
    assert saved["models"][MODEL_KEY] == {"temperature": True, "json_mode": "schema"}

    # The next run (a new process: a new store reading the file) asks with the tool straight away.
    fake_provider.reset()
    fake_provider.refuse = {"strict"}
    _client(fake_provider_env, store=CapabilityStore(tmp_path / CAPABILITIES_FILE)).complete(_request())
    assert fake_provider.refused == 0 and len(fake_provider.requests) == 1
    assert not _strict(fake_provider.requests[0].body)


def test_concurrent_requests_pay_for_one_refusal(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.refuse = {"strict"}
    fake_provider.latency = 0.02
    client = _client(fake_provider_env)

    async def run() -> list[object]:
        return await asyncio.gather(*(client.acomplete(_request(f"node {i}")) for i in range(10)))

    assert len(asyncio.run(run())) == 10
    assert fake_provider.refused == 1 and len(fake_provider.requests) == 11


def test_a_file_written_before_strict_output_existed_does_not_keep_it_off(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], tmp_path: Path
) -> None:
    # Version 1 wrote "schema" for every Anthropic model that answered: the best there was then.
    path = tmp_path / CAPABILITIES_FILE
    older = {"temperature": True, "json_mode": "schema"}
    path.write_text(json.dumps({"version": 1, "models": {MODEL_KEY: older, "openai/gpt-4.1-mini": older}}))
    _client(fake_provider_env, store=CapabilityStore(path)).complete(_request())
    assert _strict(fake_provider.requests[0].body)
    saved = json.loads(path.read_text())
    assert saved["version"] == 2
    assert saved["models"][MODEL_KEY] == {"temperature": True, "json_mode": "strict"}
    # A model this run did not ask keeps "nothing learned about JSON" for the next one.
    assert saved["models"]["openai/gpt-4.1-mini"] == {"temperature": True}


def test_a_version_1_file_and_a_hand_set_temperature_still_try_strict_output(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / CAPABILITIES_FILE
    older = {"temperature": False, "json_mode": "schema"}
    path.write_text(json.dumps({"version": 1, "models": {MODEL_KEY: older}}))
    settings = LLMSettings.from_env({"OSMOSIS_LLM_TEMPERATURE": "0.3"})
    _client(fake_provider_env, settings=settings, store=CapabilityStore(path)).complete(_request())
    assert _strict(fake_provider.requests[0].body)


# ---- the cached prefix --------------------------------------------------------------------------------


@pytest.mark.parametrize("refuse", [set(), {"strict"}], ids=["strict", "fallen-back"])
def test_the_prefix_is_the_same_for_every_request_and_marked_for_the_cache(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str], refuse: set[str]
) -> None:
    fake_provider.refuse = refuse
    system = "You write dbt docs. " + "Name the grain first. " * 900  # past Haiku 4.5's 4,096 tokens
    client = _client(fake_provider_env)
    for name in ("orders", "customers"):
        request = LLMRequest(
            messages=(Message("system", system), Message("user", f"Describe {name}.")),
            json_schema=SCHEMA,
            schema_name="model_documentation",
            stable_prefix_chars=len(json.dumps(SCHEMA)) + len(system),
        )
        client.complete(request)
    answered = [r.body for r in fake_provider.requests][len(refuse) :]
    assert len(answered) == 2
    prefixes = {json.dumps([b.get("output_config"), b.get("tools"), b["system"]]) for b in answered}
    assert len(prefixes) == 1
    assert answered[0]["system"] == [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]
