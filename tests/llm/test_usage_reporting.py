"""The plan's names (load_custom_prompts, get_usage_stats) and OSMOSIS_LLM_TRACK_USAGE's summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.fakes.fake_provider import FakeProviderServer

import dbt_osmosis.core.llm as llm

ROOT = Path(__file__).resolve().parents[2]


def test_load_custom_prompts_reads_a_file_and_checks_it(tmp_path: Path) -> None:
    prompts_file = tmp_path / "prompts.yaml"
    prompts_file.write_text(
        "model_system: You document $warehouse models.\nvariables:\n  warehouse: DuckDB\n"
    )
    prompts = llm.load_custom_prompts(prompts_file)
    assert prompts.render("model_system").strip() == "You document DuckDB models."
    assert llm.load_custom_prompts().render("model_system") == llm.load_prompts().render("model_system")
    prompts_file.write_text("no_such_key: hello\n")
    with pytest.raises(llm.LLMConfigError, match="no_such_key"):
        llm.load_custom_prompts(str(prompts_file))


def test_get_usage_stats_is_what_tracked_clients_record_into(
    monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    for name, value in {**fake_provider_env, "OSMOSIS_LLM_TRACK_USAGE": "true"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    llm.generate_column_doc("order_id", table_name="orders")
    stats = llm.get_usage_stats()
    assert stats is llm.get_default_usage()
    assert stats.totals().requests == 1 == len(fake_provider.requests)


def _env(fake_provider_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OSMOSIS_LLM_", "LLM_PROVIDER"))}
    return {**env, **fake_provider_env, "PYTHONPATH": str(ROOT), **extra}


def test_a_library_process_prints_the_summary_when_it_ends(
    fake_provider: FakeProviderServer, fake_provider_env: dict[str, str]
) -> None:
    code = "import dbt_osmosis.core.llm as llm; print(llm.generate_column_doc('order_id'))"
    tracked = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(fake_provider_env, OSMOSIS_LLM_TRACK_USAGE="true"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert tracked.returncode == 0, tracked.stderr
    assert "LLM usage: 1 request(s) sent (0 retry(ies)), 0 error(s)" in tracked.stderr
    untracked = subprocess.run(
        [sys.executable, "-c", code], env=_env(fake_provider_env), capture_output=True, text=True, timeout=60
    )
    assert untracked.returncode == 0 and "LLM usage" not in untracked.stderr
