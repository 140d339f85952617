"""The fallback chain as a user meets it: priced in the dry run and the budget, set by a flag, checked.

Every provider is the real SDK pointed at the fake provider; the primary is OpenAI (gpt-4.1-mini) and
the fallbacks are Anthropic and an OpenAI model the price table does not know.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbt_osmosis import api
from dbt_osmosis.cli.main import cli
from dbt_osmosis.core.llm.usage import PriceTable
from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer, Reply
from tests.support.cli import RunCli
from tests.support.yaml_checks import all_descriptions

HAIKU = "anthropic:claude-haiku-4-5"
UNPRICED = "openai:my-finetune"
RUN = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0", "--llm-concurrency", "1")


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4.1-mini")
    monkeypatch.setenv("OSMOSIS_LLM_RETRY_DELAY", "0")
    monkeypatch.delenv("OSMOSIS_LLM_FALLBACK", raising=False)


def _dry_run(project: Path, fallback: tuple[str, ...]) -> api.SynthesisSummary:
    run = api.DocumentRun(
        project=api.ProjectLocation(project_dir=project, profiles_dir=project),
        llm=api.LLMOptions(dry_run=True, fallback=fallback),
    )
    summary = api.document(run).synthesis
    assert summary is not None
    return summary


def _dollars(text: str, after: str) -> float:
    found = re.search(re.escape(after) + r"[^$]*\$([0-9.]+)", text)
    assert found is not None, text
    return float(found.group(1))


# ---- the dry run ------------------------------------------------------------------------------------


def test_the_dry_run_prices_each_fallback_by_its_own_table(
    chain: Path, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    summary = _dry_run(chain, (HAIKU, UNPRICED))
    assert not fake_provider.requests
    primary = summary.cost
    assert primary is not None and primary > 0
    haiku, unpriced = summary.fallbacks
    assert (haiku.provider, haiku.model) == ("anthropic", "claude-haiku-4-5")
    price = PriceTable.load().price("anthropic", "claude-haiku-4-5")
    assert price is not None
    # The same questions, at Haiku's own price.
    assert haiku.usage.total_tokens == summary.usage.totals().total_tokens
    assert haiku.cost == pytest.approx(price.cost_of(haiku.usage))
    assert haiku.cost is not None and haiku.cost != pytest.approx(primary)
    # A model without a price is "unknown", never free.
    assert (unpriced.provider, unpriced.model, unpriced.cost) == ("openai", "my-finetune", None)


def test_the_dry_run_shows_a_line_per_fallback(
    chain: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(chain, "--synthesize", "--llm-dry-run", "--llm-fallback", f"{HAIKU},{UNPRICED}")
    assert result.exit_code == 0, result.output
    assert "Estimate for openai / gpt-4.1-mini" in result.output
    haiku = _dollars(result.output, "If the fallback anthropic / claude-haiku-4-5 answered everything:")
    assert haiku > 0
    assert "If the fallback openai / my-finetune answered everything: cost unknown" in result.output
    assert not fake_provider.requests


# ---- the budget ---------------------------------------------------------------------------------------


def test_the_budget_refuses_on_the_primarys_estimate_and_says_the_fallbacks(
    chain: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    summary = _dry_run(chain, (HAIKU,))
    primary, haiku = summary.cost, summary.fallbacks[0].cost
    assert primary is not None and haiku is not None and haiku > primary
    # Below the primary's estimate: refused before anything is sent, the fallback's estimate said.
    refused = run_cli(chain, *RUN, "--llm-fallback", HAIKU, "--llm-max-cost", f"{primary / 2:.6f}")
    assert refused.exit_code == 2, refused.output
    assert "nothing was sent" in refused.output
    assert "If the fallback anthropic:claude-haiku-4-5 answered everything: about $" in refused.output
    assert not fake_provider.requests
    # Between the two: the run starts (the primary fits) and says the fallback would not. (Each
    # attempt still reserves its whole completion cap, so this small budget stops it at once.)
    between = (primary + haiku) / 2
    started = run_cli(chain, *RUN, "--llm-fallback", HAIKU, "--llm-max-cost", f"{between:.6f}")
    assert started.exit_code != 2, started.output
    assert "nothing was sent" not in started.output
    assert "If the fallback anthropic:claude-haiku-4-5 answered everything, this run would cost about" in (
        started.output
    )
    assert "it would stop at the budget" in started.output


def test_a_cost_budget_needs_every_fallbacks_price(
    chain: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(chain, *RUN, "--llm-fallback", f"{HAIKU},{UNPRICED}", "--llm-max-cost", "5")
    assert result.exit_code == 2, result.output
    assert "openai:my-finetune is not in the price table" in result.output
    assert not fake_provider.requests
    # A request budget needs no price.
    counted = run_cli(chain, *RUN, "--llm-fallback", f"{HAIKU},{UNPRICED}", "--llm-max-requests", "100")
    assert counted.exit_code == 0, counted.output


# ---- the flag -----------------------------------------------------------------------------------------


def test_the_flag_overrides_the_environment(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_FALLBACK", "google-gemini:gemini-2.5-flash")
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    result = run_cli(chain, *RUN, "--llm-fallback", HAIKU, "--llm-breaker-threshold", "1")
    assert result.exit_code == 0, result.output
    assert all(text for text in all_descriptions(chain).values())
    wires = {request.wire for request in fake_provider.requests}
    assert wires == {"openai", "anthropic"}


def test_an_empty_flag_asks_no_fallback(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_FALLBACK", HAIKU)
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    result = run_cli(chain, *RUN, "--llm-fallback", "", "--llm-breaker-threshold", "1")
    assert result.exit_code == 3, result.output
    assert "not asked:" in result.output
    assert {request.wire for request in fake_provider.requests} == {"openai"}


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (f"{HAIKU},:gpt-4.1-mini", "':gpt-4.1-mini' names no provider"),
        ("open ai:gpt-4.1-mini", "'open ai:gpt-4.1-mini' is not a provider name"),
        ("antropic:claude-haiku-4-5", "'antropic:claude-haiku-4-5': Unknown LLM provider 'antropic'"),
    ],
)
def test_a_bad_chain_is_bad_input_naming_the_entry(
    value: str,
    named: str,
    chain: Path,
    run_cli: RunCli,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    result = run_cli(chain, *RUN, "--llm-fallback", value)
    assert result.exit_code == 2, result.output
    assert f"--llm-fallback: {named}" in result.output
    assert "PROVIDER:MODEL" in result.output
    assert not fake_provider.requests


# ---- test-llm -----------------------------------------------------------------------------------------


def test_test_llm_checks_every_provider_of_the_chain(
    monkeypatch: pytest.MonkeyPatch, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_FALLBACK", HAIKU)
    ok = CliRunner().invoke(cli, ["test-llm"])
    assert ok.exit_code == 0, ok.output
    assert "ok: openai / gpt-4.1-mini" in ok.output
    assert "ok (fallback): anthropic / claude-haiku-4-5" in ok.output
    assert [r.wire for r in fake_provider.requests] == ["openai", "anthropic"]

    # The primary answers, a fallback does not: a warning and exit 1 (found now, not during an outage).
    fake_provider.responder = lambda record: Fail(500) if record.wire == "anthropic" else Reply()
    broken = CliRunner().invoke(cli, ["test-llm"])
    assert broken.exit_code == 1, broken.output
    assert "ok: openai" in broken.output
    assert "failed (fallback): anthropic / claude-haiku-4-5:" in broken.output and "500" in broken.output
    assert "--llm-fallback" not in broken.output  # a chain is configured: no line suggests one
    assert "warning:" in broken.output

    # A fallback's key rejected: exit 2, naming its key variable.
    fake_provider.responder = lambda record: Fail(401) if record.wire == "anthropic" else Reply()
    denied = CliRunner().invoke(cli, ["test-llm"])
    assert denied.exit_code == 2, denied.output
    assert "check ANTHROPIC_API_KEY" in denied.output
    assert FAKE_API_KEY not in denied.output

    # The flag replaces the environment's chain; a bad one is bad input before anything is sent.
    sent = len(fake_provider.requests)
    bad = CliRunner().invoke(cli, ["test-llm", "--llm-fallback", "antropic"])
    assert bad.exit_code == 2, bad.output
    assert "--llm-fallback: 'antropic'" in bad.output
    assert len(fake_provider.requests) == sent


# ---- a primary down from the first request ------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_primary_down_from_the_start_sends_even_the_first_node_to_the_fallback(
    concurrency: int,
    chain: Path,
    run_cli: RunCli,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    # The defaults: 3 retries per request, a breaker that opens after 5 failures. The first node
    # spends its 4 attempts before the breaker opens; it must still be asked of the fallback.
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    result = run_cli(
        chain,
        "--synthesize",
        "--llm-rate-limit",
        "100000",
        "--llm-concurrency",
        str(concurrency),
        "--llm-fallback",
        HAIKU,
    )
    assert result.exit_code == 0, result.output
    assert all(text for text in all_descriptions(chain).values())
    assert "failed:" not in result.output
    wires = [request.wire for request in fake_provider.requests]
    # A provider down for the whole run costs at most N + concurrency requests.
    assert 0 < wires.count("openai") <= 5 + concurrency, wires
    assert "anthropic" in wires


def test_a_lone_node_goes_to_the_fallback_when_the_primary_is_down(
    chain: Path,
    run_cli: RunCli,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    fake_provider.responder = lambda record: Fail(500) if record.wire == "openai" else Reply()
    result = run_cli(
        chain, "--synthesize", "--llm-rate-limit", "100000", "--llm-fallback", HAIKU, "--select", "customers"
    )
    assert result.exit_code == 0, result.output
    wires = [request.wire for request in fake_provider.requests]
    # Its four attempts at the primary (the breaker never opened), then the fallback answered.
    assert wires.count("openai") == 4 and "anthropic" in wires, wires


# ---- what the failure lines suggest -------------------------------------------------------------------


def test_a_5xx_suggests_a_fallback_only_when_no_chain_is_configured(
    chain: Path, run_cli: RunCli, provider_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.down(500)
    alone = run_cli(chain, *RUN, "--llm-breaker-threshold", "0", "--select", "customers")
    assert alone.exit_code == 3, alone.output
    assert "answered HTTP 500" in alone.output
    assert "--llm-fallback (OSMOSIS_LLM_FALLBACK)" in alone.output
    # With a chain (both of its providers down), no line suggests what is configured already.
    for threshold in ("0", "1"):
        chained = run_cli(
            chain,
            *RUN,
            "--llm-fallback",
            HAIKU,
            "--llm-breaker-threshold",
            threshold,
            "--select",
            "customers",
        )
        assert chained.exit_code == 3, chained.output
        assert "answered HTTP 500" in chained.output
        assert "--llm-fallback" not in chained.output, chained.output
    fake_provider.up()


def test_a_fallbacks_missing_key_names_the_chain_and_test_llm_still_checks_the_primary(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    # Synthesis: bad input before anything is sent, saying the provider came from the chain.
    result = run_cli(chain, *RUN, "--llm-fallback", HAIKU)
    assert result.exit_code == 2, result.output
    assert "ANTHROPIC_API_KEY" in result.output
    assert "--llm-fallback" in result.output and "LLM_PROVIDER" not in result.output
    assert not fake_provider.requests
    # test-llm: the primary is checked; the fallback's configuration error is its own line.
    monkeypatch.setenv("OSMOSIS_LLM_FALLBACK", HAIKU)
    checked = CliRunner().invoke(cli, ["test-llm"])
    assert checked.exit_code == 1, checked.output
    assert "ok: openai / gpt-4.1-mini" in checked.output
    assert "failed (fallback): anthropic / claude-haiku-4-5:" in checked.output
    assert "ANTHROPIC_API_KEY" in checked.output and "OSMOSIS_LLM_FALLBACK" in checked.output
    assert "LLM_PROVIDER" not in checked.output
    assert [r.wire for r in fake_provider.requests] == ["openai"]
