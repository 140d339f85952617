"""Prompt-cache accounting for the fake provider server, written from the providers' documentation.

What each provider caches and how it reports it:

* OpenAI (and Azure OpenAI): automatic. A prompt of 1,024 tokens or more is cached by prefix; a hit
  covers the longest prefix seen before, counted from 1,024 tokens up in 128-token steps. The prefix
  starts with the tools and the structured-output schema, then the messages in order. Reported as
  ``usage.prompt_tokens_details.cached_tokens`` (part of ``prompt_tokens``).
* Anthropic: only up to a ``cache_control`` breakpoint, in the order output format (JSON outputs),
  tools, system, messages, and only when that prefix reaches the model's minimum (1,024 tokens; 2,048
  for Haiku 3/3.5; 4,096 for Opus 4.5 and Haiku 4.5). The first request writes the prefix
  (``cache_creation_input_tokens``), later ones read it (``cache_read_input_tokens``); ``input_tokens``
  counts only what follows the breakpoint.
* Gemini: implicit caching, like OpenAI's, from 1,024 tokens (2,048 for 2.5 Pro); reported as
  ``usageMetadata.cachedContentTokenCount``.

A prefix is readable only once the request that wrote it has been answered (``commit``), so requests
sent together all miss, as they do at the providers. Tokens are counted at four characters each, as
everywhere in the fake server.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CacheUsage", "PromptCacheAccounting"]

_CHARS_PER_TOKEN = 4
_OPENAI_MIN = 1024
_OPENAI_STEP = 128
_ANTHROPIC_MIN = (("claude-opus-4-5", 4096), ("claude-haiku-4-5", 4096), ("claude-3-5-haiku", 2048))


def _tokens(text: str) -> int:
    return math.ceil(len(text) / _CHARS_PER_TOKEN)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text(part) for part in content)
    if isinstance(content, dict):
        if isinstance(content.get("text"), str):
            return content["text"]
        for key in ("content", "parts"):
            if key in content:
                return _text(content[key])
    return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class CacheUsage:
    """How one request's prompt splits between plain input, cache reads and cache writes."""

    wire: str
    model: str
    prompt_tokens: int
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    #: Prefix digests this request makes readable once it is answered.
    writes: list[str] = field(default_factory=list)

    @property
    def uncached_tokens(self) -> int:
        """Prompt tokens billed at the plain input price (Anthropic's ``input_tokens``)."""
        return self.prompt_tokens - self.cached_tokens - self.cache_write_tokens


