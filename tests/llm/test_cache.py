"""The response cache: what decides a key, what an entry holds, and what a damaged entry does."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from dbt_osmosis.core.llm.cache import ResponseCache, request_key
from dbt_osmosis.core.llm.types import LLMRequest, Message, Usage

REQUEST = LLMRequest(
    messages=(Message("system", "You document models."), Message("user", "Describe orders.")),
    temperature=0.2,
    max_tokens=500,
    json_schema={"type": "object"},
    schema_name="model_documentation",
)

OTHER_MESSAGES = (*REQUEST.messages[:1], Message("user", "Describe order."))


def test_every_input_that_decides_the_answer_changes_the_key() -> None:
    base = request_key("openai", "gpt-4.1-mini", REQUEST)
    variants = [
        request_key("anthropic", "gpt-4.1-mini", REQUEST),
        request_key("openai", "gpt-4.1", REQUEST),
        request_key("openai", "gpt-4.1-mini", dataclasses.replace(REQUEST, temperature=0.3)),
        request_key("openai", "gpt-4.1-mini", dataclasses.replace(REQUEST, max_tokens=501)),
        request_key("openai", "gpt-4.1-mini", dataclasses.replace(REQUEST, json_schema={"type": "array"})),
        request_key("openai", "gpt-4.1-mini", dataclasses.replace(REQUEST, messages=OTHER_MESSAGES)),
    ]
    assert base not in variants
    assert len(set(variants)) == len(variants)
    # What does not decide the answer (how the call is named in logs) does not change the key.
    assert request_key("openai", "gpt-4.1-mini", dataclasses.replace(REQUEST, operation="other")) == base


def test_an_entry_round_trips_with_its_creation_time(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path, clock=lambda: 1_700_000_000.5)
    key = request_key("openai", "m", REQUEST)
    assert cache.get(key) is None
    cache.put(key, {"description": "Orders."}, usage=Usage(120, 30), provider="openai", model="m")
    hit = ResponseCache(tmp_path).get(key)
    assert hit is not None
    assert hit.parsed == {"description": "Orders."}
    assert hit.usage == Usage(120, 30)
    assert hit.created_at == 1_700_000_000.5
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{key}.json"]


def test_a_damaged_or_foreign_entry_is_a_miss_not_an_error(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    key = request_key("openai", "m", REQUEST)
    cache.put(key, {"description": "x"}, usage=Usage(), provider="openai", model="m")
    path = next(tmp_path.rglob("*.json"))
    path.write_text('{"format": 1, "parsed": ')  # torn by hand: the cache never writes this itself
    assert cache.get(key) is None
    path.write_text(json.dumps({"format": 999, "parsed": {}}))
    assert cache.get(key) is None


def test_an_unwritable_folder_costs_only_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResponseCache(blocker)
    key = request_key("openai", "m", REQUEST)
    cache.put(key, {"description": "x"}, usage=Usage(), provider="openai", model="m")
    assert cache.get(key) is None


def test_an_answer_with_a_lone_surrogate_is_kept_and_read_back(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    odd = LLMRequest(messages=(Message("user", "Describe \ud800 this."),))
    key = request_key("openai", "m", odd)
    cache.put(key, {"description": "bad \ud800 text"}, usage=Usage(), provider="openai", model="m")
    hit = cache.get(key)
    assert hit is not None and hit.parsed == {"description": "bad \ud800 text"}


def test_an_entry_that_does_not_match_the_answer_schema_is_a_miss(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"description": {"type": "string"}, "columns": {"type": "array"}},
        "required": ["description"],
    }
    cache = ResponseCache(tmp_path)
    key = request_key("openai", "m", REQUEST)
    cache.put(key, {"description": 42, "columns": "nope"}, usage=Usage(), provider="openai", model="m")
    assert cache.get(key, schema) is None and cache.hits == 0
    cache.put(key, {"description": "Orders.", "columns": []}, usage=Usage(), provider="openai", model="m")
    hit = cache.get(key, schema)
    assert hit is not None and hit.parsed["description"] == "Orders."


def test_the_run_settings_that_change_the_answer_are_part_of_the_key() -> None:
    from dbt_osmosis.core.llm.cache import answer_settings
    from dbt_osmosis.core.llm.settings import LLMSettings

    def key(**settings: object) -> str:
        return request_key("openai", "m", REQUEST, answer_settings(LLMSettings(**settings)))  # type: ignore[arg-type]

    keys = {
        key(),
        key(temperature=0.9),
        key(omit_temperature=True),
        key(json_mode="object"),
        key(max_description_chars=200),
    }
    assert len(keys) == 5
