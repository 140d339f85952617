"""RetryPolicy and retry_with_backoff: what is retried, how long we wait, what the caller finally sees."""

from __future__ import annotations

import asyncio
import random

import pytest

from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMAuthError,
    LLMConfigError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from dbt_osmosis.core.llm.retry import RetryPolicy, retry_with_backoff
from dbt_osmosis.core.llm.settings import LLMSettings


@pytest.mark.parametrize(
    "exc",
    [
        LLMRateLimitError("slow down", status_code=429),
        LLMTimeoutError("no answer"),
        LLMAPIError("connection reset"),
        LLMAPIError("timeout", status_code=408),
        LLMAPIError("conflict", status_code=409),
        LLMAPIError("server", status_code=500),
        LLMAPIError("gateway", status_code=502),
        LLMAPIError("overloaded", status_code=529),
    ],
)
def test_transient_errors_are_retried(exc: Exception) -> None:
    assert RetryPolicy().should_retry(exc)


@pytest.mark.parametrize(
    "exc",
    [
        LLMAuthError("bad key", status_code=401),
        LLMAuthError("forbidden", status_code=403),
        LLMConfigError("no model"),
        LLMResponseError("not json"),
        LLMAPIError("bad request", status_code=400),
        LLMAPIError("no such model", status_code=404),
        LLMAPIError("unprocessable", status_code=422),
        ValueError("a bug in our code"),
    ],
)
def test_permanent_errors_are_not_retried(exc: Exception) -> None:
    assert not RetryPolicy().should_retry(exc)


def test_a_quota_sized_retry_after_is_not_waited_for() -> None:
    policy = RetryPolicy(max_retry_after=300)
    assert policy.should_retry(LLMRateLimitError("minute limit", retry_after=20))
    assert not policy.should_retry(LLMRateLimitError("daily quota", retry_after=86_400))


def test_delay_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(7)
    for attempt, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (12, 8.0)]:
        samples = [policy.delay(attempt, None, rng) for _ in range(300)]
        assert all(0.0 <= s <= cap for s in samples)
        # Full jitter spreads over the whole range, not a narrow band near the cap.
        assert min(samples) < cap * 0.1 and max(samples) > cap * 0.9


def test_provider_retry_after_wins_when_longer_than_the_backoff() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=2.0)
    rng = random.Random(1)
    assert policy.delay(1, LLMRateLimitError("x", retry_after=30.0), rng) == 30.0
    # A retry-after shorter than the drawn backoff does not shorten it below the jitter draw.
    tiny = policy.delay(4, LLMRateLimitError("x", retry_after=0.0001), random.Random(3))
    assert tiny == RetryPolicy(base_delay=1.0, max_delay=2.0).delay(4, None, random.Random(3))


def test_from_settings_reads_max_retries_and_retry_delay() -> None:
    settings = LLMSettings.from_env({"OSMOSIS_LLM_MAX_RETRIES": "5", "OSMOSIS_LLM_RETRY_DELAY": "0.25"})
    policy = RetryPolicy.from_settings(settings)
    assert (policy.max_retries, policy.base_delay) == (5, 0.25)
    assert RetryPolicy.from_settings(LLMSettings.from_env({})).max_retries == 3


def test_decorator_retries_429_429_then_succeeds_and_sleeps_the_retry_after() -> None:
    outcomes: list[object] = [
        LLMRateLimitError("rate limited", retry_after=7.0, status_code=429),
        LLMRateLimitError("rate limited", retry_after=3.0, status_code=429),
        "ok",
    ]
    slept: list[float] = []
    seen: list[tuple[int, float]] = []

    @retry_with_backoff(
        RetryPolicy(max_retries=3, base_delay=0.5, max_delay=1.0),
        sleep=slept.append,
        on_retry=lambda attempt, exc, delay: seen.append((attempt, delay)),
    )
    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, str)
        return outcome

    assert call() == "ok"
    assert slept == [7.0, 3.0]
    assert seen == [(1, 7.0), (2, 3.0)]


def test_decorator_gives_up_with_typed_error_attempt_count_and_chain() -> None:
    calls = 0
    slept: list[float] = []

    @retry_with_backoff(RetryPolicy(max_retries=2, base_delay=0.1), sleep=slept.append)
    def call() -> None:
        nonlocal calls
        calls += 1
        raise LLMAPIError(f"bad gateway #{calls}", status_code=502, provider="openai")

    with pytest.raises(LLMAPIError) as info:
        call()
    assert calls == 3 and len(slept) == 2
    err = info.value
    assert err.attempts == 3 and err.status_code == 502 and err.provider == "openai"
    assert "attempts=3" in str(err)
    assert isinstance(err.__cause__, LLMAPIError) and "bad gateway #3" in str(err.__cause__)


def test_decorator_does_not_retry_auth_errors() -> None:
    calls = 0

    @retry_with_backoff(RetryPolicy(max_retries=5), sleep=lambda _s: pytest.fail("must not sleep"))
    def call() -> None:
        nonlocal calls
        calls += 1
        raise LLMAuthError("Incorrect API key", status_code=401)

    with pytest.raises(LLMAuthError) as info:
        call()
    assert calls == 1 and info.value.attempts == 1


def test_final_rate_limit_error_keeps_retry_after() -> None:
    @retry_with_backoff(RetryPolicy(max_retries=1), sleep=lambda _s: None)
    def call() -> None:
        raise LLMRateLimitError("limited", retry_after=4.0, status_code=429)

    with pytest.raises(LLMRateLimitError) as info:
        call()
    assert info.value.retry_after == 4.0 and info.value.attempts == 2


def test_async_decorator_uses_async_sleep_and_retries() -> None:
    outcomes: list[object] = [LLMTimeoutError("slow"), LLMAPIError("reset"), {"fine": True}]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    @retry_with_backoff(
        RetryPolicy(max_retries=3, base_delay=0.0),
        sleep=lambda _s: pytest.fail("sync sleep in async code"),
        async_sleep=fake_sleep,
    )
    async def call() -> object:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert asyncio.run(call()) == {"fine": True}
    assert slept == [0.0, 0.0]


def test_negative_max_retries_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError):
        RetryPolicy(max_retries=-1)
