"""Test doubles for code that talks to an LLM: ``MockLLMClient`` is a complete ``LLMClient``.

Use it in your own tests exactly where a provider client would go (``build_managed_client(settings,
inner=MockLLMClient([...]))`` or straight into a synthesis run); it loads no SDK and sends nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from dbt_osmosis.core.llm import structured
from dbt_osmosis.core.llm.exceptions import LLMConfigError, LLMError
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Usage

__all__ = ["MockLLMClient", "MockReply"]

MockReply = str | dict[str, Any] | list[Any] | LLMError | Callable[[LLMRequest], Any]


class MockLLMClient:
    """A scripted ``LLMClient`` for tests: replies in order, every request recorded in ``calls``.

    A reply may be a string (sent as the text), a dict or list (sent as JSON text), an ``LLMError``
    instance (raised), or a callable that receives the request and returns any of those. When a schema
    is requested the reply goes through the same extraction and validation as a real provider's, so a
    test sees the ``LLMResponseError`` a bad reply would cause in production. Once the script runs out,
    ``default`` answers (or, when it is ``None``, an ``LLMConfigError`` says the script was too short).
    """

    def __init__(
        self,
        replies: Iterable[MockReply] = (),
        *,
        default: MockReply | None = None,
        provider: str = "mock",
        model: str = "mock-model",
    ) -> None:
        self.provider = provider
        self.model = model
        self.calls: list[LLMRequest] = []
        self._replies: list[MockReply] = list(replies)
        self._default = default
        self._lock = threading.Lock()

    def add_reply(self, *replies: MockReply) -> None:
        """Append replies to the script."""
        with self._lock:
            self._replies.extend(replies)

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Record ``request`` and answer with the next scripted reply."""
        with self._lock:
            self.calls.append(request)
            if self._replies:
                reply = self._replies.pop(0)
            elif self._default is not None:
                reply = self._default
            else:
                raise LLMConfigError(
                    f"MockLLMClient has no scripted reply left for call #{len(self.calls)} "
                    f"(operation={request.operation!r}).",
                    provider=self.provider,
                    model=self.model,
                )
        if callable(reply) and not isinstance(reply, LLMError):
            reply = reply(request)
        if isinstance(reply, LLMError):
            raise reply
        text = reply if isinstance(reply, str) else json.dumps(reply)
        parsed = None
        if request.json_schema is not None:
            parsed = structured.parse_structured(
                text, request.schema_to_validate(), provider=self.provider, model=self.model
            )
        usage = Usage(
            prompt_tokens=max(1, request.prompt_chars() // 4), completion_tokens=max(1, len(text) // 4)
        )
        return LLMResponse(
            text=text,
            parsed=parsed,
            usage=usage,
            latency_s=0.0,
            request_id=f"mock-{len(self.calls)}",
            provider=self.provider,
            model=self.model,
            finish_reason="stop",
        )

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Async twin of ``complete``; answers immediately."""
        return self.complete(request)
