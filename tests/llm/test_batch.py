"""``--llm-batch``: the providers' batch APIs, driven through the real SDKs against the fake server.

A batch run ends with exit code 4 while answers are pending and writes nothing; the same command run
again collects the finished batch, submits the next DAG wave, and, once every answer is in, writes
exactly the bytes a synchronous run writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fakes.fake_provider import Fail, FakeProviderServer
from tests.support.cli import run_document
from tests.support.fixtures import CHAIN_FILES
from tests.support.llm import FAST
from tests.support.projects import ProjectStore, built_from, snapshot

from dbt_osmosis.api import (
    CancelToken,
    DocumentResult,
    DocumentRun,
    LLMOptions,
    NoProgress,
    ProjectLocation,
    document,
)
from dbt_osmosis.core.llm.types import Usage
from dbt_osmosis.exit_codes import ExitCode

pytestmark = pytest.mark.usefixtures("llm_env")

BATCH = (*FAST, "--llm-batch")


def _copy(project_store: ProjectStore, destination: Path) -> Path:
    return project_store.copy("chain", built_from(CHAIN_FILES), destination)


def _batch_until_done(project: Path, server: FakeProviderServer, *args: str, limit: int = 8) -> list[int]:
    """Run the batch command, completing the fake's batches between runs, until it stops pending."""
    codes = []
    for _ in range(limit):
        result = run_document(project, *BATCH, *args)
        codes.append(result.exit_code)
        if result.exit_code != ExitCode.PENDING:
            return codes
        server.batches.complete_all()
    raise AssertionError(f"still pending after {limit} runs: {codes}")


