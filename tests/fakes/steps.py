"""What a test scripts the fake provider to do, and what it records of each request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from tests.fakes.faults import (
    Cut,
    ErrorEvent,
    Html200,
    OneBody,
    Stall,
)

FAKE_API_KEY = "sk-test-SECRET-abcdef123456"

# Header and query names whose values are credentials; they are kept in the records (tests may assert
# on them) but never shown in a repr.
_SECRET_HEADERS = frozenset(
    {"authorization", "api-key", "x-api-key", "x-goog-api-key", "proxy-authorization"}
)
_SECRET_QUERY = frozenset({"key", "api_key", "api-key"})


def _mask(value: str) -> str:
    return "***" if value else value


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as the fake server saw it (header names lower-case)."""

    wire: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    model: str | None
    prompt_text: str
    json_schema: dict[str, Any] | None
    received_at: float

    def __repr__(self) -> str:
        # A failing assertion prints this; credentials must not end up in a CI log.
        headers = {k: (_mask(v) if k in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        query = {k: (_mask(v) if k.lower() in _SECRET_QUERY else v) for k, v in self.query.items()}
        prompt = self.prompt_text if len(self.prompt_text) <= 80 else self.prompt_text[:77] + "..."
        return (
            f"RecordedRequest(wire={self.wire!r}, method={self.method!r}, path={self.path!r}, "
            f"query={query!r}, model={self.model!r}, prompt_text={prompt!r}, "
            f"json_schema={'yes' if self.json_schema is not None else None}, headers={headers!r})"
        )


@dataclass(frozen=True)
class Reply:
    """A successful completion.

    ``text`` is sent verbatim; otherwise ``json`` is serialised; otherwise the default answer is used.
    ``fenced`` wraps the text in a Markdown code fence, ``prose`` puts a sentence before and after it,
    ``truncated`` sends only the first half and reports the wire's "hit max tokens" finish reason.
    ``headers`` are added to the response (a proxy that echoes what it was sent, for instance).
    ``cut`` sends the first half of the answer and then drops the connection, as a network failure
    mid-stream does; the whole answer is billed (it was generated), as the providers bill it.
    """

    text: str | None = None
    json: Any = None
    fenced: bool = False
    prose: bool = False
    truncated: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    cut: bool = False


@dataclass(frozen=True)
class Fail:
    """An HTTP error answer; ``body`` defaults to the wire's own error JSON for ``status``."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    retry_after_ms: int | None = None


@dataclass(frozen=True)
class Hang:
    """Read the request, then send nothing for ``seconds`` (or until stop/reset) and drop the connection."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Reset:
    """Read the request, then abort the TCP connection with an RST."""


@dataclass(frozen=True)
class NotJSON:
    """Answer with a body that is not JSON (what a misconfigured proxy sends)."""

    body: str = "<html>502 Bad Gateway</html>"
    status: int = 200


Step: TypeAlias = Reply | Fail | Hang | Reset | NotJSON | Cut | Stall | ErrorEvent | OneBody | Html200
Responder: TypeAlias = Callable[[RecordedRequest], Step]
