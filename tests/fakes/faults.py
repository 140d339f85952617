"""Faults real providers show once an answer has started, as steps for the fake provider server.

Each class here is a scripted behaviour like :class:`~tests.fakes.fake_provider.Reply` or
:class:`~tests.fakes.fake_provider.Fail`: pass it to ``server.script(...)`` or return it from a
responder. They describe what goes wrong *after* the status line, which is where the SDKs behave
least alike (see ``tests/fakes/test_fault_modes.py`` for what each SDK raises).

The bytes on the wire follow what the providers really send (OpenAI and Azure put an ``error``
object in a ``data:`` line; Anthropic sends ``event: error``; Gemini drops out of the SSE framing and
writes a bare, indented error object) so a client's handling is tested against the real shapes.

This module depends on nothing in ``fake_provider`` at run time, so the server can import it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from tests.fakes.steps import Reply

CutHow: TypeAlias = Literal["drop", "reset", "eof"]


@dataclass(frozen=True)
class Cut:
    """The answer starts, ``after_chunks`` events arrive, then the connection goes.

    ``how`` picks the way it goes:

    - ``"drop"``: the body is sent chunked (as the providers do) and the server closes the connection
      before the last chunk, so the client sees an incomplete body (``RemoteProtocolError``);
    - ``"reset"``: the server aborts the connection with a TCP RST (``ReadError``, connection reset);
    - ``"eof"``: the body has no length and ends with a clean close, so to HTTP the answer looks
      complete and only the missing terminating event (``[DONE]``, ``message_stop``, Gemini's finish
      reason) tells it was cut, as with a proxy that gives up on a long stream.

    ``reply`` shapes the answer that was being sent (default: the usual generated answer). On a request
    that did not ask for a stream, half of the JSON body is sent instead of ``after_chunks`` events.
    The terminating event is never sent, whatever ``after_chunks`` says.
    """

    after_chunks: int = 2
    how: CutHow = "drop"
    reply: Reply | None = None


@dataclass(frozen=True)
class Stall:
    """The answer starts, ``after_chunks`` events arrive, then nothing more is sent.

    The stream stays silent for ``seconds`` or until ``server.release()``, then resumes and ends
    normally (a slow provider); ``server.reset()`` or ``server.stop()`` drop the connection instead.
    A client whose read timeout is shorter gives up first: that is the case this step is for.
    On a request that did not ask for a stream, the first half of the JSON body is sent before the
    silence.
    """

    after_chunks: int = 1
    seconds: float = 30.0
    reply: Reply | None = None


@dataclass(frozen=True)
class ErrorEvent:
    """A provider error inside a stream that started with status 200, after ``after_chunks`` events.

    ``kind`` is the provider's own error type: Anthropic's ``error.type`` (default
    ``"overloaded_error"``; ``"api_error"`` is the other one it sends mid-stream), OpenAI's and Azure's
    ``error.type`` (default ``"server_error"``), Gemini's ``error.status`` (default ``"UNAVAILABLE"``).
    ``message`` defaults to the provider's usual wording; ``code`` to the status that the same error
    has outside a stream (Gemini puts it in the body; OpenAI's ``code`` stays null unless given).

    On a request that did not ask for a stream the provider answers that same error as a plain HTTP
    error (529 for ``overloaded_error``, 500 for ``api_error``/``server_error``, 503 for
    ``UNAVAILABLE``): that is what the non-streamed equivalent looks like.
    """

    kind: str | None = None
    after_chunks: int = 1
    message: str | None = None
    code: int | None = None


@dataclass(frozen=True)
class OneBody:
    """Ignore ``"stream": true`` and answer the whole reply as one JSON body (``application/json``).

    What gateways, proxies and older local servers do. For Gemini's ``streamGenerateContent`` the body
    is the ``generateContent`` answer. ``pretty`` indents the JSON over several lines, as some proxies
    do. On a request that did not ask for a stream this is an ordinary reply.
    """

    reply: Reply | None = None
    pretty: bool = False


#: What a captive portal or a single-sign-on gateway answers in place of the API.
PORTAL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Corporate Gateway</title></head>
<body>
<h1>Sign in to continue</h1>
<p>Your session has expired. Please sign in to access this resource.</p>
<form method="post" action="/login"><input name="user"><input name="password" type="password">
<button type="submit">Sign in</button></form>
</body>
</html>
"""


@dataclass(frozen=True)
class Html200:
    """An HTML page with status 200 (``text/html``), whether or not the client asked for a stream."""

    body: str = PORTAL_PAGE


StreamFault: TypeAlias = Cut | Stall | ErrorEvent | OneBody

_DEFAULT_KIND = {"openai": "server_error", "anthropic": "overloaded_error", "gemini": "UNAVAILABLE"}

# The wording each provider uses for the errors it sends mid-stream (from public bug reports).
_MESSAGES = {
    "overloaded_error": "Overloaded",
    "api_error": "Internal server error",
    "server_error": "The server had an error processing your request. Sorry about that! You can retry "
    "your request, or contact us through our help center at help.openai.com if you keep seeing this error.",
    "UNAVAILABLE": "The model is overloaded. Please try again later.",
    "INTERNAL": "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    "RESOURCE_EXHAUSTED": "Resource has been exhausted (e.g. check quota).",
}

# The HTTP status the same error has when it is the whole answer rather than an event in a stream.
_STATUS_OF_KIND = {
    "overloaded_error": 529,
    "api_error": 500,
    "rate_limit_error": 429,
    "server_error": 500,
    "rate_limit_exceeded": 429,
    "UNAVAILABLE": 503,
    "INTERNAL": 500,
    "RESOURCE_EXHAUSTED": 429,
    "DEADLINE_EXCEEDED": 504,
}


def _family(wire: str) -> str:
    return "openai" if wire == "azure" else wire


def error_kind(wire: str, fault: ErrorEvent) -> str:
    """The provider's error type (Gemini: status) that ``fault`` sends on ``wire``."""
    return fault.kind or _DEFAULT_KIND.get(_family(wire), "server_error")


def error_status(wire: str, fault: ErrorEvent) -> int:
    """The HTTP status the error of ``fault`` has outside a stream."""
    if fault.code is not None and _family(wire) == "gemini":
        return fault.code
    return _STATUS_OF_KIND.get(error_kind(wire, fault), 500)


def error_body(wire: str, fault: ErrorEvent) -> dict[str, Any]:
    """The error object of ``fault`` in ``wire``'s own shape (the same in and outside a stream)."""
    kind = error_kind(wire, fault)
    message = fault.message or _MESSAGES.get(kind, f"Fake provider {kind}.")
    family = _family(wire)
    if family == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    if family == "gemini":
        return {"error": {"code": error_status(wire, fault), "message": message, "status": kind}}
    return {"error": {"message": message, "type": kind, "param": None, "code": fault.code}}


def error_event(wire: str, fault: ErrorEvent) -> list[bytes]:
    """The bytes that carry ``fault`` inside a stream on ``wire``, ending the stream.

    OpenAI follows the error with ``[DONE]``; Anthropic names the event ``error`` and sends nothing
    after it; Gemini leaves the SSE framing and writes the indented error object on its own lines.
    """
    body = error_body(wire, fault)
    family = _family(wire)
    if family == "anthropic":
        return [f"event: error\ndata: {json.dumps(body)}\n\n".encode()]
    if family == "gemini":
        return [json.dumps(body, indent=2).encode() + b"\n"]
    return [f"data: {json.dumps(body)}\n\n".encode(), b"data: [DONE]\n\n"]


def sent_before(after_chunks: int, events: list[bytes]) -> int:
    """How many of ``events`` go out before a fault: never the last (the terminating) one."""
    return max(0, min(after_chunks, len(events) - 1))
