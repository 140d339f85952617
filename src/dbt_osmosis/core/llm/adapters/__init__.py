"""One adapter per SDK family; ``base`` holds what they share. Importing these loads no SDK."""

from dbt_osmosis.core.llm.adapters.anthropic import ANTHROPIC_DEFAULT_MAX_TOKENS, AnthropicAdapter
from dbt_osmosis.core.llm.adapters.base import STREAMS_BY_DEFAULT, parse_retry_after
from dbt_osmosis.core.llm.adapters.gemini import GeminiAdapter
from dbt_osmosis.core.llm.adapters.openai import OpenAIAdapter

__all__ = [
    "ANTHROPIC_DEFAULT_MAX_TOKENS",
    "STREAMS_BY_DEFAULT",
    "AnthropicAdapter",
    "GeminiAdapter",
    "OpenAIAdapter",
    "parse_retry_after",
]
