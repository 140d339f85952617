"""One request/token budget shared by every LLM call of a run, from threads and from asyncio alike.

Three rules decide when a request may start, all checked together under one short-held lock:

1. a token bucket of ``burst`` requests refilled at ``requests_per_minute / 60`` per second smooths the
   pace, so a run does not fire its whole minute's budget in the first second;
2. a sliding 60-second log of start times guarantees that no 60-second window ever holds more than
   ``requests_per_minute`` starts (a bucket alone would allow ``burst + rate`` per minute);
3. with ``tokens_per_minute`` set, the estimated tokens started in the last 60 seconds stay within it.

When the provider answers 429 (``penalize``) or its rate-limit headers say the quota is spent
(``observe_headers``), every caller waits, and the bucket restarts empty so work resumes at the paced
rate instead of as a burst that would trip the limit again.

The lock is only ever held to do arithmetic; callers sleep after releasing it, so requests that fit are
never serialised behind one that has to wait.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from dbt_osmosis.core.llm.exceptions import LLMConfigError

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.settings import LLMSettings

__all__ = ["RateLimiter", "parse_reset"]

_WINDOW = 60.0
# Floating-point rounding can leave a computed wait a hair short; never ask anyone to sleep for less.
_MIN_WAIT = 1e-6

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


class RateLimiter:
    """Thread-safe, asyncio-friendly limiter on requests (and optionally tokens) per minute."""

    def __init__(
        self,
        requests_per_minute: float,
        tokens_per_minute: float | None = None,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if requests_per_minute <= 0:
            raise LLMConfigError(f"requests_per_minute must be greater than 0, got {requests_per_minute}.")
        if tokens_per_minute is not None and tokens_per_minute <= 0:
            raise LLMConfigError(f"tokens_per_minute must be greater than 0, got {tokens_per_minute}.")
        self.requests_per_minute = float(requests_per_minute)
        self.tokens_per_minute = None if tokens_per_minute is None else float(tokens_per_minute)
        # Ten seconds' worth of requests by default: enough that a pool of workers starts together,
        # small enough that a provider enforcing per-second slices of its minute limit is not tripped.
        self.burst = max(1.0, float(burst) if burst is not None else self.requests_per_minute / 6)
        self._window_limit = max(1, math.floor(self.requests_per_minute))
        self._rate = self.requests_per_minute / _WINDOW
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._bucket = self.burst
        self._updated = clock()
        self._starts: deque[float] = deque()
        self._token_log: deque[tuple[float, int]] = deque()
        self._token_sum = 0
        self._blocked_until = float("-inf")
        self._waited = 0.0

    @classmethod
    def from_settings(cls, settings: LLMSettings, **kwargs: object) -> RateLimiter:
        """Limiter from ``OSMOSIS_LLM_RATE_LIMIT`` and ``OSMOSIS_LLM_TOKENS_PER_MINUTE``."""
        return cls(settings.rate_limit, settings.tokens_per_minute, **kwargs)  # type: ignore[arg-type]

    @property
    def waited_s(self) -> float:
        """Total seconds callers have been asked to wait so far (for the run summary)."""
        with self._lock:
            return self._waited

    def acquire(self, tokens: int = 0) -> float:
        """Block until a request estimated at ``tokens`` may start; return the clock time it was admitted."""
        while True:
            admitted, value = self._try_reserve(tokens)
            if admitted:
                return value
            self._sleep(value)

    async def acquire_async(self, tokens: int = 0) -> float:
        """Asyncio twin of ``acquire``: awaits instead of blocking the event loop."""
        while True:
            admitted, value = self._try_reserve(tokens)
            if admitted:
                return value
            await self._async_sleep(value)

    def penalize(self, retry_after: float | None = None) -> None:
        """The provider said 429: hold every caller back for ``retry_after`` seconds (or one pace step)."""
        delay = retry_after if retry_after is not None and retry_after > 0 else max(1.0, 1 / self._rate)
        with self._lock:
            self._block_locked(self._clock() + delay)

    def observe_headers(self, headers: Mapping[str, str]) -> None:
        """Learn from OpenAI-style ``x-ratelimit-*`` and ``anthropic-ratelimit-*`` response headers."""
        lowered = {key.lower(): value for key, value in headers.items()}
        for kind in ("requests", "tokens"):
            remaining = _first_number(
                lowered,
                f"x-ratelimit-remaining-{kind}",
                f"anthropic-ratelimit-{kind}-remaining",
            )
            if remaining is None:
                continue
            reset_raw = lowered.get(f"x-ratelimit-reset-{kind}") or lowered.get(
                f"anthropic-ratelimit-{kind}-reset"
            )
            reset = parse_reset(reset_raw, self._wall_clock()) if reset_raw else None
            with self._lock:
                now = self._clock()
                if remaining <= 0:
                    self._block_locked(now + (reset if reset is not None else max(1.0, 1 / self._rate)))
                elif kind == "requests":
                    # The server knows about requests this process never saw (other runs, other tools
                    # on the same key): never believe we have more left than it says.
                    self._refill_locked(now)
                    self._bucket = min(self._bucket, remaining)

    def correct(self, admitted_at: float, estimated: int, actual: int) -> None:
        """Replace a request's estimated tokens with what the provider reported it used.

        ``admitted_at`` is what ``acquire`` returned for the request. The token budget was reserved
        from an estimate (prompt characters / 4 plus the whole output budget); once the reply says what
        the request really cost, the window holds that instead, so the pace follows the real usage.
        """
        if self.tokens_per_minute is None or estimated <= 0:
            return
        actual = max(0, int(actual))
        with self._lock:
            for index, (started, amount) in enumerate(self._token_log):
                if started == admitted_at and amount == estimated:
                    self._token_log[index] = (started, actual)
                    self._token_sum += actual - estimated
                    return

    def _block_locked(self, until: float) -> None:
        if until > self._blocked_until:
            self._blocked_until = until
        # Restart empty at the end of the block so callers come back at the paced rate, not as a burst.
        self._bucket = 0.0
        self._updated = max(self._updated, self._blocked_until)

    def _refill_locked(self, now: float) -> None:
        if now > self._updated:
            self._bucket = min(self.burst, self._bucket + (now - self._updated) * self._rate)
            self._updated = now

    def _try_reserve(self, tokens: int) -> tuple[bool, float]:
        """Admit now (``(True, now)``) or say how long to wait (``(False, seconds)``); never sleeps."""
        with self._lock:
            now = self._clock()
            self._refill_locked(now)
            horizon = now - _WINDOW
            while self._starts and self._starts[0] <= horizon:
                self._starts.popleft()
            while self._token_log and self._token_log[0][0] <= horizon:
                self._token_sum -= self._token_log.popleft()[1]

            wait = 0.0
            if self._blocked_until > now:
                wait = self._blocked_until - now
            if self._bucket < 1.0:
                # Refill only starts once any block is over (see _block_locked).
                wait = max(wait, max(self._updated - now, 0.0) + (1.0 - self._bucket) / self._rate)
            if len(self._starts) >= self._window_limit:
                oldest_that_matters = self._starts[len(self._starts) - self._window_limit]
                wait = max(wait, oldest_that_matters + _WINDOW - now)
            if self.tokens_per_minute is not None and tokens > 0:
                wait = max(wait, self._token_wait_locked(tokens, now))

            if wait > 0:
                wait = max(wait, _MIN_WAIT)
                self._waited += wait
                return False, wait
            self._bucket -= 1.0
            self._starts.append(now)
            if self.tokens_per_minute is not None and tokens > 0:
                self._token_log.append((now, tokens))
                self._token_sum += tokens
            return True, now

    def _token_wait_locked(self, tokens: int, now: float) -> float:
        assert self.tokens_per_minute is not None
        excess = self._token_sum + tokens - self.tokens_per_minute
        if excess <= 0 or not self._token_log:
            # A single request larger than the whole budget goes through alone rather than never.
            return 0.0
        freed = 0
        for started, amount in self._token_log:
            freed += amount
            if freed >= excess:
                return started + _WINDOW - now
        return self._token_log[-1][0] + _WINDOW - now


def parse_reset(value: str, wall_now: float) -> float | None:
    """Seconds until a rate-limit reset given as ``1s``/``6m0s``/``20ms``/a number, or an RFC 3339 time."""
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if parts and "".join(number + unit for number, unit in parts) == text:
        scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
        return sum(float(number) * scale[unit] for number, unit in parts)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - wall_now)


def _first_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return float(raw.strip())
        except ValueError:
            continue
    return None
