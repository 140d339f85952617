"""What the real SDKs do when a provider fails after the answer has started.

Each SDK (openai, Azure through openai, anthropic, google-genai; no retries) is driven through every
fault of :mod:`tests.fakes.faults` and an outage, and the test pins what it shows: the exception class
(exactly, not a parent), whether it comes from the call that starts the request or from reading the
stream, and the attributes that carry the provider's error type and status. The product's error
handling is written against this table, so a change of SDK behaviour shows up here first.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anthropic
import h11
import httpx2
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from tests.fakes.fake_provider import (
    FAKE_API_KEY,
    PORTAL_PAGE,
    Cut,
    ErrorEvent,
    Fail,
    FakeProviderServer,
    Html200,
    OneBody,
    Reply,
    Reset,
    Stall,
    Step,
    fault_step,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSWER = "This is a fake answer from the fake provider."
# The read timeout a stall runs into: long enough for a loaded machine to deliver the first events,
# short enough to keep the stalls quick. Every other call gets a generous one, so only stalls time out.
STALL_TIMEOUT = 1.0
READ_TIMEOUT = 10.0
SDKS = ("openai", "azure", "anthropic", "gemini")


# ---------------------------------------------------------------------------------------------------
# Driving each SDK the way the product does (streamed unless said otherwise)
# ---------------------------------------------------------------------------------------------------


def _openai(base_url: str, timeout: float = READ_TIMEOUT) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=FAKE_API_KEY,
        base_url=f"{base_url}/v1",
        max_retries=0,
        timeout=openai.Timeout(timeout, connect=5.0),
    )


def _azure(base_url: str, timeout: float = READ_TIMEOUT) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        api_key=FAKE_API_KEY,
        azure_endpoint=base_url,
        azure_deployment="gpt-4o-deploy",
        api_version="2024-10-21",
        max_retries=0,
        timeout=openai.Timeout(timeout, connect=5.0),
    )


def _anthropic(base_url: str, timeout: float = READ_TIMEOUT) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=FAKE_API_KEY,
        base_url=base_url,
        max_retries=0,
        timeout=anthropic.Timeout(timeout, connect=5.0),
    )


def _gemini(base_url: str, timeout: float = READ_TIMEOUT) -> genai.Client:
    # No retry_options: google-genai then makes exactly one attempt.
    options = genai_types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000))
    return genai.Client(api_key=FAKE_API_KEY, http_options=options)


def _start(sdk: str, base_url: str, stream: bool, timeout: float = READ_TIMEOUT) -> Any:
    """Make the SDK's call; for a stream, what it returns before anything is read."""
    messages = [{"role": "user", "content": "hi"}]
    if sdk == "openai":
        return _openai(base_url, timeout).chat.completions.create(
            model="gpt-4o-mini", messages=messages, stream=stream
        )
    if sdk == "azure":
        return _azure(base_url, timeout).chat.completions.create(
            model="ignored", messages=messages, stream=stream
        )
    if sdk == "anthropic":
        return _anthropic(base_url, timeout).messages.create(
            model="claude-haiku-4-5", max_tokens=64, messages=messages, stream=stream
        )
    client = _gemini(base_url, timeout)
    if stream:
        return _Held(client.models.generate_content_stream(model="gemini-2.5-flash", contents="hi"), client)
    return client.models.generate_content(model="gemini-2.5-flash", contents="hi")


class _Held:
    """A google-genai stream together with its client.

    The stream is lazy and the client closes its connection pool when it is garbage-collected, so a
    stream whose client is no longer referenced fails with "the client has been closed".
    """

    def __init__(self, stream: Iterator[Any], client: genai.Client) -> None:
        self._stream = stream
        self._client = client

    def __iter__(self) -> Iterator[Any]:
        return self._stream


@dataclass
class Outcome:
    """What a call showed: where it stopped, the exception (if any) and what was read before it."""

    where: str  # "create" (the call raised), "iterate" (reading the stream raised) or "done"
    error: BaseException | None
    items: list[Any] = field(default_factory=list)
    returned: Any = None


