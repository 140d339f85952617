"""Several nodes in one schema.yml: synthesis edits them in any order without losing or mixing entries."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project
from dbt_osmosis.core.document import DocumentOptions, plan_document, write_changes
from dbt_osmosis.core.llm.prompts import load_prompts
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.types import LLMRequest, LLMResponse, Usage
from dbt_osmosis.core.synthesis import SynthesisOptions, run_synthesis
from tests.fakes.fake_provider import FakeProviderServer, Reply
from tests.support.cli import RunCli
from tests.support.projects import ProjectStore, write_project
from tests.support.yaml_checks import load

MODELS = ("alpha", "beta", "gamma")
SHARED_FILES = {
    **{f"models/{name}.sql": f"select 1 as id, '{name}' as label\n" for name in MODELS},
    "models/schema.yml": """
        version: 2
        models:
          - name: alpha
            columns:
              - name: id
                description: Pending further documentation
              - name: label
          # beta is hand-documented in part
          - name: beta
            description: Beta, by hand.
            columns:
              - name: id
              - name: label
                description: Hand-written label.
          - name: gamma
            columns:
              - name: id
              - name: label
    """,
}


@pytest.fixture(scope="session")
def shared_project(project_store: ProjectStore) -> DbtProject:
    """The project parsed once per session; tests only read it."""
    root = project_store.built("shared", lambda root: write_project(root, SHARED_FILES))
    return project_store.kept("shared", lambda: load_project(ProjectOptions(root, profiles_dir=root)))


class InOrderClient:
    """Answers every request, but lets answers be applied one node at a time in a chosen order."""

    provider = "ordered"
    model = "ordered-model"

    def __init__(self, order: tuple[str, ...], applied: list[str]) -> None:
        self.order = order
        self.applied = applied  # node names whose answer the run has applied, in order

    def complete(self, request: LLMRequest) -> LLMResponse:
        raise NotImplementedError("synthesis only uses acomplete")

    async def acomplete(self, request: LLMRequest) -> LLMResponse:
        node = _node_of(request)
        turn = self.order.index(node)
        # Wait (cooperatively, no clock) until every node before this one has been applied.
        while len(self.applied) < turn:
            await asyncio.sleep(0)
        self.applied.append(node)
        names = request.asked
        parsed: dict[str, Any] = {
            "description": f"About {node}.",
            "columns": [{"name": n, "description": f"{node}.{n} text."} for n in names],
        }
        return LLMResponse("", parsed, Usage(1, 1), 0.0, None, self.provider, self.model)


def _node_of(request: LLMRequest) -> str:
    text = request.messages[-1].content
    return next(name for name in MODELS if f"`{name}`" in text)


@pytest.mark.parametrize("order", list(itertools.permutations(MODELS)))
def test_every_order_of_edits_in_one_file_fills_each_entry_and_keeps_the_rest(
    shared_project: DbtProject, order: tuple[str, ...]
) -> None:
    schema = shared_project.root / "models/schema.yml"
    original = schema.read_text()
    try:
        plan = plan_document(shared_project, DocumentOptions(disable_introspection=True))
        applied: list[str] = []
        report = run_synthesis(
            plan, InOrderClient(order, applied), load_prompts(None), LLMSettings(), SynthesisOptions()
        )
        assert report.failures == []
        assert applied == list(order)
        write_changes(plan)
        text = schema.read_text()
    finally:
        schema.write_text(original)
    entries = {entry["name"]: entry for entry in load_text(text)["models"]}
    assert entries["alpha"]["description"] == "About alpha."
    assert entries["beta"]["description"] == "Beta, by hand."
    assert {c["name"]: c["description"] for c in entries["beta"]["columns"]} == {
        "id": "beta.id text.",
        "label": "Hand-written label.",
    }
    assert {c["name"]: c["description"] for c in entries["gamma"]["columns"]} == {
        "id": "gamma.id text.",
        "label": "gamma.label text.",
    }
    assert "# beta is hand-documented in part" in text
    # Only lines were added (the placeholder was filled): every other original line is kept, in order.
    kept = iter(text.splitlines())
    assert all(line in kept for line in original.splitlines() if "Pending" not in line)


def load_text(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


def test_cli_synthesis_of_a_shared_file_with_the_fake_server(
    tmp_path: Path,
    run_cli: RunCli,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: dict[str, str],
) -> None:
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    for name, value in fake_provider_env.items():
        monkeypatch.setenv(name, value)
    root = write_project(tmp_path / "project", SHARED_FILES)
    # The last model in the file answers first: the opposite of file order.
    fake_provider.script_for("`alpha`", Reply(latency=0.2))
    result = run_cli(
        root,
        "--disable-introspection",
        "--synthesize",
        "--llm-rate-limit",
        "100000",
        "--llm-max-retries",
        "0",
    )
    assert result.exit_code == 0, result.output
    entries = {entry["name"]: entry for entry in load(root / "models/schema.yml")["models"]}
    assert all(column.get("description") for entry in entries.values() for column in entry["columns"])
    assert len(fake_provider.requests) == 3
