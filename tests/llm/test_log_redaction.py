"""The redacting filter sits on the root handlers: no library's log line can print a key."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from dbt_osmosis.core.llm.logging import redact_root_handlers, register_secret

KEY = "plain-root-handler-secret-7c2"


@pytest.fixture
def root_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_library_debug_line_is_redacted_at_the_root_handler(root_stream: io.StringIO) -> None:
    register_secret(KEY)  # what building a client does; it also covers the handlers there are now
    logging.getLogger("httpcore2.http11").debug(
        "receive_response_headers.complete return_value=%r", [(b"x-echo", KEY.encode())]
    )
    logging.getLogger("openai._base_client").debug("Request options: %s", {"api_key": KEY})
    written = root_stream.getvalue()
    assert "receive_response_headers.complete" in written and "Request options" in written
    assert KEY not in written


def test_handlers_added_after_the_key_are_covered_when_logging_is_configured(
    root_stream: io.StringIO,
) -> None:
    register_secret(KEY)
    late = io.StringIO()
    handler = logging.StreamHandler(late)
    logging.getLogger().addHandler(handler)
    try:
        redact_root_handlers()  # what the CLI calls after logging.basicConfig
        redact_root_handlers()  # idempotent: one filter per handler
        assert len([f for f in handler.filters if f.__class__.__name__ == "RedactingFilter"]) == 1
        logging.getLogger("httpx2").debug("HTTP Request: POST https://x/v1?key=%s", KEY)
        assert "HTTP Request" in late.getvalue() and KEY not in late.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
