"""The flex tier with no capacity: retried, then re-sent at the standard tier at the standard price (or
failed when the run forbids that). Real OpenAI and google-genai SDKs against the fake server, which
answers a flex request it has "no capacity" for as each provider does (OpenAI 429 Resource Unavailable,
Gemini 503 UNAVAILABLE)."""

from __future__ import annotations

import asyncio
import math
import shutil
from pathlib import Path

import pytest
from benchmarks.generate_project import generate
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.llm import FAST
from tests.support.projects import ProjectStore

from dbt_osmosis.core.llm.budget import Budget, BudgetExhausted
from dbt_osmosis.core.llm.exceptions import LLMError
from dbt_osmosis.core.llm.flex import FLEX_REFUSALS_IN_A_ROW, flex_fallback_note
from dbt_osmosis.core.llm.managed import ManagedClient, build_managed_client
from dbt_osmosis.core.llm.providers import get_provider_config
from dbt_osmosis.core.llm.runtime import LLMRuntime
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, Message
from dbt_osmosis.core.llm.usage import STANDARD_TIER_LABEL, LLMUsageStats, PriceTable

PROVIDERS = [("openai", "gpt-5-mini", 429), ("google-gemini", "gemini-2.5-flash", 503)]


def _client(provider: str, model: str, env: dict[str, str], **settings: object) -> ManagedClient:
    config = get_provider_config(provider)
    env = {**env, config.model_env or "": model}
    values: dict[str, object] = {
        "timeout": 10,
        "connect_timeout": 5,
        "max_retries": 2,
        "retry_delay": 0,
        "service_tier": "flex",
        **settings,
    }
    return build_managed_client(
        LLMSettings(**values),  # type: ignore[arg-type]
        config=config,
        env=env,
        usage=LLMUsageStats(PriceTable.load(), service_tier="flex"),
        runtime=LLMRuntime(),
    )


def _request(budget: Budget | None = None) -> LLMRequest:
    return LLMRequest(
        messages=(Message("system", "You write dbt docs."), Message("user", "Document the model orders.")),
        max_tokens=200,
        budget=budget,
    )


def _tiers(fake: FakeProviderServer) -> list[str]:
    """The tier each request asked for, as the provider saw it."""
    out = []
    for record in fake.requests:
        body = record.body if isinstance(record.body, dict) else {}
        tier = body.get("service_tier", body.get("serviceTier"))
        out.append(str(tier).lower() if tier else "standard")
    return out


@pytest.mark.parametrize(("provider", "model", "status"), PROVIDERS)
def test_a_flex_request_with_no_capacity_is_retried_then_sent_at_the_standard_tier(
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
    provider: str,
    model: str,
    status: int,
) -> None:
    fake_provider.no_flex_capacity = math.inf
    client = _client(provider, model, fake_provider_env)
    said: list[str] = []
    client.on_wait = said.append
    response = client.complete(_request())
    assert response.text
    # Two retries at flex (three flex attempts), then one at the standard tier, which answered.
    assert _tiers(fake_provider) == ["flex", "flex", "flex", "standard"]
    assert fake_provider.flex_refusals == 3
    assert said and "no flex capacity" in said[0]
    assert client.usage is not None
    rows = client.usage.by_model()
    label = client.provider + STANDARD_TIER_LABEL
    assert rows[(label, model)].answered == 1
    # Priced at the standard price, not the flex price.
    table = PriceTable.load()
    totals = rows[(label, model)]
    standard = table.estimate_cost(provider, model, totals.prompt_tokens, totals.completion_tokens)
    assert client.usage.cost_by_model()[(label, model)] == pytest.approx(standard)
    note = flex_fallback_note(client.usage)
    assert note is not None
    assert "no flex capacity for 1 request(s)" in note and "standard tier ($" in note


@pytest.mark.parametrize(("provider", "model", "status"), PROVIDERS)
def test_the_run_may_forbid_the_standard_tier_and_then_the_request_fails(
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
    provider: str,
    model: str,
    status: int,
) -> None:
    fake_provider.no_flex_capacity = math.inf
    client = _client(provider, model, fake_provider_env, flex_unavailable="fail")
    with pytest.raises(LLMError) as raised:
        client.complete(_request())
    assert raised.value.status_code == status
    assert "--llm-flex-unavailable fail" in str(raised.value)
    assert _tiers(fake_provider) == ["flex", "flex", "flex"]
    assert client.usage is not None and flex_fallback_note(client.usage) is None


