"""A run's spending limit: a cost in dollars, a number of requests, or both.

Before a request is sent it reserves what it is expected to cost; the reservation is replaced by what
the provider reports once the answer arrives. A request is refused (``BudgetExhausted``) as soon as
what was spent, plus what the requests in flight are expected to cost, plus this one, would go past
the limit; from then on every request is refused, so a run stops at one clear point instead of
squeezing small requests in. What can still be spent past the limit is only the difference between
the in-flight requests' estimates and their real cost. This module knows nothing about dbt.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.types import Usage

__all__ = ["Budget", "BudgetExhausted", "Reservation"]

#: Dollar cost of (prompt tokens, completion tokens, cached prompt tokens).
PriceFunction = Callable[[int, int, int], float]


class BudgetExhausted(Exception):
    """The next request could take the run past its budget; nothing more is sent."""


@dataclass(frozen=True)
class Reservation:
    """What one in-flight request was expected to cost."""

    cost: float


class Budget:
    """Counts spending against ``max_cost`` dollars and ``max_requests`` requests (``None``: no limit)."""

    def __init__(
        self,
        *,
        max_cost: float | None,
        max_requests: int | None,
        price: PriceFunction | None,
        price_for: Callable[[str, str], PriceFunction | None] | None = None,
    ) -> None:
        if max_cost is not None and (not math.isfinite(max_cost) or max_cost < 0):
            raise LLMConfigError(f"The cost budget must be a finite number of dollars, got {max_cost!r}.")
        if max_requests is not None and max_requests < 0:
            raise LLMConfigError(f"The request budget must be 0 or more, got {max_requests!r}.")
        if max_cost is not None and price is None:
            raise LLMConfigError(
                "A cost budget (--llm-max-cost) needs the model's price, and this model is not in the "
                "price table: add it with OSMOSIS_LLM_PRICE_FILE, or limit requests with --llm-max-requests."
            )
        self.max_cost = max_cost
        self.max_requests = max_requests
        self._price = price
        #: The price of another provider's model (a fallback's answers are priced by its own table).
        self._price_for = price_for
        self._lock = threading.Lock()
        self.spent = 0.0
        self.sent = 0
        self._reserved = 0.0
        self._in_flight = 0
        self.exhausted = False

    def cost_of(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """Dollar cost of these tokens (0 when no price is known: only a request budget is set)."""
        return 0.0 if self._price is None else self._price(prompt_tokens, completion_tokens, cached_tokens)

    def reserve(self, prompt_tokens: int, completion_tokens: int) -> Reservation:
        """Claim room for one request expected to use these tokens, or raise ``BudgetExhausted``."""
        expected = self.cost_of(prompt_tokens, completion_tokens)
        with self._lock:
            if self.exhausted:
                raise BudgetExhausted
            too_many = self.max_requests is not None and self.sent + 1 > self.max_requests
            too_dear = (
                self.max_cost is not None and self.spent + self._reserved + expected > self.max_cost + 1e-12
            )
            if too_many or too_dear:
                self.exhausted = True
                raise BudgetExhausted
            self.sent += 1
            self._reserved += expected
            self._in_flight += 1
            return Reservation(expected)

    def settle(
        self,
        reservation: Reservation,
        usage: Usage | None,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        """Replace a reservation by what the request really cost (nothing when it failed).

        ``provider``/``model`` name who answered when it may not be the budget's own model (a
        fallback): its tokens are priced by its own price, when known.
        """
        actual = 0.0
        if usage is not None:
            price = self._price_for(provider, model) if self._price_for and provider and model else None
            tokens = (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens)
            actual = price(*tokens) if price is not None else self.cost_of(*tokens)
        with self._lock:
            self._reserved = max(0.0, self._reserved - reservation.cost)
            self._in_flight -= 1
            self.spent += actual
