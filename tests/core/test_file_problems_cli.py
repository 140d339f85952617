"""Files the run cannot edit or write are found before any request, reported per file, and left alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dbt import deprecations

from dbt_osmosis.core.dbt.project import ProjectOptions, load_project
from dbt_osmosis.core.document import DocumentOptions, plan_document, write_changes
from tests.fakes.fake_provider import FakeProviderServer, RecordedRequest
from tests.support.cli import RunCli
from tests.support.yaml_checks import columns

FAST = ("--synthesize", "--llm-rate-limit", "100000", "--llm-max-retries", "0")
STAGING = "models/staging/_staging.yml"
MARTS = "models/marts/_marts.yml"

# dbt accepts a duplicate key (the last one wins); a round-trip edit of the file cannot be made safely.
DUPLICATE_KEY_MARTS = """\
version: 2
models:
  - name: customers
    description: One row per customer.
    description: One row per customer, again.
    columns:
      - name: customer_id
        description: Hand-written mart description.
      - name: signup_date
"""


def _one_line(output: str) -> str:
    return " ".join(output.split())


def _asked_models(requests: list[RecordedRequest]) -> set[str]:
    return {r.prompt_text.split("Document the dbt model `", 1)[1].split("`", 1)[0] for r in requests}


def test_a_read_only_file_is_reported_and_left_alone_while_the_others_are_written(
    chain: Path, run_cli: RunCli
) -> None:
    staging = chain / STAGING
    before = staging.read_bytes()
    staging.chmod(0o444)
    result = run_cli(chain)
    assert result.exit_code == 3, result.output
    assert f"{STAGING} is read-only; left alone" in _one_line(result.output)
    assert "not edited: stg_customers" in _one_line(result.output)
    assert staging.read_bytes() == before
    assert stat.S_IMODE(staging.stat().st_mode) == 0o444
    # The change list shows no edits for the file that was left alone.
    assert f"\n{STAGING}\n" not in result.output
    # Everything else was still done.
    assert columns(chain / "models/intermediate/_int_customers.yml", "int_customers")
    assert columns(chain / MARTS, "customers")["status"]["description"]


def test_a_file_that_cannot_be_edited_safely_is_found_before_any_request(
    chain: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    marts = chain / MARTS
    marts.write_text(DUPLICATE_KEY_MARTS)
    try:
        result = run_cli(chain, "--disable-introspection", *FAST)
    finally:
        # dbt counts its deprecation warnings (a duplicate key is one) process-wide; later tests that
        # assert a warning-free parse must not see ours.
        deprecations.reset_deprecations()
    assert result.exit_code == 3, result.output
    output = _one_line(result.output)
    where = "cannot be edited safely at line 5, column 5: duplicate key `description`"
    assert f"error: {MARTS} {where}" in output
    assert "delete the key you do not mean and run again" in output
    assert "<unicode string>" not in output and "suppress" not in output
    # The error comes before the synthesis summary, and nobody paid for a request about `customers`.
    assert output.index(MARTS) < output.index("Synthesized")
    assert "customers" not in _asked_models(fake_provider.requests)
    assert fake_provider.requests
    assert marts.read_text() == DUPLICATE_KEY_MARTS
    staging = columns(chain / STAGING, "stg_customers")
    assert staging["first_name"]["description"] != "Pending further documentation"


def test_a_symlinked_file_inside_the_project_is_edited_at_its_target(chain: Path, run_cli: RunCli) -> None:
    store = chain / "yaml_store"
    store.mkdir()
    target = store / "_staging.yml"
    (chain / STAGING).rename(target)
    (chain / STAGING).symlink_to(os.path.relpath(target, (chain / STAGING).parent))
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    assert (chain / STAGING).is_symlink()
    assert columns(target, "stg_customers")["status"]["description"] == "Lifecycle status: active or churned."


def test_a_symlink_leading_out_of_the_project_is_reported_and_left_alone(
    chain: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "_staging.yml"
    outside.parent.mkdir()
    (chain / STAGING).rename(outside)
    (chain / STAGING).symlink_to(outside)
    before = outside.read_bytes()
    result = run_cli(chain)
    assert result.exit_code == 3, result.output
    assert f"{STAGING} is a symlink to {outside.resolve()}, outside the project; left alone" in _one_line(
        result.output
    )
    assert (chain / STAGING).is_symlink()
    assert outside.read_bytes() == before
    assert columns(chain / MARTS, "customers")["status"]["description"]


def test_a_file_that_fails_to_write_is_reported_and_the_others_are_written(chain: Path) -> None:
    project = load_project(ProjectOptions(project_dir=chain, profiles_dir=chain))
    plan = plan_document(project, DocumentOptions())
    staging_before = (chain / STAGING).read_bytes()

    def full_disk_for_staging(path: Path, text: str) -> None:
        # What a full disk or a file locked by an editor does at the last moment.
        if path.name == "_staging.yml":
            raise OSError(28, "No space left on device")
        path.write_text(text)

    written = write_changes(plan, writer=full_disk_for_staging)
    assert STAGING not in written and MARTS in written
    assert "No space left on device" in plan.blocked[STAGING]
    assert (chain / STAGING).read_bytes() == staging_before
    assert columns(chain / MARTS, "customers")["status"]["description"]


def test_a_tab_after_a_colon_is_reported_and_the_file_left_alone(chain: Path, run_cli: RunCli) -> None:
    staging = chain / STAGING
    text = staging.read_text().replace("description: Primary key", "description:\tPrimary key")
    staging.write_text(text)  # dbt reads this; a round-trip edit of it cannot be made safely
    result = run_cli(chain)
    assert result.exit_code == 3, result.output
    assert f"error: {STAGING} cannot be edited safely" in _one_line(result.output)
    assert "not edited: stg_customers" in _one_line(result.output)
    assert staging.read_text() == text
    # Downstream still inherits what that file says.
    mart = columns(chain / MARTS, "customers")
    assert mart["status"]["description"] == "Lifecycle status: active or churned."


@pytest.mark.parametrize("mode", ["--dry-run", "--check"])
def test_dry_run_and_check_report_files_that_cannot_be_edited_and_exit_3(
    chain: Path, run_cli: RunCli, mode: str
) -> None:
    # Documented once, then a column of the read-only file dropped: only that file would change.
    assert run_cli(chain).exit_code == 0
    staging = chain / STAGING
    text = staging.read_text()
    kept = text[: text.index("      - name: signup_date")]
    staging.write_text(kept)
    staging.chmod(0o444)
    result = run_cli(chain, mode)
    assert result.exit_code == 3, result.output
    assert f"{STAGING} is read-only; left alone" in _one_line(result.output)
    assert "not edited: stg_customers" in _one_line(result.output)
    assert staging.read_text() == kept
    # The run that would follow says the same.
    assert run_cli(chain).exit_code == 3
