"""Entries shared through a YAML anchor are reported and left alone; the rest of the file is edited."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.fake_provider import FakeProviderServer, RecordedRequest
from tests.support.cli import RunCli
from tests.support.projects import write_project
from tests.support.yaml_checks import columns

SCHEMA = """\
version: 2
models:
  - name: alpha
    description: Alpha, by hand.
    columns: &common
      - name: id
        description: Shared id.
      - name: label
  - name: beta
    columns: *common
  - name: gamma
    description: Gamma.
    columns:
      - name: id
      - name: label
"""
FILES = {
    "models/alpha.sql": "select 1 as id, 'a' as label\n",
    "models/beta.sql": "select 1 as id, 'b' as label\n",
    "models/gamma.sql": "select id, label from {{ ref('alpha') }}\n",
}


@pytest.fixture
def anchored(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "project", FILES)
    (root / "models/schema.yml").write_text(SCHEMA)
    return root


def test_shared_entries_are_reported_and_kept_while_the_rest_is_edited(
    anchored: Path, run_cli: RunCli
) -> None:
    result = run_cli(anchored, "--disable-introspection")
    assert result.exit_code == 0, result.output
    for name in ("alpha", "beta"):
        assert f"{name}: its entry in models/schema.yml is shared through a YAML anchor; edit by hand" in (
            " ".join(result.output.split())
        )
    text = (anchored / "models/schema.yml").read_text()
    # The shared block is byte for byte what it was, anchor and alias included.
    assert text.startswith(SCHEMA.split("  - name: gamma")[0])
    # gamma, in the same file, still inherits from alpha's (shared, read-only) documentation.
    assert columns(anchored / "models/schema.yml", "gamma")["id"]["description"] == "Shared id."


def test_synthesis_asks_nothing_about_shared_entries(
    anchored: Path,
    run_cli: RunCli,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: dict[str, str],
) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    result = run_cli(
        anchored,
        "--disable-introspection",
        "--synthesize",
        "--llm-rate-limit",
        "100000",
        "--llm-max-retries",
        "0",
    )
    assert result.exit_code == 0, result.output
    asked = [_model(request) for request in fake_provider.requests]
    assert asked == ["gamma"]
    text = (anchored / "models/schema.yml").read_text()
    assert text.startswith(SCHEMA.split("  - name: gamma")[0])
    assert columns(anchored / "models/schema.yml", "gamma")["label"]["description"]


def _model(request: RecordedRequest) -> str:
    return request.prompt_text.split("Document the dbt model `", 1)[1].split("`", 1)[0]


def test_check_exits_3_when_selected_nodes_were_skipped_for_an_anchor(
    anchored: Path, run_cli: RunCli
) -> None:
    # Nothing else would change: the check still says the run could not cover everything.
    assert run_cli(anchored, "--disable-introspection").exit_code == 0
    check = run_cli(anchored, "--disable-introspection", "--check")
    assert check.exit_code == 3, check.output
    assert "shared through a YAML anchor" in " ".join(check.output.split())
    # A selection without the anchored nodes passes.
    assert run_cli(anchored, "--disable-introspection", "--check", "gamma").exit_code == 0
