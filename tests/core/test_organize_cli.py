"""`yaml organize` and `yaml refactor`: entries move to the file their template says, losing nothing."""

from __future__ import annotations

import os
import shlex
import shutil
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ruamel.yaml import YAML

from dbt_osmosis.core.dbt.project import ProjectOptions, load_project
from tests.support.cli import run_command as invoke
from tests.support.projects import ProjectStore, snapshot, write_project
from tests.support.yaml_checks import load

PROJECT_CONFIG = """
models:
  test_project:
    +dbt-osmosis: "_{model}.yml"
seeds:
  test_project:
    +dbt-osmosis: "_seeds.yml"
vars:
  dbt-osmosis:
    sources:
      shop: staging/_shop_sources.yml
      payments:
        path: /staging/_payments.yml
        schema: raw_payments
"""

STG_ORDERS_BLOCK = """\
  # Orders, as the shop sends them.
  - name: stg_orders   # the main one
    description: '{{ doc("order_id") }}'
    columns:
      - name: order_id
        description: "{{ doc('order_id') }}"
        data_tests: [unique]
"""

FILES = {
    "seeds/raw_customers.csv": "id,name\n1,Ada\n",
    "seeds/props.yml": """
        version: 2
        seeds:
            -   name: raw_customers
                description: Raw customers.
                columns:
                    -   name: id
                        description: The CRM id.
    """,
    "models/docs.md": "{% docs order_id %}The order id.{% enddocs %}\n",
    "models/staging/stg_orders.sql": "select 1 as order_id, 1 as id from {{ source('shop', 'orders') }}\n",
    "models/staging/stg_customers.sql": "select id, name from {{ ref('raw_customers') }}\n",
    "models/marts/orders.sql": "select order_id, id from {{ ref('stg_orders') }}\n",
    "models/marts/customers.sql": "select id, name from {{ ref('stg_customers') }}\n",
    "models/marts/undocumented.sql": "select order_id from {{ ref('orders') }}\n",
    "models/schema.yml": "version: 2\n\n# All the models.\nmodels:\n"
    + STG_ORDERS_BLOCK
    + """
  - name: stg_customers
    description: |
      Customers.
      # a line of the description, not a comment
    config:
      tags: [pii]

  - name: orders
    description: Orders mart.
    columns:
      - name: order_id

sources:
  - name: shop   # raw shop data
    schema: main
    tables:
      - name: orders
        columns:
          - name: order_id
            description: Shop order id.
""",
    # Already where its template says: must stay byte for byte.
    "models/marts/_customers.yml": """
        version: 2
        models:
          - name: customers   # kept as is
            description: "Customers mart."
    """,
    # Not a node's entry: organize never touches it.
    "models/exposures.yml": """
        version: 2
        exposures:
          - name: dashboard
            type: dashboard
            owner: {email: a@b.c}
            depends_on: [ref('customers')]
    """,
}


def make_organize(root: Path) -> None:
    write_project(root, FILES)
    (root / "dbt_project.yml").write_text((root / "dbt_project.yml").read_text() + PROJECT_CONFIG)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        # The source shop.orders, and a schema with tables for the source only declared in vars.
        con.execute("create table main.orders (order_id integer)")
        con.execute("create schema raw_payments")
        con.execute("create table raw_payments.payments (id integer, amount decimal(10, 2))")
        con.execute("create table raw_payments.refunds (id integer)")


@pytest.fixture
def organize_project(project_store: ProjectStore, tmp_path: Path) -> Path:
    built = project_store.built("organize", make_organize)
    root = Path(shutil.copytree(built, tmp_path / "project", ignore=shutil.ignore_patterns("target")))
    # dbt-duckdb keeps one in-process database per set of credentials; a relative path that every test
    # project shares would open another test's file. A name of its own gives this copy its own.
    own = f"{tmp_path.name}.duckdb"
    (root / "warehouse.duckdb").rename(root / own)
    profiles = root / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("path: warehouse.duckdb", f"path: {own}"))
    return root


