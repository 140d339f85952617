"""Where each name re-exported by ``dbt_osmosis.core.llm`` lives, and the lookup that loads it lazily.

The package's ``__init__`` binds ``module_getattr`` as its module ``__getattr__`` (PEP 562), so
``import dbt_osmosis.core.llm.budget`` loads the package without the managed client, the adapters or
the facade: a name is imported from its home the first time someone asks the package for it, then
kept on the package (so later lookups, and ``monkeypatch.setattr``, see an ordinary attribute).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

_PACKAGE = "dbt_osmosis.core.llm"

_HOMES: dict[str, tuple[str, ...]] = {
    "adapters": ("ANTHROPIC_DEFAULT_MAX_TOKENS", "STREAMS_BY_DEFAULT", "parse_retry_after"),
    "exceptions": (
        "LLMAPIError",
        "LLMAuthError",
        "LLMConfigError",
        "LLMError",
        "LLMInternalError",
        "LLMParameterError",
        "LLMProviderDownError",
        "LLMRateLimitError",
        "LLMResponseError",
        "LLMTimeoutError",
    ),
    "factory": ("cached_client_count", "clear_client_cache", "create_client", "raw_sdk_client"),
    "legacy": (
        "DESCRIPTION_SCHEMA",
        "MODEL_SPEC_SCHEMA",
        "_create_llm_prompt_for_column",
        "_create_llm_prompt_for_model_docs_as_json",
        "_create_llm_prompt_for_table",
        "_reset_facade_caches",
        "generate_column_doc",
        "generate_model_spec_as_json",
        "generate_table_doc",
        "get_llm_client",
        "load_custom_prompts",
    ),
    "managed": ("ManagedClient", "build_managed_client"),
    "prompts": (
        "DEFAULT_PROMPTS",
        "PromptSet",
        "fence",
        "load_prompts",
        "model_answer_schema",
        "prepare_sql",
    ),
    "providers": (
        "PROVIDERS",
        "REMOVAL_VERSION",
        "ProviderConfig",
        "get_provider_config",
        "provider_from_env",
        "warn_deprecated_once",
    ),
    "rate_limit": ("RateLimiter",),
    "retry": ("RetryPolicy", "retry_with_backoff"),
    "runtime": ("LLMRuntime", "default_runtime"),
    "settings": ("LLMSettings",),
    "testing": ("MockLLMClient", "MockReply"),
    "types": ("LLMClient", "LLMRequest", "LLMResponse", "Message", "Usage"),
    "usage": ("LLMUsageStats", "PriceTable", "get_default_usage", "get_usage_stats"),
}

#: Re-exported name -> the module that defines it.
EXPORTS: dict[str, str] = {name: f"{_PACKAGE}.{home}" for home, names in _HOMES.items() for name in names}


def module_getattr(name: str) -> Any:
    """Import ``name`` from its home module, keep it on the package, and return it."""
    home = EXPORTS.get(name)
    if home is None:
        raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    setattr(sys.modules[_PACKAGE], name, value)
    return value


def module_dir() -> list[str]:
    """The package's attributes plus every name it can load, for ``dir()`` and completion."""
    return sorted(set(vars(sys.modules[_PACKAGE])) | set(EXPORTS))
