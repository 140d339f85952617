"""`dbt-osmosis yaml document` end to end on a built dbt-duckdb project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import Result

from tests.support.cli import RunCli, run_document
from tests.support.projects import ProjectStore, copy_project, snapshot
from tests.support.yaml_checks import columns, load


@pytest.fixture(scope="session")
def documented_chain(project_store: ProjectStore, built_chain: Path) -> tuple[Path, Result]:
    """The chain after one plain `yaml document`, run once per session: for tests that only read it."""
    root = project_store.built("chain-documented", lambda root: copy_project(built_chain, root))
    return root, project_store.kept("chain-documented", lambda: run_document(root))


def test_docs_flow_down_a_four_level_chain_in_one_run(documented_chain: tuple[Path, Result]) -> None:
    chain, result = documented_chain
    assert result.exit_code == 0, result.output

    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    assert staging["status"]["description"] == "Lifecycle status: active or churned."
    assert staging["id"]["description"] == "The CRM's customer id."
    # int_customers had no YAML: it gets its own file, next to the model, with inherited docs.
    intermediate = columns(chain / "models/intermediate/_int_customers.yml", "int_customers")
    assert intermediate["customer_id"]["description"] == "Primary key of a customer."
    assert intermediate["status"]["description"] == "Lifecycle status: active or churned."
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["status"]["description"] == "Lifecycle status: active or churned."
    assert mart["id"]["description"] == "The CRM's customer id."
    # Tags and meta travel with the description.
    assert mart["id"]["tags"] == ["pii"]
    assert mart["id"]["meta"] == {"owner": "crm-team"}


def test_columns_are_added_in_warehouse_order_with_data_types(documented_chain: tuple[Path, Result]) -> None:
    chain, _ = documented_chain
    entry = load(chain / "models/intermediate/_int_customers.yml")["models"][0]
    assert [col["name"] for col in entry["columns"]] == [
        "customer_id",
        "first_name",
        "status",
        "signup_date",
        "id",
    ]
    assert entry["columns"][0]["data_type"] == "INTEGER"
    assert entry["columns"][3]["data_type"] == "DATE"


def test_placeholders_count_as_missing_and_hand_written_docs_stay(
    documented_chain: tuple[Path, Result],
) -> None:
    chain, _ = documented_chain
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["customer_id"]["description"] == "Hand-written mart description."
    staging = columns(chain / "models/staging/_staging.yml", "stg_customers")
    # "Pending further documentation" upstream of nothing documented stays a placeholder, not invented.
    assert staging["first_name"]["description"] == "Pending further documentation"
    assert staging["customer_id"]["description"] == "Primary key of a customer."


def test_custom_placeholder_is_treated_as_missing(chain: Path, run_cli: RunCli) -> None:
    path = chain / "models/marts/_marts.yml"
    path.write_text(path.read_text().replace("Hand-written mart description.", "fill me in"))
    run_cli(chain, "--placeholder", "FILL ME IN")
    assert columns(path, "customers")["customer_id"]["description"] == "Primary key of a customer."


def test_force_inherit_replaces_hand_written_descriptions(chain: Path, run_cli: RunCli) -> None:
    run_cli(chain, "-F")
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["customer_id"]["description"] == "Primary key of a customer."


def test_comments_quotes_blank_lines_and_tests_survive_byte_for_byte(chain: Path, run_cli: RunCli) -> None:
    path = chain / "models/staging/_staging.yml"
    before = path.read_text()
    run_cli(chain)
    after = path.read_text()
    # Every original line is still there, in the same order: the run only inserted lines.
    remaining = iter(after.splitlines())
    for line in before.splitlines():
        if line.strip() == 'description: ""':
            continue  # the one line the run deliberately filled
        assert any(candidate == line for candidate in remaining), f"lost or moved: {line!r}"
    assert "# Staging models: one per raw table." in after
    assert "  - name: stg_customers   # cleaned customers\n" in after
    assert "    description: 'Customers, renamed and typed.'\n" in after
    # The blank line stays right above the entry it preceded, even with a new column inserted before it.
    assert "\n\n      - name: first_name\n" in after
    assert '        description: "Lifecycle status: active or churned."\n' in after


def test_second_run_changes_nothing(chain: Path, run_cli: RunCli) -> None:
    run_cli(chain)
    first = snapshot(chain)
    result = run_cli(chain)
    assert result.exit_code == 0
    assert "Nothing to change." in result.output
    assert snapshot(chain) == first
    assert run_cli(chain, "--check").exit_code == 0


def test_dry_run_writes_nothing_and_check_exits_one(chain: Path, run_cli: RunCli) -> None:
    before = snapshot(chain)
    dry = run_cli(chain, "--dry-run")
    assert dry.exit_code == 0
    assert "would change" in dry.output
    check = run_cli(chain, "--check")
    assert check.exit_code == 1
    assert snapshot(chain) == before


def test_new_entries_follow_the_path_template(chain: Path, run_cli: RunCli) -> None:
    project_file = chain / "dbt_project.yml"
    project_file.write_text(
        project_file.read_text() + 'models:\n  test_project:\n    +dbt-osmosis: "/models/docs/{parent}.yml"\n'
    )
    run_cli(chain)
    assert (chain / "models/docs/intermediate.yml").is_file()
    assert not (chain / "models/intermediate/_int_customers.yml").exists()
    # Existing entries stay where they are.
    assert "stg_customers" in (chain / "models/staging/_staging.yml").read_text()


def test_selecting_one_model_touches_only_its_file(chain: Path, run_cli: RunCli) -> None:
    before = snapshot(chain)
    result = run_cli(chain, "customers")
    assert result.exit_code == 0, result.output
    after = snapshot(chain)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {"models/marts/_marts.yml"}
    # Upstream docs are still inherited from unselected parents through the whole chain.
    assert columns(chain / "models/marts/_marts.yml", "customers")["status"]["description"] == (
        "Lifecycle status: active or churned."
    )


def test_catalog_json_replaces_introspection(chain: Path, run_cli: RunCli, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        '{"nodes": {"model.test_project.customers": {"columns": {'
        '"CUSTOMER_ID": {"name": "CUSTOMER_ID", "type": "BIGINT", "index": 1},'
        '"EXTRA": {"name": "EXTRA", "type": "TEXT", "index": 2}}}}}'
    )
    result = run_cli(chain, "customers", "--catalog-path", str(catalog), "--output-to-lower")
    assert result.exit_code == 0, result.output
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert mart["extra"]["data_type"] == "text"
    assert mart["customer_id"]["data_type"] == "bigint"


def test_disable_introspection_adds_no_columns(chain: Path, run_cli: RunCli) -> None:
    run_cli(chain, "--disable-introspection")
    mart = columns(chain / "models/marts/_marts.yml", "customers")
    assert set(mart) == {"customer_id"}
    assert "data_type" not in mart["customer_id"]


def test_an_inherited_description_is_written_the_same_whether_or_not_its_parent_file_was_edited(
    chain: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # The seed's `status` text is double-quoted there. Whether a run also edits the seed's file (to
    # add its missing columns) must not change how the copies downstream are written.
    other = tmp_path / "other"
    shutil.copytree(chain, other)
    assert run_cli(chain).exit_code == 0  # edits the seed's file too
    shutil.copy(chain / "seeds/_seeds.yml", other / "seeds/_seeds.yml")
    assert run_cli(other).exit_code == 0  # the seed's file is complete: read, never edited
    assert (other / "seeds/_seeds.yml").read_bytes() == (chain / "seeds/_seeds.yml").read_bytes()
    for relative in ("models/intermediate/_int_customers.yml", "models/marts/_marts.yml"):
        texts = [(root / relative).read_text() for root in (chain, other)]
        lines = [[line for line in text.splitlines() if "Lifecycle" in line] for text in texts]
        assert lines[0] == lines[1] == ["        description: 'Lifecycle status: active or churned.'"]


def test_an_entry_whose_model_was_renamed_is_pointed_out(chain: Path, run_cli: RunCli) -> None:
    # stg_customers.sql renamed after its YAML was written: the old entry (with its tests) would
    # otherwise sit there documenting nothing, and dbt's own warning is not shown.
    staging = chain / "models/staging/_staging.yml"
    staging.write_text(staging.read_text() + "  - name: stg_orders_old\n    description: Orders.\n")
    result = run_cli(chain)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "matches no" in line]
    assert warnings == [
        "warning: models/staging/_staging.yml: `stg_orders_old` under `models:` matches no model in the "
        "project (renamed or deleted?); its entry and tests document nothing."
    ]
    assert "  - name: stg_orders_old\n    description: Orders.\n" in staging.read_text()
