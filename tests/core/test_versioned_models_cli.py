"""Versioned models (`versions:` in a model's YAML): each version documented where dbt reads it.

orders has two versions: v1 (from raw_orders) reads every model-level column; v2 (from stg_orders,
which documents `id` its own way) includes all but `customer_name` and defines `status` itself. dbt
resolves v1 to id, customer_name (+ what is added at the model level) and v2 to id (+ model-level
additions) plus its own columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner
from ruamel.yaml import YAML

from dbt_osmosis.core.dbt.project import working_directory
from tests.fakes.fake_provider import FakeProviderServer
from tests.support.cli import RunCli
from tests.support.cli import run_review as review
from tests.support.llm import FAST, asked_columns
from tests.support.projects import ProjectStore, build, snapshot, write_project
from tests.support.yaml_checks import load

ORDERS_YML = """\
version: 2

models:
  - name: orders
    latest_version: 2
    columns:
      - name: id
      - name: customer_name  # gone in v2
    versions:
      - v: 1
      - v: 2
        description: Orders, with their status.
        columns:
          - include: all
            exclude: [customer_name]
          - name: status
            description: Where the order is, as v2 reports it.
"""

FILES = {
    "seeds/raw_orders.csv": """
        id,customer_name,amount,status,created_at
        1,Ada,10,placed,2024-01-02
        2,Grace,20,shipped,2024-02-03
    """,
    "seeds/_seeds.yml": """
        version: 2
        seeds:
          - name: raw_orders
            description: Orders as exported from the shop.
            columns:
              - name: id
                description: The shop's order id.
              - name: customer_name
                description: Name the customer gave at checkout.
              - name: amount
                description: Order total in dollars.
              - name: status
                description: Order status in the shop.
              - name: created_at
                description: When the order was placed.
    """,
    "models/orders_v1.sql": (
        "select id, customer_name, amount, 'web' as channel from {{ ref('raw_orders') }}\n"
    ),
    "models/stg_orders.sql": "select * from {{ ref('raw_orders') }}\n",
    "models/_stg_orders.yml": """
        version: 2
        models:
          - name: stg_orders
            description: Orders, staged.
            columns:
              - name: id
                description: Order id, as staged.
    """,
    "models/orders_v2.sql": (
        "select id, amount, status, created_at, amount * 100 as amount_cents, 'web' as channel"
        " from {{ ref('stg_orders') }}\n"
    ),
    "models/order_report.sql": "select id, status, amount_cents from {{ ref('orders', v=2) }}\n",
    "models/_orders.yml": ORDERS_YML,
}


def make_versioned(root: Path) -> None:
    write_project(root, FILES)
    # An absolute path of its own: dbt-duckdb reuses one open database for equal credentials in a
    # process, and the shared relative `warehouse.duckdb` would be another test project's file.
    (root / "profiles.yml").write_text(
        "test_project:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {root / 'warehouse.duckdb'}\n      threads: 1\n"
    )
    build(root)


@pytest.fixture
def versioned(project_store: ProjectStore, tmp_path: Path) -> Iterator[Path]:
    yield project_store.copy("versioned", make_versioned, tmp_path / "project")


def load_text(text: str) -> dict:
    return YAML(typ="safe").load(text)


def orders(root: Path) -> dict:
    return load(root / "models/_orders.yml")["models"][0]


def names(items: list[dict]) -> list[str]:
    return [item["name"] for item in items if "name" in item]


def by_name(items: list[dict]) -> dict[str, dict]:
    return {item["name"]: item for item in items if "name" in item}


def dbt_parse_columns(root: Path) -> dict[str, dict[str, str]]:
    """What dbt itself reads for each model's columns after the run (and that it still parses)."""
    with working_directory(root):
        result = dbtRunner().invoke(
            [
                "parse",
                "--project-dir",
                str(root),
                "--profiles-dir",
                str(root),
                "--quiet",
                "--log-level",
                "none",
            ]
        )
    assert result.success, result.exception
    return {
        unique_id: {name: column.description for name, column in node.columns.items()}
        for unique_id, node in result.result.nodes.items()
        if unique_id.startswith("model.")
    }


def test_each_version_gets_its_columns_where_dbt_reads_them(versioned: Path, run_cli: RunCli) -> None:
    result = run_cli(versioned)
    assert result.exit_code == 0, result.output
    assert "left as written" not in result.output
    model = orders(versioned)
    top = by_name(model["columns"])
    v1, v2 = model["versions"]
    # amount and channel are in both versions: they join the model-level list both read.
    assert names(model["columns"]) == ["id", "customer_name", "amount", "channel"]
    assert top["amount"]["description"] == "Order total in dollars."
    assert top["id"]["description"] == "The shop's order id."
    # v1 has no block of its own and gets none; v2 keeps its include/exclude element first.
    assert v1 == {"v": 1}
    assert v2["columns"][0] == {"include": "all", "exclude": ["customer_name"]}
    own = by_name(v2["columns"])
    # Only v2 has these: they go in v2's block, never in the list v1 reads.
    assert names(v2["columns"]) == ["status", "created_at", "amount_cents"]
    assert own["created_at"]["description"] == "When the order was placed."
    # The version's own text is kept, not replaced by the seed's.
    assert own["status"]["description"] == "Where the order is, as v2 reports it."
    assert v2["description"] == "Orders, with their status."
    # A child of v2 inherits what v2 documents (its own status text).
    report = by_name(load(versioned / "models/_order_report.yml")["models"][0]["columns"])
    assert report["status"]["description"] == "Where the order is, as v2 reports it."

    # dbt reads exactly those columns for each version, with the inherited texts.
    parsed = dbt_parse_columns(versioned)
    assert list(parsed["model.test_project.orders.v1"]) == ["id", "customer_name", "amount", "channel"]
    assert list(parsed["model.test_project.orders.v2"]) == [
        "id",
        "amount",
        "channel",
        "status",
        "created_at",
        "amount_cents",
    ]
    assert parsed["model.test_project.orders.v1"]["customer_name"] == "Name the customer gave at checkout."


