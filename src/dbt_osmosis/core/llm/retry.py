"""Retry transient LLM failures with capped, fully jittered exponential backoff.

Which failures are transient is decided by exception *type* (the adapters in ``client.py`` have already
translated SDK exceptions into the ``LLMError`` tree), never by matching message text:

* retried: ``LLMRateLimitError`` (429), ``LLMTimeoutError``, ``LLMAPIError`` without a status (the
  connection dropped) or with 408, 409 or any 5xx;
* not retried: ``LLMAuthError``, ``LLMConfigError``, ``LLMResponseError`` and every other ``LLMAPIError``
  (400, 404, 422, ...), because repeating the same request cannot change the answer.

The SDKs' own retries are switched off (``max_retries=0`` in ``client.py``), so one attempt here is one
HTTP request and attempts never multiply.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMConfigError,
    LLMError,
    LLMRateLimitError,
    LLMTimeoutError,
)

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.settings import LLMSettings

__all__ = ["OnRetry", "RetryPolicy", "final_error", "retry_with_backoff"]

P = ParamSpec("P")
R = TypeVar("R")

#: ``on_retry(attempt, exc, delay)``: called after failed attempt ``attempt`` (1-based), before sleeping.
OnRetry = Callable[[int, BaseException, float], None]

_RETRYABLE_STATUS = frozenset({408, 409})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry, and how long to wait between attempts.

    ``max_retries`` counts retries, so a call makes at most ``max_retries + 1`` attempts. The wait before
    retry *n* is drawn uniformly from ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter", which
    spreads a crowd of clients that failed together), unless the provider said how long to wait: its
    ``retry-after`` wins when it is longer. A provider asking for more than ``max_retry_after`` seconds is
    reporting an exhausted quota rather than a blip, so the call fails at once instead of hanging the run.
    """

    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise LLMConfigError(f"max_retries must be 0 or more, got {self.max_retries}.")
        if self.base_delay < 0 or self.max_delay < 0:
            raise LLMConfigError("Retry delays must be 0 or more.")

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> RetryPolicy:
        """Policy from ``OSMOSIS_LLM_MAX_RETRIES``, ``_RETRY_DELAY`` and ``_MAX_RETRY_WAIT``."""
        return cls(
            max_retries=settings.max_retries,
            base_delay=settings.retry_delay,
            max_retry_after=settings.max_retry_wait,
        )

    def should_retry(self, exc: BaseException) -> bool:
        """Whether repeating the request could plausibly succeed, judged by the exception's type."""
        if isinstance(exc, LLMRateLimitError):
            return exc.retry_after is None or exc.retry_after <= self.max_retry_after
        if isinstance(exc, LLMTimeoutError):
            return True
        if isinstance(exc, LLMAPIError):
            status = exc.status_code
            return status is None or status in _RETRYABLE_STATUS or status >= 500
        return False

    def delay(
        self, attempt: int, exc: BaseException | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based) before the next one."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        wait = (rng or _RNG).uniform(0.0, ceiling) if ceiling > 0 else 0.0
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after > wait:
            wait = float(retry_after)
        return wait


# One module-level generator keeps jitter uncorrelated across calls; tests pass their own seeded one.
_RNG = random.Random()


def final_error(exc: BaseException, attempts: int) -> BaseException:
    """The error to raise after giving up: a copy of ``exc`` carrying ``attempts``.

    The caller raises it ``from exc`` so the traceback keeps the last underlying failure. Non-LLM errors
    are returned unchanged: they were never ours to annotate.
    """
    if not isinstance(exc, LLMError):
        return exc
    if attempts <= 1:
        exc.attempts = attempts
        return exc
    # A shallow copy keeps the exact subclass and every context field (retry_after included) without
    # needing to know each subclass's constructor.
    clone = copy.copy(exc)
    clone.attempts = attempts
    clone.__cause__ = None
    clone.__context__ = None
    clone.__traceback__ = None
    return clone


def _raise_final(exc: BaseException, attempts: int) -> None:
    final = final_error(exc, attempts)
    if final is exc:
        raise exc
    raise final from exc


def retry_with_backoff(
    policy: RetryPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_retry: OnRetry | None = None,
    rng: random.Random | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a sync or async function so transient ``LLMError``s are retried per ``policy``.

    After the last attempt the typed error is raised with ``attempts`` set, chained to the last failure.
    ``sleep``/``async_sleep`` are injectable so tests spend no real time.
    """
    active = policy or RetryPolicy()

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                attempt = 0
                while True:
                    attempt += 1
                    try:
                        return await cast(Callable[P, Awaitable[Any]], func)(*args, **kwargs)
                    except Exception as exc:
                        if attempt > active.max_retries or not active.should_retry(exc):
                            _raise_final(exc, attempt)
                        wait = active.delay(attempt, exc, rng)
                        if on_retry is not None:
                            on_retry(attempt, exc, wait)
                        await async_sleep(wait)

            return cast(Callable[P, R], async_wrapper)

        @functools.wraps(func)
        def sync_wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            attempt = 0
            while True:
                attempt += 1
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    if attempt > active.max_retries or not active.should_retry(exc):
                        _raise_final(exc, attempt)
                    wait = active.delay(attempt, exc, rng)
                    if on_retry is not None:
                        on_retry(attempt, exc, wait)
                    sleep(wait)

        return sync_wrapper

    return decorate
