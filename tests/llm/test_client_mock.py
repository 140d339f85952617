"""MockLLMClient: the public test double users inject instead of a real provider."""

from __future__ import annotations

import asyncio

import pytest

from dbt_osmosis.core.llm import (
    DESCRIPTION_SCHEMA,
    LLMClient,
    LLMConfigError,
    LLMRateLimitError,
    LLMRequest,
    LLMResponseError,
    Message,
    MockLLMClient,
)


def _request(schema: object = None) -> LLMRequest:
    return LLMRequest(messages=(Message("user", "describe"),), json_schema=schema, operation="column_doc")  # type: ignore[arg-type]


def test_is_an_llm_client() -> None:
    assert isinstance(MockLLMClient(), LLMClient)


def test_replies_in_order_and_records_calls() -> None:
    mock = MockLLMClient(["first", {"description": "second"}, ["third"]])
    assert mock.complete(_request()).text == "first"
    assert mock.complete(_request(DESCRIPTION_SCHEMA)).parsed == {"description": "second"}
    assert asyncio.run(mock.acomplete(_request())).text == '["third"]'
    assert len(mock.calls) == 3 and mock.calls[0].operation == "column_doc"


def test_raises_scripted_errors() -> None:
    mock = MockLLMClient([LLMRateLimitError("slow down", retry_after=2)])
    with pytest.raises(LLMRateLimitError):
        mock.complete(_request())


def test_callable_reply_sees_the_request() -> None:
    mock = MockLLMClient(default=lambda req: {"description": req.messages[-1].content.upper()})
    assert mock.complete(_request(DESCRIPTION_SCHEMA)).parsed == {"description": "DESCRIBE"}


def test_validates_like_a_real_provider() -> None:
    mock = MockLLMClient(['```json\n{"description": "ok"}\n```', {"nope": 1}])
    assert mock.complete(_request(DESCRIPTION_SCHEMA)).parsed == {"description": "ok"}
    with pytest.raises(LLMResponseError, match="description"):
        mock.complete(_request(DESCRIPTION_SCHEMA))


def test_running_out_of_replies_is_a_clear_error() -> None:
    mock = MockLLMClient(["only one"])
    mock.complete(_request())
    with pytest.raises(LLMConfigError, match="no scripted reply left for call #2"):
        mock.complete(_request())


def test_reports_usage_for_accounting() -> None:
    usage = MockLLMClient(["a reasonably long answer"]).complete(_request()).usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
