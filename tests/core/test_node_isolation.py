"""One node's failure during synthesis fails that node only; every other node's work is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt_osmosis.core.dbt.project import ProjectOptions, load_project
from dbt_osmosis.core.document import DocumentOptions, plan_document, write_changes
from dbt_osmosis.core.llm.prompts import load_prompts
from dbt_osmosis.core.llm.settings import LLMSettings
from dbt_osmosis.core.llm.testing import MockLLMClient
from dbt_osmosis.core.llm.types import LLMRequest
from dbt_osmosis.core.synthesis import SynthesisOptions, run_synthesis
from tests.support.yaml_checks import columns


def _answer_or_break(request: LLMRequest) -> Any:
    prompt = "\n".join(message.content for message in request.messages)
    if "Document the dbt model `int_customers`" in prompt:
        # A programming error inside the client (not a provider error): today's worst case.
        raise RuntimeError("adapter bug")
    names = request.asked
    return {
        "description": "Customers as the CRM exports them.",
        "columns": [{"name": n, "description": f"About {n}."} for n in names],
    }


def test_an_unexpected_exception_in_one_node_fails_only_that_node(chain: Path) -> None:
    project = load_project(ProjectOptions(project_dir=chain, profiles_dir=chain))
    plan = plan_document(project, DocumentOptions())
    client = MockLLMClient(default=_answer_or_break)
    report = run_synthesis(plan, client, load_prompts(None), LLMSettings(), SynthesisOptions())

    failed = {outcome.node: outcome.error for outcome in report.failures}
    assert list(failed) == ["int_customers"]
    assert "internal error: RuntimeError: adapter bug" in (failed["int_customers"] or "")
    # Every other node was synthesized, and the run can still write all of it.
    write_changes(plan)
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["first_name"]["description"] == "About first_name."
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["signup_date"]["description"] == "About signup_date."
