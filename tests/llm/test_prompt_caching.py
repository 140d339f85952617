"""Prompt caching, the flex tier and tiered prices, through the real SDKs against the fake server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.fakes.fake_provider import FakeProviderServer
from tests.fakes.prompt_cache import PromptCacheAccounting

from dbt_osmosis.core.llm.budget import Budget
from dbt_osmosis.core.llm.managed import build_managed_client
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message, Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable

SCHEMA = {
    "type": "object",
    "properties": {"description": {"type": "string"}},
    "required": ["description"],
    "additionalProperties": False,
}
LONG_SYSTEM = "You write dbt docs. House style: name the grain first. " * 120  # ~1,700 tokens


def _request(node: str, system: str = LONG_SYSTEM) -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", system), Message("user", f"Document the model {node}.")),
        max_tokens=200,
        json_schema=SCHEMA,
        stable_prefix_chars=len(json.dumps(SCHEMA)) + len(system),
        cache_key="dbt-osmosis:shop",
    )


def _client(provider: str, model: str, env: dict[str, str], **settings: object) -> object:
    config = get_provider_config(provider)
    env = {**env, config.model_env or "": model}
    return build_managed_client(
        LLMSettings(timeout=10, connect_timeout=5, max_retries=0, **settings),  # type: ignore[arg-type]
        config=config,
        env=env,
        usage=LLMUsageStats(PriceTable.load()),
        runtime=LLMRuntime(),
    )


async def _fan_out(client: object, count: int) -> list[object]:
    return await asyncio.gather(*(client.acomplete(_request(f"m{i}")) for i in range(count)))  # type: ignore[attr-defined]


def test_anthropic_marks_a_long_prefix_and_the_first_request_writes_it_before_the_others_read(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.prompt_cache = PromptCacheAccounting()
    fake_provider.latency = 0.05
    client = _client("anthropic", "claude-sonnet-5", fake_provider_env)
    responses = asyncio.run(_fan_out(client, 8))
    systems = [r.body["system"] for r in fake_provider.requests]
    assert all(s[0]["cache_control"] == {"type": "ephemeral"} for s in systems)
    usages = [r.usage for r in responses]  # type: ignore[attr-defined]
    # One write, seven reads: the first request went alone, so no two requests wrote the same prefix.
    assert sum(1 for u in usages if u.cache_write_tokens) == 1
    assert sum(1 for u in usages if u.cached_tokens) == 7
    totals = client.usage.totals()  # type: ignore[attr-defined]
    assert totals.cache_write_tokens == fake_provider.prompt_cache.write_tokens > 0
    assert totals.cached_tokens == fake_provider.prompt_cache.read_tokens > 0


def test_a_short_prefix_is_not_marked_for_anthropic(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    client = _client("anthropic", "claude-sonnet-5", fake_provider_env)
    client.complete(_request("orders", system="You write dbt docs."))  # type: ignore[attr-defined]
    assert isinstance(fake_provider.requests[0].body["system"], str)


def test_openai_sends_one_prompt_cache_key_and_reads_the_prefix_after_the_first_answer(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.prompt_cache = PromptCacheAccounting()
    client = _client("openai", "gpt-4.1-mini", fake_provider_env)
    responses = asyncio.run(_fan_out(client, 6))
    assert {r.body["prompt_cache_key"] for r in fake_provider.requests} == {"dbt-osmosis:shop"}
    assert sum(1 for r in responses if r.usage.cached_tokens) == 5  # type: ignore[attr-defined]


def test_flex_is_sent_to_openai_and_gemini_and_not_to_anthropic(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    for provider, model in (
        ("openai", "gpt-5-mini"),
        ("google-gemini", "gemini-2.5-flash"),
        ("anthropic", "claude-sonnet-5"),
    ):
        client = _client(provider, model, fake_provider_env, service_tier="flex")
        client.complete(_request("orders", system="Short."))  # type: ignore[attr-defined]
    openai, gemini, anthropic = (r.body for r in fake_provider.requests)
    assert openai["service_tier"] == "flex"
    assert "flex" in json.dumps(gemini).lower()
    assert "service_tier" not in anthropic and "flex" not in json.dumps(anthropic)


def test_tiered_prices_and_a_price_file_that_overrides_them(tmp_path: Path) -> None:
    table = PriceTable.load()
    standard = table.estimate_cost("openai", "gpt-5-mini", 1_000_000, 1_000_000)
    flex = table.estimate_cost("openai", "gpt-5-mini", 1_000_000, 1_000_000, tier="flex")
    assert standard is not None and flex == pytest.approx(standard / 2)
    # A model the provider sells no flex tier for has an unknown flex cost, never 0.
    assert table.estimate_cost("openai", "gpt-4.1-mini", 10, 10, tier="flex") is None
    # Anthropic bills a cache write at 1.25 x input and a read at 0.1 x.
    price = table.price("anthropic", "claude-sonnet-5")
    assert price is not None and price.cache_write == pytest.approx(1.25 * price.input)
    written = price.cost(1_000_000, 0, cache_write_tokens=1_000_000)
    read = price.cost(1_000_000, 0, cached_tokens=1_000_000)
    assert (written, read) == (pytest.approx(2.5), pytest.approx(0.20))
    assert table.price("gemini", "gemini-2.5-flash").cached_input is not None  # type: ignore[union-attr]
    mine = tmp_path / "prices.json"
    mine.write_text(
        json.dumps(
            {
                "providers": {
                    "openai": {
                        "models": {
                            "gpt-5-mini": {"input": 1, "output": 1, "flex": {"input": 0.1, "output": 0.1}}
                        }
                    }
                }
            }
        )
    )
    assert PriceTable.load(mine).estimate_cost(
        "openai", "gpt-5-mini", 10**6, 0, tier="flex"
    ) == pytest.approx(0.1)


def test_the_budget_prices_cache_reads_and_writes() -> None:
    price = PriceTable.load().price("anthropic", "claude-sonnet-5")
    assert price is not None
    budget = Budget(max_cost=1.0, max_requests=None, price=price.cost_of)
    reservation = budget.reserve(1000, 100)
    budget.settle(reservation, Usage(prompt_tokens=100_000, completion_tokens=0, cached_tokens=100_000))
    assert budget.spent == pytest.approx(0.02)
