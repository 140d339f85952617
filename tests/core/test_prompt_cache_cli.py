"""Prompt caching by design: a 6,000-character house style guide in every request is read from the
provider's prompt cache after the first request, on Anthropic and on OpenAI, and the summary counts
(and prices) the cache reads and writes. Real CLI and real SDKs against the fake provider server,
which accounts caching the way the providers document it (tests/fakes/prompt_cache.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from benchmarks.generate_project import generate

from tests.fakes.fake_provider import FakeProviderServer
from tests.fakes.prompt_cache import PromptCacheAccounting
from tests.support.cli import RunCli
from tests.support.llm import FAST, asked_columns
from tests.support.projects import ProjectStore

STYLE_GUIDE = ("Write for analysts; name the grain first; spell out every abbreviation once. " * 80)[:6000]


@pytest.fixture
def generated(project_store: ProjectStore, tmp_path: Path) -> Path:
    """A 30-model project with a catalog.json: no warehouse needed."""
    template = project_store.built("generated", lambda root: generate(root, 30))
    return Path(shutil.copytree(template, tmp_path / "generated"))


@pytest.fixture
def house_style(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prompt file whose style guide is 6,000 characters long."""
    prompts = tmp_path / "prompts.yml"
    prompts.write_text(f"variables:\n  style_guide: {STYLE_GUIDE!r}\n", encoding="utf-8")
    monkeypatch.setenv("OSMOSIS_LLM_PROMPT_FILE", str(prompts))
    for name in ("OSMOSIS_LLM_CACHE_DIR", "OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)


def read_after_first(caching: PromptCacheAccounting) -> float:
    """Share of input tokens read from the cache over every request but the first."""
    first = caching.first_prompt_tokens
    return caching.read_tokens / max(1, caching.prompt_tokens - first)


@pytest.mark.parametrize(
    ("provider", "model_env", "model"),
    [("anthropic", "ANTHROPIC_MODEL", "claude-sonnet-5"), ("openai", "OPENAI_MODEL", "gpt-4.1-mini")],
)
def test_the_style_guide_is_read_from_the_prompt_cache_after_the_first_request(
    generated: Path,
    run_cli: RunCli,
    llm_env: None,
    house_style: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    provider: str,
    model_env: str,
    model: str,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", provider)
    monkeypatch.setenv(model_env, model)
    caching = PromptCacheAccounting()
    fake_provider.prompt_cache = caching
    catalog = ("--catalog-path", str(generated / "catalog.json"))
    result = run_cli(generated, *catalog, *FAST, "--llm-concurrency", "8", "--llm-stats")
    assert result.exit_code == 0, result.output
    requests = fake_provider.requests
    assert len(requests) > 10
    # The same schema (or tool) in every request: the prefix the provider caches does not change.
    assert len({repr(r.json_schema) for r in requests}) == 1
    assert all(asked_columns(r) or "only the model description" in r.prompt_text for r in requests)
    assert read_after_first(caching) >= 0.6
    # The run's own summary counts what the provider reported reading (and, at Anthropic, writing).
    summary = re.search(r"\(([\d,]+) cached(?:, ([\d,]+) cache writes)?\)", result.output)
    assert summary is not None, result.output
    assert int(summary.group(1).replace(",", "")) == caching.read_tokens
    if provider == "anthropic":
        assert summary.group(2) is not None
        assert int(summary.group(2).replace(",", "")) == caching.write_tokens > 0
        assert all(isinstance(r.body.get("system"), list) for r in requests)
    else:
        keys = {r.body.get("prompt_cache_key") for r in requests}
        assert len(keys) == 1 and None not in keys  # one key for the project's requests


def test_without_a_long_prefix_nothing_is_marked_for_anthropic(
    generated: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_MODEL", "claude-sonnet-5")
    result = run_cli(generated, "--catalog-path", str(generated / "catalog.json"), *FAST)
    assert result.exit_code == 0, result.output
    # The built-in prompt alone is shorter than Claude's 1,024-token minimum: marking it would do nothing.
    assert all(isinstance(r.body.get("system"), str) for r in fake_provider.requests)


def test_the_dry_run_estimate_counts_the_prefix_written_once_and_read_after(
    generated: Path,
    run_cli: RunCli,
    llm_env: None,
    house_style: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_MODEL", "claude-sonnet-5")
    catalog = ("--catalog-path", str(generated / "catalog.json"))
    result = run_cli(generated, *catalog, "--synthesize", "--llm-dry-run")
    assert result.exit_code == 0, result.output
    assert fake_provider.requests == []
    # Nodes asking as much cost less once the prefix is cached: the first writes it (1.25 x input),
    # the others read it (0.1 x).
    lines = re.findall(
        r"would ask for the description and 8 column.*?~([\d,]+) tokens, ~\$(\d+\.\d+)", result.output
    )
    assert len(lines) >= 2, result.output
    (first_tokens, first_cost), (later_tokens, later_cost) = lines[0], lines[1]
    assert first_tokens == later_tokens
    assert float(first_cost) > 2 * float(later_cost)
