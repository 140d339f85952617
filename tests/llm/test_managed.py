"""ManagedClient end to end: real SDKs against the fake provider, injected sleep and clock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping

import pytest
from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer, Reply

from dbt_osmosis.core.llm.exceptions import LLMAPIError, LLMAuthError, LLMRateLimitError
from dbt_osmosis.core.llm.factory import create_client
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client, estimate_tokens
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.rate_limit import RateLimiter
from dbt_osmosis.core.llm.retry import RetryPolicy
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.testing import MockLLMClient
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Message, Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable

SETTINGS = LLMSettings.from_env({})
SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}


class VirtualTime:
    """One virtual clock shared by the limiter and the client; sleeping just moves it forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def env(fake_provider_env: dict[str, str]) -> dict[str, str]:
    return {**fake_provider_env, "OPENAI_MODEL": "gpt-4o-mini", "ANTHROPIC_MODEL": "claude-haiku-4-5"}


def _request(text: str = "Describe the orders model.", **kwargs: object) -> LLMRequest:
    return LLMRequest(messages=(Message("user", text),), **kwargs)  # type: ignore[arg-type]


def _managed(
    provider: str, env: Mapping[str, str], time_: VirtualTime, *, max_retries: int = 3, limiter: bool = True
) -> ManagedClient:
    inner = create_client(get_provider_config(provider), SETTINGS, env)
    return ManagedClient(
        inner,
        retry=RetryPolicy(max_retries=max_retries, base_delay=0.5, max_delay=4.0),
        limiter=RateLimiter(600, clock=time_, sleep=time_.sleep) if limiter else None,
        usage=LLMUsageStats(price_table=PriceTable.load(), clock=time_),
        sleep=time_.sleep,
        clock=time_,
    )


