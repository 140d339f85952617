"""JSON extraction from real-world replies and validation against the schema subset we use."""

from __future__ import annotations

from typing import Any

import pytest

from dbt_osmosis.core.llm.exceptions import LLMResponseError
from dbt_osmosis.core.llm.structured import (
    extract_json,
    is_strict_compatible,
    json_instruction,
    parse_structured,
    validate_schema,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "kind": {"type": "string", "enum": ["table", "view"]},
        "columns": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "position": {"type": "integer"}},
                "required": ["name"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["description"],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  \n{"a": 1}\n', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('```\n{"a": 1}\n```', {"a": 1}),
        ("```JSON\n[1, 2]\n```", [1, 2]),
        ('Sure! Here it is:\n{"a": {"b": [1, 2]}}\nAnything else?', {"a": {"b": [1, 2]}}),
        ('Here:\n```json\n{"a": "x } y"}\n```\nDone.', {"a": "x } y"}),
        ('The {placeholder} word, then {"a": 1}', {"a": 1}),
        ('[{"name": "id"}]', [{"name": "id"}]),
        ('"just a string"', "just a string"),
    ],
)
def test_extract_json_finds_the_value(text: str, expected: Any) -> None:
    assert extract_json(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "no json here", '{"a": 1', "```json\n{broken\n```"])
def test_extract_json_rejects_replies_without_json(text: str) -> None:
    with pytest.raises(ValueError):
        extract_json(text)


def test_validate_accepts_conforming_value() -> None:
    value = {"description": "x", "kind": "view", "columns": [{"name": "id", "position": 1}], "extra": True}
    assert validate_schema(value, SCHEMA) == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({}, "missing required property 'description'"),
        ({"description": 3}, "$.description: expected string, got integer"),
        ({"description": "x", "kind": "table-ish"}, "$.kind: 'table-ish' is not one of"),
        ({"description": "x", "columns": {"name": "id"}}, "$.columns: expected array, got object"),
        (
            {"description": "x", "columns": [{"name": "id", "type": "int"}]},
            "$.columns[0]: unexpected property 'type'",
        ),
        (
            {"description": "x", "columns": [{"position": 1}]},
            "$.columns[0]: missing required property 'name'",
        ),
        (
            {"description": "x", "columns": [{"name": "id", "position": True}]},
            "expected integer, got boolean",
        ),
        ([], "$: expected object, got array"),
    ],
)
def test_validate_reports_each_problem_with_its_path(value: Any, problem: str) -> None:
    problems = validate_schema(value, SCHEMA)
    assert any(problem in p for p in problems), problems


def test_number_accepts_integers_and_floats_but_not_bools() -> None:
    schema = {"type": "number"}
    assert validate_schema(1, schema) == [] and validate_schema(1.5, schema) == []
    assert validate_schema(False, schema)


def test_type_lists_allow_null() -> None:
    assert validate_schema(None, {"type": ["string", "null"]}) == []


def test_parse_structured_error_has_short_excerpt_and_context() -> None:
    reply = "I cannot help with that. " * 40
    with pytest.raises(LLMResponseError) as info:
        parse_structured(reply, SCHEMA, provider="openai", model="gpt-4.1-mini", request_id="req_1")
    message = str(info.value)
    assert "did not return usable JSON" in message
    assert "I cannot help with that." in message
    assert len(message) < 450
    assert (info.value.provider, info.value.model, info.value.request_id) == (
        "openai",
        "gpt-4.1-mini",
        "req_1",
    )
    assert isinstance(info.value, ValueError)


def test_parse_structured_shape_error_names_the_fields() -> None:
    with pytest.raises(LLMResponseError, match=r"missing required property 'description'"):
        parse_structured('{"summary": "x"}', SCHEMA)


def test_parse_structured_without_schema_returns_any_json() -> None:
    assert parse_structured("```json\n[1]\n```", None) == [1]


def test_truncation_hint_when_finish_reason_says_so() -> None:
    with pytest.raises(LLMResponseError, match="token limit"):
        parse_structured('{"description": "cut', SCHEMA, finish_reason="length")


def test_strict_compatibility() -> None:
    strict = {
        "type": "object",
        "properties": {"a": {"type": "array", "items": {"type": "string"}}},
        "required": ["a"],
        "additionalProperties": False,
    }
    assert is_strict_compatible(strict)
    assert not is_strict_compatible(SCHEMA)
    assert not is_strict_compatible({**strict, "required": []})


def test_json_instruction_embeds_the_schema() -> None:
    text = json_instruction(SCHEMA)
    assert '"description"' in text and "JSON" in text
