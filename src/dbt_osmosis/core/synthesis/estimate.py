"""The dry run's client: answers every request at once with placeholder text and estimates its tokens."""

from __future__ import annotations

from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats
from dbt_osmosis.core.synthesis.requests import asked_columns, expected_tokens

__all__ = ["EstimatingClient"]


class EstimatingClient:
    """An ``LLMClient`` for ``--llm-dry-run``: answers instantly, sends nothing, estimates tokens.

    It answers every request as a model would (a description for each asked-for column) so that the
    dry run follows the same DAG-aware path as a real one and counts each question exactly once.
    """

    def __init__(self, provider: str, model: str, usage: LLMUsageStats | None = None) -> None:
        self.provider = provider
        self.model = model
        #: Estimates are recorded here as if they were answers, so per-node and run totals (and
        #: their cost) come out exactly as a real run's would.
        self.usage = usage
        self.requests: list[LLMRequest] = []
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Record the request and answer it with placeholder text."""
        self.requests.append(request)
        columns = asked_columns(request)
        prompt_tokens, completion_tokens = expected_tokens(request)
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        if self.usage is not None:
            self.usage.record(self.provider, self.model, Usage(prompt_tokens, completion_tokens), 0.0)
        parsed = {
            "description": "(dry run)",
            "columns": [{"name": name, "description": "(dry run)"} for name in columns],
        }
        return LLMResponse(
            text="",
            parsed=parsed,
            usage=Usage(prompt_tokens, completion_tokens),
            latency_s=0.0,
            request_id=None,
            provider=self.provider,
            model=self.model,
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Same as ``complete``; nothing is awaited."""
        return self.complete(request)