def _drive(sdk: str, base_url: str, *, stream: bool, timeout: float = READ_TIMEOUT) -> Outcome:
    try:
        returned = _start(sdk, base_url, stream, timeout)
    except Exception as error:
        return Outcome("create", error)
    if not stream:
        return Outcome("done", None, returned=returned)
    items: list[Any] = []
    try:
        for item in returned:
            items.append(item)
    except Exception as error:
        return Outcome("iterate", error, items, returned)
    return Outcome("done", None, items, returned)


def _text(sdk: str, items: list[Any]) -> str:
    """The answer text in the streamed items each SDK yields."""
    if sdk in ("openai", "azure"):
        return "".join(c.choices[0].delta.content or "" for c in items if c.choices)
    if sdk == "anthropic":
        return "".join(e.delta.text for e in items if e.type == "content_block_delta")
    return "".join(r.text or "" for r in items)


def _cause_chain(error: BaseException) -> list[type[BaseException]]:
    chain: list[type[BaseException]] = []
    cause = error.__cause__
    while cause is not None:
        chain.append(type(cause))
        cause = cause.__cause__
    return chain


# ---------------------------------------------------------------------------------------------------
# The table: SDK x fault -> what the SDK shows
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    sdk: str
    mode: str
    step: Step | None  # None: the server is down (every request fails with 500)
    stream: bool
    where: str
    error: type[BaseException] | None
    attrs: dict[str, Any] = field(default_factory=dict)
    cause: type[BaseException] | None = None  # the first __cause__, when the SDK wraps
    text: str | None = None  # the text read before the fault (or the whole answer)


def _openai_family(sdk: str) -> list[Case]:
    server_error = {"type": "server_error", "code": None}
    return [
        Case(sdk, "cut", Cut(after_chunks=2), True, "iterate", openai.APIConnectionError,
             cause=httpx2.RemoteProtocolError, text="This is a fake a"),
        Case(sdk, "cut-reset", Cut(after_chunks=2, how="reset"), True, "iterate",
             openai.APIConnectionError, cause=httpx2.ReadError, text="This is a fake a"),
        # A clean close before [DONE] is not an error to the SDK: the stream just ends early.
        Case(sdk, "cut-eof", Cut(after_chunks=2, how="eof"), True, "done", None, text="This is a fake a"),
        Case(sdk, "stall", Stall(after_chunks=2), True, "iterate", openai.APITimeoutError,
             cause=httpx2.ReadTimeout, text="This is a fake a"),
        # Not an APIStatusError: no status_code; the error object is in .body, its type in .type.
        Case(sdk, "error-event", ErrorEvent(after_chunks=2), True, "iterate", openai.APIError,
             attrs=server_error, text="This is a fake a"),
        # A one-body answer to a stream request yields nothing and raises nothing.
        Case(sdk, "one-body", OneBody(), True, "done", None, text=""),
        Case(sdk, "html200", Html200(), True, "done", None, text=""),
        Case(sdk, "down", None, True, "create", openai.InternalServerError,
             attrs={"status_code": 500, **server_error}),
        Case(sdk, "cut", Cut(), False, "create", openai.APIConnectionError,
             cause=httpx2.RemoteProtocolError),
        Case(sdk, "stall", Stall(), False, "create", openai.APITimeoutError, cause=httpx2.ReadTimeout),
        Case(sdk, "error-event", ErrorEvent(), False, "create", openai.InternalServerError,
             attrs={"status_code": 500, **server_error}),
        # A non-JSON 200 is returned as the page's text (a str), not raised.
        Case(sdk, "html200", Html200(), False, "done", None),
    ]  # fmt: skip


