"""Interruption, `test-llm`, and deprecation warnings as CLI users see them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dbt_osmosis.cli.main import cli
from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer, Hang
from tests.support.cli import RunCli
from tests.support.yaml_checks import columns, load


def test_interrupt_writes_every_node_finished_so_far(chain: Path, fake_provider: FakeProviderServer) -> None:
    # int_customers lacks columns its parents also lack, so it is asked only after they are finished
    # and applied; its request hangs, and Ctrl-C then must keep the parents' work.
    fake_provider.script_for("`int_customers`", Hang(60))
    env = {
        **os.environ,
        "LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": FAKE_API_KEY,
        "OPENAI_BASE_URL": f"{fake_provider.base_url}/v1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_osmosis.cli.main", "yaml", "document", "--project-dir", str(chain),
         "--profiles-dir", str(chain), "--synthesize", "--llm-rate-limit", "100000"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any("`int_customers`" in r.prompt_text for r in fake_provider.requests):
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "int_customers was never asked"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "Interrupted" in output
    seeds = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")
    assert seeds["signup_date"]["description"].startswith("Fake description")  # synthesized, then written
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["signup_date"]["description"] == seeds["signup_date"]["description"]
    # The interrupted node's own answer never arrived: its model description is still missing.
    entry = load(chain / "models/intermediate/_int_customers.yml")["models"][0]
    assert "description" not in entry


def test_test_llm_says_ok_or_what_is_wrong(
    fake_provider: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_provider.base_url)
    ok = CliRunner().invoke(cli, ["test-llm"])
    assert ok.exit_code == 0, ok.output
    assert "ok: anthropic" in ok.output
    assert [r.wire for r in fake_provider.requests] == ["anthropic"]

    fake_provider.script(Fail(401))
    denied = CliRunner().invoke(cli, ["test-llm"])
    # A rejected key exits as synthesis does, naming the variable to fix.
    assert denied.exit_code == 2
    assert "rejected the key: check ANTHROPIC_API_KEY" in denied.output
    assert FAKE_API_KEY not in denied.output

    monkeypatch.delenv("ANTHROPIC_API_KEY")
    missing = CliRunner().invoke(cli, ["test-llm"])
    assert missing.exit_code == 2
    assert "ANTHROPIC_API_KEY" in missing.output


def test_legacy_azure_configuration_warns_once_as_a_yellow_line(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    monkeypatch.setenv("OPENAI_API_TYPE", "azure")
    monkeypatch.setenv("OPENAI_API_BASE", "https://example.invalid")
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("OPENAI_DEPLOYMENT_NAME", "docs-deployment")
    result = run_cli(chain, "--synthesize", "--llm-dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.count("deprecated:") == 1
    assert "2.0.0" in result.output and "azure-openai" in result.output
    assert "Traceback" not in result.output
    assert "azure-openai / docs-deployment" in result.output
