"""The budget never overspends: every attempt, retried or cut off, counts, at any concurrency.

Every test runs the real CLI and the real OpenAI SDK against the fake provider server, and checks
the spend and the request count from the fake server's own records (what a provider would bill).
"""

from __future__ import annotations

import itertools
import re
import shutil
import threading
from pathlib import Path

import pytest
from benchmarks.generate_project import generate

from dbt_osmosis.core.llm.usage import PriceTable
from tests.fakes.fake_provider import Fail, FakeProviderServer, RecordedRequest, Reply, Step
from tests.support.cli import RunCli
from tests.support.projects import ProjectStore

#: Synthesis that retries at once (no backoff wait), so retries happen within the test's time.
RETRYING = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "2")


@pytest.fixture
def llm_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default provider (OpenAI, gpt-4.1-mini: priced) at the fake server, retrying without a wait."""
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    for name in ("OSMOSIS_LLM_CACHE_DIR", "OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")


@pytest.fixture
def generated(project_store: ProjectStore, tmp_path: Path) -> Path:
    """A 30-model project with a catalog.json: no warehouse needed."""
    template = project_store.built("generated", lambda root: generate(root, 30))
    return Path(shutil.copytree(template, tmp_path / "generated"))


def with_catalog(project: Path, *args: str) -> tuple[str, ...]:
    return ("--catalog-path", str(project / "catalog.json"), *args)


def billed(server: FakeProviderServer) -> float:
    """What the fake provider billed: every token it generated, read by the client or not."""
    totals = server.usage_totals()
    cost = PriceTable.load().estimate_cost(
        "openai", "gpt-4.1-mini", totals["prompt_tokens"], totals["completion_tokens"]
    )
    assert cost is not None
    return cost


class LongAnswersWithFailures:
    """Every answer as long as the request allows; among them 500s, 429s and streams cut mid-way."""

    def __init__(self) -> None:
        self._turns = itertools.cycle(["500", "long", "429", "cut", "long", "long"])
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Step:
        with self._lock:
            turn = next(self._turns)
        body = request.body if isinstance(request.body, dict) else {}
        cap = int(body.get("max_completion_tokens") or body.get("max_tokens") or 4096)
        if turn == "500":
            return Fail(500)
        if turn == "429":
            return Fail(429, retry_after=0)
        return Reply(completion_tokens=cap, cut=turn == "cut")


def test_half_the_estimate_at_concurrency_8_with_long_answers_retries_and_cut_streams_never_overspends(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    estimate_run = run_cli(generated, *with_catalog(generated, "--synthesize", "--llm-dry-run"))
    found = re.search(r"^Estimate for .*?, ~\$(\d+\.\d+)", estimate_run.output, flags=re.M)
    assert found is not None, estimate_run.output
    cap = float(found.group(1)) / 2
    fake_provider.responder = LongAnswersWithFailures()
    result = run_cli(
        generated,
        *with_catalog(
            generated,
            *RETRYING,
            "--llm-max-cost",
            f"{cap:.6f}",
            "--llm-allow-partial",
            "--llm-concurrency",
            "8",
        ),
    )
    assert result.exit_code == 3, result.output
    assert "budget reached: spent $" in result.output
    assert fake_provider.requests, "nothing was sent at all"
    assert billed(fake_provider) <= cap


def test_retries_count_against_the_request_budget(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Fail(500), Fail(429, retry_after=0), Reply(cut=True))
    result = run_cli(
        generated,
        *with_catalog(generated, *RETRYING, "--llm-max-requests", "2", "--llm-allow-partial"),
    )
    assert result.exit_code == 3, result.output
    assert len(fake_provider.requests) == 2
    assert "on 2 request(s) of 2" in result.output


def test_a_cut_stream_is_counted_at_what_it_may_have_cost(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script(Reply(cut=True))
    result = run_cli(
        generated,
        *with_catalog(generated, *RETRYING, "--llm-max-requests", "1", "--llm-allow-partial"),
    )
    assert result.exit_code == 3, result.output
    assert len(fake_provider.requests) == 1
    spent = re.search(r"spent \$(\d+\.\d+) on 1 request\(s\) of 1", result.output)
    assert spent is not None, result.output
    # The provider billed the cut answer; the run does not report it as free.
    assert float(spent.group(1)) >= billed(fake_provider) > 0
