"""The provider-neutral request/response model and the ``LLMClient`` protocol every client follows.

Nothing here talks to a provider: these are plain values (``Message``, ``LLMRequest``, ``Usage``,
``LLMResponse``) and the one protocol (``LLMClient``) that SDK adapters, the managed client and the
test double all satisfy. Importing this module loads no SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.settings import JsonMode

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.budget import Budget

__all__ = ["LLMClient", "LLMRequest", "LLMResponse", "Message", "Role", "Usage"]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str


@dataclass(frozen=True)
class LLMRequest:
    """What to ask: messages, sampling knobs and, optionally, the JSON schema the answer must match."""

    messages: tuple[Message, ...]
    temperature: float | None = None
    max_tokens: int | None = None
    #: When set, a JSON answer validated against this schema is wanted (``LLMResponse.parsed``).
    json_schema: Mapping[str, Any] | None = None
    #: What the answer is checked against when it should be looser than what the provider is told
    #: (e.g. the provider gets an ``enum`` of column names, while the caller tolerates other names and
    #: drops them itself). ``None`` checks against ``json_schema``.
    validation_schema: Mapping[str, Any] | None = None
    schema_name: str = "response"
    #: Names the call in logs and usage ("model_doc", "column_doc", ...).
    operation: str = "chat"
    #: For the token-per-minute limiter; ``None`` lets the limiter estimate from the text.
    estimated_tokens: int | None = None
    #: How to ask for JSON: ``"schema"`` (the provider's schema mechanism), ``"object"`` (its plain
    #: JSON mode, schema in the prompt) or ``"prompt"`` (instruction only). ``None``: the provider's
    #: best. The managed client sets it from what it learned the model accepts.
    json_mode: JsonMode | None = None
    #: Called with the number of output tokens that just arrived, while a streamed reply comes in
    #: (estimated at four characters per token), then once with the correction that makes the sum
    #: equal the provider's count; a reply that is not streamed reports its count once. For progress
    #: displays; not part of what is asked, so it takes no part in equality.
    on_tokens: Callable[[int], None] | None = field(default=None, compare=False, repr=False)
    #: The run's spending limit: a managed client reserves room in it for every attempt it sends
    #: (retries included) and settles it at what the provider reports. Not part of what is asked.
    budget: Budget | None = field(default=None, compare=False, repr=False)
    #: The names the answer must describe (a model's columns): checked against the answer by the
    #: caller, and used by estimates. Not sent as such; the prompt lists them.
    asked: tuple[str, ...] = ()
    #: How many leading characters of the prompt (schema, system prompt, style guide) are the same for
    #: every request of the run: what a provider's prompt cache can reuse. 0: nothing marked.
    stable_prefix_chars: int = 0
    #: Groups requests that share a prefix for the provider's cache routing (OpenAI
    #: ``prompt_cache_key``); ``None``: not sent.
    cache_key: str | None = None
    #: The provider's service tier to ask for (``"flex"``); ``None``: its standard tier.
    service_tier: str | None = None

    @classmethod
    def from_messages(cls, messages: Iterable[Mapping[str, str]], **kwargs: Any) -> LLMRequest:
        """Build a request from OpenAI-style ``{"role": ..., "content": ...}`` dictionaries."""
        converted: list[Message] = []
        for item in messages:
            role = item.get("role", "user")
            if role not in ("system", "user", "assistant"):
                raise LLMConfigError(f"Unsupported message role {role!r}; use system, user or assistant.")
            converted.append(Message(role, str(item.get("content", ""))))  # type: ignore[arg-type]
        return cls(messages=tuple(converted), **kwargs)

    def schema_to_validate(self) -> Mapping[str, Any]:
        """The schema an answer must satisfy: ``validation_schema`` when given, else ``json_schema``."""
        schema = self.validation_schema if self.validation_schema is not None else self.json_schema
        return schema or {}

    def prompt_chars(self) -> int:
        """Total characters across messages; the basis of token estimates."""
        return sum(len(message.content) for message in self.messages)


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the provider.

    ``prompt_tokens`` includes ``cached_tokens`` (read from the provider's prompt cache) and
    ``cache_write_tokens`` (written to it, which Anthropic bills above the input price).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class LLMResponse:
    """What came back: the text, the validated JSON when a schema was asked for, and accounting data."""

    text: str
    parsed: Any | None
    usage: Usage
    latency_s: float
    request_id: str | None
    provider: str
    model: str
    finish_reason: str | None = None
    #: Response headers with lower-case names (the rate limiter reads the ``*ratelimit*`` ones).
    headers: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class LLMClient(Protocol):
    """Anything that can answer an ``LLMRequest``, synchronously and asynchronously."""

    # Read-only in the protocol so that wrappers may expose them as properties of the client they wrap.
    @property
    def provider(self) -> str:
        """The provider's registry name."""
        ...

    @property
    def model(self) -> str:
        """The model (or Azure deployment) requests go to."""
        ...

    def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` or raise an ``LLMError``."""
        ...

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` without blocking the event loop, or raise an ``LLMError``."""
        ...