class PromptCacheAccounting:
    """The fake server's prompt cache: which prefixes are stored, per wire and model.

    ``enabled=False`` counts prompts the same way (schema and tools included) but never caches: the
    same run as billed by a provider without prompt caching, for comparisons.
    """

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._stored: set[tuple[str, str, str]] = set()
        self.read_tokens = 0
        self.write_tokens = 0
        self.prompt_tokens = 0
        #: The prompt tokens of the first request accounted (the one that can only write).
        self.first_prompt_tokens = 0

    def reset(self) -> None:
        """Forget every stored prefix and the totals."""
        with self._lock:
            self._stored.clear()
            self.read_tokens = self.write_tokens = self.prompt_tokens = self.first_prompt_tokens = 0

    # ---- what a request's prompt is, in the provider's cache order --------------------------------

    @staticmethod
    def _segments(wire: str, body: dict[str, Any]) -> tuple[list[str], int | None]:
        """The prompt as ordered text pieces, and (Anthropic) how many pieces the breakpoint covers."""
        pieces: list[str] = []
        breakpoint_at: int | None = None
        if wire in ("openai", "azure"):
            if body.get("tools"):
                pieces.append(_canonical(body["tools"]))
            if body.get("response_format"):
                pieces.append(_canonical(body["response_format"]))
            pieces.extend(_text(m.get("content")) for m in body.get("messages") or [] if isinstance(m, dict))
        elif wire == "anthropic":
            blocks: list[tuple[str, bool]] = []
            config = body.get("output_config")
            if isinstance(config, dict) and isinstance(config.get("format"), dict):
                # JSON outputs: the format's schema is part of what is cached (a new schema misses).
                blocks.append((_canonical(config["format"]), False))
            for tool in body.get("tools") or []:
                blocks.append((_canonical(tool), bool(isinstance(tool, dict) and tool.get("cache_control"))))
            system = body.get("system")
            if isinstance(system, list):
                blocks.extend((_text(block), bool(block.get("cache_control"))) for block in system)
            elif isinstance(system, str):
                blocks.append((system, False))
            for message in body.get("messages") or []:
                content = message.get("content") if isinstance(message, dict) else None
                if isinstance(content, list):
                    blocks.extend(
                        (_text(part), bool(isinstance(part, dict) and part.get("cache_control")))
                        for part in content
                    )
                else:
                    blocks.append((_text(content), False))
            pieces = [text for text, _ in blocks]
            marked = [index for index, (_, mark) in enumerate(blocks) if mark]
            breakpoint_at = marked[-1] + 1 if marked else None
        elif wire == "gemini":
            config = body.get("generationConfig") or {}
            schema = config.get("responseJsonSchema") or config.get("responseSchema")
            if schema:
                pieces.append(_canonical(schema))
            pieces.append(_text(body.get("systemInstruction")))
            pieces.extend(_text(item) for item in body.get("contents") or [])
        return pieces, breakpoint_at

    def account(self, wire: str, model: str, body: Any) -> CacheUsage | None:
        """How this request's prompt is billed given what is cached now; ``None`` for other wires."""
        if not isinstance(body, dict) or wire not in ("openai", "azure", "anthropic", "gemini"):
            return None
        pieces, breakpoint_at = self._segments(wire, body)
        whole = "\x1e".join(pieces)
        usage = CacheUsage(wire, model, prompt_tokens=_tokens(whole) + 8)
        if not self.enabled:
            pass
        elif wire == "anthropic":
            self._anthropic(usage, pieces, breakpoint_at)
        else:
            minimum = 2048 if wire == "gemini" and "pro" in model else _OPENAI_MIN
            self._by_prefix(usage, whole, minimum)
        with self._lock:
            if not self.prompt_tokens:
                self.first_prompt_tokens = usage.prompt_tokens
            self.prompt_tokens += usage.prompt_tokens
            self.read_tokens += usage.cached_tokens
            self.write_tokens += usage.cache_write_tokens
        return usage

    def _by_prefix(self, usage: CacheUsage, whole: str, minimum: int) -> None:
        total = _tokens(whole)
        if total < minimum:
            return
        lengths = range(minimum, total + 1, _OPENAI_STEP)
        with self._lock:
            for length in lengths:
                key = (usage.wire, usage.model, _digest(whole[: length * _CHARS_PER_TOKEN]))
                if key in self._stored:
                    usage.cached_tokens = length
                usage.writes.append(key[2])

    def _anthropic(self, usage: CacheUsage, pieces: list[str], breakpoint_at: int | None) -> None:
        if breakpoint_at is None:
            return
        prefix = "\x1e".join(pieces[:breakpoint_at])
        tokens = _tokens(prefix)
        minimum = next((n for name, n in _ANTHROPIC_MIN if usage.model.startswith(name)), 1024)
        if tokens < minimum:
            return
        key = _digest(prefix)
        with self._lock:
            if (usage.wire, usage.model, key) in self._stored:
                usage.cached_tokens = tokens
                return
        usage.cache_write_tokens = tokens
        usage.writes.append(key)

    def commit(self, usage: CacheUsage) -> None:
        """The request was answered: what it wrote is readable from now on."""
        with self._lock:
            for key in usage.writes:
                self._stored.add((usage.wire, usage.model, key))

    def cached_share(self) -> float:
        """The share of all prompt tokens read from the cache so far."""
        with self._lock:
            return self.read_tokens / self.prompt_tokens if self.prompt_tokens else 0.0
