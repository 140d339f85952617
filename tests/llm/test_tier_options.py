"""Tiers, batches and prices as a user meets them on the command line: a provider without a flex tier
priced at its standard price everywhere, a missing flex price named, batches left pending by a
synchronous run, flex without capacity, and contradicting options. Real SDKs against the fake server."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import run_document
from tests.support.llm import FAST

from dbt_osmosis.api import DocumentRun, LLMOptions, ProjectLocation, document
from dbt_osmosis.exit_codes import ExitCode

pytestmark = pytest.mark.usefixtures("llm_env")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _estimate(project: Path, **options: object) -> float | None:
    where = ProjectLocation(project_dir=project, profiles_dir=project)
    result = document(DocumentRun(project=where, llm=LLMOptions(dry_run=True, **options)))  # type: ignore[arg-type]
    assert result.synthesis is not None
    return result.synthesis.cost


def test_a_provider_without_a_flex_tier_is_priced_at_its_standard_price_everywhere(
    chain: Path, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    standard = _estimate(chain)
    flex = _estimate(chain, service_tier="flex")
    assert standard is not None and standard > 0
    assert flex == pytest.approx(standard)  # Anthropic sells no flex tier: the option is ignored
    dry = _flat(run_document(chain, *FAST, "--llm-service-tier", "flex", "--llm-dry-run").output)
    assert "Estimate for anthropic" in dry and "cost unknown" not in dry
    real = run_document(chain, *FAST, "--llm-service-tier", "flex", "--llm-stats")
    assert real.exit_code == ExitCode.OK, real.output
    shown = _flat(real.output)
    assert "cost unknown" not in shown and "unknown" not in shown
    assert fake_provider.requests
    assert all("service_tier" not in str(r.body) for r in fake_provider.requests)


def test_a_model_without_a_flex_price_is_refused_a_cost_budget_saying_so(
    chain: Path, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4.1-mini")
    refused = run_document(chain, *FAST, "--llm-service-tier", "flex", "--llm-max-cost", "1")
    assert refused.exit_code != ExitCode.OK
    text = _flat(refused.output)
    assert "no flex price for gpt-4.1-mini in the price table" in text
    assert "not in the price table" not in text
    assert not fake_provider.requests


def test_a_synchronous_run_says_batches_are_pending_and_the_next_batch_run_ends_clean(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    submitted = run_document(chain, *FAST, "--llm-batch")
    assert submitted.exit_code == ExitCode.PENDING, submitted.output
    [batch] = fake_provider.batches.in_progress
    synchronous = run_document(chain, *FAST)
    assert synchronous.exit_code == ExitCode.OK, synchronous.output
    said = _flat(synchronous.output)
    assert said.count("still in flight for this project") == 1
    assert batch.id in said and "--llm-batch-cancel" in said
    # Every node is filled now: the batch run waits for nothing, writes nothing new and exits 0.
    again = run_document(chain, *FAST, "--llm-batch")
    assert again.exit_code == ExitCode.OK, again.output
    text = _flat(again.output)
    assert "Pending:" not in text
    assert f"No node of this run waits for batch(es) {batch.id}" in text
    assert len(fake_provider.batches.batches) == 1  # nothing new submitted
    # It is still there to stop.
    cancelled = run_document(chain, "--llm-batch-cancel")
    assert f"Cancelled 1 batch(es): {batch.id}" in cancelled.output
