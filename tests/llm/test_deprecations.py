"""Deprecated paths keep working and warn once per process; the new API and generate_* never warn."""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Iterator

import pytest
from tests.fakes.fake_provider import FAKE_API_KEY, FakeProviderServer, Reply

import dbt_osmosis.core.llm as llm

_PREFIXES = (
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
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OSMOSIS_LLM_RATE_LIMIT", "100000")
    yield


@pytest.fixture
def legacy_azure_env(monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer) -> None:
    monkeypatch.setenv("OPENAI_API_TYPE", "azure")
    monkeypatch.setenv("OPENAI_API_BASE", fake_provider.base_url)
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_DEPLOYMENT_NAME", "legacy-deploy")


def _deprecations(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_legacy_azure_env_maps_to_azure_openai_and_warns_once(
    legacy_azure_env: None, fake_provider: FakeProviderServer
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = llm.create_client()
        client.complete(llm.LLMRequest(messages=(llm.Message("user", "hi"),)))
        llm.create_client()
        llm.generate_table_doc("select 1", "t")
    messages = _deprecations(caught)
    assert len(messages) == 1
    assert "azure-openai" in messages[0] and "2.0.0" in messages[0] and "AZURE_OPENAI_BASE_URL" in messages[0]
    assert client.provider == "azure-openai" and client.model == "legacy-deploy"
    assert fake_provider.requests[0].wire == "azure"
    assert fake_provider.requests[0].path == "/openai/deployments/legacy-deploy/chat/completions"


def test_get_llm_client_warns_once_naming_the_replacement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm.get_llm_client()
        llm.get_llm_client()
    messages = _deprecations(caught)
    assert len(messages) == 1
    assert "direct openai module usage" in messages[0]
    assert "create_client/LLMClient" in messages[0]
    assert "2.0.0" in messages[0]
    assert caught[0].filename == __file__


def test_new_api_raises_no_warnings(
    monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for provider in ("openai", "azure-openai", "anthropic", "google-gemini", "ollama", "lm-studio"):
            client = llm.create_client(llm.get_provider_config(provider))
            request = llm.LLMRequest(
                messages=(llm.Message("user", "hi"),), json_schema=llm.DESCRIPTION_SCHEMA
            )
            assert client.complete(request).parsed
            assert asyncio.run(client.acomplete(request)).parsed
        managed = llm.build_managed_client(llm.LLMSettings.from_env())
        assert managed.complete(llm.LLMRequest(messages=(llm.Message("user", "hi"),))).text


def test_generate_functions_raise_no_warnings(
    monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    fake_provider.script(Reply(json={"description": "d", "columns": []}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert llm.generate_model_spec_as_json("select 1") == {"description": "d", "columns": []}
        assert llm.generate_column_doc("id")
        assert llm.generate_table_doc("select 1", "t")


def test_generate_functions_with_patched_client_raise_no_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    class _Completions:
        def create(self, **_: object) -> object:
            return type(
                "R", (), {"choices": [type("C", (), {"message": type("M", (), {"content": "Docs."})})]}
            )

    client = type("Client", (), {"chat": type("Chat", (), {"completions": _Completions()})})
    monkeypatch.setattr(llm, "get_llm_client", lambda: (client, "m"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert llm.generate_column_doc("id") == "Docs."
        assert llm.generate_table_doc("select 1", "t") == "Docs."
