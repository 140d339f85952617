"""`--synthesize` with Anthropic's strict structured output, through the CLI and the real SDK.

A model with JSON outputs is asked strictly for every node; one that refuses them (the 400 Bedrock,
Vertex and gateways send) costs the run one refused request and a one-line note, every gap is still
filled, and the next run asks with the forced tool from its first request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbt_osmosis.core.llm.capabilities import CAPABILITIES_FILE
from dbt_osmosis.exit_codes import ExitCode
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.fixtures import CHAIN_FILES
from tests.support.llm import FAST
from tests.support.projects import ProjectStore, built_from
from tests.support.yaml_checks import all_descriptions


@pytest.fixture
def anthropic_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    monkeypatch.delenv("ANTHROPIC_MODEL", raising=False)  # the default, claude-haiku-4-5
    monkeypatch.delenv("OSMOSIS_LLM_CACHE_DIR", raising=False)
    monkeypatch.delenv("OSMOSIS_LLM_JSON_MODE", raising=False)


def _every_gap_filled(project: Path) -> None:
    docs = all_descriptions(project)
    assert all(text and text != "Pending further documentation" for text in docs.values()), docs


def test_every_node_is_asked_strictly(
    chain: Path, run_cli: RunCli, anthropic_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(chain, *FAST, "--llm-concurrency", "4")
    assert result.exit_code == 0, result.output
    _every_gap_filled(chain)
    bodies = [r.body for r in fake_provider.requests]
    assert bodies and all(b["output_config"]["format"]["type"] == "json_schema" for b in bodies)
    assert not any("tools" in b for b in bodies)
    assert len({json.dumps(b["output_config"]) for b in bodies}) == 1  # one schema: one cached prefix


def _notes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused strict structured output" in r.getMessage()]


def test_a_model_refusing_strict_output_is_filled_with_one_refusal_and_remembered(
    chain: Path,
    run_cli: RunCli,
    anthropic_env: None,
    fake_provider: FakeProviderServer,
    caplog: pytest.LogCaptureFixture,
    project_store: ProjectStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both runs keep what they learn in one folder, as two runs of one project do in its target.
    learned = tmp_path / "learned"
    monkeypatch.setenv("OSMOSIS_LLM_CACHE_DIR", str(learned))
    fake_provider.refuse = {"strict"}
    result = run_cli(chain, *FAST, "--llm-concurrency", "8")
    assert result.exit_code == 0, result.output
    _every_gap_filled(chain)
    asked = {r.prompt_text for r in fake_provider.requests}
    assert fake_provider.refused == 1
    assert len(fake_provider.requests) <= len(asked) + 1
    # Said once for the run (a warning on stderr), not once per node.
    assert len(_notes(caplog)) == 1
    saved = json.loads((learned / CAPABILITIES_FILE).read_text())
    assert saved["models"]["anthropic/claude-haiku-4-5"]["json_mode"] == "schema"

    fake_provider.reset()
    fake_provider.refuse = {"strict"}
    fresh = project_store.copy("chain", built_from(CHAIN_FILES), tmp_path / "again")
    again = run_cli(fresh, *FAST, "--llm-no-cache")
    assert again.exit_code == 0, again.output
    assert fake_provider.requests and fake_provider.refused == 0
    assert not any("output_config" in r.body for r in fake_provider.requests)
    assert len(_notes(caplog)) == 1  # nothing new to say


def test_batch_items_carry_the_same_strict_request_as_a_synchronous_run(
    chain: Path, run_cli: RunCli, anthropic_env: None, fake_provider: FakeProviderServer
) -> None:
    assert run_cli(chain, *FAST, "--llm-no-cache", "--check").exit_code == 1  # asks, writes nothing
    sent = {json.dumps(r.body["output_config"]) for r in fake_provider.requests}
    assert run_cli(chain, *FAST, "--llm-no-cache", "--llm-batch").exit_code == ExitCode.PENDING
    items = [params for batch in fake_provider.batches.batches.values() for params in batch.items.values()]
    assert items and {json.dumps(params["output_config"]) for params in items} == sent