def _anthropic_cases() -> list[Case]:
    sdk = "anthropic"
    overloaded = {"type": "overloaded_error", "api_message": "Overloaded"}
    return [
        # Reading a stream does not wrap transport errors: the raw httpx2 exception escapes.
        Case(sdk, "cut", Cut(after_chunks=3), True, "iterate", httpx2.RemoteProtocolError,
             text="This is a fake a"),
        Case(sdk, "cut-reset", Cut(after_chunks=3, how="reset"), True, "iterate", httpx2.ReadError,
             text="This is a fake a"),
        Case(sdk, "cut-eof", Cut(after_chunks=3, how="eof"), True, "done", None, text="This is a fake a"),
        Case(sdk, "stall", Stall(after_chunks=3), True, "iterate", httpx2.ReadTimeout,
             text="This is a fake a"),
        # The error event keeps the stream's 200: a bare APIStatusError, not OverloadedError (529).
        Case(sdk, "error-event", ErrorEvent(after_chunks=3), True, "iterate", anthropic.APIStatusError,
             attrs={"status_code": 200, **overloaded}, text="This is a fake a"),
        Case(sdk, "error-event-api", ErrorEvent(kind="api_error", after_chunks=3), True, "iterate",
             anthropic.APIStatusError,
             attrs={"status_code": 200, "type": "api_error", "api_message": "Internal server error"},
             text="This is a fake a"),
        Case(sdk, "one-body", OneBody(), True, "done", None, text=""),
        Case(sdk, "html200", Html200(), True, "done", None, text=""),
        Case(sdk, "down", None, True, "create", anthropic.InternalServerError,
             attrs={"status_code": 500, "type": "api_error"}),
        Case(sdk, "cut", Cut(), False, "create", anthropic.APIConnectionError,
             cause=httpx2.RemoteProtocolError),
        Case(sdk, "stall", Stall(), False, "create", anthropic.APITimeoutError, cause=httpx2.ReadTimeout),
        Case(sdk, "error-event", ErrorEvent(), False, "create", anthropic.OverloadedError,
             attrs={"status_code": 529, **overloaded}),
        Case(sdk, "error-event-api", ErrorEvent(kind="api_error"), False, "create",
             anthropic.InternalServerError, attrs={"status_code": 500, "type": "api_error"}),
        Case(sdk, "html200", Html200(), False, "done", None),
    ]  # fmt: skip


def _gemini_cases() -> list[Case]:
    sdk = "gemini"
    unavailable = {
        "code": 503,
        "status": "UNAVAILABLE",
        "message": "The model is overloaded. Please try again later.",
    }
    internal = {"code": 500, "status": "INTERNAL"}
    return [
        # google-genai wraps nothing: transport errors are the raw httpx2 ones, in and outside streams.
        Case(sdk, "cut", Cut(after_chunks=1), True, "iterate", httpx2.RemoteProtocolError,
             text="This is a fake a"),
        Case(sdk, "cut-reset", Cut(after_chunks=1, how="reset"), True, "iterate", httpx2.ReadError,
             text="This is a fake a"),
        # Gemini has no terminating event: a clean close looks complete except for the finish reason.
        Case(sdk, "cut-eof", Cut(after_chunks=1, how="eof"), True, "done", None, text="This is a fake a"),
        Case(sdk, "stall", Stall(after_chunks=1), True, "iterate", httpx2.ReadTimeout,
             text="This is a fake a"),
        Case(sdk, "error-event", ErrorEvent(after_chunks=1), True, "iterate", genai_errors.ServerError,
             attrs=unavailable, text="This is a fake a"),
        Case(sdk, "error-event-internal", ErrorEvent(kind="INTERNAL", after_chunks=1), True, "iterate",
             genai_errors.ServerError, attrs=internal, text="This is a fake a"),
        # The whole answer in one body is read as a one-chunk stream: nothing to do for Gemini.
        Case(sdk, "one-body", OneBody(), True, "done", None, text=ANSWER),
        Case(sdk, "one-body-pretty", OneBody(pretty=True), True, "done", None, text=ANSWER),
        Case(sdk, "html200", Html200(), True, "iterate", genai_errors.UnknownApiResponseError, text=""),
        # generate_content_stream is lazy: even an HTTP error arrives on the first next().
        Case(sdk, "down", None, True, "iterate", genai_errors.ServerError, attrs=internal, text=""),
        Case(sdk, "cut", Cut(), False, "create", httpx2.RemoteProtocolError),
        Case(sdk, "stall", Stall(), False, "create", httpx2.ReadTimeout),
        Case(sdk, "error-event", ErrorEvent(), False, "create", genai_errors.ServerError, attrs=unavailable),
        Case(sdk, "html200", Html200(), False, "create", json.JSONDecodeError),
    ]  # fmt: skip


