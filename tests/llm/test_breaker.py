"""The circuit breaker, the cap on retry-after, and announced waits; then Hypothesis over fault sequences.

Driven through the real SDKs and the fake provider, with injected clocks and sleeps: nothing here waits
for real time to pass.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fakes.fake_provider import (
    Cut,
    ErrorEvent,
    Fail,
    FakeProviderServer,
    OneBody,
    Reply,
    Reset,
    Step,
)

from dbt_osmosis.core.llm.breaker import CircuitBreaker, outage_kind
from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMError,
    LLMInternalError,
    LLMProviderDownError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.managed import ManagedClient
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.rate_limit import RateLimiter
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Message

SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}
ANSWER = {"description": "One row per order."}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _request(text: str = "Describe orders.") -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You document models."), Message("user", text)),
        json_schema=SCHEMA,
        max_tokens=500,
    )


def _managed(
    provider: str,
    env: dict[str, str],
    *,
    threshold: int = 3,
    retries: int = 3,
    clock: _Clock | None = None,
    limiter: RateLimiter | None = None,
    max_retry_wait: float = 60.0,
) -> ManagedClient:
    settings = LLMSettings(
        max_retries=retries, retry_delay=0.0, breaker_threshold=threshold, max_retry_wait=max_retry_wait
    )
    runtime = LLMRuntime()
    clock = clock or _Clock()
    return ManagedClient(
        create_client(get_provider_config(provider), settings, env, runtime=runtime),
        retry=RetryPolicy.from_settings(settings),
        settings=settings,
        limiter=limiter,
        breaker=runtime.breaker(provider, threshold),
        capabilities=runtime.capability_store(None),
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )


# ---- the breaker on its own ---------------------------------------------------------------------------


def _down(status: int | None) -> LLMError:
    return LLMAPIError("down", provider="openai", status_code=status)


def test_only_outage_like_failures_count() -> None:
    assert outage_kind(_down(503)) == "server error"
    assert outage_kind(_down(None)) == "connection"
    assert outage_kind(LLMTimeoutError("slow")) == "timeout"
    assert outage_kind(_down(400)) is None
    assert outage_kind(LLMRateLimitError("slow down", status_code=429)) is None
    assert outage_kind(LLMResponseError("bad json")) is None


def test_the_breaker_opens_after_n_of_one_kind_in_a_row_and_any_answer_starts_the_count_again() -> None:
    clock = _Clock()
    breaker = CircuitBreaker("openai", 3, cooldown_s=60, clock=clock)
    assert not breaker.record_failure(_down(500))
    assert not breaker.record_failure(_down(503))
    # A 400 is an answer: the provider is up, the count starts again.
    assert not breaker.record_failure(_down(400))
    assert breaker.consecutive_failures == 0
    assert not breaker.record_failure(_down(500))
    assert not breaker.record_failure(_down(502))
    assert breaker.record_failure(_down(504))
    with pytest.raises(
        LLMProviderDownError, match=r"openai is down: 3 requests in a row failed \(server error\)"
    ):
        breaker.check()
    # After the cooldown one request may try again; another failure opens it for another cooldown.
    clock.now += 60
    breaker.check()
    with pytest.raises(LLMProviderDownError):
        breaker.check()
    assert breaker.record_failure(_down(500))
    with pytest.raises(LLMProviderDownError):
        breaker.check()
    clock.now += 60
    breaker.check()
    breaker.record_success()
    breaker.check()
    assert not breaker.is_open


def test_outage_kinds_count_together_and_any_answer_resets_the_count() -> None:
    clock = _Clock()
    breaker = CircuitBreaker("openai", 3, cooldown_s=60, clock=clock)
    timeout = LLMTimeoutError("slow", provider="openai")
    # 500, timeout, dropped connection: three kinds, one outage; the third opens it.
    assert not breaker.record_failure(_down(500))
    assert not breaker.record_failure(timeout)
    assert breaker.consecutive_failures == 2
    assert breaker.record_failure(_down(None))
    with pytest.raises(
        LLMProviderDownError,
        match=r"3 requests in a row failed \(server error, timeout, connection\)",
    ):
        breaker.check()
    # The cooldown is measured on the injected clock: a second short of it, still open.
    clock.now += 59
    with pytest.raises(LLMProviderDownError):
        breaker.check()
    clock.now += 1
    breaker.check()
    # The probe is answered: closed, and a success resets the count of every kind.
    breaker.record_success()
    assert not breaker.is_open and breaker.consecutive_failures == 0
    assert not breaker.record_failure(timeout)
    assert not breaker.record_failure(_down(502))
    # A 429 is an answer (the provider is up): the count starts again.
    assert not breaker.record_failure(LLMRateLimitError("slow down", status_code=429))
    assert breaker.consecutive_failures == 0


def test_threshold_zero_never_opens() -> None:
    breaker = CircuitBreaker("openai", 0)
    for _ in range(50):
        assert not breaker.record_failure(_down(500))
    breaker.check()


# ---- through the managed client and the real SDKs --------------------------------------------------


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google-gemini"])
def test_a_provider_down_costs_threshold_requests_then_none(
    provider: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    fake_provider.down(500)
    client = _managed(provider, fake_provider_env, threshold=3, retries=10)
    # The request whose third failure opens the breaker says so, with the provider's answer.
    with pytest.raises(LLMProviderDownError) as first:
        client.complete(_request())
    assert first.value.sent and first.value.status_code == 500
    assert "HTTP 500" in str(first.value)
    for _ in range(5):
        with pytest.raises(LLMProviderDownError) as later:
            client.complete(_request())
        assert not later.value.sent
    assert len(fake_provider.requests) == 3
    assert "HTTP 500" in str(later.value) and provider in str(later.value)


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google-gemini"])
def test_a_provider_flapping_between_500_and_reset_opens_the_breaker(
    provider: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    # 500, reset, 500, reset, ...: down all the same; three in a row open the breaker.
    flaps = iter(range(1000))
    fake_provider.responder = lambda record: Fail(500) if next(flaps) % 2 == 0 else Reset()
    client = _managed(provider, fake_provider_env, threshold=3, retries=10)
    with pytest.raises(LLMProviderDownError) as first:
        client.complete(_request())
    assert first.value.sent
    assert "(server error, connection)" in str(first.value)
    with pytest.raises(LLMProviderDownError) as later:
        client.complete(_request("Describe customers."))
    assert not later.value.sent
    assert len(fake_provider.requests) == 3


def test_a_retry_after_longer_than_the_cap_fails_at_once_and_holds_nobody(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    clock = _Clock()
    limiter = RateLimiter(600, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep)
    fake_provider.script(Fail(429, retry_after=3600))
    client = _managed("openai", fake_provider_env, clock=clock, limiter=limiter, max_retry_wait=60)
    waits: list[str] = []
    client.on_wait = waits.append
    with pytest.raises(LLMRateLimitError) as caught:
        client.complete(_request())
    assert "OSMOSIS_LLM_MAX_RETRY_WAIT" in str(caught.value) and "3600" in str(caught.value)
    assert len(fake_provider.requests) == 1
    # The next request goes out at once: the limiter was not told to hold everyone for the hour.
    assert client.complete(_request("Describe customers.")).parsed is not None
    assert sum(clock.slept) < 60 and waits == []


def test_a_long_wait_is_announced(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    clock = _Clock()
    limiter = RateLimiter(600, clock=clock, sleep=clock.sleep, async_sleep=clock.async_sleep)
    fake_provider.script(Fail(429, retry_after=42), Reply(json=ANSWER))
    client = _managed("openai", fake_provider_env, clock=clock, limiter=limiter)
    waits: list[str] = []
    client.on_wait = waits.append
    assert client.complete(_request()).parsed == ANSWER
    assert waits == ["waiting 42 s: openai asked to slow down"]
    assert sum(clock.slept) >= 42


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google-gemini"])
def test_a_retry_note_says_what_the_provider_answered_not_an_exception_class(
    provider: str, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    clock = _Clock()
    fake_provider.script(Fail(500), Reset(), Fail(429), Reply(json=ANSWER))
    settings = LLMSettings(max_retries=5, breaker_threshold=0)
    runtime = LLMRuntime()
    client = ManagedClient(
        create_client(get_provider_config(provider), settings, fake_provider_env, runtime=runtime),
        # Waits of 10 s (on the injected clock): every one is announced.
        retry=_AlwaysWait(max_retries=5),
        settings=settings,
        capabilities=runtime.capability_store(None),
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )
    waits: list[str] = []
    client.on_wait = waits.append
    assert client.complete(_request()).parsed is not None
    assert waits == [
        f"waiting 10 s: retrying {provider} after HTTP 500",
        f"waiting 10 s: retrying {provider} after a connection reset",
        f"waiting 10 s: retrying {provider} after a rate limit (HTTP 429)",
    ], waits


@dataclass(frozen=True)
class _AlwaysWait(RetryPolicy):
    """A retry policy that waits 10 s before every retry (long enough to be announced)."""

    def delay(
        self, attempt: int, exc: BaseException | None = None, rng: random.Random | None = None
    ) -> float:
        return 10.0


# ---- Hypothesis: any sequence of faults, every node filled or reported --------------------------------

_FAULT_STEPS: dict[str, Step] = {
    "cut": Cut(after_chunks=1),
    "reset": Cut(after_chunks=1, how="reset"),
    "eof": Cut(after_chunks=2, how="eof"),
    "error": ErrorEvent(),
    "500": Fail(500),
    "one-body": OneBody(),
}
NODES = 4
THRESHOLD = 3


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(faults=st.lists(st.sampled_from(sorted(_FAULT_STEPS)), max_size=6))
@pytest.mark.parametrize("provider", ["openai", "azure-openai", "anthropic", "google-gemini"])
def test_any_sequence_of_faults_leaves_every_node_filled_or_reported(
    provider: str,
    faults: list[str],
    fake_provider: FakeProviderServer,
    fake_provider_env: dict[str, str],
    tmp_path: Path,
) -> None:
    fake_provider.reset()
    fake_provider.script(*(_FAULT_STEPS[name] for name in faults))
    client = _managed(provider, fake_provider_env, threshold=THRESHOLD, retries=3)

    async def run() -> list[LLMResponse | BaseException]:
        slots = asyncio.Semaphore(2)

        async def node(index: int) -> LLMResponse:
            async with slots:
                return await client.acomplete(_request(f"Describe model {index}."))

        return await asyncio.gather(*(node(i) for i in range(NODES)), return_exceptions=True)

    results = asyncio.run(run())
    assert len(results) == NODES
    for result in results:
        # Filled, or reported with a provider's or network's error: never lost, never "a bug".
        if isinstance(result, BaseException):
            assert isinstance(result, LLMError) and not isinstance(result, LLMInternalError), result
        else:
            assert result.parsed is not None
    failing = sum(1 for name in faults if name != "one-body")
    assert len(fake_provider.requests) <= NODES + failing
    if failing < THRESHOLD:
        # Fewer failures than retries and than the breaker's threshold: everything is filled.
        assert all(not isinstance(result, BaseException) for result in results), results


# ---- the fallback chain's configuration -------------------------------------------------------------


def test_the_fallback_chain_is_read_and_checked_before_anything_runs() -> None:
    from dbt_osmosis.core.llm.exceptions import LLMConfigError
    from dbt_osmosis.core.llm.fallback import fallback_configs, parse_fallback

    entries = parse_fallback(" anthropic:claude-haiku-4-5 , openai,")
    assert entries == (("anthropic", "claude-haiku-4-5"), ("openai", None))
    configs = fallback_configs(entries)
    assert [(c.name, c.model) for c in configs] == [("anthropic", "claude-haiku-4-5"), ("openai", None)]
    assert LLMSettings.from_env({"OSMOSIS_LLM_FALLBACK": "anthropic:claude-haiku-4-5,openai"}).fallback == (
        "anthropic:claude-haiku-4-5",
        "openai",
    )
    with pytest.raises(LLMConfigError, match="Unknown LLM provider 'antropic'"):
        fallback_configs(parse_fallback("antropic:claude-haiku-4-5"))
    with pytest.raises(LLMConfigError, match="names no provider"):
        parse_fallback(":gpt-4.1-mini")


def test_the_budget_prices_a_fallbacks_answer_by_its_own_price() -> None:
    from dbt_osmosis.core.llm.budget import Budget
    from dbt_osmosis.core.llm.types import Usage

    prices = {("openai", "gpt-4.1-mini"): 1.0, ("anthropic", "claude-haiku-4-5"): 10.0}

    def price_for(provider: str, model: str):  # type: ignore[no-untyped-def]
        per_token = prices.get((provider, model))
        if per_token is None:
            return None
        return lambda usage: (usage.prompt_tokens + usage.completion_tokens) * per_token

    budget = Budget(
        max_cost=1000.0,
        max_requests=None,
        price=lambda usage: (usage.prompt_tokens + usage.completion_tokens) * 1.0,
        price_for=price_for,
    )
    budget.settle(budget.reserve(1, 1), Usage(prompt_tokens=3, completion_tokens=2))
    assert budget.spent == 5.0
    budget.settle(
        budget.reserve(1, 1),
        Usage(prompt_tokens=3, completion_tokens=2),
        provider="anthropic",
        model="claude-haiku-4-5",
    )
    assert budget.spent == 55.0
    # A model without a price falls back to the budget's own.
    budget.settle(
        budget.reserve(1, 1), Usage(prompt_tokens=1, completion_tokens=0), provider="ollama", model="llama3"
    )
    assert budget.spent == 56.0
