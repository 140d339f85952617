"""A run's spending limit: a cost in dollars, a number of requests, or both.

Every attempt sent to a provider (a first try, a retry after a 500 or a 429, a re-send after a
parameter refusal) reserves, before it goes, the most it may cost: its prompt counted generously and
its whole completion-token cap (``max_tokens``). The reservation is replaced by what the provider
reports once the answer arrives; an attempt the provider refused with an HTTP error costs nothing; an
attempt cut off before the provider reported its usage (a dropped stream, a timeout) is counted at the
most it could have cost, because the provider bills the tokens it generated whether or not we read
them. An attempt is refused (``BudgetExhausted``) as soon as what was spent, plus what the attempts in
flight may cost, plus what this one may cost, would go past the limit; from then on every attempt is
refused, so a run stops at one clear point instead of squeezing small requests in. So, at any
concurrency, neither the dollars nor the requests can pass the limit. This module knows nothing
about dbt.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.types import LLMRequest, Usage

__all__ = ["Budget", "BudgetExhausted", "Refusal", "Reservation", "most_prompt_tokens"]

#: Dollar cost of what a provider reported for one or many requests (cache reads and writes included).
PriceFunction = Callable[[Usage], float]

# Tokenizers average about four characters per token on English prose and SQL; three is what dense
# identifiers, JSON and numbers come to. A reservation is an upper bound, so it uses the dense figure
# and adds the per-message framing the providers count.
_DENSE_CHARS_PER_TOKEN = 3
_FRAMING_TOKENS = 16
#: The completion cap reserved for a request that sets none (the adapters' own default is below it).
DEFAULT_COMPLETION_CAP = 4096


def most_prompt_tokens(request: LLMRequest) -> int:
    """An upper estimate of the prompt tokens ``request`` is billed for (its schema included)."""
    chars = request.prompt_chars()
    if request.json_schema is not None:
        chars += len(str(request.json_schema))
    return math.ceil(chars / _DENSE_CHARS_PER_TOKEN) + _FRAMING_TOKENS * (len(request.messages) + 1)


class BudgetExhausted(Exception):
    """The next request could take the run past its budget; nothing more is sent."""


@dataclass(frozen=True)
class Reservation:
    """What one in-flight attempt may cost at most, and the tokens that bound came from."""

    cost: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: The price the attempt is settled at, when not the budget's own (a flex request re-sent at the
    #: standard tier is reserved and settled at the standard price).
    price: PriceFunction | None = None


@dataclass(frozen=True)
class Refusal:
    """The attempt that found no room, for the line that says why the run stopped where it did."""

    #: The most it would have cost (what it would have reserved).
    cost: float
    completion_tokens: int
    #: What was left of ``max_cost`` then: the limit less what was spent and reserved in flight.
    left: float
    #: Refused for the number of requests, not the dollars.
    too_many: bool
    provider: str | None = None
    model: str | None = None


class Budget:
    """Counts spending against ``max_cost`` dollars and ``max_requests`` attempts (``None``: no limit)."""

    def __init__(
        self,
        *,
        max_cost: float | None,
        max_requests: int | None,
        price: PriceFunction | None,
        price_for: Callable[[str, str], PriceFunction | None] | None = None,
        standard_price: PriceFunction | None = None,
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
        #: The standard tier's price, when the run asks for another tier (flex): a request the flex
        #: tier had no capacity for is re-sent, reserved and settled at this price, never under it.
        self._standard_price = standard_price
        self._lock = threading.Lock()
        self.spent = 0.0
        #: Attempts sent (every one that was let through, answered or not).
        self.sent = 0
        self._reserved = 0.0
        self._in_flight = 0
        self.exhausted = False
        #: The attempt whose reservation stopped the run (``None`` while there is room).
        self.refused: Refusal | None = None

    def cost_of(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """Dollar cost of these tokens (0 when no price is known: only a request budget is set)."""
        return self.cost_of_usage(Usage(prompt_tokens, completion_tokens, cached_tokens))

    def cost_of_usage(self, usage: Usage) -> float:
        """Dollar cost of what a provider reported (0 when no price is known)."""
        return 0.0 if self._price is None else self._price(usage)

    def _priced(self, usage: Usage, provider: str | None, model: str | None) -> float:
        """``usage`` at ``provider``/``model``'s own price when known, else at the budget's own."""
        price = self._price_for(provider, model) if self._price_for and provider and model else None
        return price(usage) if price is not None else self.cost_of_usage(usage)

    def reserve_request(
        self, request: LLMRequest, *, provider: str | None = None, model: str | None = None
    ) -> Reservation:
        """Claim room for one attempt of ``request`` at the most it may cost, or raise ``BudgetExhausted``.

        ``provider``/``model``: who the attempt is sent to, when it may not be the budget's own model
        (a fallback); the attempt is then reserved at that model's price. A flex request re-sent at
        the standard tier is reserved at the standard price.
        """
        at_standard = request.service_tier == "standard" and self._standard_price is not None
        return self.reserve(
            most_prompt_tokens(request),
            request.max_tokens or DEFAULT_COMPLETION_CAP,
            provider=provider,
            model=model,
            price=self._standard_price if at_standard else None,
        )

    def reserve(
        self,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        provider: str | None = None,
        model: str | None = None,
        price: PriceFunction | None = None,
    ) -> Reservation:
        """Claim room for one attempt of at most these tokens, or raise ``BudgetExhausted``.

        ``price``: the attempt's own price when it is neither the budget's nor ``provider``/``model``'s
        (the standard tier's, for a flex request re-sent there); it also settles the attempt.
        """
        usage = Usage(prompt_tokens, completion_tokens)
        most = price(usage) if price is not None else self._priced(usage, provider, model)
        with self._lock:
            if self.exhausted:
                raise BudgetExhausted
            too_many = self.max_requests is not None and self.sent + 1 > self.max_requests
            too_dear = (
                self.max_cost is not None and self.spent + self._reserved + most > self.max_cost + 1e-12
            )
            if too_many or too_dear:
                self.exhausted = True
                left = (self.max_cost - self.spent - self._reserved) if self.max_cost is not None else 0.0
                self.refused = Refusal(most, completion_tokens, max(0.0, left), too_many, provider, model)
                raise BudgetExhausted
            self.sent += 1
            self._reserved += most
            self._in_flight += 1
            return Reservation(most, prompt_tokens, completion_tokens, price)

    def settle(
        self,
        reservation: Reservation,
        usage: Usage | None,
        *,
        billed: bool = False,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        """Replace a reservation by what the attempt cost.

        ``usage``: what the provider reported. Without it, ``billed`` says the provider may have billed
        the attempt anyway (the answer was cut off): it then costs its whole reservation; otherwise
        (an HTTP error, nothing generated) it costs nothing. ``provider``/``model`` name who answered
        when it may not be the budget's own model (a fallback): its tokens are priced by its own price,
        when known.
        """
        actual = reservation.cost if billed else 0.0
        if usage is not None:
            if reservation.price is not None:
                actual = reservation.price(usage)
            else:
                actual = self._priced(usage, provider, model)
        with self._lock:
            self._reserved = max(0.0, self._reserved - reservation.cost)
            self._in_flight -= 1
            self.spent += actual

    def release(self, reservation: Reservation) -> None:
        """Give back a reservation whose attempt was never sent (cancelled while waiting its turn)."""
        with self._lock:
            self._reserved = max(0.0, self._reserved - reservation.cost)
            self._in_flight -= 1
            self.sent -= 1
