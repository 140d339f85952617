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

import copy
import threading
import time
from collections.abc import Callable

from dbt_osmosis.core.llm.exceptions import LLMError, LLMRateLimitError
from dbt_osmosis.core.llm.usage import STANDARD_TIER_LABEL, LLMUsageStats

__all__ = [
    "FLEX_COOLDOWN_S",
    "FLEX_REFUSALS_IN_A_ROW",
    "STANDARD_TIER",
    "FlexCapacity",
    "flex_capacity_refusal",
    "flex_fallback_note",
    "flex_refused_error",
]

#: After this many flex requests in a row refused for want of capacity (whichever nodes they were
#: for), the run stops asking the flex tier: asking again right away would be refused the same way.
FLEX_REFUSALS_IN_A_ROW = 3
#: For how long; then one flex request is tried again (one more refusal closes it again at once).
FLEX_COOLDOWN_S = 300.0

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


class FlexCapacity:
    """What the run knows about the provider's flex capacity, shared by every node of the run.

    ``closed()`` is true for ``FLEX_COOLDOWN_S`` after ``FLEX_REFUSALS_IN_A_ROW`` refusals in a row:
    meanwhile a request goes straight to the standard tier (or fails at once with
    ``--llm-flex-unavailable fail``) instead of being refused and retried at flex once more.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._refusals = 0
        self._until: float | None = None
        #: The last refusal, to fail with while closed under ``--llm-flex-unavailable fail``.
        self.last_refusal: LLMError | None = None

    def refused(self, exc: LLMError) -> None:
        """Count one flex request refused for want of capacity."""
        with self._lock:
            self.last_refusal = exc
            self._refusals += 1
            if self._refusals >= FLEX_REFUSALS_IN_A_ROW:
                self._until = self._clock() + FLEX_COOLDOWN_S

    def answered(self) -> None:
        """A flex request was answered: capacity is back."""
        with self._lock:
            self._refusals = 0
            self._until = None

    def closed(self) -> bool:
        """Whether requests skip the flex tier now."""
        with self._lock:
            if self._until is None:
                return False
            if self._clock() < self._until:
                return True
            # The cooldown is over: try flex again, but one more refusal closes it at once.
            self._until = None
            self._refusals = FLEX_REFUSALS_IN_A_ROW - 1
            return False


def flex_refused_error(exc: LLMError, provider: str) -> LLMError:
    """``exc`` (a flex capacity refusal) re-worded for a run that forbids the standard tier."""
    said = f"HTTP {exc.status_code}" if exc.status_code is not None else "no capacity"
    failed = copy.copy(exc)
    failed.message = (
        f"{provider} had no flex capacity for this request ({said}), and --llm-flex-unavailable fail "
        "(OSMOSIS_LLM_FLEX_UNAVAILABLE) forbids sending it at the standard tier. Run again later "
        "(answers already received are kept), or leave out --llm-flex-unavailable fail to send such "
        "requests at the standard tier and price (or leave out --llm-service-tier flex)."
    )
    failed.args = (failed.message,)
    return failed


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
