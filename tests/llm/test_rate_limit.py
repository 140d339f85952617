"""RateLimiter: per-minute guarantees under thread contention, bursts, 429 back-off, provider headers."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import pytest

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.rate_limit import RateLimiter, parse_reset
from dbt_osmosis.core.llm.settings import LLMSettings


class FakeClock:
    """Shared virtual time: a sleeper moves time forward to (a scaled version of) its wake-up time."""

    def __init__(self, start: float = 1000.0, scale: float = 1.0) -> None:
        self.now = start
        self.scale = scale
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds * self.scale

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _max_in_any_window(times: list[float], width: float) -> int:
    ordered = sorted(times)
    best, j = 0, 0
    for i, start in enumerate(ordered):
        j = max(j, i)
        while j < len(ordered) and ordered[j] < start + width:
            j += 1
        best = max(best, j - i)
    return best


@pytest.mark.parametrize("scale", [1.0, 0.3, 1.7], ids=["wakes-on-time", "wakes-early", "wakes-late"])
def test_eight_threads_never_exceed_r_starts_in_any_60s_window(scale: float) -> None:
    rpm = 30
    clock = FakeClock(scale=scale)
    limiter = RateLimiter(rpm, clock=clock, sleep=clock.sleep)
    admitted: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(25):
            at = limiter.acquire()
            with lock:
                admitted.append(at)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert len(admitted) == 200
    assert _max_in_any_window(admitted, 60.0) <= rpm
    # Burst bounded by the bucket (rpm/6 = 5): no instant sees more starts than that.
    assert _max_in_any_window(admitted, 1e-9) <= limiter.burst == 5
    # And the whole run took as long as the budget demands, no more than a little slack beyond it.
    assert max(admitted) - min(admitted) >= (200 / rpm - 1) * 60


def test_requests_that_fit_start_together_without_waiting() -> None:
    clock = FakeClock()
    limiter = RateLimiter(120, clock=clock, sleep=clock.sleep)  # burst 20
    barrier = threading.Barrier(8)
    admitted: list[float] = []

    def worker() -> None:
        barrier.wait()
        admitted.append(limiter.acquire())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert clock.sleeps == []
    assert admitted == [1000.0] * 8


def test_a_waiting_caller_does_not_hold_the_lock_while_it_sleeps() -> None:
    clock = FakeClock()
    release = threading.Event()
    in_sleep = threading.Event()

    def blocking_sleep(seconds: float) -> None:
        in_sleep.set()
        assert release.wait(timeout=10), "test never released the sleeper"
        clock.sleep(seconds)

    limiter = RateLimiter(600, tokens_per_minute=1000, clock=clock, sleep=blocking_sleep)
    limiter.acquire(900)
    big = threading.Thread(target=limiter.acquire, args=(500,))  # does not fit: will sleep
    big.start()
    assert in_sleep.wait(timeout=10)

    small_done = threading.Event()
    small = threading.Thread(target=lambda: (limiter.acquire(50), small_done.set()))
    small.start()
    # The small request fits the remaining budget; it must get through while the big one is asleep.
    assert small_done.wait(timeout=5)
    release.set()
    big.join(timeout=10)
    small.join(timeout=10)
    assert not big.is_alive()


def test_burst_is_bounded_by_the_bucket_then_paced() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, burst=3, clock=clock, sleep=clock.sleep)
    times = [limiter.acquire() for _ in range(6)]
    assert times[:3] == [1000.0] * 3
    # After the burst, one request per second (60/min).
    assert times[3:] == pytest.approx([1001.0, 1002.0, 1003.0])


def test_429_penalty_holds_everyone_back_then_resumes_at_pace_not_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, burst=10, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.penalize(5.0)
    first = limiter.acquire()
    second = limiter.acquire()
    assert first >= 1005.0
    assert second - first >= 1.0 - 1e-9


def test_penalty_without_retry_after_still_backs_off() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock, sleep=clock.sleep)
    limiter.penalize(None)
    assert limiter.acquire() >= 1001.0


def test_openai_headers_with_nothing_remaining_block_until_reset() -> None:
    clock = FakeClock()
    limiter = RateLimiter(600, clock=clock, sleep=clock.sleep)
    limiter.observe_headers({"X-RateLimit-Remaining-Requests": "0", "X-RateLimit-Reset-Requests": "2.5s"})
    assert limiter.acquire() >= 1002.5


def test_remaining_requests_header_shrinks_our_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(600, clock=clock, sleep=clock.sleep)  # burst 100
    limiter.observe_headers({"x-ratelimit-remaining-requests": "2", "x-ratelimit-reset-requests": "1m"})
    times = [limiter.acquire() for _ in range(3)]
    assert times[:2] == [1000.0, 1000.0]
    assert times[2] > 1000.0


def test_anthropic_reset_timestamp_is_read_against_the_wall_clock() -> None:
    clock = FakeClock()
    wall = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    limiter = RateLimiter(600, clock=clock, sleep=clock.sleep, wall_clock=wall.timestamp)
    reset = (wall + timedelta(seconds=12)).isoformat().replace("+00:00", "Z")
    limiter.observe_headers(
        {"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": reset}
    )
    # Twelve seconds from the wall-clock reset, plus one pace step (the bucket restarts empty).
    assert 1012.0 <= limiter.acquire() <= 1012.0 + 60 / 600 + 1e-6


def test_tokens_per_minute_budget_waits_for_old_tokens_to_expire() -> None:
    clock = FakeClock()
    limiter = RateLimiter(600, tokens_per_minute=1000, clock=clock, sleep=clock.sleep)
    assert limiter.acquire(600) == 1000.0
    assert limiter.acquire(300) == 1000.0
    assert limiter.acquire(300) == pytest.approx(1060.0)
    # A single request above the whole budget is let through alone instead of never.
    assert limiter.acquire(5000) == pytest.approx(1120.0)


def test_async_acquire_awaits_instead_of_blocking() -> None:
    clock = FakeClock()
    limiter = RateLimiter(
        60, burst=1, clock=clock, sleep=lambda _s: pytest.fail("blocked"), async_sleep=clock.async_sleep
    )

    async def run() -> list[float]:
        return [await limiter.acquire_async() for _ in range(3)]

    assert asyncio.run(run()) == pytest.approx([1000.0, 1001.0, 1002.0])


def test_from_settings_and_validation() -> None:
    settings = LLMSettings.from_env({"OSMOSIS_LLM_RATE_LIMIT": "12", "OSMOSIS_LLM_TOKENS_PER_MINUTE": "5000"})
    limiter = RateLimiter.from_settings(settings)
    assert (limiter.requests_per_minute, limiter.tokens_per_minute) == (12.0, 5000.0)
    with pytest.raises(LLMConfigError):
        RateLimiter(0)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("7", 7.0), ("0.5", 0.5)],
)
def test_parse_reset_durations(raw: str, seconds: float) -> None:
    assert parse_reset(raw, 0.0) == pytest.approx(seconds)


def test_parse_reset_rejects_garbage() -> None:
    assert parse_reset("soon", 0.0) is None
    assert parse_reset("2025-01-01T00:00:00", 0.0) is None  # no timezone: cannot place it
