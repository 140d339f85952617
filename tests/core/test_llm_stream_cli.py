"""Streamed and non-streamed `--synthesize` runs write the same YAML, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.llm import FAST
from tests.support.projects import copy_project


def _yaml_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*.yml"))
        if "target" not in path.parts
    }


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google-gemini"])
def test_streamed_and_plain_runs_write_the_same_bytes(
    provider: str,
    built_chain: Path,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: dict[str, str],
    fake_provider: FakeProviderServer,
) -> None:
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LLM_PROVIDER", provider)
    written = {}
    for stream in ("false", "true"):
        project = copy_project(built_chain, tmp_path / stream)
        monkeypatch.setenv("OSMOSIS_LLM_STREAM", stream)
        fake_provider.reset()
        result = run_cli(project, *FAST)
        assert result.exit_code == 0, result.output
        flags = {
            bool((r.body or {}).get("stream")) or r.path.endswith("streamGenerateContent")
            for r in fake_provider.requests
        }
        assert flags == {stream == "true"}
        written[stream] = _yaml_bytes(project)
    assert written["true"] == written["false"]
    assert any(b"Fake description" in text for text in written["true"].values())