CASES = [*_openai_family("openai"), *_openai_family("azure"), *_anthropic_cases(), *_gemini_cases()]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.sdk}-{c.mode}-{'stream' if c.stream else 'plain'}" for c in CASES]
)
def test_sdk_behaviour_under_fault(fake_provider: FakeProviderServer, case: Case) -> None:
    if case.step is None:
        fake_provider.down(500)
    else:
        fake_provider.script(case.step)

    timeout = STALL_TIMEOUT if isinstance(case.step, Stall) else READ_TIMEOUT
    outcome = _drive(case.sdk, fake_provider.base_url, stream=case.stream, timeout=timeout)

    assert outcome.where == case.where, outcome.error
    if case.error is None:
        assert outcome.error is None
    else:
        assert type(outcome.error) is case.error, repr(outcome.error)
        for name, value in case.attrs.items():
            assert getattr(outcome.error, name) == value, name
        if case.cause is not None:
            assert outcome.error is not None
            assert _cause_chain(outcome.error)[:1] == [case.cause]
    if case.text is not None:
        assert _text(case.sdk, outcome.items) == case.text
    assert len(fake_provider.requests) == 1


# ---------------------------------------------------------------------------------------------------
# Details the product needs beyond the exception class
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sdk", ["openai", "azure", "anthropic"])
def test_a_one_body_reply_is_visible_on_the_stream_before_reading(
    fake_provider: FakeProviderServer, sdk: str
) -> None:
    # The stream object exposes the response: its content type tells a one-body reply apart, and the
    # body can be read whole and parsed as the non-streamed answer.
    fake_provider.script(OneBody())
    stream = _start(sdk, fake_provider.base_url, True)

    assert stream.response.headers["content-type"] == "application/json"
    whole = json.loads(stream.response.read())
    if sdk == "anthropic":
        assert whole["content"][0]["text"] == ANSWER
    else:
        assert whole["choices"][0]["message"]["content"] == ANSWER


@pytest.mark.parametrize("sdk", ["openai", "azure", "anthropic"])
@pytest.mark.parametrize("step", [OneBody(), Html200()], ids=["one-body", "html200"])
def test_the_raw_response_path_shows_the_content_type_before_parsing(
    fake_provider: FakeProviderServer, sdk: str, step: Step
) -> None:
    # The product streams through with_raw_response: the headers are there before parse(), and
    # parse() still returns a Stream (empty) whatever the content type.
    fake_provider.script(step)
    messages = [{"role": "user", "content": "hi"}]
    if sdk == "anthropic":
        raw: Any = _anthropic(fake_provider.base_url).messages.with_raw_response.create(
            model="c", max_tokens=64, messages=messages, stream=True
        )
        stream_class: type[Any] = anthropic.Stream
    else:
        client = _openai(fake_provider.base_url) if sdk == "openai" else _azure(fake_provider.base_url)
        raw = client.chat.completions.with_raw_response.create(
            model="m", messages=messages, stream=True, stream_options={"include_usage": True}
        )
        stream_class = openai.Stream

    body = raw.http_response.read()
    if isinstance(step, OneBody):
        assert raw.headers["content-type"] == "application/json"
        assert ANSWER in json.dumps(json.loads(body))
    else:
        assert raw.headers["content-type"] == "text/html; charset=utf-8"
        assert body.decode() == PORTAL_PAGE
    stream = raw.parse()
    assert type(stream) is stream_class
    assert list(stream) == []


