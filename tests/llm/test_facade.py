"""The backwards-compatible facade: old call shapes and return shapes, monkeypatching, new exports."""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from tests.fakes.fake_provider import Fail, FakeProviderServer, Reply

import dbt_osmosis.core.llm as llm

_PROVIDER_PREFIXES = (
    "LLM_PROVIDER",
    "OPENAI_",
    "AZURE_",
    "ANTHROPIC_",
    "GOOGLE_",
    "OLLAMA_",
    "LM_STUDIO_",
    "OSMOSIS_LLM_",
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(_PROVIDER_PREFIXES):
            monkeypatch.delenv(name)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    # A generous budget so the shared limiter never paces these tests.
    monkeypatch.setenv("OSMOSIS_LLM_RATE_LIMIT", "100000")
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")
    yield


def test_old_signatures_are_unchanged() -> None:
    expected = {
        "generate_model_spec_as_json": "(sql_content: 'str', upstream_docs: 'list[str] | None' = None, "
        "existing_context: 'str | None' = None, temperature: 'float' = 0.3) -> 'dict[str, Any]'",
        "generate_column_doc": "(column_name: 'str', existing_context: 'str | None' = None, "
        "table_name: 'str | None' = None, upstream_docs: 'list[str] | None' = None, "
        "temperature: 'float' = 0.7) -> 'str'",
        "generate_table_doc": "(sql_content: 'str', table_name: 'str', "
        "upstream_docs: 'list[str] | None' = None, "
        "temperature: 'float' = 0.7) -> 'str'",
        "_create_llm_prompt_for_model_docs_as_json": "(sql_content: 'str', "
        "existing_context: 'str | None' = None, "
        "upstream_docs: 'list[str] | None' = None) -> 'list[dict[str, Any]]'",
        "_create_llm_prompt_for_column": "(column_name: 'str', existing_context: 'str | None' = None, "
        "table_name: 'str | None' = None, upstream_docs: 'list[str] | None' = None) "
        "-> 'list[dict[str, str]]'",
        "_create_llm_prompt_for_table": "(sql_content: 'str', table_name: 'str', "
        "upstream_docs: 'list[str] | None' = None) -> 'list[dict[str, Any]]'",
        "get_llm_client": "() -> 'tuple[Any, str]'",
    }
    for name, signature in expected.items():
        assert str(inspect.signature(getattr(llm, name))) == signature, name


def test_all_exports_old_and_new_names() -> None:
    for name in [
        "LLMClient", "LLMRequest", "LLMResponse", "Message", "Usage", "MockLLMClient", "create_client",
        "ProviderConfig", "PROVIDERS", "get_provider_config", "LLMError", "LLMConfigError", "LLMAuthError",
        "LLMRateLimitError", "LLMTimeoutError", "LLMAPIError", "LLMResponseError", "LLMSettings",
        "ManagedClient", "build_managed_client", "RetryPolicy", "retry_with_backoff", "RateLimiter",
        "LLMUsageStats", "PriceTable", "DEFAULT_PROMPTS", "PromptSet", "load_prompts",
        "get_llm_client", "generate_model_spec_as_json", "generate_column_doc", "generate_table_doc",
    ]:  # fmt: skip
        assert name in llm.__all__, name
        assert hasattr(llm, name), name


def test_generate_model_spec_as_json_returns_the_old_dict(fake_provider: FakeProviderServer) -> None:
    answer = {"description": "One row per order.", "columns": [{"name": "id", "description": "Order key."}]}
    fake_provider.script(Reply(json=answer))

    result = llm.generate_model_spec_as_json("select id from orders", ["orders: raw orders"], "existing", 0.1)

    assert result == answer
    seen = fake_provider.requests[-1]
    assert seen.body["temperature"] == 0.1
    assert "select id from orders" in seen.prompt_text
    assert "orders: raw orders" in seen.prompt_text
    assert seen.json_schema == llm.MODEL_SPEC_SCHEMA


def test_generate_model_spec_positional_old_call_shape(fake_provider: FakeProviderServer) -> None:
    result = llm.generate_model_spec_as_json("select 1 as id")
    assert set(result) == {"description", "columns"}


def test_generate_column_doc_returns_a_string(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reply(json={"description": "  Unique order identifier.  "}))
    text = llm.generate_column_doc("order_id", "numeric key", "orders", ["order_id: the key"])
    assert text == "Unique order identifier."
    assert "order_id" in fake_provider.requests[-1].prompt_text


def test_generate_table_doc_returns_a_string_through_native_sdk(
    monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    fake_provider.script(Reply(json={"description": "Orders, one row each."}))
    assert llm.generate_table_doc("select * from raw.orders", "orders") == "Orders, one row each."
    assert fake_provider.requests[-1].wire == "anthropic"


def test_generate_functions_reuse_one_managed_client(fake_provider: FakeProviderServer) -> None:
    llm.generate_table_doc("select 1", "a")
    first = llm.default_runtime().facade_clients
    llm.generate_column_doc("x", table_name="a")
    assert llm.default_runtime().facade_clients == first and len(first) == 1


def test_max_sql_chars_is_honoured(
    monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_MAX_SQL_CHARS", "30")
    sql = "select order_id, customer_id, amount, status from raw.orders where status <> 'void'"
    llm.generate_table_doc(sql, "orders")
    prompt = fake_provider.requests[-1].prompt_text
    assert "select order_id" in prompt
    assert "where status" not in prompt
    assert "truncated" in prompt

    messages = llm._create_llm_prompt_for_model_docs_as_json(sql)
    assert "where status" not in messages[1]["content"]


def test_prompt_builders_return_old_message_shape() -> None:
    for messages in (
        llm._create_llm_prompt_for_model_docs_as_json("select 1", "ctx", ["up"]),
        llm._create_llm_prompt_for_column("id", "ctx", "orders", ["up"]),
        llm._create_llm_prompt_for_table("select 1", "orders", ["up"]),
    ):
        assert [m["role"] for m in messages] == ["system", "user"]
        assert all(isinstance(m["content"], str) and m["content"] for m in messages)
    column = llm._create_llm_prompt_for_column("order_id", table_name="orders")
    assert "order_id" in column[1]["content"] and "orders" in column[1]["content"]


def test_bad_reply_raises_value_error_subclass(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reply(text="I am not JSON at all"))
    with pytest.raises(ValueError) as info:
        llm.generate_model_spec_as_json("select 1")
    assert isinstance(info.value, llm.LLMResponseError)


def test_server_errors_are_retried_by_the_managed_client(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Fail(503), Reply(json={"description": "Recovered."}))
    assert llm.generate_table_doc("select 1", "t") == "Recovered."
    assert len(fake_provider.requests) == 2


# ---- monkeypatched get_llm_client, the way existing user test suites do it ----------------------


class _FakeCompletions:
    def __init__(self, content: str) -> None:
        self.content = content
        self.calls: list[dict[str, Any]] = []

    def create(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        message = SimpleNamespace(content=self.content)
        return SimpleNamespace(choices=[SimpleNamespace(message=message)])


def _patch(monkeypatch: pytest.MonkeyPatch, content: str) -> _FakeCompletions:
    completions = _FakeCompletions(content)
    client = SimpleNamespace(chat=SimpleNamespace(completions=completions))
    monkeypatch.setattr("dbt_osmosis.core.llm.get_llm_client", lambda: (client, "patched-model"))
    return completions


def test_monkeypatched_client_drives_generate_model_spec(
    monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    completions = _patch(monkeypatch, '```json\n{"description": "d", "columns": []}\n```')
    assert llm.generate_model_spec_as_json("select 1", temperature=0.5) == {"description": "d", "columns": []}
    assert completions.calls[0]["model"] == "patched-model"
    assert completions.calls[0]["temperature"] == 0.5
    assert completions.calls[0]["messages"][0]["role"] == "system"
    assert fake_provider.requests == []


def test_monkeypatched_client_plain_text_column_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, "  The order key.\n")
    assert llm.generate_column_doc("id") == "The order key."


def test_monkeypatched_client_json_table_doc(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, '{"description": "All orders."}')
    assert llm.generate_table_doc("select 1", "orders") == "All orders."


def test_monkeypatched_client_empty_reply_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, "")
    with pytest.raises(llm.LLMResponseError, match="empty"):
        llm.generate_column_doc("id")


def test_monkeypatched_client_invalid_json_raises_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, "sorry, no")
    with pytest.raises(ValueError):
        llm.generate_model_spec_as_json("select 1")


# ---- get_llm_client() itself ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_get_llm_client_returns_working_openai_sdk_client(fake_provider: FakeProviderServer) -> None:
    import openai

    client, model_engine = llm.get_llm_client()
    assert isinstance(client, openai.OpenAI)
    assert model_engine == "gpt-4.1-mini"
    response = client.chat.completions.create(
        model=model_engine, messages=[{"role": "user", "content": "hi"}], temperature=0.3
    )
    assert response.choices[0].message.content


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("provider", "wire"), [("anthropic", "anthropic"), ("google-gemini", "gemini")])
def test_get_llm_client_old_call_works_for_native_sdk_providers(
    provider: str, wire: str, monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", provider)
    fake_provider.script(Reply(text="Hello there."))
    client, model_engine = llm.get_llm_client()
    response = client.chat.completions.create(
        model=model_engine,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
    )
    assert response.choices[0].message.content == "Hello there."
    assert fake_provider.requests[-1].wire == wire


def test_get_llm_client_missing_key_is_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="OPENAI_API_KEY"):
        llm.get_llm_client()


def test_mock_client_can_be_injected_into_managed_client() -> None:
    mock = llm.MockLLMClient([{"description": "From the mock."}])
    client = llm.build_managed_client(llm.LLMSettings(), inner=mock)
    request = llm.LLMRequest(messages=(llm.Message("user", "x"),), json_schema=llm.DESCRIPTION_SCHEMA)
    assert client.complete(request).parsed == {"description": "From the mock."}
    # The managed client only says how to ask for JSON (the best way, as nothing was refused).
    assert mock.calls == [dataclasses.replace(request, json_mode="schema")]
