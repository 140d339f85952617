"""Never pay twice, never overspend: the response cache, the budget, the run-level stop and the re-ask.

Every test runs the real CLI and the real OpenAI SDK against the fake provider server.
"""

from __future__ import annotations

import _thread
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from benchmarks.generate_project import generate
from click.testing import Result

from dbt_osmosis.core.llm.usage import PriceTable
from tests.fakes.fake_provider import (
    FAKE_API_KEY,
    Fail,
    FakeProviderServer,
    Hang,
    RecordedRequest,
    Reply,
    Step,
)
from tests.support.cli import RunCli
from tests.support.llm import FAST, asked_columns
from tests.support.projects import ProjectStore, snapshot
from tests.support.yaml_checks import columns, load


@pytest.fixture
def llm_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the default provider (OpenAI, gpt-4.1-mini: priced) at the fake server."""
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    for name in ("OSMOSIS_LLM_CACHE_DIR", "OSMOSIS_LLM_MAX_COST", "OSMOSIS_LLM_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def generated(project_store: ProjectStore, tmp_path: Path) -> Path:
    """A 30-model project (3 staging models, 27 downstream) with a catalog.json: no warehouse needed."""
    template = project_store.built("generated", lambda root: generate(root, 30))
    return Path(shutil.copytree(template, tmp_path / "generated"))


def with_catalog(project: Path, *args: str) -> tuple[str, ...]:
    return ("--catalog-path", str(project / "catalog.json"), *args)


def restore(project: Path, files: dict[str, bytes]) -> None:
    """Put every YAML file back as it was (``git checkout`` of the YAML), deleting files added since."""
    for path in project.rglob("*.yml"):
        relative = path.relative_to(project).as_posix()
        if "target" in path.parts or path.name in {"dbt_project.yml", "profiles.yml"}:
            continue
        if relative not in files:
            path.unlink()
    for relative, data in files.items():
        (project / relative).write_bytes(data)


def synthesized_requests(result: Result) -> int:
    match = re.search(r"with (\d+) requests?\b", result.output)
    assert match is not None, result.output
    return int(match.group(1))


def test_a_rerun_after_reverting_the_yaml_sends_no_request_and_writes_the_same_bytes(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    before = snapshot(chain)
    first = run_cli(chain, *FAST)
    assert first.exit_code == 0, first.output
    after_first = snapshot(chain)
    asked = len(fake_provider.requests)
    assert asked > 0

    restore(chain, before)
    fake_provider.reset()
    dry = run_cli(chain, "--synthesize", "--llm-dry-run")
    assert f"({asked} more served by the response cache)" in dry.output, dry.output
    assert "~0 requests" in dry.output

    second = run_cli(chain, *FAST)
    assert second.exit_code == 0, second.output
    assert fake_provider.requests == []
    assert f"({asked} answer(s) from the cache)" in second.output
    assert snapshot(chain) == after_first


def test_no_cache_asks_again_and_the_cache_holds_no_key_or_header(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    before = snapshot(chain)
    run_cli(chain, *FAST)
    asked = len(fake_provider.requests)
    cache = chain / "target" / "dbt-osmosis"
    entries = list((cache / "responses").rglob("*.json"))
    assert len(entries) == asked
    for entry in entries:
        text = entry.read_text()
        assert '"created_at"' in text
        for secret in (FAKE_API_KEY, "Bearer", "authorization", "x-api-key", "user-agent"):
            assert secret.lower() not in text.lower()

    restore(chain, before)
    fake_provider.reset()
    result = run_cli(chain, *FAST, "--llm-no-cache")
    assert result.exit_code == 0, result.output
    assert len(fake_provider.requests) == asked


def test_the_cache_folder_can_be_moved_with_an_environment_variable(
    chain: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "shared-cache"
    monkeypatch.setenv("OSMOSIS_LLM_CACHE_DIR", str(elsewhere))
    run_cli(chain, *FAST)
    assert list(elsewhere.rglob("*.json"))
    assert not (chain / "target" / "dbt-osmosis").exists()


def interrupt_after(answered: int) -> Callable[[RecordedRequest], Step]:
    """Answer ``answered`` requests, then press Ctrl-C (in the CLI's thread) while the next one hangs."""
    seen = [0]

    def respond(request: RecordedRequest) -> Step:
        seen[0] += 1
        if seen[0] <= answered:
            return Reply()
        if seen[0] == answered + 1:
            _thread.interrupt_main()
        return Hang(30)

    return respond


@pytest.mark.slow
def test_ctrl_c_half_way_then_a_rerun_costs_what_one_uninterrupted_run_costs(
    generated: Path,
    tmp_path: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
) -> None:
    uninterrupted = Path(shutil.copytree(generated, tmp_path / "uninterrupted"))
    whole = run_cli(uninterrupted, *with_catalog(uninterrupted, *FAST, "--llm-concurrency", "1"))
    assert whole.exit_code == 0, whole.output
    one_run = len(fake_provider.requests)
    assert one_run > 6

    fake_provider.reset()
    fake_provider.responder = interrupt_after(one_run // 2)
    interrupted = run_cli(generated, *with_catalog(generated, *FAST, "--llm-concurrency", "1"))
    assert interrupted.exit_code == 130, interrupted.output
    answered_before = one_run // 2  # the request in flight at Ctrl-C was never answered

    fake_provider.reset()
    rerun = run_cli(generated, *with_catalog(generated, *FAST, "--llm-concurrency", "1"))
    assert rerun.exit_code == 0, rerun.output
    assert answered_before + len(fake_provider.requests) == one_run
    assert_same_docs(generated, uninterrupted)


def assert_same_docs(one: Path, other: Path) -> None:
    """The same YAML data in the same files (quoting may differ: see the report on inherited quotes)."""
    left, right = snapshot(one), snapshot(other)
    assert sorted(left) == sorted(right)
    for path in left:
        assert load(one / path) == load(other / path), path


def dry_run_cost(result: Result) -> float:
    match = re.search(r"^Estimate for .*?, ~\$(\d+\.\d+)", result.output, flags=re.M)
    assert match is not None, result.output
    return float(match.group(1))


def served_cost(server: FakeProviderServer) -> float:
    totals = server.usage_totals()
    cost = PriceTable.load().estimate_cost(
        "openai", "gpt-4.1-mini", totals["prompt_tokens"], totals["completion_tokens"]
    )
    assert cost is not None
    return cost


def test_a_budget_below_the_estimate_refuses_to_start(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    estimate = dry_run_cost(run_cli(generated, *with_catalog(generated, "--synthesize", "--llm-dry-run")))
    before = snapshot(generated)
    result = run_cli(generated, *with_catalog(generated, *FAST, "--llm-max-cost", f"{estimate / 3:.6f}"))
    assert result.exit_code == 2, result.output
    assert "nothing was sent" in result.output and "--llm-allow-partial" in result.output
    assert fake_provider.requests == []
    assert snapshot(generated) == before


def test_part_of_the_estimate_spends_no_more_than_the_budget(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    dry = run_cli(generated, *with_catalog(generated, "--synthesize", "--llm-dry-run"))
    estimate = dry_run_cost(dry)
    # Each request reserves its whole completion cap, several times a typical answer: the budget
    # leaves room for a few requests at once, not for the whole run.
    budget = estimate / 1.5
    concurrency = 4
    result = run_cli(
        generated,
        *with_catalog(
            generated,
            *FAST,
            "--llm-max-cost",
            f"{budget:.6f}",
            "--llm-allow-partial",
            "--llm-concurrency",
            str(concurrency),
        ),
    )
    assert result.exit_code == 3, result.output
    assert "budget reached: spent $" in result.output
    assert "left undone:" in result.output
    sent = len(fake_provider.requests)
    assert 0 < sent < len(re.findall(r"^│ \S", dry.output, re.MULTILINE)) + 100  # sanity
    # Nothing in flight can take the run past the budget: each request reserved the most it may cost.
    assert served_cost(fake_provider) <= budget
    # Whatever was finished is written: a rerun with room to spare asks only for what was left.
    fake_provider.reset()
    rest = run_cli(generated, *with_catalog(generated, *FAST))
    assert rest.exit_code == 0, rest.output
    assert 0 < synthesized_requests(rest) == len(fake_provider.requests)


def test_a_request_budget_stops_the_run_with_exit_3(
    generated: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(
        generated,
        *with_catalog(generated, *FAST, "--llm-max-requests", "3", "--llm-allow-partial"),
    )
    assert result.exit_code == 3, result.output
    assert len(fake_provider.requests) == 3
    assert "spent $" in result.output and "on 3 request(s) of 3" in result.output


def test_an_authentication_failure_ends_synthesis_at_once_and_keeps_the_rest(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = lambda request: Fail(401)
    result = run_cli(chain, *FAST, "--llm-concurrency", "1")
    assert result.exit_code == 2, result.output
    assert len(fake_provider.requests) == 1
    assert result.output.count("rejected the credentials") == 1
    assert "failed:" not in result.output
    # Everything else the run did (inheritance, new columns) is written.
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert "status" in mart
    assert FAKE_API_KEY not in result.output


def test_an_unusable_answer_is_asked_for_once_more_quoting_the_problem(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script_for("stg_customers", Reply(text="Sorry, I cannot answer in JSON today."))
    result = run_cli(chain, "stg_customers", *FAST)
    assert result.exit_code == 0, result.output
    requests = fake_provider.requests
    assert len(requests) == 2
    assert "could not be used" in requests[1].prompt_text
    assert "did not return usable JSON" in requests[1].prompt_text
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert (
        staging["first_name"]["description"]
        == "Fake description of first_name, as the fake provider answers it."
    )


def test_an_answer_missing_a_column_is_asked_for_again(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    def first_forgets_a_column(request: RecordedRequest) -> Reply:
        names = asked_columns(request)
        if "could not be used" not in request.prompt_text:
            names = names[1:]
        return Reply(
            json={
                "description": "Customers from the CRM.",
                "columns": [{"name": n, "description": f"What the CRM calls {n}."} for n in names],
            }
        )

    fake_provider.responder = first_forgets_a_column
    result = run_cli(chain, "stg_customers", *FAST)
    assert result.exit_code == 0, result.output
    assert len(fake_provider.requests) == 2
    assert "has no descriptions for the columns" in fake_provider.requests[1].prompt_text
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    asked = asked_columns(fake_provider.requests[0])
    assert len(asked) >= 2
    assert all(staging[name]["description"] == f"What the CRM calls {name}." for name in asked)


def test_two_unusable_answers_fail_the_node_after_two_requests(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = lambda request: Reply(text="no json here")
    result = run_cli(chain, "stg_customers", *FAST)
    assert result.exit_code == 3, result.output
    assert len(fake_provider.requests) == 2
    assert "failed:" in result.output
