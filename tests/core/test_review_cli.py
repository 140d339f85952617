"""Provenance marks, `--llm-refresh-stale` and `yaml review`, end to end against the fake provider."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fake_provider import FakeProviderServer, RecordedRequest, Reply
from tests.support.cli import RunCli
from tests.support.cli import run_review as review
from tests.support.llm import asked_columns
from tests.support.projects import snapshot
from tests.support.yaml_checks import columns, load

FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")
HASH = re.compile(r"^[0-9a-f]{12}$")


@pytest.fixture
def llm_env(llm_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared fake-provider environment, without a marking setting from the caller's shell.
    monkeypatch.delenv("OSMOSIS_LLM_MARK_GENERATED", raising=False)


def numbered_answers(start: int) -> Callable[[RecordedRequest], Reply]:
    """Every answer says which request it was, so a text written again is visibly new."""
    count = [start]

    def answer(request: RecordedRequest) -> Reply:
        count[0] += 1
        names = asked_columns(request)
        return Reply(
            json={
                "description": f"Table text {count[0]}.",
                "columns": [{"name": n, "description": f"{n} text {count[0]}."} for n in names],
            }
        )

    return answer


def model_entry(path: Path, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(entry for entry in load(path)["models"] if entry["name"] == name)
    return entry


INT = "models/intermediate/_int_customers.yml"


def test_marks_cover_model_descriptions_and_carry_an_inputs_hash(
    chain: Path,
    run_cli: RunCli,
    llm_env: None,
    fake_provider: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSMOSIS_LLM_MARK_GENERATED", "true")
    result = run_cli(chain, *FAST)
    assert result.exit_code == 0, result.output
    mark = model_entry(chain / INT, "int_customers")["config"]["meta"]["osmosis_generated"]
    assert mark["provider"] == "openai" and mark["model"] and HASH.match(mark["inputs"])
    seed = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")
    assert HASH.match(seed["first_name"]["meta"]["osmosis_generated"]["inputs"])
    # The copies inherited downstream are not what the model wrote for those nodes: no mark there.
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["first_name"]["description"] == seed["first_name"]["description"]
    assert "osmosis_generated" not in (staging["first_name"].get("meta") or {})

    listing = review(chain)
    assert listing.exit_code == 0, listing.output
    assert "int_customers  openai/gpt-4.1-mini  current" in listing.output
    assert "raw_customers.first_name  openai/gpt-4.1-mini  current" in listing.output
    assert "stg_customers" not in listing.output
    assert "(0 stale)" in listing.output


def test_refresh_stale_asks_again_only_for_the_changed_model_and_leaves_unmarked_text_alone(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = numbered_answers(0)
    assert run_cli(chain, *FAST, "--llm-mark-generated").exit_code == 0
    first = model_entry(chain / INT, "int_customers")
    before = snapshot(chain)

    sql = chain / "models/intermediate/int_customers.sql"
    sql.write_text(sql.read_text().replace("first_name,", "upper(first_name) as first_name,"))
    listing = review(chain)
    assert "int_customers  openai/gpt-4.1-mini  stale" in listing.output, listing.output
    assert "(1 stale)" in listing.output

    fake_provider.reset()
    fake_provider.responder = numbered_answers(100)
    without = run_cli(chain, *FAST)
    assert without.exit_code == 0 and fake_provider.requests == []  # stale, but not asked to refresh

    result = run_cli(chain, *FAST, "--llm-refresh-stale")
    assert result.exit_code == 0, result.output
    requests = fake_provider.requests
    assert len(requests) == 1 and "int_customers" in requests[0].prompt_text
    assert asked_columns(requests[0]) == []  # its columns are inherited, not model-written
    after = snapshot(chain)
    assert {path for path in after if after[path] != before[path]} == {INT}
    entry = model_entry(chain / INT, "int_customers")
    assert entry["description"] == "Table text 101." != first["description"]
    assert entry["columns"] == first["columns"]
    assert "(0 stale)" in review(chain).output


def test_review_check_accept_reject_and_the_next_run(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    assert run_cli(chain, *FAST, "--llm-mark-generated").exit_code == 0
    assert review(chain, "--check").exit_code == 1

    accepted = review(chain, "raw_customers", "--accept")
    assert accepted.exit_code == 0, accepted.output
    seed = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")
    assert seed["first_name"]["description"] and "meta" not in seed["first_name"]
    assert seed["id"]["meta"] == {"owner": "crm-team"}  # the author's own meta stays
    listing = review(chain, "--check")
    assert listing.exit_code == 1 and "raw_customers" not in listing.output

    rejected = review(chain, "--reject")
    assert rejected.exit_code == 0, rejected.output
    entry = model_entry(chain / INT, "int_customers")
    assert "description" not in entry
    assert entry["config"] == {"meta": {"osmosis_rejected": True}}
    check = review(chain, "--check")
    assert check.exit_code == 0, check.output
    assert "int_customers  -  rejected" in check.output

    fake_provider.reset()
    before = snapshot(chain)
    again = run_cli(chain, *FAST)
    assert again.exit_code == 0, again.output
    assert fake_provider.requests == []
    assert snapshot(chain) == before

    refreshed = run_cli(chain, *FAST, "--llm-refresh-stale")
    assert refreshed.exit_code == 0, refreshed.output
    assert [("int_customers" in r.prompt_text) for r in fake_provider.requests] == [True]
    entry = model_entry(chain / INT, "int_customers")
    assert entry["description"]
    assert set(entry["config"]["meta"]) == {"osmosis_generated"}
    assert review(chain, "--check").exit_code == 1


def test_accept_and_reject_together_is_an_error(chain: Path) -> None:
    result = review(chain, "--accept", "--reject")
    assert result.exit_code == 2
    assert "not both" in result.output


def every_yaml_text(root: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(root.rglob("*.yml")) if "target" not in path.parts)


def test_reject_removes_the_copies_inheritance_made_downstream(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = numbered_answers(0)
    assert run_cli(chain, *FAST, "--llm-mark-generated").exit_code == 0
    seed = columns(chain / "seeds/_seeds.yml", "raw_customers", "seeds")
    text = seed["first_name"]["description"]
    assert every_yaml_text(chain).count(text) >= 3  # the seed's text and its copies down the chain

    result = review(chain, "-s", "raw_customers", "--reject")
    assert result.exit_code == 0, result.output
    assert "inherited copy(ies) of rejected text downstream" in result.output
    assert text not in every_yaml_text(chain)  # no copy of the rejected text remains anywhere
    # Only the seed's texts were rejected: the model's own text is still listed, stale now that the
    # upstream docs it was written from are gone.
    listing = review(chain)
    assert "int_customers  openai/gpt-4.1-mini  stale" in listing.output
    assert "raw_customers.first_name  -  rejected" in listing.output


def test_check_reports_a_copy_left_downstream_of_a_rejected_text(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    assert run_cli(chain, *FAST, "--llm-mark-generated", "--add-progenitor-to-meta").exit_code == 0
    assert review(chain, "--accept", "-s", "stg_customers+").exit_code == 0
    assert review(chain, "--reject", "raw_customers").exit_code == 0
    assert review(chain, "--check", "-s", "raw_customers").exit_code == 0
    # A person pastes the rejected text back downstream, progenitor and all.
    staging = chain / "models/staging/_staging.yml"
    before = staging.read_text()
    pasted = before.replace(
        "      - name: first_name\n",
        "      - name: first_name\n        description: Pasted back.\n"
        "        meta:\n          osmosis_progenitor: seed.test_project.raw_customers\n",
        1,
    )
    assert pasted != before
    staging.write_text(pasted)
    check = review(chain, "--check", "-s", "raw_customers")
    assert check.exit_code == 1, check.output
    assert "copy left: stg_customers.first_name in models/staging/_staging.yml" in check.output


def test_a_text_a_person_edited_under_its_mark_is_listed_as_edited_and_never_rejected(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    fake_provider.responder = numbered_answers(0)
    assert run_cli(chain, *FAST, "--llm-mark-generated").exit_code == 0
    path = chain / INT
    written = model_entry(path, "int_customers")["description"]
    path.write_text(path.read_text().replace(written, "Customers, as the finance team defines them."))
    listing = review(chain, "int_customers")
    assert "int_customers  openai/gpt-4.1-mini  edited" in listing.output, listing.output
    # Counted as edited, not as rejected: nothing was rejected.
    assert "0 rejected; 1 edited by a person." in listing.output, listing.output
    assert "osmosis_rejected" not in path.read_text()
    assert review(chain, "--check", "int_customers").exit_code == 0  # a person's text is not pending
    assert review(chain, "--reject", "int_customers").exit_code == 0
    entry = model_entry(path, "int_customers")
    assert entry["description"] == "Customers, as the finance team defines them."
    # Nor is it written again by a refresh, even though its inputs change.
    sql = chain / "models/intermediate/int_customers.sql"
    sql.write_text(sql.read_text().replace("first_name,", "upper(first_name) as first_name,"))
    fake_provider.reset()
    assert run_cli(chain, *FAST, "--llm-refresh-stale").exit_code == 0
    assert model_entry(path, "int_customers")["description"] == "Customers, as the finance team defines them."


def test_review_check_fails_for_an_entry_shared_through_an_anchor(tmp_path: Path) -> None:
    from tests.core.test_anchors_cli import FILES, SCHEMA
    from tests.support.projects import write_project

    root = write_project(tmp_path / "project", FILES)
    (root / "models/schema.yml").write_text(SCHEMA)
    result = review(root, "--check", "--select", "beta")
    assert result.exit_code == 3, result.output
    assert "skipped: beta: its entry is shared through a YAML anchor" in result.output
    assert review(root, "--check", "--select", "gamma").exit_code == 0
