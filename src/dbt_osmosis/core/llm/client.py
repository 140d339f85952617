"""Old home of the LLM client; kept for one release so ``dbt_osmosis.core.llm.client`` imports work.

Everything moved: the request/response types and the ``LLMClient`` protocol to ``types``, the SDK
adapters to the ``adapters`` package, ``create_client`` and its cache helpers to ``factory``, and
``MockLLMClient`` to ``testing``. Import from those modules (or from ``dbt_osmosis.core.llm``).
"""

from __future__ import annotations

from dbt_osmosis.core.llm.adapters import (
    ANTHROPIC_DEFAULT_MAX_TOKENS,
    STREAMS_BY_DEFAULT,
    AnthropicAdapter,
    GeminiAdapter,
    OpenAIAdapter,
    parse_retry_after,
)
from dbt_osmosis.core.llm.factory import (
    cached_client_count,
    clear_client_cache,
    create_client,
    raw_sdk_client,
)
from dbt_osmosis.core.llm.testing import MockLLMClient, MockReply
from dbt_osmosis.core.llm.types import LLMClient, LLMRequest, LLMResponse, Message, Role, Usage

__all__ = [
    "ANTHROPIC_DEFAULT_MAX_TOKENS",
    "STREAMS_BY_DEFAULT",
    "AnthropicAdapter",
    "GeminiAdapter",
    "LLMClient",
    "LLMRequest",
    "LLMResponse",
    "Message",
    "MockLLMClient",
    "MockReply",
    "OpenAIAdapter",
    "Role",
    "Usage",
    "cached_client_count",
    "clear_client_cache",
    "create_client",
    "parse_retry_after",
    "raw_sdk_client",
]