def test_429_429_then_success_through_the_openai_sdk(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    time_ = VirtualTime()
    client = _managed("openai", env, time_, limiter=False)
    fake_provider.script(
        Fail(429, retry_after=7), Fail(429, retry_after_ms=2500), Reply(json={"description": "Orders."})
    )

    response = client.complete(_request(json_schema=SCHEMA))

    assert response.parsed == {"description": "Orders."}
    assert len(fake_provider.requests) == 3
    # Without a limiter the client itself waits out each retry-after (both exceed the jittered backoff).
    assert time_.slept == [7.0, 2.5]
    assert client.usage is not None
    totals = client.usage.totals()
    # One definition of a request: an attempt sent, as the server counts them; retries apart.
    assert (totals.requests, totals.answered, totals.retries, totals.errors) == (3, 1, 2, 0)


def test_retry_after_holds_back_every_caller_through_the_shared_limiter(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    time_ = VirtualTime()
    client = _managed("openai", env, time_)
    fake_provider.script(Fail(429, retry_after=30), Reply(text="ok"))
    client.complete(_request())
    assert time_.now >= 30.0
    # Another request through the same limiter right after is not blocked any longer, and a fresh 429
    # penalty would apply to it too: the limiter, not the client, owns the back-off.
    assert client.limiter is not None
    assert client.limiter.acquire() >= 30.0


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, LLMAuthError), (403, LLMAuthError), (400, LLMAPIError), (404, LLMAPIError)],
)
def test_auth_and_bad_request_errors_are_not_retried(
    env: dict[str, str], fake_provider: FakeProviderServer, status: int, error_type: type[Exception]
) -> None:
    time_ = VirtualTime()
    client = _managed("openai", env, time_)
    fake_provider.script(Fail(status), Reply(text="never reached"))
    with pytest.raises(error_type) as info:
        client.complete(_request())
    assert len(fake_provider.requests) == 1
    assert getattr(info.value, "status_code", None) == status
    assert getattr(info.value, "attempts", None) == 1
    assert time_.slept == []
    assert client.usage is not None and client.usage.totals().errors == 1


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google-gemini"])
def test_giving_up_after_n_retries_without_sdk_retries_multiplying(
    provider: str, env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    time_ = VirtualTime()
    client = _managed(provider, env, time_, max_retries=2)
    fake_provider.script(*[Fail(503)] * 5)

    with pytest.raises(LLMAPIError) as info:
        client.complete(_request())

    # max_retries=2 means exactly 3 HTTP requests: the SDK's own retries are off.
    assert len(fake_provider.requests) == 3
    err = info.value
    assert err.status_code == 503 and err.attempts == 3 and err.provider == provider
    assert isinstance(err.__cause__, LLMAPIError)
    assert FAKE_API_KEY not in str(err) and FAKE_API_KEY not in repr(err)
    assert len(time_.slept) == 2
    assert client.usage is not None
    totals = client.usage.totals()
    assert (totals.requests, totals.answered, totals.retries, totals.errors) == (3, 0, 2, 1)


def test_final_rate_limit_error_is_typed_and_keeps_retry_after(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    time_ = VirtualTime()
    client = _managed("anthropic", env, time_, max_retries=1)
    fake_provider.script(Fail(429, retry_after=3), Fail(429, retry_after=4))
    with pytest.raises(LLMRateLimitError) as info:
        client.complete(_request())
    assert info.value.retry_after == 4.0 and info.value.attempts == 2
    assert len(fake_provider.requests) == 2


def test_usage_totals_equal_what_the_fake_server_reported(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    time_ = VirtualTime()
    client = _managed("openai", env, time_)
    fake_provider.script(
        Reply(text="a", prompt_tokens=120, completion_tokens=30),
        Fail(502),
        Reply(text="b", prompt_tokens=200, completion_tokens=45),
        Reply(text="c", prompt_tokens=80, completion_tokens=5),
    )
    for _ in range(3):
        client.complete(_request())

    server = fake_provider.usage_totals()
    assert client.usage is not None
    totals = client.usage.totals()
    assert (totals.prompt_tokens, totals.completion_tokens) == (
        server["prompt_tokens"],
        server["completion_tokens"],
    )
    assert (totals.prompt_tokens, totals.completion_tokens) == (400, 80)
    assert totals.requests == server["requests"] == 4
    assert (totals.answered, totals.retries) == (3, 1)
    # gpt-4o-mini is priced, so the cost is known and matches the arithmetic.
    assert client.usage.cost() == pytest.approx((400 * 0.15 + 80 * 0.60) / 1_000_000)


def test_async_path_retries_with_async_sleep(env: dict[str, str], fake_provider: FakeProviderServer) -> None:
    time_ = VirtualTime()
    inner = create_client(get_provider_config("anthropic"), SETTINGS, env)
    client = ManagedClient(
        inner,
        retry=RetryPolicy(max_retries=3, base_delay=0.5),
        limiter=RateLimiter(600, clock=time_, sleep=time_.sleep, async_sleep=time_.async_sleep),
        usage=LLMUsageStats(),
        sleep=lambda _s: pytest.fail("blocking sleep on the async path"),
        async_sleep=time_.async_sleep,
        clock=time_,
    )
    fake_provider.script(Fail(529), Fail(429, retry_after=2), Reply(json={"description": "Async orders."}))

    response = asyncio.run(client.acomplete(_request(json_schema=SCHEMA)))

    assert response.parsed == {"description": "Async orders."}
    assert len(fake_provider.requests) == 3
    assert time_.now >= 2.0
    assert client.usage is not None and client.usage.totals().retries == 2


class HeaderClient:
    """A minimal LLMClient whose answers carry provider rate-limit headers."""

    provider = "openai"
    model = "gpt-4o"

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)
        self.calls = 0

    def complete(self, request: LLMRequest) -> LLMResponse:
        self.calls += 1
        return LLMResponse(
            text="ok",
            parsed=None,
            usage=Usage(prompt_tokens=10, completion_tokens=2),
            latency_s=0.25,
            request_id=None,
            provider=self.provider,
            model=self.model,
            headers=self.headers,
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        return self.complete(request)


def test_response_headers_feed_the_limiter() -> None:
    time_ = VirtualTime()
    inner = HeaderClient({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s"})
    limiter = RateLimiter(600, clock=time_, sleep=time_.sleep)
    client = ManagedClient(inner, limiter=limiter, sleep=time_.sleep, clock=time_)
    client.complete(_request())
    assert time_.now == 0.0
    client.complete(_request())  # the provider said the quota is spent until +20 s
    assert time_.now >= 20.0


def test_token_estimate_reaches_the_tokens_per_minute_budget() -> None:
    time_ = VirtualTime()
    limiter = RateLimiter(600, tokens_per_minute=1000, clock=time_, sleep=time_.sleep)
    # The reply really uses ~700 tokens (2,800 characters of output), as estimated.
    client = ManagedClient(MockLLMClient(default="x" * 2800), limiter=limiter, sleep=time_.sleep, clock=time_)
    client.complete(_request(estimated_tokens=700))
    client.complete(_request(estimated_tokens=700))  # does not fit in the same minute
    assert time_.now == pytest.approx(60.0)
    assert estimate_tokens(_request("x" * 400, max_tokens=100)) == 400 // 4 + 1 + 100


def test_reported_usage_corrects_the_token_estimate() -> None:
    time_ = VirtualTime()
    limiter = RateLimiter(600, tokens_per_minute=1000, clock=time_, sleep=time_.sleep)
    # Estimated at 700 each, but the provider reports a few tokens per reply: the second request
    # fits in the same minute because the window holds what was really used.
    client = ManagedClient(MockLLMClient(default="fine"), limiter=limiter, sleep=time_.sleep, clock=time_)
    client.complete(_request(estimated_tokens=700))
    client.complete(_request(estimated_tokens=700))
    assert time_.now < 1.0


def test_mock_client_errors_are_retried_like_real_ones() -> None:
    time_ = VirtualTime()
    mock = MockLLMClient([LLMAPIError("gateway", status_code=502), {"description": "ok"}])
    usage = LLMUsageStats()
    client = ManagedClient(mock, usage=usage, sleep=time_.sleep, clock=time_)
    response = client.complete(_request(json_schema=SCHEMA))
    assert response.parsed == {"description": "ok"} and len(mock.calls) == 2
    assert usage.totals().retries == 1 and usage.totals().requests == 2  # two attempts sent
    assert (client.provider, client.model) == ("mock", "mock-model")


def test_build_managed_client_applies_settings_and_shares_one_limiter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = LLMRuntime()
    settings = LLMSettings.from_env({"OSMOSIS_LLM_MAX_RETRIES": "1", "OSMOSIS_LLM_RATE_LIMIT": "42"})
    first = build_managed_client(settings, inner=MockLLMClient(default="a"), runtime=run)
    second = build_managed_client(settings, inner=MockLLMClient(default="b"), runtime=run)
    assert first.retry.max_retries == 1
    assert first.limiter is not None and first.limiter is second.limiter
    assert first.limiter.requests_per_minute == 42
    assert first.usage is None  # tracking is off by default
    other_run = build_managed_client(settings, inner=MockLLMClient(default="c"), runtime=LLMRuntime())
    assert other_run.limiter is not first.limiter  # a runtime's state is its own

    tracked = settings.with_overrides(track_usage=True)
    a = build_managed_client(tracked, inner=MockLLMClient(default="a"), runtime=run)
    b = build_managed_client(tracked, inner=MockLLMClient(default="b"), runtime=run)
    assert a.usage is not None and a.usage is b.usage is run.usage_if_created
    a.complete(_request())
    b.complete(_request())
    assert a.usage.totals().requests == 2
    a.usage.mark_reported()  # the process-wide summary at exit is not this test's to print


def test_build_managed_client_creates_the_provider_adapter(
    env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    settings = LLMSettings.from_env({})
    client = build_managed_client(
        settings, env={**env, "LLM_PROVIDER": "anthropic"}, limiter=RateLimiter(600)
    )
    fake_provider.script(Reply(text="Hello from the fake."))
    assert client.complete(_request()).text == "Hello from the fake."
    assert client.provider == "anthropic"
    assert fake_provider.requests[0].wire == "anthropic"


def test_retries_are_logged_and_attempts_numbered_without_the_key(
    env: dict[str, str], fake_provider: FakeProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    time_ = VirtualTime()
    client = _managed("openai", env, time_)
    fake_provider.script(Fail(429, retry_after=5), Reply(text="ok"))
    with caplog.at_level("DEBUG", logger="dbt_osmosis.llm"):
        client.complete(_request(operation="model_doc"))
    lines = [record.getMessage() for record in caplog.records]
    retry_lines = [line for line in lines if line.startswith("llm retry")]
    assert len(retry_lines) == 1
    assert "attempt=1/4" in retry_lines[0] and "LLMRateLimitError" in retry_lines[0]
    assert "operation=model_doc" in retry_lines[0] and "provider asked for 5s" in retry_lines[0]
    assert any("llm request" in line and "attempt=2" in line for line in lines)
    assert all(FAKE_API_KEY not in line for line in lines)
