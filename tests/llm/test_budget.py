"""The budget: reservations, settlement, and the one point where a run stops sending."""

from __future__ import annotations

import pytest

from dbt_osmosis.core.llm.budget import Budget, BudgetExhausted
from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.types import Usage


def per_token(usage: Usage) -> float:
    return (usage.prompt_tokens + usage.completion_tokens) * 0.001


def test_a_request_that_could_pass_the_limit_is_refused_and_so_is_everything_after() -> None:
    budget = Budget(max_cost=1.0, max_requests=None, price=per_token)
    first = budget.reserve(300, 100)  # expected $0.40
    second = budget.reserve(300, 100)  # $0.80 with the first still in flight
    with pytest.raises(BudgetExhausted):
        budget.reserve(300, 100)  # $1.20 could be spent: refused
    budget.settle(first, Usage(100, 50))
    budget.settle(second, Usage(100, 50))
    assert budget.spent == pytest.approx(0.30)
    # There is room again, but a run stops at one point instead of squeezing requests in.
    with pytest.raises(BudgetExhausted):
        budget.reserve(10, 10)


def test_a_failed_request_costs_nothing_but_counts_as_sent() -> None:
    budget = Budget(max_cost=None, max_requests=2, price=None)
    budget.settle(budget.reserve(10, 10), None)
    budget.reserve(10, 10)
    assert budget.spent == 0 and budget.sent == 2
    with pytest.raises(BudgetExhausted):
        budget.reserve(1, 1)


def test_a_cost_budget_needs_a_price_and_a_finite_number() -> None:
    with pytest.raises(LLMConfigError, match="price table"):
        Budget(max_cost=1.0, max_requests=None, price=None)
    with pytest.raises(LLMConfigError, match="finite"):
        Budget(max_cost=float("nan"), max_requests=None, price=per_token)


def test_a_cut_off_attempt_costs_its_whole_reservation_and_an_http_error_costs_nothing() -> None:
    budget = Budget(max_cost=10.0, max_requests=None, price=per_token)
    budget.settle(budget.reserve(100, 900), None, billed=True)  # a stream cut: billed, usage unknown
    assert budget.spent == pytest.approx(1.0)
    budget.settle(budget.reserve(100, 900), None)  # a 500: nothing generated
    assert budget.spent == pytest.approx(1.0) and budget.sent == 2


def test_a_request_reserves_its_whole_completion_cap() -> None:
    from dbt_osmosis.core.llm.types import LLMRequest, Message

    budget = Budget(max_cost=1.0, max_requests=None, price=per_token)
    long_answer = LLMRequest(messages=(Message("user", "x" * 30),), max_tokens=600)
    budget.reserve_request(long_answer)  # 600 completion tokens + the prompt: > $0.60
    with pytest.raises(BudgetExhausted):
        budget.reserve_request(long_answer)  # a second one could pass $1.00 if both ran long
