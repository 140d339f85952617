"""A fallback's attempts are reserved and settled at its own price, through the real SDKs.

OpenAI (gpt-4.1-mini, $0.40/$1.60 per million tokens) is down; Anthropic (claude-haiku-4-5, $1/$5)
answers. A reservation at the primary's price would let an attempt through that the fallback's price
does not, so the budget could be passed by the answer.
"""

from __future__ import annotations

import dataclasses

import pytest
from tests.fakes.fake_provider import Fail, FakeProviderServer, Reply

from dbt_osmosis.core.llm.budget import Budget, BudgetExhausted, most_prompt_tokens
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.fallback import FallbackClient
from dbt_osmosis.core.llm.managed import ManagedClient
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message
from dbt_osmosis.core.llm.usage import ModelPrice, PriceTable

PRIMARY = ("openai", "gpt-4.1-mini")
FALLBACK = ("anthropic", "claude-haiku-4-5")
REQUEST = LLMRequest(
    messages=(Message("system", "You document models."), Message("user", "Describe orders.")),
    max_tokens=500,
)


def _price(provider: str, model: str) -> ModelPrice:
    price = PriceTable.load().price(provider, model)
    assert price is not None
    return price


def _chain(env: dict[str, str]) -> FallbackClient:
    settings = LLMSettings(max_retries=0, retry_delay=0.0, breaker_threshold=1)
    runtime = LLMRuntime()

    def managed(provider: str, model: str) -> ManagedClient:
        config = dataclasses.replace(get_provider_config(provider), model=model)
        return ManagedClient(
            create_client(config, settings, env, runtime=runtime),
            retry=RetryPolicy.from_settings(settings),
            settings=settings,
            breaker=runtime.breaker(provider, 1),
            capabilities=runtime.capability_store(None),
        )

    return FallbackClient(managed(*PRIMARY), [managed(*FALLBACK)])


def _budget(max_cost: float) -> Budget:
    def price_for(provider: str, model: str):  # type: ignore[no-untyped-def]
        return _price(provider, model).cost_of

    return Budget(max_cost=max_cost, max_requests=None, price=_price(*PRIMARY).cost_of, price_for=price_for)


def _most(provider: str, model: str) -> float:
    """What one attempt of REQUEST reserves at that model's price."""
    return _price(provider, model).cost(most_prompt_tokens(REQUEST), REQUEST.max_tokens or 0)


@pytest.fixture
def primary_down(fake_provider: FakeProviderServer) -> FakeProviderServer:
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    return fake_provider


def test_an_attempt_sent_to_the_fallback_is_reserved_at_the_fallbacks_price(
    primary_down: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    assert _most(*FALLBACK) > 2 * _most(*PRIMARY)
    # Room for an attempt at the primary's price, not at the fallback's: the fallback is not asked.
    budget = _budget(1.5 * _most(*PRIMARY))
    with pytest.raises(BudgetExhausted):
        _chain(fake_provider_env).complete(dataclasses.replace(REQUEST, budget=budget))
    assert [request.wire for request in primary_down.requests] == ["openai"]
    assert budget.spent == 0.0  # the primary's 500 cost nothing


def test_the_fallbacks_answer_is_settled_at_its_own_price(
    primary_down: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    budget = _budget(1.01 * _most(*FALLBACK))
    response = _chain(fake_provider_env).complete(dataclasses.replace(REQUEST, budget=budget))
    assert (response.provider, response.model) == FALLBACK
    assert [request.wire for request in primary_down.requests] == ["openai", "anthropic"]
    assert budget.spent == pytest.approx(_price(*FALLBACK).cost_of(response.usage))
    assert 0 < budget.spent <= budget.max_cost  # type: ignore[operator]
