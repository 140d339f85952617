"""A circuit breaker: once a provider has failed N times in a row, stop sending it requests.

A provider that answers 500 to everything, times out, or refuses connections would otherwise cost
every node of a run its full set of retries (28 requests for 7 nodes) and print the same failure for
each. The run's ``LLMRuntime`` owns one breaker per provider, shared by every client of the run:
after ``threshold`` consecutive failures that say "the provider is down" (5xx answers, timeouts,
refused or dropped connections) it opens, and from then on a request raises ``LLMProviderDownError``
without being sent. These kinds are counted together, as one kind of failure: a provider that
answers 500, then drops the connection, then 503 is down all the same (a flapping gateway does just
that), and counting each kind from one again would let it cost every node its whole set of retries.
The stop line names every kind seen. Any answer in between (a success, and also a 4xx, a 429 or an
unusable reply, which prove the provider is up) starts the count again at zero. The request
whose failure opens the breaker raises ``LLMProviderDownError`` too (``sent`` set), carrying the
provider's answer, so a run says that answer once, on the line that stops it. Requests already on their way
when it opens finish normally, so a provider down for a whole run costs at most ``threshold`` plus the
concurrency in requests.

After ``cooldown_s`` an open breaker lets one request through (half open): an answer closes it, another
outage-like failure opens it for another cooldown. A run is normally over long before that; the
cooldown is for long-lived processes (a notebook, the 1.x API's process-wide runtime).

A rejected key (401/403) is not counted here: the managed client already stops at the first one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dbt_osmosis.core.llm.exceptions import (
    LLMAPIError,
    LLMError,
    LLMParameterError,
    LLMProviderDownError,
    LLMTimeoutError,
)

__all__ = ["DEFAULT_BREAKER_THRESHOLD", "DEFAULT_COOLDOWN_S", "CircuitBreaker", "outage_kind"]

#: Consecutive outage-like failures after which a run stops asking the provider.
DEFAULT_BREAKER_THRESHOLD = 5
#: Seconds an open breaker waits before letting one request try the provider again.
DEFAULT_COOLDOWN_S = 60.0


def outage_kind(exc: BaseException) -> str | None:
    """``"server error"``, ``"timeout"`` or ``"connection"`` for a failure that says "down", else None."""
    if isinstance(exc, LLMTimeoutError):
        return "timeout"
    if isinstance(exc, LLMAPIError) and not isinstance(exc, LLMParameterError):
        status = exc.status_code
        if status is None:
            return "connection"
        if status >= 500:
            return "server error"
    return None


class CircuitBreaker:
    """Counts consecutive outage-like failures of one provider; open after ``threshold`` of them.

    ``threshold`` 0 switches the breaker off. Thread-safe; ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        provider: str,
        threshold: int = DEFAULT_BREAKER_THRESHOLD,
        *,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.threshold = max(0, threshold)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        #: The kinds of outage counted since the last answer (``outage_kind``), in the order first seen.
        self._kinds: list[str] = []
        self._last: LLMError | None = None
        self._opened: LLMError | None = None
        self._opened_at = 0.0
        self._probing = False
        #: Whether the stop line suggests ``--llm-fallback``: not when a fallback chain is configured.
        self.suggest_fallback = True

    @property
    def is_open(self) -> bool:
        """Whether requests to the provider are no longer sent."""
        with self._lock:
            return self._opened is not None

    @property
    def consecutive_failures(self) -> int:
        """Outage-like failures (of any of the outage kinds) in a row since the last answer."""
        with self._lock:
            return self._failures

    def check(self) -> None:
        """Raise ``LLMProviderDownError`` when the breaker is open; otherwise return at once."""
        with self._lock:
            if self._opened is None:
                return
            if not self._probing and self._clock() - self._opened_at >= self.cooldown_s:
                # Half open: this one request tries the provider; its outcome closes or reopens.
                self._probing = True
                return
            down = self._down_error()
        raise down

    def down_error(self, *, sent: bool = False) -> LLMProviderDownError | None:
        """The error a request meets while the breaker is open (``None`` when it is closed).

        ``sent``: for the request whose own failure opened it (it was sent, and it failed).
        """
        with self._lock:
            if self._opened is None:
                return None
            down = self._down_error()
        down.sent = sent
        return down

    def _down_error(self) -> LLMProviderDownError:
        opened = self._opened
        if opened is None:  # pragma: no cover - callers hold the lock and checked
            raise RuntimeError("the breaker is closed")
        meanwhile = " name a provider to use meanwhile with --llm-fallback," if self.suggest_fallback else ""
        return LLMProviderDownError(
            f"{self.provider} is down: {self._failures} requests in a row failed "
            f"({', '.join(self._kinds)}); the last one: {opened.message} Stopped sending requests for "
            f"the rest of this run; rerun later (answers received are kept),{meanwhile} or allow more "
            "failures with --llm-breaker-threshold (OSMOSIS_LLM_BREAKER_THRESHOLD).",
            provider=opened.provider or self.provider,
            model=opened.model,
            status_code=opened.status_code,
        )

    def record_success(self) -> None:
        """The provider answered: the count starts again."""
        with self._lock:
            self._failures = 0
            self._kinds = []
            self._last = None
            self._opened = None
            self._probing = False

    def record_failure(self, exc: BaseException) -> bool:
        """Count ``exc`` if it says the provider is down; return whether the breaker is open now."""
        if not isinstance(exc, LLMError):
            return self.is_open
        kind = outage_kind(exc)
        with self._lock:
            if self._opened is not None and not self._probing:
                return True
            if kind is None:
                if self._probing:
                    # The probe got an answer: the provider is up again.
                    self._opened, self._probing = None, False
                # Any other answer (a 4xx, an unusable reply, a 429) proves the provider is up.
                self._failures = 0
                self._kinds = []
                self._last = None
                return False
            if kind not in self._kinds:
                self._kinds.append(kind)
            self._failures += 1
            self._last = exc
            if self._probing or (self.threshold and self._failures >= self.threshold):
                self._opened, self._opened_at, self._probing = exc, self._clock(), False
                return True
            return False

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"CircuitBreaker(provider={self.provider!r}, threshold={self.threshold}, {state})"
