"""The packaged price table says, for every priced model, where its prices were checked and when."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from dbt_osmosis.core.llm.usage import PriceTable

STATUSES = {"verified", "partly verified", "unverified"}


def _packaged() -> dict[str, object]:
    text = resources.files("dbt_osmosis.core.llm").joinpath("prices.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_every_paid_model_records_its_source_the_date_read_and_what_was_confirmed() -> None:
    providers = _packaged()["providers"]
    assert isinstance(providers, dict)
    for provider in ("openai", "anthropic", "gemini"):
        for model, entry in providers[provider]["models"].items():
            checked = entry.get("checked")
            assert checked, f"{provider}/{model} has no 'checked' record"
            assert checked["source"].startswith("https://"), (provider, model)
            assert len(checked["read"]) == 10 and checked["status"] in STATUSES, (provider, model)


def test_the_prices_corrected_against_the_anthropic_model_pages() -> None:
    table = PriceTable.load()
    for model in ("claude-sonnet-5-5", "claude-opus-5-5"):
        price = table.price("anthropic", model)
        assert price is not None and price.batch is not None
        # The cache-hit price is on the model page; it used to be missing (read as full input price).
        assert price.cached_input == pytest.approx(0.2)
        assert price.batch.cached_input == pytest.approx(0.1)
