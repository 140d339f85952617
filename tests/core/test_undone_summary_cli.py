"""Every node a run leaves undone is named in its summary, and each node's line says what it cost.

The real CLI and the real OpenAI SDK against the fake provider, on a 30-model project whose nodes do
not wait for each other, so several requests are in flight when the provider goes down.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from benchmarks.generate_project import generate

from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.projects import ProjectStore

RUN = ("--synthesize", "--llm-rate-limit", "100000")
NODE_LINE = re.compile(r"^\[\d+/\d+\] (\S+): (skipped|failed): (.*)$", re.MULTILINE)


@pytest.fixture
def generated(project_store: ProjectStore, tmp_path: Path) -> Path:
    template = project_store.built("generated", lambda root: generate(root, 30))
    return Path(shutil.copytree(template, tmp_path / "generated"))


@pytest.fixture
def provider_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    for name in ("OSMOSIS_LLM_CACHE_DIR", "OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")


def _undone_and_summary(output: str) -> tuple[dict[str, str], str]:
    """The nodes whose line says skipped or failed, and the summary after the node lines."""
    undone = {name: why for name, _, why in NODE_LINE.findall(output)}
    return undone, output[output.index("Synthesized ") :]


def test_every_node_left_undone_by_an_outage_is_named_in_the_summary(
    generated: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.down(500)
    result = run_cli(
        generated,
        *RUN,
        "--catalog-path",
        str(generated / "catalog.json"),
        "--llm-concurrency",
        "6",
        "--llm-max-retries",
        "0",
        "--llm-breaker-threshold",
        "2",
    )
    fake_provider.up()
    assert result.exit_code == 3, result.output
    undone, summary = _undone_and_summary(result.output)
    # Some requests were on their way when the breaker opened: they failed, others were never sent.
    assert any("its request failed" in why for why in undone.values()), result.output
    assert any("not asked" in why for why in undone.values()), result.output
    missing = [name for name in undone if not re.search(rf"\b{re.escape(name)}\b", summary)]
    assert not missing, summary


def test_a_node_whose_attempts_were_sent_is_not_said_to_be_unasked_when_the_budget_runs_out(
    generated: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.down(500)
    result = run_cli(
        generated,
        *RUN,
        "--catalog-path",
        str(generated / "catalog.json"),
        "--llm-concurrency",
        "1",
        "--llm-max-retries",
        "5",
        "--llm-breaker-threshold",
        "0",
        "--llm-max-requests",
        "3",
        "--llm-allow-partial",
    )
    fake_provider.up()
    assert result.exit_code == 3, result.output
    undone, summary = _undone_and_summary(result.output)
    answered_lines = [why for why in undone.values() if "before it was answered" in why]
    assert len(answered_lines) == 1 and "3 requests" in answered_lines[0], result.output
    for why in undone.values():
        # "Not asked" with requests sent would contradict itself.
        assert not ("before it was asked" in why and re.search(r"; [1-9]\d* request", why)), why
    assert all(re.search(rf"\b{re.escape(name)}\b", summary) for name in undone), summary


def test_a_cost_budget_stopping_below_its_limit_says_what_the_next_request_reserves(
    generated: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(
        generated,
        *RUN,
        "--catalog-path",
        str(generated / "catalog.json"),
        # One at a time and half of what the whole run costs (about $0.0055): the stop does not hang
        # on how answers and reservations interleave.
        "--llm-concurrency",
        "1",
        "--llm-max-cost",
        "0.004",
        "--llm-allow-partial",
    )
    assert result.exit_code == 3, result.output
    stop = next(line for line in result.output.splitlines() if line.startswith("budget reached:"))
    found = re.search(
        r"would have reserved up to \$([0-9.]+) \(.*completion cap at gpt-4.1-mini's price\)", stop
    )
    assert found is not None, stop
    reserve = float(found.group(1))
    spent = float(re.search(r"spent \$([0-9.]+) of \$0\.0040", stop).group(1))  # type: ignore[union-attr]
    left = float(re.search(r"more than the \$([0-9.]+) left", stop).group(1))  # type: ignore[union-attr]
    # Stopped below the limit because the next reservation did not fit in what was left.
    assert spent < 0.004 and reserve > left, stop
    assert "raise --llm-max-cost" in stop
