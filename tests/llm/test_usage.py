"""LLMUsageStats and PriceTable: counting, thread safety, cost arithmetic, unknown never shown as 0."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from rich.console import Console

from dbt_osmosis.core.llm.exceptions import LLMConfigError
from dbt_osmosis.core.llm.runtime import default_runtime
from dbt_osmosis.core.llm.types import Usage
from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable, get_default_usage, reset_default_usage


def test_packaged_table_has_every_provider_with_source_and_date() -> None:
    table = PriceTable.load()
    for provider in ("openai", "anthropic", "google-gemini", "ollama", "lm-studio"):
        origin = table.source(provider)
        assert origin is not None and origin[0] and origin[1][:2] == "20", provider
    assert table.price("openai", "gpt-4o") is not None
    assert table.price("openai", "gpt-4o-mini") is not None
    assert table.price("anthropic", "claude-sonnet-4-5") is not None
    assert table.price("google-gemini", "gemini-2.5-flash") is not None


def test_snapshot_suffixes_and_prefixes_resolve_to_the_base_model() -> None:
    table = PriceTable.load()
    assert table.price("openai", "gpt-4o-2024-08-06") == table.price("openai", "gpt-4o")
    assert table.price("anthropic", "claude-sonnet-4-5-20250929") == table.price(
        "anthropic", "claude-sonnet-4-5"
    )
    assert table.price("anthropic", "claude-3-5-haiku-latest") == table.price("anthropic", "claude-3-5-haiku")
    assert table.price("google-gemini", "models/gemini-2.0-flash") == table.price(
        "gemini", "gemini-2.0-flash"
    )
    # A longer, different model is not mistaken for its prefix.
    assert table.price("openai", "gpt-4o-audio-preview") is None


def test_cost_arithmetic_per_million_tokens_with_cached_input() -> None:
    table = PriceTable.load()
    # gpt-4o: $2.50 input, $1.25 cached input, $10 output per million.
    cost = table.estimate_cost("openai", "gpt-4o", 1_000_000, 100_000, cached_tokens=200_000)
    assert cost == pytest.approx(0.8 * 2.50 + 0.2 * 1.25 + 0.1 * 10.00)
    assert table.estimate_cost("openai", "gpt-4o-mini", 2_000, 500) == pytest.approx(
        (2_000 * 0.15 + 500 * 0.60) / 1_000_000
    )


def test_local_models_are_explicitly_free_and_unknown_models_are_unknown() -> None:
    table = PriceTable.load()
    assert table.estimate_cost("ollama", "llama3.1:8b", 10_000, 10_000) == 0.0
    assert table.estimate_cost("lm_studio", "anything-local", 10_000, 10_000) == 0.0
    assert table.estimate_cost("openai", "gpt-9-imaginary", 10, 10) is None
    assert table.estimate_cost("openai-compatible", "mystery", 10, 10) is None


def test_user_price_file_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "prices.json"
    extra.write_text(
        json.dumps(
            {
                "providers": {
                    "openai": {"models": {"gpt-4o": {"input": 1.0, "output": 2.0}}},
                    "azure-openai": {
                        "source": "our Azure agreement",
                        "as_of": "2025-09-01",
                        "models": {"gpt-4o-deploy": {"input": 2.0, "output": 8.0, "cached_input": 1.0}},
                    },
                }
            }
        )
    )
    table = PriceTable.load(extra)
    assert table.estimate_cost("openai", "gpt-4o", 1_000_000, 1_000_000) == pytest.approx(3.0)
    assert table.price("openai", "gpt-4o-mini") is not None  # untouched entries survive
    assert table.estimate_cost("azure-openai", "gpt-4o-deploy", 1_000_000, 0) == pytest.approx(2.0)
    assert table.source("azure-openai") == ("our Azure agreement", "2025-09-01")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "could not be read as JSON"),
        ('{"models": {}}', "'providers'"),
        ('{"providers": {"x": {"models": {"m": {"input": 1}}}}}', "missing 'output'"),
        ('{"providers": {"x": {"models": {"m": {"input": -1, "output": 1}}}}}', "must be a number"),
        ('{"providers": {"x": {"models": {"m": {"input": 1, "output": 1, "cost": 3}}}}}', "unknown field"),
    ],
)
def test_bad_price_files_are_config_errors_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "my-prices.json"
    path.write_text(content)
    with pytest.raises(LLMConfigError, match=message) as info:
        PriceTable.load(path)
    assert "my-prices.json" in str(info.value)


def test_missing_price_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(LLMConfigError, match="does not exist"):
        PriceTable.load(tmp_path / "nope.json")


def test_stats_count_per_model_and_in_total() -> None:
    stats = LLMUsageStats(price_table=PriceTable.load())
    stats.record(
        "openai", "gpt-4o-mini", Usage(prompt_tokens=1000, completion_tokens=200, cached_tokens=100), 0.5
    )
    stats.record("openai", "gpt-4o-mini", Usage(prompt_tokens=500, completion_tokens=50), 1.5)
    stats.record_retry("openai", "gpt-4o-mini")
    stats.record_error("anthropic", "claude-haiku-4-5")
    per_model = stats.by_model()
    mini = per_model[("openai", "gpt-4o-mini")]
    # A request is an attempt sent: two answered plus one that failed and was retried.
    assert (mini.requests, mini.retries, mini.prompt_tokens, mini.completion_tokens, mini.cached_tokens) == (
        3,
        1,
        1500,
        250,
        100,
    )
    assert mini.latency_s == pytest.approx(2.0)
    totals = stats.totals()
    assert (totals.requests, totals.retries, totals.errors, totals.total_tokens) == (4, 1, 1, 1750)
    assert totals.answered == 2
    # The model that only errored was never billed, so it does not make the total unknown.
    expected = (1400 * 0.15 + 100 * 0.075 + 250 * 0.60) / 1_000_000
    assert stats.cost() == pytest.approx(expected)


def test_cost_is_unknown_not_zero_when_any_answering_model_is_unpriced() -> None:
    stats = LLMUsageStats(price_table=PriceTable.load())
    stats.record("openai", "gpt-4o", Usage(prompt_tokens=10, completion_tokens=10), 0.1)
    stats.record("openai-compatible", "my-finetune", Usage(prompt_tokens=10, completion_tokens=10), 0.1)
    assert stats.cost() is None
    assert "cost unknown" in stats.summary()
    assert LLMUsageStats().cost() == 0.0  # nothing used, nothing spent
    no_table = LLMUsageStats()
    no_table.record("openai", "gpt-4o", Usage(prompt_tokens=1, completion_tokens=1), 0.1)
    assert no_table.cost() is None


def test_recording_is_thread_safe() -> None:
    stats = LLMUsageStats()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(500):
            stats.record(
                "openai", "gpt-4o", Usage(prompt_tokens=3, completion_tokens=2, cached_tokens=1), 0.01
            )
            stats.record_retry("openai", "gpt-4o")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals = stats.totals()
    assert (totals.requests, totals.retries, totals.prompt_tokens, totals.completion_tokens) == (
        8000,
        4000,
        12000,
        8000,
    )


def test_summary_line_and_wall_time_use_the_injected_clock() -> None:
    now = [100.0]
    stats = LLMUsageStats(price_table=PriceTable.load(), clock=lambda: now[0])
    stats.record("openai", "gpt-4o-mini", Usage(prompt_tokens=1_000_000, completion_tokens=0), 2.0)
    now[0] = 110.0
    stats.record("openai", "gpt-4o-mini", Usage(prompt_tokens=0, completion_tokens=1_000_000), 1.0)
    assert stats.wall_time_s() == pytest.approx(12.0)
    line = stats.summary()
    assert "\n" not in line
    assert (
        "2 request(s)" in line and "1,000,000 prompt" in line and "~$0.7500" in line and "12.0s wall" in line
    )


def test_rich_table_shows_each_model_unknown_cost_and_price_source() -> None:
    stats = LLMUsageStats(price_table=PriceTable.load())
    stats.record("openai", "gpt-4o", Usage(prompt_tokens=100, completion_tokens=10), 0.2)
    stats.record("openai-compatible", "house-model", Usage(prompt_tokens=100, completion_tokens=10), 0.2)
    console = Console(width=200, record=True)
    console.print(stats.rich_table())
    text = console.export_text()
    assert "gpt-4o" in text and "house-model" in text
    assert "unknown" in text
    assert "OpenAI API pricing page" in text


def test_track_usage_env_turns_on_a_shared_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSMOSIS_LLM_TRACK_USAGE", raising=False)
    assert get_default_usage() is None
    monkeypatch.setenv("OSMOSIS_LLM_TRACK_USAGE", "true")
    first = get_default_usage()
    assert first is not None and get_default_usage() is first
    reset_default_usage()
    assert default_runtime().usage_if_created is None
