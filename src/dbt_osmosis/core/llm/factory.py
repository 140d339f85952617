"""``create_client``: a provider configuration in, the cached SDK adapter for it out.

OpenAI, Ollama, LM Studio and any OpenAI-compatible endpoint go through ``openai.OpenAI``; Azure
through ``openai.AzureOpenAI``; Anthropic through the Messages API of ``anthropic``; Gemini through
``google-genai``. Adapters are cached in the ``LLMRuntime`` (the process's default when none is
given) so a run builds each SDK client once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbt_osmosis.core.llm.adapters.anthropic import AnthropicAdapter
from dbt_osmosis.core.llm.adapters.base import _Adapter
from dbt_osmosis.core.llm.adapters.gemini import GeminiAdapter
from dbt_osmosis.core.llm.adapters.openai import OpenAIAdapter
from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.providers import ProviderConfig, resolve_provider
from dbt_osmosis.core.llm.runtime import LLMRuntime, default_runtime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMClient

__all__ = ["cached_client_count", "clear_client_cache", "create_client", "raw_sdk_client"]

_ADAPTERS: Mapping[str, type[_Adapter]] = {
    "openai": OpenAIAdapter,
    "azure": OpenAIAdapter,
    "anthropic": AnthropicAdapter,
    "gemini": GeminiAdapter,
}


def create_client(
    config: ProviderConfig | None = None,
    settings: LLMSettings | None = None,
    env: Mapping[str, str] | None = None,
    *,
    runtime: LLMRuntime | None = None,
) -> LLMClient:
    """Return the SDK adapter for ``config`` (default: ``LLM_PROVIDER`` from ``env``), cached.

    The cache is ``runtime``'s (default: the process's). Its key is (provider, base URL, model,
    timeouts, API version, capabilities, first 12 hex digits of the key's SHA-256): never the key
    itself. Raises ``LLMConfigError`` for unknown providers, missing variables (all named at once) and
    missing SDK extras (naming the ``pip install`` fix).
    """
    settings = settings or LLMSettings.from_env(env)
    resolved = resolve_provider(config, env)
    key = (
        resolved.name,
        resolved.base_url,
        resolved.model,
        settings.timeout,
        settings.connect_timeout,
        resolved.api_version,
        resolved.capabilities,
        resolved.key_fingerprint,
        settings.stream,
    )
    owner = runtime if runtime is not None else default_runtime()
    # Fetched outside ``owner.client``: the runtime's lock is held while the adapter is built.
    store = owner.capability_store(settings.cache_dir)

    def build() -> LLMClient:
        adapter = _ADAPTERS[resolved.family](resolved, settings)
        # What the endpoint turned out to accept (no streams) is kept with the models' capabilities.
        adapter.capabilities = store
        return adapter

    return owner.client(key, build)


def raw_sdk_client(client: LLMClient) -> Any:
    """The synchronous SDK client behind an adapter from ``create_client`` (for the deprecated facade)."""
    if not isinstance(client, _Adapter):
        raise LLMConfigError(f"{client!r} is not an SDK adapter built by create_client().")
    return client.sdk_client


def clear_client_cache(runtime: LLMRuntime | None = None) -> None:
    """Close and forget every cached adapter of ``runtime`` (default: the process's runtime)."""
    (runtime if runtime is not None else default_runtime()).clear_clients()


def cached_client_count(runtime: LLMRuntime | None = None) -> int:
    """How many adapters ``runtime`` caches (default: the process's; proves clients are reused)."""
    return (runtime if runtime is not None else default_runtime()).client_count()
