"""Tiers, batches and prices as a user meets them on the command line: a provider without a flex tier
priced at its standard price everywhere, a missing flex price named, batches left pending by a
synchronous run, flex without capacity, and contradicting options. Real SDKs against the fake server."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from benchmarks.generate_project import generate
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import run_document
from tests.support.llm import FAST
from tests.support.projects import ProjectStore

from dbt_osmosis.api import DocumentRun, LLMOptions, ProjectLocation, document
from dbt_osmosis.core.llm.exceptions import LLMRateLimitError
from dbt_osmosis.core.llm.flex import FLEX_COOLDOWN_S, FLEX_REFUSALS_IN_A_ROW, FlexCapacity
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
    assert dry.count("anthropic sells no flex tier") == 1
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
    dry = _flat(run_document(chain, *FAST, "--llm-service-tier", "flex", "--llm-dry-run").output)
    assert dry.count("There is no flex price for gpt-4.1-mini in the price table") == 1


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


#: Retries allowed (and waited for without delay), one node at a time so the counts are exact.
FLEX_RUN = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "3", "--llm-concurrency", "1")


@pytest.fixture
def generated(project_store: ProjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 6-model project with a catalog.json, on OpenAI gpt-5-mini (sold at flex), retrying at once."""
    template = project_store.built("generated-6", lambda root: generate(root, 6))
    monkeypatch.setenv("OPENAI_MODEL", "gpt-5-mini")
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")
    for name in ("OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS", "OSMOSIS_LLM_FLEX_UNAVAILABLE"):
        monkeypatch.delenv(name, raising=False)
    return Path(shutil.copytree(template, tmp_path / "generated"))


def test_no_flex_capacity_sends_the_rest_of_the_run_to_the_standard_tier_at_once(
    generated: Path, fake_provider: FakeProviderServer
) -> None:
    fake_provider.no_flex_capacity = math.inf
    catalog = ("--catalog-path", str(generated / "catalog.json"))
    result = run_document(generated, *catalog, *FLEX_RUN, "--llm-service-tier", "flex", "--llm-stats")
    assert result.exit_code == ExitCode.OK, result.output
    standard = sum(1 for r in fake_provider.requests if "service_tier" not in str(r.body))
    assert standard >= 2
    # Not four flex attempts per node: a few refusals in a row, then every request at standard.
    assert fake_provider.flex_refusals == FLEX_REFUSALS_IN_A_ROW
    text = _flat(result.output)
    # The first node: three flex attempts (two of them retries), then the standard tier.
    assert f"{FLEX_REFUSALS_IN_A_ROW + 1} requests ({FLEX_REFUSALS_IN_A_ROW - 1} retries)" in text
    assert f"LLM usage: {FLEX_REFUSALS_IN_A_ROW + standard} request(s) sent" in text
    assert f"({FLEX_REFUSALS_IN_A_ROW - 1} retry(ies)" in text


def test_no_flex_capacity_with_fail_fails_the_rest_at_once_and_says_why(
    generated: Path, fake_provider: FakeProviderServer
) -> None:
    fake_provider.no_flex_capacity = math.inf
    catalog = ("--catalog-path", str(generated / "catalog.json"))
    result = run_document(
        generated, *catalog, *FLEX_RUN, "--llm-service-tier", "flex", "--llm-flex-unavailable", "fail"
    )
    assert result.exit_code == ExitCode.INCOMPLETE, result.output
    assert fake_provider.flex_refusals == FLEX_REFUSALS_IN_A_ROW == len(fake_provider.requests)
    text = _flat(result.output)
    assert "openai had no flex capacity for this request (HTTP 429)" in text
    assert "leave out --llm-flex-unavailable fail" in text
    assert "--llm-rate-limit" not in text


def test_flex_with_batch_is_refused_and_other_idle_options_are_said_once(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    both = run_document(chain, *FAST, "--llm-batch", "--llm-service-tier", "flex")
    assert both.exit_code == ExitCode.BAD_INPUT
    assert "--llm-service-tier flex and --llm-batch contradict each other" in _flat(both.output)
    assert not fake_provider.batches.batches and not fake_provider.requests
    chained = run_document(chain, *FAST, "--llm-batch", "--llm-fallback", "anthropic:claude-haiku-4-5")
    assert chained.exit_code == ExitCode.PENDING, chained.output
    assert _flat(chained.output).count("is not used with --llm-batch") == 1
    idle = run_document(chain, *FAST, "--llm-flex-unavailable", "fail", "--llm-dry-run")
    assert "--llm-flex-unavailable fail has no effect without --llm-service-tier flex" in _flat(idle.output)


def test_a_budget_refusal_shows_two_different_amounts_and_no_dollars_for_a_request_budget(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    estimate = _estimate(chain)
    assert estimate is not None
    tight = run_document(chain, *FAST, "--llm-max-cost", f"{estimate - 2e-7:.7f}")
    assert tight.exit_code == ExitCode.BAD_INPUT, tight.output
    found = re.search(
        r"about \$([\d.]+)(?: \(just over\))? against a budget of \$([\d.]+)", _flat(tight.output)
    )
    assert found is not None, tight.output
    assert found.group(1) != found.group(2)
    counted = run_document(
        chain, *FAST, "--llm-max-requests", "1", "--llm-fallback", "anthropic:claude-haiku-4-5"
    )
    assert counted.exit_code == ExitCode.BAD_INPUT, counted.output
    text = _flat(counted.output)
    assert "request(s) against a budget of 1" in text and "$" not in text
    assert not fake_provider.requests


def test_a_batch_run_says_what_it_submitted_and_what_it_collected_not_what_it_sent(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    first = run_document(chain, *FAST, "--llm-batch", "--llm-stats")
    assert first.exit_code == ExitCode.PENDING, first.output
    [batch] = fake_provider.batches.in_progress
    text = _flat(first.output)
    submitted = len(batch.items)
    assert f"{submitted} request(s) submitted in 1 batch(es)" in text
    assert "with 0 requests" not in text
    fake_provider.batches.complete_all()
    second = run_document(chain, *FAST, "--llm-batch", "--llm-stats")
    text = _flat(second.output)
    assert f"{submitted} answer(s) collected from batches" in text
    assert f"LLM usage: {submitted} answer(s) collected from batches, 0 request(s) sent" in text
    assert not fake_provider.requests  # indeed nothing was sent synchronously


def test_flex_is_tried_again_after_the_cooldown_and_one_refusal_closes_it_again() -> None:
    now = [0.0]
    capacity = FlexCapacity(clock=lambda: now[0])
    refusal = LLMRateLimitError("no capacity", status_code=429)
    for _ in range(FLEX_REFUSALS_IN_A_ROW - 1):
        capacity.refused(refusal)
    assert not capacity.closed()  # a refusal or two may be a blip
    capacity.refused(refusal)
    assert capacity.closed()
    now[0] += FLEX_COOLDOWN_S + 1
    assert not capacity.closed()  # flex is asked again
    capacity.refused(refusal)
    assert capacity.closed()  # and one more refusal is enough
    capacity.answered()
    assert not capacity.closed()
