"""A client wrapper that adds retries, rate limiting and usage accounting to any ``LLMClient``.

Each concern lives in its own module (``retry``, ``rate_limit``, ``usage``); ``ManagedClient`` composes
them around a raw provider adapter so the adapter stays a thin SDK translation and the same policy
applies to every provider, to the mock, and to sync and async callers alike.

Per attempt: wait for the shared limiter, call the inner client, record tokens and latency, and feed
the response's rate-limit headers back to the limiter. A 429 makes the limiter hold *every* caller back
(not just this one), then the retry policy decides whether and when to try again.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from dbt_osmosis.core.llm.exceptions import LLMError, LLMRateLimitError
from dbt_osmosis.core.llm.logging import attempt_scope, get_logger
from dbt_osmosis.core.llm.rate_limit import RateLimiter
from dbt_osmosis.core.llm.retry import RetryPolicy, final_error
from dbt_osmosis.core.llm.usage import LLMUsageStats, default_usage_for

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.client import LLMClient, LLMRequest, LLMResponse
    from dbt_osmosis.core.llm.providers import ProviderConfig
    from dbt_osmosis.core.llm.settings import LLMSettings

__all__ = [
    "ManagedClient",
    "build_managed_client",
    "estimate_tokens",
    "reset_shared_limiters",
    "shared_limiter",
]

# Roughly four characters per token for English prose and SQL; only used to pace the token budget, so
# being a little off costs a little throughput, not correctness.
_CHARS_PER_TOKEN = 4


def estimate_tokens(request: LLMRequest) -> int:
    """Tokens a request will probably consume (prompt plus the completion budget), for the limiter."""
    if request.estimated_tokens is not None:
        return max(0, request.estimated_tokens)
    prompt_chars = sum(len(message.content) for message in request.messages)
    return prompt_chars // _CHARS_PER_TOKEN + 1 + (request.max_tokens or 0)


class ManagedClient:
    """An ``LLMClient`` that retries, rate-limits and records usage around another ``LLMClient``."""

    def __init__(
        self,
        inner: LLMClient,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        usage: LLMUsageStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.inner = inner
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.usage = usage
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._clock = clock
        self._rng = rng

    @property
    def provider(self) -> str:
        """The inner client's provider name."""
        return self.inner.provider

    @property
    def model(self) -> str:
        """The inner client's model name."""
        return self.inner.model

    def __repr__(self) -> str:
        return f"ManagedClient(provider={self.provider!r}, model={self.model!r}, retry={self.retry!r})"

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Send ``request`` with rate limiting and retries; raise the typed error when giving up."""
        tokens = estimate_tokens(request)
        attempt = 0
        while True:
            attempt += 1
            if self.limiter is not None:
                self.limiter.acquire(tokens)
            started = self._clock()
            try:
                with attempt_scope(attempt):
                    response = self.inner.complete(request)
            except Exception as exc:
                wait = self._after_failure(exc, attempt, request)
                self._sleep(wait)
                continue
            self._after_success(response, self._clock() - started)
            return response

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Asyncio twin of ``complete``; waits with ``async_sleep`` so the event loop keeps running."""
        tokens = estimate_tokens(request)
        attempt = 0
        while True:
            attempt += 1
            if self.limiter is not None:
                await self.limiter.acquire_async(tokens)
            started = self._clock()
            try:
                with attempt_scope(attempt):
                    response = await self.inner.acomplete(request)
            except Exception as exc:
                wait = self._after_failure(exc, attempt, request)
                await self._async_sleep(wait)
                continue
            self._after_success(response, self._clock() - started)
            return response

    def _after_success(self, response: LLMResponse, measured_s: float) -> None:
        if self.limiter is not None and response.headers:
            self.limiter.observe_headers(response.headers)
        if self.usage is not None:
            latency = response.latency_s if response.latency_s and response.latency_s > 0 else measured_s
            self.usage.record(
                response.provider or self.provider, response.model or self.model, response.usage, latency
            )

    def _after_failure(self, exc: Exception, attempt: int, request: LLMRequest) -> float:
        """Account for a failed attempt; return how long to wait, or raise the final error."""
        if isinstance(exc, LLMRateLimitError) and self.limiter is not None:
            self.limiter.penalize(exc.retry_after)
        if attempt > self.retry.max_retries or not self.retry.should_retry(exc):
            if self.usage is not None and isinstance(exc, LLMError):
                self.usage.record_error(self.provider, self.model)
            final = final_error(exc, attempt)
            if final is exc:
                raise exc
            raise final from exc
        if self.usage is not None:
            self.usage.record_retry(self.provider, self.model)
        # With a limiter, a 429's retry_after is already enforced for everyone by penalize(); waiting
        # it here too would double the pause, so only the jitter is ours (acquire waits out the rest).
        honours_retry_after = isinstance(exc, LLMRateLimitError) and self.limiter is not None
        wait = self.retry.delay(attempt, None if honours_retry_after else exc, self._rng)
        retry_after = getattr(exc, "retry_after", None)
        # str(exc) is already redacted by LLMError, and the logger's filter redacts once more.
        get_logger().info(
            "llm retry provider=%s model=%s operation=%s attempt=%d/%d after %s (%s); waiting %.2fs%s",
            self.provider,
            self.model,
            request.operation,
            attempt,
            self.retry.max_retries + 1,
            type(exc).__name__,
            exc,
            wait,
            f", provider asked for {retry_after:g}s" if retry_after is not None else "",
        )
        return wait


_shared_lock = threading.Lock()
_shared_limiters: dict[tuple[str, float, float | None], RateLimiter] = {}


def shared_limiter(provider: str, settings: LLMSettings) -> RateLimiter:
    """The process-wide limiter for ``provider`` at these limits, so every client of a run shares it."""
    key = (provider, settings.rate_limit, settings.tokens_per_minute)
    with _shared_lock:
        limiter = _shared_limiters.get(key)
        if limiter is None:
            limiter = RateLimiter.from_settings(settings)
            _shared_limiters[key] = limiter
        return limiter


def reset_shared_limiters() -> None:
    """Forget the process-wide limiters (tests, or a long-lived process starting an unrelated run)."""
    with _shared_lock:
        _shared_limiters.clear()


def build_managed_client(
    settings: LLMSettings,
    *,
    config: ProviderConfig | None = None,
    env: Mapping[str, str] | None = None,
    limiter: RateLimiter | None = None,
    usage: LLMUsageStats | None = None,
    inner: LLMClient | None = None,
) -> ManagedClient:
    """The one way the CLI and the facade get a ready client: provider adapter plus every policy.

    Without an explicit ``limiter`` the process-wide one for the provider is used, so clients built
    separately in one run still share one budget. Without explicit ``usage``, the default stats object
    is used when ``OSMOSIS_LLM_TRACK_USAGE`` is on.
    """
    if inner is None:
        from dbt_osmosis.core.llm.client import create_client

        inner = create_client(config, settings, env)
    if usage is None and settings.track_usage:
        usage = default_usage_for(settings)
    return ManagedClient(
        inner,
        retry=RetryPolicy.from_settings(settings),
        limiter=limiter if limiter is not None else shared_limiter(inner.provider, settings),
        usage=usage,
    )
