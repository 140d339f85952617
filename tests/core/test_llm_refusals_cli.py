"""`--synthesize` against models that refuse parameters, and bad LLM settings, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_osmosis.core.llm.capabilities import CAPABILITIES_FILE
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.llm import FAST
from tests.support.yaml_checks import all_descriptions


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]) -> None:
    """An Azure deployment of an older model: no temperature but the default, no json_schema."""
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LLM_PROVIDER", "azure-openai")
    monkeypatch.delenv("OSMOSIS_LLM_CACHE_DIR", raising=False)


def test_a_model_refusing_temperature_and_json_schema_is_fully_synthesized(
    chain: Path, run_cli: RunCli, azure_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.refuse = {"temperature", "json_schema"}
    result = run_cli(chain, *FAST, "--llm-concurrency", "8")
    assert result.exit_code == 0, result.output
    docs = all_descriptions(chain)
    assert all(text and text != "Pending further documentation" for text in docs.values()), docs
    # A few refused requests for the whole run, not one per node.
    assert 1 <= fake_provider.refused <= 4
    answered = [r for r in fake_provider.requests if "temperature" not in r.body]
    assert len(answered) == len(fake_provider.requests) - 1

    # Remembered under the project's target folder: the next run sends nothing it would refuse.
    saved = json.loads((chain / "target" / "dbt-osmosis" / CAPABILITIES_FILE).read_text())
    assert saved["models"]["azure-openai/gpt-4o-deploy"] == {"temperature": False, "json_mode": "object"}


def test_remembered_capabilities_mean_no_refusal_next_time(
    chain: Path, run_cli: RunCli, azure_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.refuse = {"temperature", "json_schema"}
    assert run_cli(chain, *FAST, "--check").exit_code == 1  # nothing written, but it learned
    fake_provider.reset()
    fake_provider.refuse = {"temperature", "json_schema"}
    # Without the response cache, which would otherwise answer everything the first run asked.
    assert run_cli(chain, *FAST, "--llm-no-cache").exit_code == 0
    assert fake_provider.refused == 0 and fake_provider.requests


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (("--llm-rate-limit", "inf"), {}, "--llm-rate-limit must be a number from 0.01 to 1000000"),
        (("--llm-rate-limit", "nan"), {}, "--llm-rate-limit must be a number from 0.01 to 1000000"),
        (("--llm-timeout", "nan"), {}, "--llm-timeout must be a number greater than 0 and at most 3600"),
        ((), {"OSMOSIS_LLM_RATE_LIMIT": "nan"}, "OSMOSIS_LLM_RATE_LIMIT must be a number from 0.01"),
        ((), {"OSMOSIS_LLM_CONCURRENCY": "-4"}, "OSMOSIS_LLM_CONCURRENCY must be a whole number from 1"),
        ((), {"OPENAI_BASE_URL": "localhost:8000/v1"}, "OPENAI_BASE_URL must be an absolute URL"),
    ],
)
def test_absurd_settings_are_one_line_configuration_errors(
    chain: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
    args: tuple[str, ...],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in {**fake_provider_env, **env}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    result = run_cli(chain, "--synthesize", *args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert fake_provider.requests == []


def test_a_rate_limit_below_one_a_minute_says_how_long_it_waits(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, fake_provider_env: dict[str, str]
) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    result = run_cli(chain, "--synthesize", "--llm-dry-run", "--llm-rate-limit", "0.25")
    assert result.exit_code == 0, result.output
    assert "requests will be 4 minutes apart" in result.output


@pytest.mark.slow
def test_track_usage_prints_the_summary_at_the_end_of_a_cli_run(
    chain: Path, fake_provider_env: dict[str, str], fake_provider: FakeProviderServer
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OSMOSIS_LLM_", "LLM_PROVIDER"))}
    env.update(fake_provider_env, OSMOSIS_LLM_TRACK_USAGE="true")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt-osmosis"), "yaml", "document", "--project-dir", str(chain),
         "--profiles-dir", str(chain), *FAST],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sent = len(fake_provider.requests)
    assert f"LLM usage: {sent} request(s) sent" in result.stderr
