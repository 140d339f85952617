"""The dry run's client: answers every request at once with placeholder text and estimates its tokens."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from dbt_osmosis.core.llm.cache_warmup import prefix_of
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats, normalize_provider
from dbt_osmosis.core.synthesis.requests import CHARS_PER_TOKEN, asked_columns, expected_tokens

#: Providers whose hosted APIs cache a long prompt prefix (Anthropic where the request marks it).
_CACHING_PROVIDERS = frozenset({"openai", "azure", "anthropic", "gemini"})

__all__ = ["ChainEstimate", "EstimatingClient"]


@dataclass(frozen=True)
class ChainEstimate:
    """What a dry run would cost if one provider of the fallback chain answered every request."""

    provider: str
    model: str
    #: The tokens that provider would be billed for (its own prompt caching counted).
    usage: Usage
    #: US dollars; ``None`` when the price table does not know the model (never guessed as 0).
    cost: float | None = None


class EstimatingClient:
    """An ``LLMClient`` for ``--llm-dry-run``: answers instantly, sends nothing, estimates tokens.

    It answers every request as a model would (a description for each asked-for column) so that the
    dry run follows the same DAG-aware path as a real one and counts each question exactly once.
    """

    def __init__(
        self,
        provider: str,
        model: str,
        usage: LLMUsageStats | None = None,
        *,
        alternates: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.provider = provider
        self.model = model
        #: Estimates are recorded here as if they were answers, so per-node and run totals (and
        #: their cost) come out exactly as a real run's would.
        self.usage = usage
        self.requests: list[LLMRequest] = []
        self.prompt_tokens = 0
        self.completion_tokens = 0
        #: Prompt tokens the provider is expected to read from (or write to) its prompt cache.
        self.cached_tokens = 0
        self.cache_write_tokens = 0
        self._seen_prefixes: set[str] = set()
        #: The fallback chain's providers and models, each with the tokens it would be billed for
        #: had it answered every request (priced apart: see ``ChainEstimate``).
        self.alternates: dict[tuple[str, str], Usage] = {pair: Usage() for pair in alternates}
        self._alternate_prefixes: dict[tuple[str, str], set[str]] = {pair: set() for pair in alternates}

    def _with_prompt_cache(self, request: LLMRequest, usage: Usage) -> Usage:
        return _cached(self.provider, self._seen_prefixes, request, usage)

    def _count_alternates(self, request: LLMRequest, usage: Usage) -> None:
        for pair, total in self.alternates.items():
            own = _cached(pair[0], self._alternate_prefixes[pair], request, usage)
            self.alternates[pair] = Usage(
                total.prompt_tokens + own.prompt_tokens,
                total.completion_tokens + own.completion_tokens,
                total.cached_tokens + own.cached_tokens,
                total.cache_write_tokens + own.cache_write_tokens,
            )

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Record the request and answer it with placeholder text."""
        self.requests.append(request)
        columns = asked_columns(request)
        prompt_tokens, completion_tokens = expected_tokens(request)
        plain = Usage(prompt_tokens, completion_tokens)
        usage = self._with_prompt_cache(request, plain)
        self._count_alternates(request, plain)
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.cached_tokens += usage.cached_tokens
        self.cache_write_tokens += usage.cache_write_tokens
        if self.usage is not None:
            self.usage.record(self.provider, self.model, usage, 0.0)
        parsed = {
            "description": "(dry run)",
            "columns": [{"name": name, "description": "(dry run)"} for name in columns],
        }
        return LLMResponse(
            text="",
            parsed=parsed,
            usage=usage,
            latency_s=0.0,
            request_id=None,
            provider=self.provider,
            model=self.model,
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Same as ``complete``; nothing is awaited."""
        return self.complete(request)


def _cached(provider: str, seen: set[str], request: LLMRequest, usage: Usage) -> Usage:
    """``usage`` with the stable prefix read from the provider's cache after its first request.

    As the run sends it: the first request of a prefix goes alone and writes it (Anthropic bills
    the write), the others read it. Only the system prompt's tokens are counted as cached.
    """
    prefix = prefix_of(request)
    if prefix is None or normalize_provider(provider) not in _CACHING_PROVIDERS:
        return usage
    system = sum(len(m.content) for m in request.messages if m.role == "system") // CHARS_PER_TOKEN
    stable = min(system, usage.prompt_tokens)
    if prefix in seen:
        return dataclasses.replace(usage, cached_tokens=stable)
    seen.add(prefix)
    if normalize_provider(provider) == "anthropic":
        return dataclasses.replace(usage, cache_write_tokens=stable)
    return usage
