"""dbt's selection syntax picks the same nodes as `dbt ls`; 1.x names and --fqn still work beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from dbt.cli.main import dbtRunner

from dbt_osmosis.cli.main import cli
from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project, working_directory
from dbt_osmosis.core.dbt.selection import Selection, select_nodes
from dbt_osmosis.core.errors import SelectionError
from tests.support.projects import ProjectStore, dbt, write_project

FILES = {
    "seeds/raw_orders.csv": "id,customer_id,amount\n1,1,10\n",
    "models/staging/_sources.yml": """
        version: 2
        sources:
          - name: shop
            schema: main
            tables:
              - name: orders
              - name: customers
    """,
    "models/staging/stg_orders.sql": """
        {{ config(tags=['finance']) }}
        select * from {{ source('shop', 'orders') }}
    """,
    "models/staging/stg_customers.sql": "select * from {{ source('shop', 'customers') }}\n",
    "models/staging/stg_raw_orders.sql": "select * from {{ ref('raw_orders') }}\n",
    "models/marts/orders.sql": """
        {{ config(materialized='table') }}
        select o.* from {{ ref('stg_orders') }} o join {{ ref('stg_customers') }} c using (customer_id)
    """,
    "models/marts/finance/revenue.sql": """
        {{ config(tags=['finance']) }}
        select * from {{ ref('orders') }}
    """,
    "selectors.yml": """
        selectors:
          - name: marts_only
            definition:
              method: path
              value: models/marts
    """,
}

P = "test_project"
SEED = f"seed.{P}.raw_orders"
SRC_ORDERS, SRC_CUSTOMERS = f"source.{P}.shop.orders", f"source.{P}.shop.customers"
STG_ORDERS, STG_CUSTOMERS, STG_RAW = (
    f"model.{P}.stg_orders",
    f"model.{P}.stg_customers",
    f"model.{P}.stg_raw_orders",
)
ORDERS, REVENUE = f"model.{P}.orders", f"model.{P}.revenue"


@pytest.fixture(scope="session")
def selection_project(project_store: ProjectStore) -> DbtProject:
    """The project parsed once per session; tests only read it."""
    root = project_store.built("selection", lambda root: write_project(root, FILES))
    return project_store.kept("selection", lambda: load_project(ProjectOptions(root, profiles_dir=root)))


def dbt_ls(root: Path, *args: str) -> set[str]:
    """What `dbt ls` says, from its own parse (not the run's manifest), restricted to what we document."""
    with working_directory(root):
        common = ["--project-dir", str(root), "--profiles-dir", str(root), "--quiet", "--log-level", "none"]
        types = ["--resource-type", "model", "--resource-type", "seed", "--resource-type", "source"]
        result = dbtRunner().invoke(
            [
                "ls",
                *common,
                "--output",
                "json",
                "--output-keys",
                "unique_id",
                *types,
                "--resource-type",
                "snapshot",
                *args,
            ]
        )
    assert result.success, result.exception
    return {json.loads(line)["unique_id"] for line in result.result}


def ids(project: DbtProject, selection: Selection) -> set[str]:
    return {node.unique_id for node in select_nodes(project, selection)}


FORMS = [
    (Selection(select=("+orders",)), {ORDERS, STG_ORDERS, STG_CUSTOMERS, SRC_ORDERS, SRC_CUSTOMERS}),
    (Selection(select=("orders+",)), {ORDERS, REVENUE}),
    (Selection(select=("tag:finance",)), {STG_ORDERS, REVENUE}),
    (Selection(select=("path:models/marts",)), {ORDERS, REVENUE}),
    (Selection(select=("source:shop.orders+",)), {SRC_ORDERS, STG_ORDERS, ORDERS, REVENUE}),
    (Selection(select=("source:shop",)), {SRC_ORDERS, SRC_CUSTOMERS}),
    (Selection(select=("config.materialized:table",)), {ORDERS}),
    (Selection(select=("stg_orders stg_customers",)), {STG_ORDERS, STG_CUSTOMERS}),
    (
        Selection(select=("path:models/staging",), exclude=("tag:finance",)),
        {STG_CUSTOMERS, STG_RAW, SRC_ORDERS, SRC_CUSTOMERS},
    ),
    (Selection(exclude=("path:models/staging", "source:shop")), {SEED, ORDERS, REVENUE}),
    (Selection(selector="marts_only"), {ORDERS, REVENUE}),
    (Selection(select=("@stg_raw_orders",)), {SEED, STG_RAW}),
]


def dbt_flags(selection: Selection) -> list[str]:
    flags: list[str] = []
    if selection.select:
        flags += ["--select", *" ".join(selection.select).split()]
    if selection.exclude:
        flags += ["--exclude", *" ".join(selection.exclude).split()]
    if selection.selector:
        flags += ["--selector", selection.selector]
    return flags


@pytest.mark.parametrize(("selection", "expected"), FORMS, ids=[s.describe() for s, _ in FORMS])
def test_selector_forms_pick_what_dbt_ls_picks(
    selection_project: DbtProject, selection: Selection, expected: set[str]
) -> None:
    chosen = ids(selection_project, selection)
    assert chosen == expected
    assert chosen == dbt_ls(selection_project.root, *dbt_flags(selection))


def test_positional_names_paths_and_fqn_still_work_and_add_up_with_select(
    selection_project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(selection_project.root)
    assert ids(selection_project, Selection(models=("stg_orders",))) == {STG_ORDERS}
    assert ids(selection_project, Selection(models=("models/marts",))) == {ORDERS, REVENUE}
    assert ids(selection_project, Selection(models=("shop.orders",))) == {SRC_ORDERS}
    assert ids(selection_project, Selection(fqn=("staging.stg_orders",))) == {STG_ORDERS}
    both = Selection(models=("stg_customers",), select=("tag:finance",), exclude=("revenue",))
    assert ids(selection_project, both) == {STG_CUSTOMERS, STG_ORDERS}


def test_selection_that_matches_nothing_or_is_invalid_is_bad_input(selection_project: DbtProject) -> None:
    with pytest.raises(SelectionError, match="tag:nothing"):
        select_nodes(selection_project, Selection(select=("tag:nothing",)))
    with pytest.raises(SelectionError, match="no_such_selector"):
        select_nodes(selection_project, Selection(selector="no_such_selector"))


@pytest.mark.slow
def test_state_modified_picks_what_changed_since_the_saved_manifest(
    selection_project: DbtProject, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    # The saved manifest comes from dbt itself, as in CI (a run's own parse writes no manifest.json).
    dbt(selection_project.root, "parse")
    shutil.copy(selection_project.root / "target" / "manifest.json", state / "manifest.json")
    changed = shutil.copytree(
        selection_project.root, tmp_path / "changed", ignore=shutil.ignore_patterns("target", "logs")
    )
    sql = changed / "models/staging/stg_customers.sql"
    sql.write_text(sql.read_text().replace("select *", "select customer_id, *"))
    project = load_project(ProjectOptions(project_dir=changed, profiles_dir=changed))
    assert ids(project, Selection(select=("state:modified",), state=state)) == {STG_CUSTOMERS}
    assert ids(project, Selection(select=("state:modified+",), state=state)) == {
        STG_CUSTOMERS,
        ORDERS,
        REVENUE,
    }
    assert ids(project, Selection(select=("state:modified+",), state=state)) == dbt_ls(
        changed, "--select", "state:modified+", "--state", str(state)
    )


def test_cli_select_and_exclude_limit_what_yaml_document_touches(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", FILES)
    result = CliRunner().invoke(
        cli,
        [
            "yaml",
            "document",
            "--project-dir",
            str(root),
            "--profiles-dir",
            str(root),
            "--disable-introspection",
            "-s",
            "+orders",
            "--exclude",
            "source:shop",
            "--exclude",
            "orders",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    created = sorted(p.relative_to(root).as_posix() for p in root.rglob("_*.yml"))
    # New entries only for the selected models: not for the seed, revenue, or orders (excluded).
    assert created == [
        "models/staging/_sources.yml",
        "models/staging/_stg_customers.yml",
        "models/staging/_stg_orders.yml",
    ]
