"""The response cache serves only what is still the right answer: checked when read, keyed by every
setting that changes the answer. Real CLI and real OpenAI SDK against the fake provider server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.llm import FAST
from tests.support.projects import snapshot


@pytest.fixture
def llm_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default provider at the fake server, with the cache in the project's target folder."""
    for name in ("OSMOSIS_LLM_CACHE_DIR", "OSMOSIS_LLM_TEMPERATURE", "OSMOSIS_LLM_MAX_COST"):
        monkeypatch.delenv(name, raising=False)


def restore(project: Path, files: dict[str, bytes]) -> None:
    """Put every YAML file back as it was, deleting the files the run added."""
    for path in project.rglob("*.yml"):
        relative = path.relative_to(project).as_posix()
        if "target" in path.parts or path.name in {"dbt_project.yml", "profiles.yml"}:
            continue
        if relative not in files:
            path.unlink()
    for relative, data in files.items():
        (project / relative).write_bytes(data)


def entries(project: Path) -> list[Path]:
    return sorted((project / "target" / "dbt-osmosis" / "responses").rglob("*.json"))


def test_a_corrupted_entry_is_asked_again_and_replaced(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    before = snapshot(chain)
    first = run_cli(chain, *FAST)
    assert first.exit_code == 0, first.output
    written = snapshot(chain)
    stored = entries(chain)
    damaged = stored[0]
    entry = json.loads(damaged.read_text())
    entry["parsed"] = {"description": 42, "columns": "nope"}
    damaged.write_text(json.dumps(entry))

    restore(chain, before)
    fake_provider.reset()
    second = run_cli(chain, *FAST)
    assert second.exit_code == 0, second.output
    assert len(fake_provider.requests) == 1  # only the damaged answer is asked again
    assert snapshot(chain) == written
    assert json.loads(damaged.read_text())["parsed"] != {"description": 42, "columns": "nope"}

    restore(chain, before)
    fake_provider.reset()
    third = run_cli(chain, *FAST)
    assert third.exit_code == 0, third.output
    assert fake_provider.requests == []  # the replacement is served from then on


def test_changing_the_temperature_asks_again(
    chain: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(chain)
    monkeypatch.setenv("OSMOSIS_LLM_TEMPERATURE", "0.1")
    run_cli(chain, *FAST)
    asked = len(fake_provider.requests)
    assert asked > 0

    restore(chain, before)
    fake_provider.reset()
    monkeypatch.setenv("OSMOSIS_LLM_TEMPERATURE", "0.9")
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    assert len(fake_provider.requests) == asked
    assert {request.body["temperature"] for request in fake_provider.requests} == {0.9}