def test_only_added_lines_change_and_a_second_run_changes_nothing(versioned: Path, run_cli: RunCli) -> None:
    first = run_cli(versioned, "--skip-add-data-types")
    assert "orders.v2: added columns created_at, amount_cents" in first.output
    text = (versioned / "models/_orders.yml").read_text()
    # Every original line is still there, in order, byte for byte (the comment included).
    original = ORDERS_YML.splitlines()
    lines = iter(text.splitlines())
    assert all(any(line == wanted for line in lines) for wanted in original), text
    before = snapshot(versioned)
    result = run_cli(versioned, "--skip-add-data-types")
    assert result.exit_code == 0, result.output
    assert "Nothing to change." in result.output
    assert snapshot(versioned) == before


def test_a_column_no_version_can_share_is_reported_not_guessed(versioned: Path, run_cli: RunCli) -> None:
    # Both versions read the model-level list and have no block of their own: amount_cents and
    # created_at exist only in v2, and putting them at the model level would document them for v1.
    yml = versioned / "models/_orders.yml"
    yml.write_text(
        "version: 2\nmodels:\n  - name: orders\n    latest_version: 2\n    columns:\n      - name: id\n"
        "    versions:\n      - v: 1\n      - v: 2\n"
    )
    result = run_cli(versioned, "--skip-add-data-types")
    assert result.exit_code == 0, result.output
    model = orders(versioned)
    assert names(model["columns"]) == ["id", "amount", "channel"]
    assert model["versions"] == [{"v": 1}, {"v": 2}]
    assert "orders.v2: column created_at not added" in result.output
    assert "orders.v1: column customer_name not added" in result.output
    dbt_parse_columns(versioned)


def test_an_unreadable_versions_shape_is_left_as_written_with_the_reason(
    versioned: Path, run_cli: RunCli
) -> None:
    yml = versioned / "models/_orders.yml"
    # v2 defines `ID` itself and also reads the model-level `id`: dbt keeps both, as two columns, and
    # which one a description belongs to cannot be told; v2 is left as written, v1 still documented.
    text = ORDERS_YML.replace(
        "          - name: status\n", "          - name: ID\n          - name: status\n"
    )
    yml.write_text(text)
    result = run_cli(versioned, "--skip-add-data-types")
    assert result.exit_code == 0, result.output
    assert (
        "orders.v2: in models/_orders.yml, its columns id are listed twice, in spellings dbt keeps apart"
        in " ".join(result.output.split())
    )
    model = orders(versioned)
    assert model["versions"][1]["columns"] == load_text(text)["models"][0]["versions"][1]["columns"]
    assert by_name(model["columns"])["id"]["description"] == "The shop's order id."


def test_with_force_inherit_versions_do_not_fight_over_a_shared_column(
    versioned: Path, run_cli: RunCli
) -> None:
    # v1's parent and v2's parent document `id` differently; both versions read the model-level `id`.
    # Only orders is selected: stg_orders keeps its own text (-F would replace it with the seed's).
    first = run_cli(versioned, "orders", "-F", "--skip-add-data-types")
    assert first.exit_code == 0, first.output
    assert by_name(orders(versioned)["columns"])["id"]["description"] == "The shop's order id."
    before = snapshot(versioned)
    again = run_cli(versioned, "orders", "-F", "--skip-add-data-types")
    assert "Nothing to change." in again.output, again.output
    assert snapshot(versioned) == before


def test_stale_columns_are_removed_only_from_the_version_that_owns_them(
    versioned: Path, run_cli: RunCli
) -> None:
    yml = versioned / "models/_orders.yml"
    yml.write_text(
        ORDERS_YML.replace(
            "      - name: customer_name  # gone in v2\n",
            "      - name: customer_name  # gone in v2\n      - name: legacy\n",
        )
        + "          - name: old_flag\n"
    )
    result = run_cli(versioned, "--remove-stale-columns", "--skip-add-data-types")
    assert result.exit_code == 0, result.output
    model = orders(versioned)
    # v2's own stale column goes; the model-level one is kept (removing it would change v1 too).
    assert "old_flag" not in names(model["versions"][1]["columns"])
    assert "legacy" in names(model["columns"])
    output = " ".join(result.output.split())
    assert "orders.v2: removed stale column old_flag" in output
    assert (
        "orders.v1: column(s) legacy are not in the warehouse but are read from the model-level columns"
        in output
    )
    dbt_parse_columns(versioned)


