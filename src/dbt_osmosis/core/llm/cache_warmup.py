"""Let one request write the provider's prompt cache before the requests that share its prefix go out.

Providers cache a prompt prefix only once a request carrying it has been processed. Eight requests
sent at once with the same new prefix each pay to process it (and, at Anthropic, to write it); sent
after one of them has been answered, seven read it at a tenth of the price. ``PrefixWarmup`` holds
back the requests of a prefix not yet seen until the first one of that prefix is answered (or fails);
afterwards they all go out in parallel. A prefix too short for any provider to cache is not held.

Used by the managed client around each call, for threads and for asyncio alike. This module knows
nothing about dbt or about any provider's wire.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from dbt_osmosis.core.llm.types import LLMRequest

__all__ = ["MIN_CACHEABLE_PREFIX_TOKENS", "PrefixWarmup", "prefix_of"]

_T = TypeVar("_T")

#: No provider caches a prefix shorter than this many tokens (OpenAI, Gemini, most Claude models).
MIN_CACHEABLE_PREFIX_TOKENS = 1024
_CHARS_PER_TOKEN = 4


def prefix_of(request: LLMRequest) -> str | None:
    """A digest of ``request``'s stable prefix (schema, system prompt), or ``None`` when too short."""
    chars = request.stable_prefix_chars
    if chars // _CHARS_PER_TOKEN < MIN_CACHEABLE_PREFIX_TOKENS:
        return None
    digest = hashlib.sha256()
    digest.update(repr(sorted((request.json_schema or {}).items())).encode("utf-8", "surrogatepass"))
    for message in request.messages:
        if message.role == "system":
            digest.update(message.content.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class PrefixWarmup:
    """Which prefixes were answered once already; gates for the first request of each new one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._warm: set[str] = set()
        self._thread_gates: dict[str, threading.Lock] = {}
        self._loop_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    def is_warm(self, prefix: str) -> bool:
        """Whether a request with this prefix was answered (or failed) already."""
        with self._lock:
            return prefix in self._warm

    def _mark(self, prefix: str) -> None:
        with self._lock:
            self._warm.add(prefix)

    def call(self, request: LLMRequest, send: Callable[[], _T]) -> _T:
        """``send()``; the first request of a new prefix goes alone, the others wait for it."""
        prefix = prefix_of(request)
        if prefix is None or self.is_warm(prefix):
            return send()
        with self._lock:
            gate = self._thread_gates.setdefault(prefix, threading.Lock())
        with gate:
            if self.is_warm(prefix):
                return send()
            try:
                return send()
            finally:
                self._mark(prefix)

    async def acall(self, request: LLMRequest, send: Callable[[], Awaitable[_T]]) -> _T:
        """Asyncio twin of ``call``."""
        prefix = prefix_of(request)
        if prefix is None or self.is_warm(prefix):
            return await send()
        loop = asyncio.get_running_loop()
        with self._lock:
            gate = self._loop_gates.setdefault(loop, {}).setdefault(prefix, asyncio.Lock())
        async with gate:
            if self.is_warm(prefix):
                return await send()
            try:
                return await send()
            finally:
                self._mark(prefix)
