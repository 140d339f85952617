"""Answers already paid for, kept on disk: a rerun after a crash, a Ctrl-C or a reverted file asks nothing.

An entry is keyed by a hash of everything that decides the answer: provider, model, the rendered
messages (prompt set, style guide and all), the JSON schema, the sampling parameters, and the run
settings that change what is asked or kept (the temperature the client really sends, the JSON mode,
the longest description kept). An entry is checked when it is read: one that does not match the
answer schema (damaged, or written by something else) is a miss, asked again and replaced.

Each entry is one small JSON file written atomically (temporary file in the same folder, then
rename), so concurrent runs and a crash half-way through a write leave either the whole entry or
none of it, never a torn one.

An entry holds the validated answer, its token counts, and when it was made: never an API key, a
request header, or anything else the client sent. This module knows nothing about dbt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbt_osmosis.core.llm.structured import validate_schema
from dbt_osmosis.core.llm.types import LLMRequest, Usage

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.settings import LLMSettings

__all__ = ["CACHE_FORMAT", "CachedAnswer", "ResponseCache", "answer_settings", "request_key"]


def answer_settings(settings: LLMSettings) -> dict[str, Any]:
    """The run settings that change an answer without showing in the request (part of the key)."""
    return {
        # The managed client sends OSMOSIS_LLM_TEMPERATURE instead of the request's own temperature.
        "temperature": None if settings.omit_temperature else settings.temperature,
        "omit_temperature": settings.omit_temperature,
        "json_mode": settings.json_mode,
        "max_description_chars": settings.max_description_chars,
    }


#: Bumped when the meaning of a key or the layout of an entry changes; old entries are then ignored.
CACHE_FORMAT = 2


def request_key(
    provider: str, model: str, request: LLMRequest, settings: Mapping[str, Any] | None = None
) -> str:
    """The hex SHA-256 of everything that decides the answer to ``request`` from ``provider``/``model``.

    ``settings``: run settings that change the answer without being part of the request itself
    (``answer_settings``); they are part of the key.
    """
    decisive = {
        "format": CACHE_FORMAT,
        "settings": dict(settings or {}),
        "provider": provider,
        "model": model,
        "messages": [[message.role, message.content] for message in request.messages],
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "json_schema": request.json_schema,
        "validation_schema": request.validation_schema,
        "schema_name": request.schema_name,
    }
    # ASCII escapes: a prompt or an answer may hold a lone surrogate, which UTF-8 cannot encode.
    canonical = json.dumps(decisive, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    """One stored answer: the validated JSON, what it cost in tokens, and when it was received."""

    parsed: Any
    usage: Usage
    created_at: float
    provider: str
    model: str


class ResponseCache:
    """A folder of answers, one JSON file per request key (``<dir>/responses/ab/abcdef….json``)."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self._clock = clock
        self.hits = 0
        self.stores = 0

    def _path(self, key: str) -> Path:
        return self.directory / "responses" / key[:2] / f"{key}.json"

    def get(self, key: str, schema: Mapping[str, Any] | None = None) -> CachedAnswer | None:
        """The answer stored under ``key``, or ``None`` when there is none usable.

        ``None`` too for an entry that is unreadable, of another format, or does not match ``schema``
        (damaged, or written by something else): it is asked again and replaced, never served.
        """
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("format") != CACHE_FORMAT or "parsed" not in raw:
            return None
        if schema is not None and validate_schema(raw["parsed"], schema):
            return None
        stored = raw.get("usage")
        usage: dict[str, Any] = stored if isinstance(stored, dict) else {}
        try:
            entry = CachedAnswer(
                parsed=raw["parsed"],
                usage=Usage(
                    int(usage.get("prompt_tokens", 0)),
                    int(usage.get("completion_tokens", 0)),
                    int(usage.get("cached_tokens", 0)),
                    int(usage.get("cache_write_tokens", 0)),
                ),
                created_at=float(raw.get("created_at", 0.0)),
                provider=str(raw.get("provider", "")),
                model=str(raw.get("model", "")),
            )
        except (TypeError, ValueError):
            return None
        self.hits += 1
        return entry

    def contains(self, key: str) -> bool:
        """Whether an answer is stored under ``key`` (for estimates; does not count as a hit)."""
        return self._path(key).is_file()

    def put(self, key: str, parsed: Any, *, usage: Usage, provider: str, model: str) -> None:
        """Store a validated answer under ``key``, atomically; an unwritable folder only costs the cache."""
        entry = {
            "format": CACHE_FORMAT,
            "created_at": self._clock(),
            "provider": provider,
            "model": model,
            "usage": {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "cached_tokens": usage.cached_tokens,
                "cache_write_tokens": usage.cache_write_tokens,
            },
            "parsed": parsed,
        }
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump(entry, handle)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except (OSError, ValueError):
            # The answer is still applied; only a rerun would have to ask for it again.
            return
        self.stores += 1