def test_synthesis_fills_each_gap_once_where_dbt_reads_it(
    versioned: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    result = run_cli(versioned, *FAST)
    assert result.exit_code == 0, result.output
    model = orders(versioned)
    v1, v2 = model["versions"]
    # v1 reads the model-level description: it is written there, once; v2's own one stays.
    assert model["description"]
    assert v1 == {"v": 1}
    assert v2["description"] == "Orders, with their status."
    # amount_cents exists only in v2: described in v2's block, and asked about once for the whole DAG
    # (order_report inherits it).
    assert by_name(v2["columns"])["amount_cents"]["description"]
    asked = {
        name: asked_columns(r)
        for r in fake_provider.requests
        for name in ("orders.v1", "orders.v2", "order_report")
        if f"Document the dbt model `{name}`" in r.prompt_text
    }
    # v1 asks for the model description and the model-level channel (nobody upstream documents
    # them); v2 reads both too: it waits for v1, finds them filled, and asks only about its own column.
    assert len(fake_provider.requests) == len(asked) == 3, [
        r.prompt_text[:200] for r in fake_provider.requests
    ]
    assert asked == {"orders.v1": ["channel"], "orders.v2": ["amount_cents"], "order_report": []}
    assert by_name(model["columns"])["channel"]["description"]
    report = by_name(load(versioned / "models/_order_report.yml")["models"][0]["columns"])
    assert report["amount_cents"]["description"] == by_name(v2["columns"])["amount_cents"]["description"]
    parsed = dbt_parse_columns(versioned)
    assert parsed["model.test_project.orders.v2"]["amount_cents"]

    fake_provider.reset()
    again = run_cli(versioned, *FAST)
    assert again.exit_code == 0, again.output
    assert fake_provider.requests == []
    assert "Nothing to change." in again.output


def test_marked_texts_of_versions_are_reviewed_once_and_never_refreshed_for_nothing(
    versioned: Path, run_cli: RunCli, llm_env: None, fake_provider: FakeProviderServer
) -> None:
    assert run_cli(versioned, *FAST, "--llm-mark-generated").exit_code == 0
    model = orders(versioned)
    assert model["config"]["meta"]["osmosis_generated"]["provider"] == "openai"
    assert by_name(model["columns"])["channel"]["meta"]["osmosis_generated"]
    assert by_name(model["versions"][1]["columns"])["amount_cents"]["meta"]["osmosis_generated"]

    # Both versions read the model description and channel: each text is listed once, under v1.
    listing = " ".join(review(versioned).output.split())
    assert "orders.v1 openai/gpt-4.1-mini current" in listing, listing
    assert "orders.v1.channel openai/gpt-4.1-mini current" in listing
    assert "orders.v2.amount_cents openai/gpt-4.1-mini current" in listing
    assert "orders.v2.channel" not in listing and "orders.v2 openai" not in listing
    # A child of a version hashes its parent's docs as synthesis did: its text is current too.
    assert "order_report openai/gpt-4.1-mini current" in listing and "(0 stale)" in listing

    # v2's SQL differs from v1's; the texts v1 answers for are not stale because of v2.
    fake_provider.reset()
    before = snapshot(versioned)
    again = run_cli(versioned, *FAST, "--llm-refresh-stale")
    assert again.exit_code == 0, again.output
    assert fake_provider.requests == []
    assert snapshot(versioned) == before

    assert review(versioned, "--accept").exit_code == 0
    assert review(versioned, "--check").exit_code == 0
    model = orders(versioned)
    assert "meta" not in by_name(model["versions"][1]["columns"])["amount_cents"]
    assert "config" not in model


def test_a_column_a_version_excludes_is_not_listed_twice_at_the_model_level(
    versioned: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    # v2's relation spells customer_name in capitals: the model-level `customer_name`, which v2
    # excludes, must not get a twin `CUSTOMER_NAME` beside it (dbt would give v1 two columns).
    def columns(*names: str) -> dict[str, dict[str, object]]:
        return {name: {"name": name, "index": index, "type": "VARCHAR"} for index, name in enumerate(names)}

    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.test_project.orders.v1": {"columns": columns("id", "customer_name", "amount")},
                    "model.test_project.orders.v2": {
                        "columns": columns("id", "amount", "CUSTOMER_NAME", "status")
                    },
                }
            }
        )
    )
    result = run_cli(versioned, "--catalog-path", str(catalog), "--skip-add-data-types")
    assert result.exit_code == 0, result.output
    model = orders(versioned)
    assert names(model["columns"]) == ["id", "customer_name", "amount"]
    assert names(model["versions"][1]["columns"]) == ["CUSTOMER_NAME", "status"]
    parsed = dbt_parse_columns(versioned)
    assert list(parsed["model.test_project.orders.v1"]) == ["id", "customer_name", "amount"]
    assert list(parsed["model.test_project.orders.v2"]) == ["id", "amount", "CUSTOMER_NAME", "status"]
