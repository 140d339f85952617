"""The provider registry: variables, defaults, configuration errors, base-URL compatibility."""

from __future__ import annotations

import dataclasses

import pytest

from dbt_osmosis.core.llm import providers
from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.providers import PROVIDERS, get_provider_config, provider_from_env, resolve_provider
from dbt_osmosis.core.llm.settings import LLMSettings

KEY = "sk-test-SECRET-abcdef123456"


def test_registry_has_every_provider() -> None:
    assert set(PROVIDERS) == {
        "openai",
        "azure-openai",
        "anthropic",
        "google-gemini",
        "ollama",
        "lm-studio",
        "openai-compatible",
    }


def test_unknown_provider_lists_the_valid_ones() -> None:
    with pytest.raises(LLMConfigError) as info:
        create_client(None, LLMSettings(), {"LLM_PROVIDER": "bedrock"})
    message = str(info.value)
    assert "'bedrock'" in message
    for name in PROVIDERS:
        assert name in message
    assert isinstance(info.value, ValueError)


def test_missing_variables_are_named_together(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without azure-identity a key is mandatory, so all three variables are missing at once.
    real = providers._module_available
    monkeypatch.setattr(providers, "_module_available", lambda m: m != "azure.identity" and real(m))
    with pytest.raises(LLMConfigError) as info:
        resolve_provider(get_provider_config("azure-openai"), {})
    message = str(info.value)
    for name in ("AZURE_OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT_NAME"):
        assert name in message


def test_azure_key_optional_when_entra_id_is_available() -> None:
    env = {"AZURE_OPENAI_BASE_URL": "https://x.openai.azure.com", "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt4o"}
    resolved = resolve_provider(get_provider_config("azure-openai"), env)
    assert resolved.api_key is None
    assert resolved.api_version == "2024-10-21"
    assert resolved.model == "gpt4o"


def test_openai_compatible_requires_base_url_and_model() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_COMPATIBLE_BASE_URL, OPENAI_COMPATIBLE_MODEL"):
        resolve_provider(get_provider_config("openai-compatible"), {})


def test_missing_sdk_extra_names_the_pip_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers, "_module_available", lambda module: module != "anthropic")
    with pytest.raises(LLMConfigError) as info:
        resolve_provider(get_provider_config("anthropic"), {"ANTHROPIC_API_KEY": KEY})
    assert "pip install anthropic " in str(info.value) and "[anthropic] extra" in str(info.value)


def test_gemini_extra_is_named_for_google_genai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers, "_module_available", lambda module: module != "google.genai")
    with pytest.raises(LLMConfigError, match=r"pip install google-genai .*\[gemini\] extra"):
        resolve_provider(get_provider_config("google-gemini"), {"GOOGLE_GEMINI_API_KEY": KEY})


def test_local_providers_need_no_variables() -> None:
    ollama = resolve_provider(get_provider_config("ollama"), {})
    studio = resolve_provider(get_provider_config("lm-studio"), {})
    assert (ollama.base_url, ollama.model, ollama.api_key) == (
        "http://localhost:11434/v1",
        "llama3.1",
        "ollama",
    )
    assert (studio.base_url, studio.api_key) == ("http://localhost:1234/v1", "lm-studio")


def test_defaults_name_current_models() -> None:
    assert resolve_provider(get_provider_config("openai"), {"OPENAI_API_KEY": KEY}).model == "gpt-4.1-mini"
    assert (
        resolve_provider(get_provider_config("anthropic"), {"ANTHROPIC_API_KEY": KEY}).model
        == "claude-haiku-4-5"
    )
    gemini = resolve_provider(get_provider_config("google-gemini"), {"GOOGLE_GEMINI_API_KEY": KEY})
    assert gemini.model == "gemini-2.5-flash"
    retired = {"gpt-4o", "claude-3-5-haiku-latest", "gemini-2.0-flash", "llama2:latest"}
    assert not {c.default_model for c in PROVIDERS.values()} & retired


@pytest.mark.parametrize(
    ("provider", "variable", "given", "expected"),
    [
        ("anthropic", "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1", "https://api.anthropic.com"),
        (
            "google-gemini",
            "GOOGLE_GEMINI_BASE_URL",
            "https://generativelanguage.googleapis.com/v1beta/openai/",
            "https://generativelanguage.googleapis.com",
        ),
        ("ollama", "OLLAMA_BASE_URL", "http://gpu-box:11434", "http://gpu-box:11434/v1"),
        ("openai", "OPENAI_BASE_URL", "https://proxy.example/v1/", "https://proxy.example/v1"),
    ],
)
def test_old_shim_base_urls_are_adapted(provider: str, variable: str, given: str, expected: str) -> None:
    env = {variable: given, "ANTHROPIC_API_KEY": KEY, "GOOGLE_GEMINI_API_KEY": KEY, "OPENAI_API_KEY": KEY}
    assert resolve_provider(get_provider_config(provider), env).base_url == expected


def test_programmatic_overrides_win_over_env() -> None:
    config = dataclasses.replace(
        get_provider_config("openai"), model="gpt-4.1", api_key="sk-explicit-key-0001"
    )
    resolved = resolve_provider(config, {"OPENAI_MODEL": "ignored"})
    assert (resolved.model, resolved.api_key) == ("gpt-4.1", "sk-explicit-key-0001")


def test_key_never_in_repr_or_fingerprint() -> None:
    resolved = resolve_provider(get_provider_config("openai"), {"OPENAI_API_KEY": KEY})
    config = dataclasses.replace(get_provider_config("openai"), api_key=KEY)
    assert KEY not in repr(resolved) and KEY not in repr(config)
    assert len(resolved.key_fingerprint) == 12 and resolved.key_fingerprint not in KEY


def test_json_schema_capability_can_be_switched_off() -> None:
    on = resolve_provider(get_provider_config("ollama"), {})
    off = resolve_provider(get_provider_config("ollama"), {"OLLAMA_JSON_SCHEMA": "false"})
    assert on.capabilities.json_schema and not off.capabilities.json_schema


def test_llm_provider_defaults_to_openai() -> None:
    config, _env = provider_from_env({})
    assert config.name == "openai"