def test_capacity_that_comes_back_during_the_retries_keeps_the_flex_tier(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    fake_provider.no_flex_capacity = 1
    client = _client("openai", "gpt-5-mini", fake_provider_env)
    asyncio.run(client.acomplete(_request()))
    assert _tiers(fake_provider) == ["flex", "flex"]
    assert client.usage is not None and flex_fallback_note(client.usage) is None


def test_the_budget_reserves_the_standard_price_for_the_re_send_and_never_under_prices_it(
    fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    listed = PriceTable.load().price("openai", "gpt-5-mini")
    assert listed is not None and listed.flex is not None
    request = _request()
    # Enough for one attempt at the flex price, not for one at the standard price.
    from dbt_osmosis.core.llm.budget import most_prompt_tokens

    most = (most_prompt_tokens(request), 200)
    flex_most = listed.flex.cost(*most)
    standard_most = listed.cost(*most)
    assert standard_most > flex_most
    cap = (flex_most + standard_most) / 2
    fake_provider.no_flex_capacity = math.inf
    budget = Budget(
        max_cost=cap,
        max_requests=None,
        price=listed.flex.cost_of,
        standard_price=listed.cost_of,
    )
    client = _client("openai", "gpt-5-mini", fake_provider_env, max_retries=0)
    with pytest.raises(BudgetExhausted):
        client.complete(_request(budget))
    assert _tiers(fake_provider) == ["flex"]  # the standard re-send did not fit, so it was not sent
    # With room for it, the re-send is settled at the standard price of what the provider reported.
    fake_provider.reset()
    fake_provider.no_flex_capacity = math.inf
    budget = Budget(max_cost=1.0, max_requests=None, price=listed.flex.cost_of, standard_price=listed.cost_of)
    response = client.complete(_request(budget))
    assert budget.spent == pytest.approx(listed.cost_of(response.usage))
    assert budget.spent > listed.flex.cost_of(response.usage)


@pytest.fixture
def template(project_store: ProjectStore) -> Path:
    """A 6-model project with a catalog.json (no warehouse needed); copy it before changing it."""
    return project_store.built("generated-6", lambda root: generate(root, 6))


def test_a_run_says_once_how_many_requests_went_at_the_standard_tier_and_what_they_cost_more(
    template: Path,
    tmp_path: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generated = Path(shutil.copytree(template, tmp_path / "generated"))
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-5-mini")
    for name in ("OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS", "OSMOSIS_LLM_FLEX_UNAVAILABLE"):
        monkeypatch.delenv(name, raising=False)
    fake_provider.no_flex_capacity = math.inf
    catalog = ("--catalog-path", str(generated / "catalog.json"))
    result = run_cli(generated, *catalog, *FAST, "--llm-service-tier", "flex", "--llm-stats")
    assert result.exit_code == 0, result.output
    answered = sum(1 for tier in _tiers(fake_provider) if tier == "standard")
    # Each node refused once at most; after a few refusals in a row the rest skip flex altogether.
    assert answered > 0 and min(answered, FLEX_REFUSALS_IN_A_ROW) <= fake_provider.flex_refusals <= answered
    flat = " ".join(result.output.split())
    assert flat.count("had no flex capacity for") == 1
    assert f"openai had no flex capacity for {answered} request(s)" in flat
    assert "openai (standard tier)" in flat
    # Forbidden: every node fails, nothing is sent at the standard tier, and the run says why.
    fake_provider.reset()
    fake_provider.no_flex_capacity = math.inf
    fresh = Path(shutil.copytree(template, tmp_path / "again"))
    again = run_cli(
        fresh,
        "--catalog-path",
        str(fresh / "catalog.json"),
        *FAST,
        "--llm-service-tier",
        "flex",
        "--llm-flex-unavailable",
        "fail",
    )
    assert again.exit_code != 0
    assert set(_tiers(fake_provider)) == {"flex"}
    assert "--llm-flex-unavailable fail" in " ".join(again.output.split())
