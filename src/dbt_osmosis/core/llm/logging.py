"""Logging for the LLM layer: one debug line per request and per response, never a key.

Every line goes through the ``dbt_osmosis.llm`` logger, which carries a ``RedactingFilter``. The filter
rewrites the final message (after ``%`` formatting) so that a key smuggled in through an argument, an
exception text or a URL is replaced by ``***`` before any handler sees it.

A filter on a logger only sees records logged to that very logger, not those that propagate to it from
other libraries: httpcore's and the SDKs' debug lines (which print response headers, where a proxy may
echo a key) never pass through ``dbt_osmosis.llm``. ``redact_root_handlers`` therefore puts the same
filter on every handler of the root logger, where every propagating record ends up; the CLI calls it
right after configuring logging, and building a client calls it again for handlers added since.

The attempt number is carried in a context variable rather than a parameter because the retry loop
lives in the managed client, one layer above the adapters that write these lines.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

from dbt_osmosis.core.llm.exceptions import redact

__all__ = [
    "LOGGER_NAME",
    "RedactingFilter",
    "attempt_scope",
    "current_attempt",
    "get_logger",
    "log_request",
    "log_response",
    "redact_root_handlers",
    "register_secret",
]

LOGGER_NAME = "dbt_osmosis.llm"

_ATTEMPT: contextvars.ContextVar[int] = contextvars.ContextVar("dbt_osmosis_llm_attempt", default=1)


class RedactingFilter(logging.Filter):
    """Replace anything shaped like an API key (and any registered secret) in a record with ``***``."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets: set[str] = {secret for secret in secrets if secret}

    def add_secret(self, secret: str | None) -> None:
        """Register a concrete secret (a key read from the environment) to be masked verbatim."""
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record once, redact it, and freeze the result so handlers cannot re-expand it."""
        try:
            message = record.getMessage()
        except Exception:
            # A broken format string must not take the run down; log what we can, still redacted.
            message = str(record.msg)
        record.msg = redact(message, *self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Render the traceback now so its text (exception messages included) is redacted too;
            # dropping exc_info keeps handlers that re-render tracebacks from bypassing the filter.
            record.exc_text = _TRACEBACK_FORMATTER.formatException(record.exc_info)
        record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, *self._secrets)
        return True


_TRACEBACK_FORMATTER = logging.Formatter()
_FILTER = RedactingFilter()


def get_logger() -> logging.Logger:
    """Return the ``dbt_osmosis.llm`` logger with the redaction filter attached exactly once."""
    logger = logging.getLogger(LOGGER_NAME)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def register_secret(secret: str | None) -> None:
    """Mask ``secret`` verbatim in every later log line, whatever its shape."""
    _FILTER.add_secret(secret)
    redact_root_handlers()


def redact_root_handlers() -> None:
    """Put the redacting filter on every handler of the root logger (once each).

    Any library's record that propagates to the root (httpcore, httpx, the provider SDKs, dbt) is then
    redacted before it is written, whatever logger it was logged to.
    """
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def current_attempt() -> int:
    """Return the attempt number (1-based) of the request being made in this context."""
    return _ATTEMPT.get()


@contextlib.contextmanager
def attempt_scope(attempt: int) -> Iterator[None]:
    """Mark every request made inside the block as attempt number ``attempt`` in the logs."""
    token = _ATTEMPT.set(attempt)
    try:
        yield
    finally:
        _ATTEMPT.reset(token)


def log_request(provider: str, model: str, operation: str, *, structured: bool, tokens: int | None) -> None:
    """Write the one debug line that announces a request."""
    logger = get_logger()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "llm request provider=%s model=%s operation=%s attempt=%d structured=%s est_tokens=%s",
            provider,
            model,
            operation,
            current_attempt(),
            structured,
            tokens if tokens is not None else "-",
        )


def log_response(
    provider: str,
    model: str,
    operation: str,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    duration_s: float,
    request_id: str | None,
    outcome: str = "ok",
) -> None:
    """Write the one debug line that reports how a request ended (``outcome`` names an error type)."""
    logger = get_logger()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "llm response provider=%s model=%s operation=%s attempt=%d outcome=%s "
            "prompt_tokens=%d completion_tokens=%d duration=%.3fs request_id=%s",
            provider,
            model,
            operation,
            current_attempt(),
            outcome,
            prompt_tokens,
            completion_tokens,
            duration_s,
            request_id or "-",
        )
