"""The house style guide reaches every request, in the system prompt that is the same for every node."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProviderServer, RecordedRequest
from tests.support.cli import RunCli
from tests.support.llm import FAST

GUIDE = "# House style\n\n- Write in the present tense.\n- Say 'customer', never 'client'.\n"


def system_prompt(request: RecordedRequest) -> str:
    messages = request.body["messages"]
    assert messages[0]["role"] == "system"
    return str(messages[0]["content"])


@pytest.fixture
def no_guide_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSMOSIS_LLM_STYLE_GUIDE", raising=False)


def test_the_projects_dbt_styleguide_md_reaches_every_request_in_one_shared_system_prompt(
    chain: Path, run_cli: RunCli, llm_env: None, no_guide_env: None, fake_provider: FakeProviderServer
) -> None:
    (chain / "dbt-styleguide.md").write_text(GUIDE)
    result = run_cli(chain, *FAST, "--llm-no-cache")
    assert result.exit_code == 0, result.output
    requests = fake_provider.requests
    assert len(requests) >= 2
    systems = {system_prompt(request) for request in requests}
    # One system prompt for every node: the stable prefix a provider's prompt cache can serve.
    assert len(systems) == 1
    (system,) = systems
    assert "Style guide: \n# House style\n\n- Write in the present tense." in system
    for request in requests:
        # Nothing of the node before the guide: the node's own text is in the user message.
        assert "Document the dbt model" not in system_prompt(request)


def test_a_given_style_guide_wins_and_a_missing_one_is_a_configuration_error(
    chain: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    (chain / "dbt-styleguide.md").write_text(GUIDE)
    other = tmp_path / "finance-style.md"
    other.write_text("Amounts are in cents unless the name says otherwise.")
    monkeypatch.setenv("OSMOSIS_LLM_STYLE_GUIDE", str(other))
    assert run_cli(chain, *FAST, "--llm-no-cache").exit_code == 0
    assert all("Amounts are in cents" in system_prompt(r) for r in fake_provider.requests)
    assert not any("House style" in r.prompt_text for r in fake_provider.requests)

    fake_provider.reset()
    missing = run_cli(chain, *FAST, "--llm-style-guide", str(tmp_path / "nope.md"))
    assert missing.exit_code == 2
    assert "Style guide" in missing.output and "--llm-style-guide" in missing.output
    assert fake_provider.requests == []


def test_without_a_style_guide_the_prompt_is_unchanged(
    chain: Path, run_cli: RunCli, llm_env: None, no_guide_env: None, fake_provider: FakeProviderServer
) -> None:
    assert run_cli(chain, *FAST, "--llm-no-cache").exit_code == 0
    assert all(system_prompt(r).endswith("Style guide:\n") for r in fake_provider.requests)