@pytest.mark.parametrize("provider", ["openai", "azure-openai", "anthropic", "google-gemini"])
def test_batch_run_writes_the_same_bytes_as_a_synchronous_run(
    project_store: ProjectStore,
    tmp_path: Path,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    provider: str,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", provider)
    synchronous = _copy(project_store, tmp_path / "sync")
    batched = _copy(project_store, tmp_path / "batch")
    untouched = snapshot(batched)

    assert run_document(synchronous, *FAST, "--llm-no-cache").exit_code == ExitCode.OK
    sync_requests = len(fake_provider.requests)
    assert sync_requests > 0

    first = run_document(batched, *BATCH)
    assert first.exit_code == ExitCode.PENDING, first.output
    assert "Pending:" in first.output and "run the same command again" in first.output
    assert "waiting for a batch (asks for" in first.output  # the per-node lines say why nothing was filled
    assert snapshot(batched) == untouched  # nothing written while answers are pending
    assert (batched / "target" / "dbt-osmosis" / "batches.json").is_file()

    codes = _batch_until_done(batched, fake_provider)
    assert codes[-1] == ExitCode.OK
    assert snapshot(batched) == snapshot(synchronous)
    assert snapshot(batched) != untouched
    # Every answer came from a batch: no synchronous request was sent by the batch runs.
    assert len(fake_provider.requests) == sync_requests
    assert fake_provider.batches.item_count == sync_requests
    # One batch per DAG wave: the chain's staging, intermediate and mart models wait for each other.
    assert len(fake_provider.batches.batches) >= 2
    assert not (batched / "target" / "dbt-osmosis" / "batches.json").exists()


def test_a_rerun_before_the_batch_ends_submits_nothing_new(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    assert run_document(chain, *BATCH).exit_code == ExitCode.PENDING
    again = run_document(chain, *BATCH)
    assert again.exit_code == ExitCode.PENDING
    assert len(fake_provider.batches.batches) == 1
    assert "Submitted" not in again.output and "wait for 1 batch(es)" in again.output


def test_a_failed_item_is_asked_again_and_the_run_finishes(
    project_store: ProjectStore, tmp_path: Path, fake_provider: FakeProviderServer
) -> None:
    synchronous = _copy(project_store, tmp_path / "sync")
    batched = _copy(project_store, tmp_path / "batch")
    assert run_document(synchronous, *FAST, "--llm-no-cache").exit_code == ExitCode.OK
    fake_provider.reset()

    # The staging model's item fails in its first batch (a provider-side error for that item only).
    fake_provider.script_for("stg_customers", Fail(500))
    codes = _batch_until_done(batched, fake_provider)
    assert codes[-1] == ExitCode.OK
    assert snapshot(batched) == snapshot(synchronous)
    resubmitted = [
        batch
        for batch in fake_provider.batches.batches.values()
        if any("stg_customers" in json.dumps(body) for body in batch.items.values())
    ]
    assert len(resubmitted) >= 2  # the failed item went into a later batch


def test_items_failing_in_two_batches_are_sent_on_their_own(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script_for("stg_customers", Fail(500), Fail(500))
    codes = _batch_until_done(chain, fake_provider)
    assert codes[-1] == ExitCode.OK
    alone = [r for r in fake_provider.requests if "stg_customers" in r.prompt_text]
    assert len(alone) == 1  # the synchronous request after two failed batch items


def test_cancel_stops_the_batches_in_flight(chain: Path, fake_provider: FakeProviderServer) -> None:
    before = snapshot(chain)
    assert run_document(chain, *BATCH).exit_code == ExitCode.PENDING
    [batch] = fake_provider.batches.in_progress

    cancelled = run_document(chain, "--llm-batch-cancel")
    assert cancelled.exit_code == ExitCode.OK
    assert f"Cancelled 1 batch(es): {batch.id}" in cancelled.output
    assert batch.status == "cancelled"
    assert not fake_provider.batches.in_progress
    assert not (chain / "target" / "dbt-osmosis" / "batches.json").exists()
    assert snapshot(chain) == before


def test_dry_run_shows_the_batch_price(chain: Path, fake_provider: FakeProviderServer) -> None:
    def estimate(batch: bool) -> DocumentResult:
        where = ProjectLocation(project_dir=chain, profiles_dir=chain)
        return document(DocumentRun(project=where, llm=LLMOptions(dry_run=True, batch=batch)))

    standard, batched = estimate(False).synthesis, estimate(True).synthesis
    assert standard is not None and batched is not None
    assert standard.cost is not None and standard.cost > 0
    assert batched.cost == pytest.approx(standard.cost * 0.5)
    shown = run_document(chain, *BATCH, "--llm-dry-run", "--llm-stats")
    assert shown.exit_code == ExitCode.OK
    assert "openai (batch)" in shown.output and "the table's batch entries" in " ".join(shown.output.split())
    assert not fake_provider.requests and not fake_provider.batches.batches


def test_batch_on_the_demo_writes_what_a_synchronous_run_writes(
    project_store: ProjectStore,
    tmp_path: Path,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from tests.test_api import build_demo

    built = project_store.built("api-demo", build_demo, folder="demo_duckdb")
    copies = {}
    for name in ("sync", "batch"):
        copies[name] = Path(
            shutil.copytree(
                built, tmp_path / name / "demo_duckdb", ignore=shutil.ignore_patterns("target", "logs")
            )
        )
    for name in ("DBT_DUCKDB_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR", "LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)

    monkeypatch.chdir(copies["sync"])  # the demo's profile names its DuckDB file relative to the project
    assert run_document(copies["sync"], *FAST, "--llm-no-cache").exit_code == ExitCode.OK
    monkeypatch.chdir(copies["batch"])
    codes = _batch_until_done(copies["batch"], fake_provider, limit=12)
    assert codes[0] == ExitCode.PENDING and codes[-1] == ExitCode.OK
    assert snapshot(copies["batch"]) == snapshot(copies["sync"])


class _CancelWhenPlanned(NoProgress):
    """Presses Ctrl-C (the run's cancel token) once the run is planned, before synthesis starts."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.said: list[str] = []

    def note(self, text: str) -> None:
        self.said.append(text)

    def planned(self, result: DocumentResult) -> None:
        self.token.cancel()


def test_ctrl_c_cancels_the_batches_in_flight(chain: Path, fake_provider: FakeProviderServer) -> None:
    before = snapshot(chain)
    assert run_document(chain, *BATCH).exit_code == ExitCode.PENDING
    [batch] = fake_provider.batches.in_progress

    token = CancelToken()
    progress = _CancelWhenPlanned(token)
    run = DocumentRun(
        project=ProjectLocation(project_dir=chain, profiles_dir=chain),
        llm=LLMOptions(synthesize=True, batch=True, rate_limit=100000, max_retries=0),
    )
    result = document(run, progress=progress, cancel=token)

    assert result.exit_code == ExitCode.INTERRUPTED
    assert batch.status == "cancelled"
    assert any(batch.id in said for said in progress.said)
    assert not (chain / "target" / "dbt-osmosis" / "batches.json").exists()
    assert snapshot(chain) == before


def test_a_provider_without_a_batch_api_is_a_configuration_error(
    chain: Path, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "ollama")
    result = run_document(chain, *BATCH)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "--llm-batch needs a provider with a batch API" in result.output
    assert not fake_provider.requests and not fake_provider.batches.batches


def test_the_budget_is_checked_before_a_batch_is_submitted(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    result = run_document(chain, *BATCH, "--llm-max-requests", "1")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nothing was sent" in result.output
    assert not fake_provider.batches.batches


def test_pending_batches_of_another_model_stop_the_run(
    chain: Path, fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_document(chain, *BATCH).exit_code == ExitCode.PENDING
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    result = run_document(chain, *BATCH)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "still pending" in result.output and "--llm-batch-cancel" in result.output
    assert len(fake_provider.batches.batches) == 1


def test_a_batch_the_provider_no_longer_knows_is_reported_and_can_be_cancelled(
    chain: Path, fake_provider: FakeProviderServer
) -> None:
    assert run_document(chain, *BATCH).exit_code == ExitCode.PENDING
    fake_provider.batches.batches.clear()  # the provider lost it (or it was deleted in its console)

    again = run_document(chain, *BATCH)
    assert again.exit_code == ExitCode.PENDING
    assert "could not ask about batch" in again.output and "not found" in again.output

    assert run_document(chain, "--llm-batch-cancel").exit_code == ExitCode.OK
    assert _batch_until_done(chain, fake_provider)[-1] == ExitCode.OK  # submitted anew, then finished


def test_the_batch_price_is_the_price_tables_batch_entry_and_unknown_without_one(tmp_path: Path) -> None:
    from dbt_osmosis.core.llm.batch import BatchPriceTable
    from dbt_osmosis.core.llm.usage import LLMUsageStats, PriceTable

    packaged = PriceTable.load()
    listed = packaged.price("openai", "gpt-4.1-mini")
    assert listed is not None and listed.batch is not None
    assert BatchPriceTable(packaged).price("openai (batch)", "gpt-4.1-mini") == listed.batch
    # The user's entry wins whole: its own batch price, and a model of theirs without one is unknown.
    mine = tmp_path / "prices.json"
    mine.write_text(
        json.dumps(
            {
                "providers": {
                    "openai": {
                        "models": {
                            "gpt-4.1-mini": {"input": 1, "output": 1, "batch": {"input": 0.3, "output": 0.3}},
                            "my-tuned-model": {"input": 1, "output": 1},
                        }
                    }
                }
            }
        )
    )
    table = BatchPriceTable(PriceTable.load(mine))
    assert table.estimate_cost("openai (batch)", "gpt-4.1-mini", 10**6, 0) == pytest.approx(0.3)
    assert table.estimate_cost("openai (batch)", "my-tuned-model", 10**6, 0) is None
    stats = LLMUsageStats(table)
    stats.record("openai (batch)", "my-tuned-model", Usage(1000, 100), 0.1)
    assert stats.cost() is None  # unknown, never 0
