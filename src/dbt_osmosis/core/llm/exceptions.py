"""Every error the LLM layer can raise, as one small tree.

```
LLMError                      base; its message is written for the person running the tool
├── LLMConfigError            (also ValueError) settings, env vars, prompt files, missing SDK extras
├── LLMAuthError              401/403: the key is wrong, expired or lacks permission
├── LLMRateLimitError         429: carries retry_after when the provider sent one
├── LLMTimeoutError           connect or read timeout; the server never answered in time
├── LLMAPIError               any other failure talking to the provider (5xx, 4xx, connection reset)
│   └── LLMParameterError     400: the model refuses a parameter (temperature, response_format)
├── LLMResponseError          (also ValueError) the provider answered, but the reply is unusable
├── LLMProviderDownError      the circuit breaker is open: the request was not sent
└── LLMInternalError          a bug (ours or an SDK's), not a provider failure: never retried
```

SDK exceptions are translated into this tree once, at the SDK boundary (``client.py``); code above
that boundary deals only in these types. No message or repr ever contains an API key: the context
fields hold provider, model, status and request id only, and messages pass through ``redact``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dbt_osmosis.core.errors import OsmosisError

if TYPE_CHECKING:
    from dbt_osmosis.core.llm.types import Usage

__all__ = [
    "LLMAPIError",
    "LLMAuthError",
    "LLMConfigError",
    "LLMError",
    "LLMInternalError",
    "LLMParameterError",
    "LLMProviderDownError",
    "LLMRateLimitError",
    "LLMResponseError",
    "LLMTimeoutError",
    "redact",
]

# Shapes that provider keys take (sk-..., sk-ant-..., AIza..., long hex/base64 tokens) plus anything
# written as `key=...`/`Bearer ...`. Redaction is deliberately greedy: a false positive costs a few
# characters of an error message, a false negative leaks a credential.
_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"sk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"AIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]{8,}"),
    re.compile(
        r"(?i)((?:api[_-]?key|x-api-key|api-key|key|token|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]{6,}"
    ),
    re.compile(r"\b[A-Fa-f0-9]{32,}\b"),
)


def redact(text: str, *secrets: str | None) -> str:
    """Return ``text`` with known secrets and anything shaped like an API key replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        # Patterns with a group keep their prefix ("Bearer ", "api_key=") so the message still reads.
        replacement: Any = (lambda m: m.group(1) + "***") if pattern.groups else "***"
        text = pattern.sub(replacement, text)
    return text


class LLMError(OsmosisError):
    """Base of every LLM-layer error; ``str(err)`` is a complete, key-free message for the user."""

    #: What the provider reported it billed for the failed attempt (a reply that came back whole but
    #: could not be used), when it said; the budget and the usage statistics count it.
    usage: Usage | None = None
    #: The request certainly never reached the provider (the connection was refused): nothing billed.
    never_sent: bool = False
    #: A streamed request's connection failed before the provider sent a status line: it had not
    #: started an answer, so nothing billable was generated that we can know of.
    before_reply: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.message = redact(message)
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.request_id = request_id
        self.attempts = attempts
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.line()

    def line(self, *, attempts: bool = True) -> str:
        """The message with its context; ``attempts=False`` leaves the attempt count out.

        A run's report counts requests per node itself (every HTTP request sent, retries included),
        so its lines leave out this call's own count rather than show two numbers for one thing.
        """
        context = [
            f"{label}={value}"
            for label, value in (
                ("provider", self.provider),
                ("model", self.model),
                ("status", self.status_code),
                ("request_id", self.request_id),
                ("attempts", self.attempts if attempts else None),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(context)})" if context else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class LLMConfigError(LLMError, ValueError):
    """The configuration cannot work: missing or invalid settings, unknown provider, missing extra."""


class LLMAuthError(LLMError):
    """The provider rejected the credentials (HTTP 401 or 403)."""


class LLMRateLimitError(LLMError):
    """The provider is throttling us (HTTP 429); ``retry_after`` is in seconds when it told us."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            message,
            provider=provider,
            model=model,
            status_code=status_code,
            request_id=request_id,
            attempts=attempts,
        )


class LLMTimeoutError(LLMError):
    """No answer within the configured timeout."""


class LLMAPIError(LLMError):
    """Any other failure while talking to the provider: 5xx, unexpected 4xx, a dropped connection."""


class LLMResponseError(LLMError, ValueError):
    """The provider answered, but the reply cannot be used (not JSON, wrong shape, truncated)."""


class LLMParameterError(LLMAPIError):
    """The model rejected a request parameter it does not support (HTTP 400).

    ``parameter`` is ``"temperature"`` or ``"response_format"`` (any wire's structured-output
    mechanism). The managed client learns from it: it drops the parameter or asks for JSON a simpler
    way, and sends the request again at once.
    """

    def __init__(
        self,
        message: str,
        *,
        parameter: str,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.parameter = parameter
        super().__init__(
            message,
            provider=provider,
            model=model,
            status_code=status_code,
            request_id=request_id,
            attempts=attempts,
        )


class LLMProviderDownError(LLMError):
    """The provider failed so many times in a row that the run stopped asking it (``breaker.py``).

    The request was not sent, unless ``sent`` is set: then its own failure (the last one, whose answer
    the message says) is what opened the breaker. ``status_code`` is that of the last failure, when it
    had one. Never retried: the breaker stays open for the rest of the run.
    """

    #: The request was sent, and its failure opened the breaker.
    sent: bool = False


class LLMInternalError(LLMError):
    """An exception that is neither a provider answer nor a network failure: a programming error.

    Repeating the request cannot fix it, so it is never retried; the message names the exception so
    it can be reported.
    """
