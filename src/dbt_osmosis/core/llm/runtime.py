"""The LLM layer's shared state, owned by one object: ``LLMRuntime``.

What clients of one run must share lives here instead of in module globals: the SDK adapters built
so far (one per provider configuration), what was learned about each model's parameters, the rate
limiters (one budget per provider and limits), the default usage statistics, which deprecations were
already announced, and the 1.x facade's prompt and client caches. A run builds its own runtime and
passes it down (``build_managed_client(settings, runtime=...)``, ``create_client(..., runtime=...)``);
code that passes none, like the 1.x API, shares the process's default runtime.

Importing this module loads no SDK, adapter or managed client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbt_osmosis.core.llm.breaker import CircuitBreaker
from dbt_osmosis.core.llm.capabilities import CAPABILITIES_FILE, CapabilityStore
from dbt_osmosis.core.llm.rate_limit import RateLimiter
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable, report_at_exit

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.managed import ManagedClient
    from dbt_osmosis.core.llm.prompts import PromptSet
    from dbt_osmosis.core.llm.settings import LLMSettings
    from dbt_osmosis.core.llm.types import LLMClient

__all__ = ["LLMRuntime", "default_runtime"]

LimiterKey = tuple[str, float, float | None]


class LLMRuntime:
    """Everything clients of one run share; thread-safe, and cheap to build (nothing is made eagerly)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[Any, ...], LLMClient] = {}
        self._stores: dict[Path | None, CapabilityStore] = {}
        self._limiters: dict[LimiterKey, RateLimiter] = {}
        self._usage: LLMUsageStats | None = None
        self._warned: set[str] = set()
        self._prompts: dict[tuple[Any, ...], PromptSet] = {}
        self._managed: dict[tuple[Any, ...], ManagedClient] = {}
        self._breakers: dict[str, CircuitBreaker] = {}

    # ---- SDK adapters ---------------------------------------------------------------------------

    def client(self, key: tuple[Any, ...], build: Callable[[], LLMClient]) -> LLMClient:
        """The client cached under ``key``, built by ``build`` on first use (under the lock)."""
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = build()
                self._clients[key] = client
            return client

    def clear_clients(self) -> None:
        """Close and forget every cached client (a long-lived process rotating keys, or tests)."""
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            closer = getattr(client, "close", None)
            if callable(closer):
                closer()

    def client_count(self) -> int:
        """How many clients are cached (proves clients are reused)."""
        with self._lock:
            return len(self._clients)

    # ---- learned capabilities -------------------------------------------------------------------

    def capability_store(self, cache_dir: Path | None) -> CapabilityStore:
        """The store for ``cache_dir`` (``None``: in memory), so every client of the run shares it."""
        path = None if cache_dir is None else Path(cache_dir) / CAPABILITIES_FILE
        with self._lock:
            store = self._stores.get(path)
            if store is None:
                store = CapabilityStore(path)
                self._stores[path] = store
            return store

    def forget_capability_stores(self) -> None:
        """Forget every capability store (the files on disk stay)."""
        with self._lock:
            self._stores.clear()

    # ---- rate limiting --------------------------------------------------------------------------

    def limiter(self, provider: str, settings: LLMSettings) -> RateLimiter:
        """The limiter for ``provider`` at these limits, so every client of the run shares one budget."""
        key = (provider, settings.rate_limit, settings.tokens_per_minute)
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = RateLimiter.from_settings(settings)
                self._limiters[key] = limiter
            return limiter

    def forget_limiters(self) -> None:
        """Forget every limiter."""
        with self._lock:
            self._limiters.clear()

    # ---- circuit breakers -----------------------------------------------------------------------

    def breaker(self, provider: str, threshold: int) -> CircuitBreaker:
        """The breaker of ``provider`` for this run: every client of the run counts its failures."""
        with self._lock:
            breaker = self._breakers.get(provider)
            if breaker is None:
                breaker = CircuitBreaker(provider, threshold)
                self._breakers[provider] = breaker
            return breaker

    # ---- usage ----------------------------------------------------------------------------------

    def default_usage(self, settings: LLMSettings) -> LLMUsageStats:
        """The stats object clients record into when given none, created on first use.

        Created with the prices of ``settings``; with ``OSMOSIS_LLM_TRACK_USAGE`` on, its summary is
        printed to stderr when the process ends (once, and only if a request was sent and nobody
        showed the summary already).
        """
        with self._lock:
            if self._usage is None:
                self._usage = LLMUsageStats(price_table=PriceTable.load(settings.price_file))
                if settings.track_usage:
                    report_at_exit(self._usage)
            return self._usage

    @property
    def usage_if_created(self) -> LLMUsageStats | None:
        """The default stats object when something created it, else ``None``."""
        with self._lock:
            return self._usage

    def forget_usage(self) -> None:
        """Forget the default stats object (the next request starts a new one)."""
        with self._lock:
            self._usage = None

    # ---- deprecations ---------------------------------------------------------------------------

    def first_warning(self, key: str) -> bool:
        """True the first time ``key`` is seen by this runtime, so a deprecation is announced once."""
        with self._lock:
            if key in self._warned:
                return False
            self._warned.add(key)
            return True

    def forget_warnings(self) -> None:
        """Forget which deprecations were announced."""
        with self._lock:
            self._warned.clear()

    # ---- the 1.x facade's caches ----------------------------------------------------------------

    def facade_prompts(self, key: tuple[Any, ...], load: Callable[[], PromptSet]) -> PromptSet:
        """The prompts cached under ``key``; ``load`` runs outside the lock (it reads files)."""
        with self._lock:
            cached = self._prompts.get(key)
        if cached is not None:
            return cached
        prompts = load()
        with self._lock:
            self._prompts[key] = prompts
        return prompts

    def facade_client(self, key: tuple[Any, ...], build: Callable[[], ManagedClient]) -> ManagedClient:
        """The facade's managed client cached under ``key``; the first one stored wins a race."""
        with self._lock:
            client = self._managed.get(key)
        if client is None:
            client = build()
            with self._lock:
                client = self._managed.setdefault(key, client)
        return client

    @property
    def facade_clients(self) -> dict[tuple[Any, ...], ManagedClient]:
        """A copy of the facade's cached managed clients, by key."""
        with self._lock:
            return dict(self._managed)

    def forget_facade_caches(self) -> None:
        """Forget the facade's cached prompts and managed clients."""
        with self._lock:
            self._prompts.clear()
            self._managed.clear()

    # ---- everything -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Close the cached clients and forget all state, as a newly built runtime would have it."""
        self.clear_clients()
        with self._lock:
            self._stores.clear()
            self._limiters.clear()
            self._usage = None
            self._warned.clear()
            self._prompts.clear()
            self._managed.clear()
            self._breakers.clear()


_default = LLMRuntime()


def default_runtime() -> LLMRuntime:
    """The process's runtime, used wherever none is passed (the 1.x API, library calls without one)."""
    return _default