def test_organize_moves_every_entry_to_its_template_file_losing_nothing(organize_project: Path) -> None:
    root = organize_project
    untouched = {p: snapshot(root)[p] for p in ("models/marts/_customers.yml", "models/exposures.yml")}
    result = invoke(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 0, result.output
    after = snapshot(root)
    # Entries wrongly grouped in one file each went to their own, with their comments and doc() refs.
    assert after["models/staging/_stg_orders.yml"].decode() == "version: 2\n\nmodels:\n" + STG_ORDERS_BLOCK
    customers = (root / "models/staging/_stg_customers.yml").read_text()
    assert "      # a line of the description, not a comment\n    config:\n      tags: [pii]\n" in customers
    assert load(root / "models/marts/_orders.yml")["models"] == [
        {"name": "orders", "description": "Orders mart.", "columns": [{"name": "order_id"}]}
    ]
    # A 4-space seed file keeps its style in the new file; the source went where vars say.
    assert "seeds:\n    -   name: raw_customers\n" in (root / "seeds/_seeds.yml").read_text()
    assert "  - name: shop   # raw shop data\n" in (root / "models/staging/_shop_sources.yml").read_text()
    # A model without YAML gets an entry where its template says.
    assert load(root / "models/marts/_undocumented.yml")["models"] == [{"name": "undocumented"}]
    # Files left without entries are deleted, unless they hold a comment that belongs to no entry;
    # files already right are byte for byte the same.
    assert after["models/schema.yml"] == b"version: 2\n\n# All the models.\n"
    assert "seeds/props.yml" not in after
    assert "models/schema.yml has no entries left but was kept for its 1 comment line(s)" in result.output
    assert {p: after[p] for p in untouched} == untouched

    # dbt finds every entry in its new file, and a second organize changes nothing.
    project = load_project(ProjectOptions(project_dir=root, profiles_dir=root))
    patches = {node.unique_id: node.patch_path for node in project.nodes.values()}
    assert patches["model.test_project.stg_orders"] == "models/staging/_stg_orders.yml"
    assert patches["model.test_project.orders"] == "models/marts/_orders.yml"
    assert patches["seed.test_project.raw_customers"] == "seeds/_seeds.yml"
    assert patches["source.test_project.shop.orders"] == "models/staging/_shop_sources.yml"
    again = invoke(root, "yaml", "organize", "--disable-introspection", "--check")
    assert again.exit_code == 0, again.output
    assert snapshot(root) == after


def test_dry_run_and_check_write_nothing(organize_project: Path) -> None:
    before = snapshot(organize_project)
    dry = invoke(organize_project, "yaml", "organize", "--disable-introspection", "--dry-run")
    assert dry.exit_code == 0
    assert "moved stg_orders: models/schema.yml -> models/staging/_stg_orders.yml" in dry.output
    assert "removed seeds/props.yml (no entries left)" in dry.output
    check = invoke(organize_project, "yaml", "organize", "--disable-introspection", "-C")
    assert check.exit_code == 1
    assert "would change" in check.output
    assert snapshot(organize_project) == before


def test_source_declared_in_vars_is_created_from_the_warehouse(organize_project: Path) -> None:
    result = invoke(organize_project, "yaml", "organize", "--auto-apply", "stg_customers")
    assert result.exit_code == 0, result.output
    created = load(organize_project / "models/staging/_payments.yml")
    assert created["sources"] == [
        {
            "name": "payments",
            "schema": "raw_payments",
            "tables": [
                {"name": "payments", "columns": [{"name": "id", "data_type": "INTEGER"},
                                                 {"name": "amount", "data_type": "DECIMAL(10,2)"}]},
                {"name": "refunds", "columns": [{"name": "id", "data_type": "INTEGER"}]},
            ],
        }
    ]  # fmt: skip
    # Declared sources are created whatever is selected; of the entries, only the selected one moved.
    assert "stg_customers" in (organize_project / "models/staging/_stg_customers.yml").read_text()
    assert "stg_orders" in (organize_project / "models/schema.yml").read_text()


def test_refactor_organizes_then_documents_in_one_run(organize_project: Path) -> None:
    root = organize_project
    before = load(root / "models/schema.yml")["models"]
    result = invoke(root, "yaml", "refactor", "--disable-introspection", "--use-unrendered-descriptions")
    assert result.exit_code == 0, result.output
    assert sum(line.startswith("moved ") for line in result.output.splitlines()) == 5
    # Every original entry kept every key (document only adds), and its comments.
    for entry in before:
        moved = next(
            e
            for p in root.rglob("_*.yml")
            for e in (load(p).get("models") or [])
            if e["name"] == entry["name"]
        )
        assert set(entry) <= set(moved)
    text = (root / "models/staging/_stg_orders.yml").read_text()
    assert "# Orders, as the shop sends them." in text and "# the main one" in text
    # ...and document then worked on the moved entries: orders inherits the doc() reference as written.
    orders = load(root / "models/marts/_orders.yml")["models"][0]
    assert orders["columns"][0]["description"] == "{{ doc('order_id') }}"
    # dbt parses the result, and a second refactor changes nothing.
    check = invoke(root, "yaml", "refactor", "--disable-introspection", "--check")
    assert check.exit_code == 0, check.output


def test_one_node_in_two_places_is_a_clear_error(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "project",
        {
            "models/orders_v1.sql": "select 1 as id\n",
            "models/orders_v2.sql": "select 2 as id\n",
            "models/schema.yml": """
                version: 2
                models:
                  - name: orders
                    latest_version: 2
                    versions:
                      - v: 1
                      - v: 2
            """,
        },
        osmosis_template="_{node.fqn}.yml",
    )
    before = snapshot(root)
    result = invoke(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 2
    assert "in two places" in result.output
    assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_models_without_a_template_keep_their_entries(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "project",
        {
            "models/a.sql": "select 1 as id\n",
            "models/schema.yml": textwrap.dedent(
                """
                version: 2
                models:
                  - name: a
                """
            ),
        },
    )
    result = invoke(root, "yaml", "organize", "--disable-introspection")
    assert result.exit_code == 0, result.output
    assert "Nothing to change." in result.output
    assert (root / "models/schema.yml").is_file()


def test_1x_pre_commit_hook_id_runs_refactor_and_fixes_files(organize_project: Path) -> None:
    hooks = YAML(typ="safe").load(
        (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    )
    hook = next(h for h in hooks if h["id"] == "dbt-osmosis")
    assert hook["pass_filenames"] is False and "--synthesize" not in hook["entry"]
    entry = shlex.split(hook["entry"])
    assert entry[:3] == ["dbt-osmosis", "yaml", "refactor"]
    before = snapshot(organize_project)
    result = invoke(organize_project, *entry[1:], "--disable-introspection")
    assert result.exit_code == 0, result.output
    # pre-commit fails a hook that changed files: the entries were moved and documented in place.
    assert snapshot(organize_project) != before
    # Only its comment that belongs to no entry is left in the file they came from.
    assert "models" not in load(organize_project / "models/schema.yml")


def _entries_on_disk(root: Path) -> dict[str, list[str]]:
    """Model name -> every file that holds an entry for it (dbt accepts exactly one)."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.yml")):
        if "target" in path.parts or path.name in {"dbt_project.yml", "profiles.yml"}:
            continue
        for entry in load(path).get("models") or []:
            found.setdefault(entry["name"], []).append(path.relative_to(root).as_posix())
    return found


@pytest.mark.parametrize("command", ["organize", "refactor"])
@pytest.mark.parametrize("selection", [(), ("stg_orders", "orders")], ids=["all", "two"])
def test_a_move_into_a_read_only_file_loses_no_entry(
    organize_project: Path, command: str, selection: tuple[str, ...]
) -> None:
    root = organize_project
    target = root / "models/staging/_stg_orders.yml"
    target.write_text("version: 2\n")
    target.chmod(0o444)
    before = _entries_on_disk(root)
    result = invoke(root, "yaml", command, "--disable-introspection", "--auto-apply", *selection)
    assert result.exit_code == 3, result.output
    assert "models/staging/_stg_orders.yml is read-only; left alone" in " ".join(result.output.split())
    assert target.read_text() == "version: 2\n"
    # stg_orders stayed where it was, in exactly one file, and so did whatever shares its file.
    after = _entries_on_disk(root)
    assert after["stg_orders"] == before["stg_orders"] == ["models/schema.yml"]
    assert all(len(files) == 1 for files in after.values()), after
    assert set(after) >= set(before)
    # The moves that do not touch the read-only file were made.
    assert after["orders"] == ["models/marts/_orders.yml"]


@pytest.mark.parametrize("mode", ["--dry-run", "--check"])
def test_dry_run_and_check_report_a_file_organize_cannot_write(organize_project: Path, mode: str) -> None:
    root = organize_project
    assert invoke(root, "yaml", "organize", "--disable-introspection").exit_code == 0
    organized = root / "models/marts/_orders.yml"
    # Someone put orders back in a file of its own name: the move home is blocked by a read-only file.
    text = organized.read_text()
    (root / "models/marts/orders.yml").write_text(text)
    organized.write_text("version: 2\n")
    organized.chmod(0o444)
    before = snapshot(root)
    result = invoke(root, "yaml", "organize", "--disable-introspection", mode)
    assert result.exit_code == 3, result.output
    assert "models/marts/_orders.yml is read-only; left alone" in " ".join(result.output.split())
    assert snapshot(root) == before


@pytest.fixture
def staging_folder_refuses_writes(organize_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """models/staging turns read-only once the run has checked it: every file put there fails.

    Running as root, a real read-only folder would still take the files; the refusal is made where the
    atomic write renames its temporary file into the folder, with the error a read-only folder gives.
    """
    folder = (organize_project / "models/staging").resolve()
    real_replace = os.replace

    def replace(source: Any, destination: Any, **kwargs: Any) -> None:
        if Path(destination).parent == folder:
            raise PermissionError(13, "Permission denied", str(destination))
        real_replace(source, destination, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return folder


@pytest.mark.parametrize("command", ["organize", "refactor"])
@pytest.mark.parametrize("selection", [(), ("stg_orders", "orders")], ids=["all", "two"])
def test_a_folder_that_refuses_writes_midway_loses_no_entry(
    organize_project: Path, staging_folder_refuses_writes: Path, command: str, selection: tuple[str, ...]
) -> None:
    root = organize_project
    before = snapshot(root)
    entries_before = _entries_on_disk(root)
    result = invoke(root, "yaml", command, "--disable-introspection", "--auto-apply", *selection)
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert "could not be written (Permission denied); not changed" in output
    # Every entry of models/schema.yml moves into or out of the refused folder's files or with them:
    # that file and every file joined to it by a move are as they were, and no entry is in two files.
    after = snapshot(root)
    assert after["models/schema.yml"] == before["models/schema.yml"]
    assert not [path for path in after if path.startswith("models/staging/")]
    assert "models/marts/_orders.yml" not in after
    entries_after = _entries_on_disk(root)
    assert {name: files for name, files in entries_after.items() if name in entries_before} == entries_before
    if not selection:
        # A move with no file in that folder (the seed's) was made, and its emptied file deleted.
        assert "seeds/_seeds.yml" in after and "seeds/props.yml" not in after