@pytest.mark.parametrize("sdk", ["openai", "azure", "anthropic"])
def test_an_html_page_is_returned_as_text_by_a_plain_call(
    fake_provider: FakeProviderServer, sdk: str
) -> None:
    fake_provider.script(Html200())
    outcome = _drive(sdk, fake_provider.base_url, stream=False)
    assert outcome.returned == PORTAL_PAGE

    fake_provider.script(Html200())
    stream = _start(sdk, fake_provider.base_url, True)
    assert stream.response.headers["content-type"] == "text/html; charset=utf-8"


def test_openai_error_event_message_and_body(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(ErrorEvent(message="Something broke.", code=503))
    outcome = _drive("openai", fake_provider.base_url, stream=True)
    assert isinstance(outcome.error, openai.APIError)
    assert not isinstance(outcome.error, openai.APIStatusError)
    assert outcome.error.message == "Something broke."
    assert outcome.error.body == {
        "message": "Something broke.",
        "type": "server_error",
        "param": None,
        "code": 503,
    }
    assert outcome.error.code == "503"


def test_stream_cut_causes_are_h11_protocol_errors_underneath(fake_provider: FakeProviderServer) -> None:
    # Product code should catch httpx2.TransportError (covers RemoteProtocolError, ReadError,
    # ReadTimeout) rather than the h11 class at the bottom of the chain.
    fake_provider.script(Cut())
    outcome = _drive("anthropic", fake_provider.base_url, stream=True)
    assert isinstance(outcome.error, httpx2.TransportError)
    chain: list[type[BaseException]] = []
    cause = outcome.error.__cause__ or outcome.error.__context__
    while cause is not None:
        chain.append(type(cause))
        cause = cause.__cause__ or cause.__context__
    assert h11.RemoteProtocolError in chain


# ---------------------------------------------------------------------------------------------------
# The async clients behave as the sync ones
# ---------------------------------------------------------------------------------------------------


async def _adrive(sdk: str, base_url: str, timeout: float) -> Outcome:
    messages = [{"role": "user", "content": "hi"}]
    closers: list[Callable[[], Any]] = []
    try:
        if sdk == "openai":
            client = openai.AsyncOpenAI(
                api_key=FAKE_API_KEY,
                base_url=f"{base_url}/v1",
                max_retries=0,
                timeout=openai.Timeout(timeout, connect=5.0),
            )
            closers.append(client.close)
            starting: Any = client.chat.completions.create(model="m", messages=messages, stream=True)
        elif sdk == "anthropic":
            aclient = anthropic.AsyncAnthropic(
                api_key=FAKE_API_KEY,
                base_url=base_url,
                max_retries=0,
                timeout=anthropic.Timeout(timeout, connect=5.0),
            )
            closers.append(aclient.close)
            starting = aclient.messages.create(model="c", max_tokens=64, messages=messages, stream=True)
        else:
            gclient = _gemini(base_url, timeout)
            starting = gclient.aio.models.generate_content_stream(model="g", contents="hi")
        try:
            stream = await starting
        except Exception as error:
            return Outcome("create", error)
        items: list[Any] = []
        try:
            async for item in stream:
                items.append(item)
        except Exception as error:
            return Outcome("iterate", error, items)
        return Outcome("done", None, items)
    finally:
        for close in closers:
            await close()


ASYNC_CASES = [
    c
    for c in CASES
    if c.stream and c.sdk != "azure" and c.mode in ("cut", "cut-reset", "stall", "error-event", "one-body")
]


@pytest.mark.parametrize("case", ASYNC_CASES, ids=[f"{c.sdk}-{c.mode}" for c in ASYNC_CASES])
def test_async_sdk_behaviour_matches_sync(fake_provider: FakeProviderServer, case: Case) -> None:
    assert case.step is not None
    fake_provider.script(case.step)

    timeout = STALL_TIMEOUT if isinstance(case.step, Stall) else READ_TIMEOUT
    outcome = asyncio.run(_adrive(case.sdk, fake_provider.base_url, timeout))

    assert (outcome.where, type(outcome.error) if outcome.error else None) == (case.where, case.error)
    for name, value in case.attrs.items():
        assert getattr(outcome.error, name) == value, name
    if case.where == "iterate" or case.error is None:
        assert _text(case.sdk, outcome.items) == case.text


# ---------------------------------------------------------------------------------------------------
# The fake's own controls: wire bytes, stalls, outages, the command line
# ---------------------------------------------------------------------------------------------------


def _raw_stream(base_url: str, path: str, body: dict[str, Any]) -> tuple[str, bytes]:
    request = urllib.request.Request(
        f"{base_url}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["content-type"], response.read()


STREAM_BODY = {"model": "m", "max_tokens": 8, "stream": True, "messages": [{"role": "user", "content": "hi"}]}


def test_error_events_on_the_wire_have_each_providers_shape(fake_provider: FakeProviderServer) -> None:
    base = fake_provider.base_url
    fake_provider.script(ErrorEvent(after_chunks=0))
    _, openai_bytes = _raw_stream(base, "/v1/chat/completions", STREAM_BODY)
    assert openai_bytes.startswith(b'data: {"error": {"message": "The server had an error processing')
    assert openai_bytes.endswith(b'"type": "server_error", "param": null, "code": null}}\n\ndata: [DONE]\n\n')

    fake_provider.script(ErrorEvent(after_chunks=1))
    _, anthropic_bytes = _raw_stream(base, "/v1/messages", STREAM_BODY)
    first, error = anthropic_bytes.split(b"\n\n", 1)
    assert first.startswith(b"event: message_start\n")
    assert error == (
        b"event: error\n"
        b'data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
    )

    # Gemini leaves the SSE framing: the error object is written bare, over several lines.
    fake_provider.script(ErrorEvent(after_chunks=1))
    _, gemini_bytes = _raw_stream(base, "/v1beta/models/g:streamGenerateContent?alt=sse", {"contents": []})
    first, error = gemini_bytes.split(b"\n\n", 1)
    assert first.startswith(b"data: {")
    assert json.loads(error) == {
        "error": {
            "code": 503,
            "message": "The model is overloaded. Please try again later.",
            "status": "UNAVAILABLE",
        }
    }
    assert error.count(b"\n") > 3


def test_one_body_ignores_the_stream_flag_and_counts_usage(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(OneBody(reply=Reply(text="whole", completion_tokens=7)), Cut())
    content_type, body = _raw_stream(fake_provider.base_url, "/v1/chat/completions", STREAM_BODY)
    assert content_type == "application/json"
    assert json.loads(body)["choices"][0]["message"]["content"] == "whole"
    assert fake_provider.usage_totals()["completion_tokens"] == 7

    # A cut answer was never delivered: its tokens are not counted.
    with pytest.raises(http.client.IncompleteRead):
        _raw_stream(fake_provider.base_url, "/v1/chat/completions", STREAM_BODY)
    assert fake_provider.usage_totals() == {"requests": 2, "prompt_tokens": 9, "completion_tokens": 7}


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    # Polls the server's own state, not elapsed time: returns as soon as it holds.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        threading.Event().wait(0.01)


def test_a_released_stall_resumes_and_completes(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Stall(after_chunks=1))
    result: list[Outcome] = []
    client = _gemini(fake_provider.base_url, timeout=30.0)
    worker = threading.Thread(
        target=lambda: result.append(
            Outcome("done", None, list(client.models.generate_content_stream(model="g", contents="hi")))
        )
    )
    worker.start()
    _wait_until(lambda: fake_provider.stalled == 1)
    assert fake_provider.release() == 1
    worker.join(timeout=10)

    (outcome,) = result
    assert _text("gemini", outcome.items) == ANSWER
    assert fake_provider.stalled == 0
    assert fake_provider.usage_totals()["completion_tokens"] > 0


def test_reset_drops_a_stalled_stream(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Stall(after_chunks=1))
    result: list[Outcome] = []
    client = _gemini(fake_provider.base_url, timeout=30.0)
    worker = threading.Thread(
        target=lambda: result.append(
            _drive_with(lambda: client.models.generate_content_stream(model="g", contents="hi"))
        )
    )
    worker.start()
    _wait_until(lambda: fake_provider.stalled == 1)
    fake_provider.reset()
    worker.join(timeout=10)

    (outcome,) = result
    assert type(outcome.error) is httpx2.RemoteProtocolError
    assert _text("gemini", outcome.items) == "This is a fake a"


def _drive_with(start: Callable[[], Iterator[Any]]) -> Outcome:
    items: list[Any] = []
    try:
        for item in start():
            items.append(item)
    except Exception as error:
        return Outcome("iterate", error, items)
    return Outcome("done", None, items)


def test_down_fails_every_request_until_up(fake_provider: FakeProviderServer) -> None:
    fake_provider.script(Reply(text="scripted"))
    fake_provider.down(503)
    assert fake_provider.is_down
    for sdk in SDKS:
        outcome = _drive(sdk, fake_provider.base_url, stream=True)
        assert outcome.error is not None
        assert getattr(outcome.error, "status_code", getattr(outcome.error, "code", None)) == 503
    # The script waits for the provider to come back; the rpm window does not fill while down.
    assert fake_provider.pending() == 1

    fake_provider.up()
    assert not fake_provider.is_down
    outcome = _drive("openai", fake_provider.base_url, stream=False)
    assert outcome.returned.choices[0].message.content == "scripted"
    assert len(fake_provider.requests) == 5


def test_down_with_a_step_and_refused_connections(fake_provider: FakeProviderServer) -> None:
    fake_provider.down(step=Reset())
    outcome = _drive("anthropic", fake_provider.base_url, stream=False)
    assert type(outcome.error) is anthropic.APIConnectionError
    assert _cause_chain(outcome.error)[:1] == [httpx2.ReadError]

    base_url = fake_provider.base_url
    fake_provider.down(refuse=True)
    assert fake_provider.is_down
    outcome = _drive("openai", base_url, stream=True)
    assert (outcome.where, type(outcome.error)) == ("create", openai.APIConnectionError)
    assert _cause_chain(outcome.error)[:1] == [httpx2.ConnectError]
    gemini = _drive("gemini", base_url, stream=True)
    assert (gemini.where, type(gemini.error)) == ("iterate", httpx2.ConnectError)

    # reset() (what the fixture does between tests) ends any outage, listening on the same port.
    fake_provider.reset()
    assert fake_provider.base_url == base_url
    assert not fake_provider.is_down
    assert _drive("openai", base_url, stream=False).returned.choices[0].message.content == ANSWER


def test_fault_specs() -> None:
    assert fault_step("ok") == Reply()
    assert fault_step("500") == Fail(500)
    assert fault_step("cut") == Cut()
    assert fault_step("cut-reset:1") == Cut(after_chunks=1, how="reset")
    assert fault_step("cut-eof:3") == Cut(after_chunks=3, how="eof")
    assert fault_step("stall:2") == Stall(after_chunks=2)
    assert fault_step("error") == ErrorEvent()
    assert fault_step("error:INTERNAL:0") == ErrorEvent(kind="INTERNAL", after_chunks=0)
    assert fault_step("one-body") == OneBody()
    assert fault_step("html200") == Html200()
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        fault_step("nope")
    with pytest.raises(ValueError, match="bad fault 'cut:x'"):
        fault_step("cut:x")


def test_command_line_fault_cycle() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fake_provider", "--port", "0", "--fault", "html200,ok"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        plain = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        answers = [_raw_stream(base_url, "/v1/chat/completions", plain) for _ in range(3)]
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert [content_type for content_type, _ in answers] == [
        "text/html; charset=utf-8",
        "application/json",
        "text/html; charset=utf-8",
    ]
