"""The LLM layer of dbt-osmosis: a provider-neutral client with retries, rate limits and accounting.

New code uses the typed API: ``create_client`` / ``build_managed_client`` return an ``LLMClient``
that answers ``LLMRequest`` objects with ``LLMResponse`` objects and raises the ``LLMError`` tree::

    from dbt_osmosis.core.llm import LLMRequest, LLMSettings, Message, build_managed_client

    client = build_managed_client(LLMSettings.from_env())
    reply = client.complete(LLMRequest(messages=(Message("user", "Say hi"),)))

A run that wants its own shared state (client cache, limiter, learned capabilities, usage) builds an
``LLMRuntime`` and passes it as ``runtime=``. The 1.x functions (``generate_model_spec_as_json``,
``generate_column_doc``, ``generate_table_doc``, ``get_llm_client``) live in ``legacy``; patching
``dbt_osmosis.core.llm.get_llm_client`` still steers them. ``MockLLMClient`` (in ``testing``) is a
complete client for your own tests.

This module only re-exports. Names load on first use (see ``_exports``), so importing a light module
such as ``dbt_osmosis.core.llm.budget`` loads no SDK, adapter or managed client.
"""

from typing import TYPE_CHECKING

# PEP 562 hooks: every name below loads from its home module on first use (and the names not in
# ``__all__``, like the 1.x ``_create_llm_prompt_*`` builders, still resolve the same way).
from dbt_osmosis.core.llm._exports import module_dir as __dir__  # noqa: F401
from dbt_osmosis.core.llm._exports import module_getattr as __getattr__  # noqa: F401

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.adapters import (
        parse_retry_after,
    )
    from dbt_osmosis.core.llm.exceptions import (
        LLMAPIError,
        LLMAuthError,
        LLMConfigError,
        LLMError,
        LLMInternalError,
        LLMParameterError,
        LLMProviderDownError,
        LLMRateLimitError,
        LLMResponseError,
        LLMTimeoutError,
    )
    from dbt_osmosis.core.llm.factory import (
        cached_client_count,
        clear_client_cache,
        create_client,
    )
    from dbt_osmosis.core.llm.legacy import (
        DESCRIPTION_SCHEMA,
        MODEL_SPEC_SCHEMA,
        generate_column_doc,
        generate_model_spec_as_json,
        generate_table_doc,
        get_llm_client,
        load_custom_prompts,
    )
    from dbt_osmosis.core.llm.managed import (
        ManagedClient,
        build_managed_client,
    )
    from dbt_osmosis.core.llm.prompts import (
        DEFAULT_PROMPTS,
        PromptSet,
        load_prompts,
    )
    from dbt_osmosis.core.llm.providers import (
        PROVIDERS,
        ProviderConfig,
        get_provider_config,
    )
    from dbt_osmosis.core.llm.rate_limit import (
        RateLimiter,
    )
    from dbt_osmosis.core.llm.retry import (
        RetryPolicy,
        retry_with_backoff,
    )
    from dbt_osmosis.core.llm.runtime import (
        LLMRuntime,
        default_runtime,
    )
    from dbt_osmosis.core.llm.settings import (
        LLMSettings,
    )
    from dbt_osmosis.core.llm.testing import (
        MockLLMClient,
        MockReply,
    )
    from dbt_osmosis.core.llm.types import (
        LLMClient,
        LLMRequest,
        LLMResponse,
        Message,
        Usage,
    )
    from dbt_osmosis.core.llm.usage import (
        LLMUsageStats,
        PriceTable,
        get_default_usage,
        get_usage_stats,
    )

__all__ = [
    "DEFAULT_PROMPTS",
    "DESCRIPTION_SCHEMA",
    "MODEL_SPEC_SCHEMA",
    "PROVIDERS",
    "LLMAPIError",
    "LLMAuthError",
    "LLMClient",
    "LLMConfigError",
    "LLMError",
    "LLMInternalError",
    "LLMParameterError",
    "LLMProviderDownError",
    "LLMRateLimitError",
    "LLMRequest",
    "LLMResponse",
    "LLMResponseError",
    "LLMRuntime",
    "LLMSettings",
    "LLMTimeoutError",
    "LLMUsageStats",
    "ManagedClient",
    "Message",
    "MockLLMClient",
    "MockReply",
    "PriceTable",
    "PromptSet",
    "ProviderConfig",
    "RateLimiter",
    "RetryPolicy",
    "Usage",
    "build_managed_client",
    "cached_client_count",
    "clear_client_cache",
    "create_client",
    "default_runtime",
    "generate_column_doc",
    "generate_model_spec_as_json",
    "generate_table_doc",
    "get_default_usage",
    "get_llm_client",
    "get_provider_config",
    "get_usage_stats",
    "load_custom_prompts",
    "load_prompts",
    "parse_retry_after",
    "retry_with_backoff",
]
