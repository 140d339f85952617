"""`yaml document --synthesize` end to end: the CLI, real SDKs, and the fake provider server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.fake_provider import FAKE_API_KEY, Fail, FakeProviderServer, RecordedRequest, Reply
from tests.support.cli import RunCli
from tests.support.llm import asked_columns
from tests.support.projects import snapshot
from tests.support.yaml_checks import all_descriptions, columns

FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")


def test_every_gap_is_filled_and_hand_written_docs_stay(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    docs = all_descriptions(chain)
    assert all(text and text != "Pending further documentation" for text in docs.values()), docs
    assert docs[("customers", "customer_id")] == "Hand-written mart description."
    assert docs[("stg_customers", "")] == "Customers, renamed and typed."
    assert docs[("raw_customers", "id")] == "The CRM's customer id."
    # One request per node that had gaps, never one per column.
    assert len(fake_provider.requests) == len({r.prompt_text for r in fake_provider.requests})
    assert len(fake_provider.requests) <= 4


def test_downstream_inherits_what_was_synthesized_upstream_without_asking_again(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    run_cli(chain, *FAST)
    # signup_date is documented nowhere: it is asked about once, at the seed, and inherited below.
    asking = [r for r in fake_provider.requests if "signup_date" in asked_columns(r)]
    assert len(asking) == 1
    assert "raw_customers" in asking[0].prompt_text
    seed_text = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")["signup_date"]["description"]
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["signup_date"]["description"] == seed_text


def test_invented_columns_are_dropped_and_names_match_case_insensitively(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    def answer(request: RecordedRequest) -> Reply:
        names = asked_columns(request)
        cols = [{"name": name.upper(), "description": f"About {name}."} for name in names]
        cols.append({"name": "no_such_column", "description": "Made up."})
        return Reply(json={"description": "Customers as the CRM knows them.", "columns": cols})

    fake_provider.responder = answer
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    assert "dropped" in result.output
    text = "".join(path.read_text() for path in chain.rglob("_*.yml"))
    assert "no_such_column" not in text
    assert "Made up." not in text
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["first_name"]["description"] == "About first_name."


def test_a_failing_node_does_not_stop_the_others(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script_for("int_customers", Fail(400))
    result = run_cli(chain, *FAST)
    assert result.exit_code == 3, result.output
    assert "failed:" in result.output and "int_customers" in result.output
    # Everything else was still synthesized and written.
    assert columns(chain / "models/marts/_marts.yml", "customers")["signup_date"]["description"]
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["first_name"]["description"] != "Pending further documentation"


def test_dry_run_sends_nothing_needs_no_key_and_writes_nothing(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    before = snapshot(chain)
    result = run_cli(chain, "--synthesize", "--llm-dry-run")
    assert result.exit_code == 0, result.output
    assert fake_provider.requests == []
    assert snapshot(chain) == before
    assert "would ask" in result.output
    assert "request" in result.output and "tokens" in result.output


def test_an_llm_dry_run_without_synthesize_still_shows_what_would_be_asked(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, fake_provider: FakeProviderServer
) -> None:
    # `--llm-dry-run` alone used to plan no synthesis at all and print "0 file(s) would change",
    # which reads as "nothing to ask".
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    before = snapshot(chain)
    result = run_cli(chain, "--llm-dry-run")
    assert result.exit_code == 0, result.output
    assert "would ask" in result.output
    assert fake_provider.requests == []
    assert snapshot(chain) == before


def test_llm_options_without_synthesize_are_pointed_out(chain: Path, run_cli: RunCli) -> None:
    result = run_cli(chain, "--llm-stats", "--llm-max-cost", "1")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert notes == ["note: --llm-stats, --llm-max-cost only affect(s) --synthesize, which was not given."]


def test_batch_cancel_is_not_said_to_need_synthesize(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    # README's own example, `yaml document --llm-batch-cancel`, acts without --synthesize.
    result = run_cli(chain, "--llm-batch-cancel", "--llm-timeout", "5")
    assert result.exit_code == 0, result.output
    assert "No batch in flight." in result.output
    assert "only affect" not in result.output, result.output


def test_missing_key_is_a_clear_error_before_anything_happens(
    chain: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("LLM_PROVIDER", raising=False)
    before = snapshot(chain)
    result = run_cli(chain, "--synthesize")
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output
    assert snapshot(chain) == before


def test_stats_match_what_the_server_counted(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(chain, *FAST, "--llm-stats")
    assert result.exit_code == 0, result.output
    served = fake_provider.usage_totals()
    summary = next(line for line in result.output.splitlines() if line.startswith("LLM usage:"))
    assert f"{served['requests']} request(s)" in summary
    assert (
        f"{served['prompt_tokens']:,} prompt + {served['completion_tokens']:,} completion tokens" in summary
    )


def test_mark_generated_records_provider_and_model(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    run_cli(chain, *FAST, "--llm-mark-generated")
    seed = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")
    meta = seed["first_name"]["meta"]["osmosis_generated"]
    assert meta["provider"] == "openai"
    assert meta["model"]
    # Hand-written columns are not marked, nor are copies inherited downstream.
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert "meta" not in staging["customer_id"]
    assert "meta" not in staging["first_name"]


def test_custom_prompt_file_reaches_the_wire(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.yml"
    prompts.write_text(
        "variables:\n  company_name: Jaffle Labs\n"
        "model_system: |\n  You document models for $company_name. Answer in JSON.\n"
    )
    result = run_cli(chain, *FAST, "--llm-prompt-file", str(prompts))
    assert result.exit_code == 0, result.output
    assert fake_provider.requests
    assert all("You document models for Jaffle Labs." in r.prompt_text for r in fake_provider.requests)


def test_the_api_key_never_reaches_output_or_yaml(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.script_for("int_customers", Fail(401))
    result = run_cli(chain, *FAST, "--llm-stats", "--log-level", "DEBUG")
    assert FAKE_API_KEY not in result.output
    assert all(FAKE_API_KEY not in path.read_text() for path in chain.rglob("*.yml"))


def test_second_run_asks_nothing(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    run_cli(chain, *FAST)
    fake_provider.reset()
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0
    assert fake_provider.requests == []
    assert "Nothing to change." in result.output


def test_wide_tables_are_split_into_chunks(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.json"
    wide = {f"col_{i:03d}": {"name": f"col_{i:03d}", "type": "TEXT", "index": i} for i in range(95)}
    catalog.write_text(json.dumps({"nodes": {"model.test_project.customers": {"columns": wide}}}))
    result = run_cli(chain, "customers", "--catalog-path", str(catalog), *FAST)
    assert result.exit_code == 0, result.output
    sizes = sorted(len(asked_columns(r)) for r in fake_provider.requests)
    assert sizes == [15, 40, 40]
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert all(mart[f"col_{i:03d}"]["description"] for i in range(95))


def test_a_column_described_twice_keeps_the_first_description_and_says_so(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    def answer(request: RecordedRequest) -> Reply:
        names = asked_columns(request)
        cols = [{"name": name, "description": f"First about {name}."} for name in names]
        cols += [{"name": name.upper(), "description": f"Second about {name}."} for name in names]
        return Reply(json={"description": "Customers as the CRM knows them.", "columns": cols})

    fake_provider.responder = answer
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    asked = sum(len(asked_columns(r)) for r in fake_provider.requests)
    assert f"ignored {asked} repeated column description(s)" in result.output
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["first_name"]["description"] == "First about first_name."
    assert "Second about" not in "".join(path.read_text() for path in chain.rglob("*.yml"))
