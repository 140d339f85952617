"""The flex tier's "no capacity right now" answer, and what a run does about it.

OpenAI and Gemini sell a flex tier (``service_tier="flex"``) at batch prices, answered synchronously
when they have spare capacity. When they have none, OpenAI answers HTTP 429 "Resource Unavailable" and
Gemini HTTP 503 ``UNAVAILABLE`` (or 429 ``RESOURCE_EXHAUSTED``); nothing is generated or billed. The
managed client retries such a request like any transient failure (bounded by the retry policy, each
long wait announced); once the retries are spent it re-sends the request at the standard tier, priced
and reserved at the standard price, unless the run said ``--llm-flex-unavailable fail``. Answers sent
at the standard tier are counted under ``<provider> (standard tier)`` so ``--llm-stats`` prices them at
the standard price, and the run ends with one note saying how many and what they cost more.
"""

from __future__ import annotations

from dbt_osmosis.core.llm.exceptions import LLMError, LLMRateLimitError
from dbt_osmosis.core.llm.usage import STANDARD_TIER_LABEL, LLMUsageStats

__all__ = ["STANDARD_TIER", "flex_capacity_refusal", "flex_fallback_note"]

#: The tier a request is re-sent at when the flex tier has no capacity for it.
STANDARD_TIER = "standard"


def flex_capacity_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` is a provider saying "no capacity" (429 or 503) to a flex request.

    Both statuses mean the provider generated nothing, so a re-send at the standard tier cannot be a
    second bill for the same answer.
    """
    if not isinstance(exc, LLMError):
        return False
    return isinstance(exc, LLMRateLimitError) or exc.status_code in (429, 503)


def flex_fallback_note(usage: LLMUsageStats) -> str | None:
    """One line for the end of a run whose flex requests went to the standard tier, else ``None``.

    ``"openai had no flex capacity for 3 request(s) (gpt-5-mini); they were sent at the standard tier
    ($0.0123 more)..."``;
    the extra is what those answers cost at the standard price minus what they would have cost at the
    flex price ("cost unknown" where either price is unknown).
    """
    table = usage.price_table
    lines = []
    for (provider, model), totals in sorted(usage.by_model().items()):
        if not provider.endswith(STANDARD_TIER_LABEL) or totals.answered == 0:
            continue
        name = provider.removesuffix(STANDARD_TIER_LABEL)
        counts = (
            totals.prompt_tokens,
            totals.completion_tokens,
            totals.cached_tokens,
            totals.cache_write_tokens,
        )
        standard = table.estimate_cost(name, model, *counts) if table is not None else None
        flex = table.estimate_cost(name, model, *counts, tier=usage.service_tier) if table else None
        extra = "cost unknown" if standard is None or flex is None else f"{_dollars(standard - flex)} more"
        lines.append(
            f"{name} had no flex capacity for {totals.answered} request(s) ({model}); they were sent at "
            f"the standard tier ({extra}). Use --llm-flex-unavailable fail to fail them instead."
        )
    return " ".join(lines) if lines else None


def _dollars(amount: float) -> str:
    # Small runs cost fractions of a cent: keep two significant figures rather than print $0.0000.
    return f"${amount:.4f}" if abs(amount) >= 0.01 else f"${amount:.6f}"
