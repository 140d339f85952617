"""`yaml document` on DuckDB and on a real PostgreSQL: what depends on the adapter, checked on both.

Columns are read in bulk through the adapter's catalog macros; every test here holds that to what the
per-relation path (``get_columns_in_relation`` for each node) writes, byte for byte, and checks the
faults a remote warehouse adds: a catalog the user may not read, a connection that dies half way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dbt_osmosis.core.dbt import bulk_catalog
from dbt_osmosis.core.dbt import catalog as catalog_module
from tests.support.cli import RunCli
from tests.support.projects import build, copy_project, snapshot, write_project
from tests.support.warehouses import Warehouse
from tests.support.yaml_checks import columns, load

# Tables made by the project's on-run-start hook: SQL both warehouses accept.
SETUP = [
    "create schema if not exists raw",
    "create table if not exists raw.orders (id integer, amount numeric(10,2), note varchar(20), placed_at "
    "timestamp, flag boolean)",
    'create table if not exists raw."MixedCase" ("Id" integer, "Some Col" varchar)',
]

FILES = {
    "models/sources.yml": """
        version: 2
        sources:
          - name: raw
            schema: raw
            tables:
              - name: orders
              - name: MixedCase
                quoting:
                  identifier: true
              - name: missing
              - name: '"GROUP"'
    """,
    "models/stg_orders.sql": "select id as order_id, note, amount from {{ source('raw', 'orders') }}\n",
    "models/eph.sql": "{{ config(materialized='ephemeral') }}\nselect 1 as x\n",
    "models/mart/order_facts.sql": (
        "{{ config(schema='mart', materialized='table') }}\n"
        "select o.order_id, o.amount, e.x from {{ ref('stg_orders') }} o cross join {{ ref('eph') }} e\n"
    ),
}

#: The data types each adapter's get_columns_in_relation reports, as written without the 1.x flags.
TYPES = {
    "duckdb": {"id": "INTEGER", "amount": "DECIMAL(10,2)", "note": "VARCHAR", "placed_at": "TIMESTAMP"},
    "postgres": {
        "id": "integer",
        "amount": "numeric",
        "note": "character varying",
        "placed_at": "timestamp without time zone",
    },
}

CATALOG_WARNING = "Cannot read the warehouse catalog in one query per schema"


def _make(warehouse: Warehouse, root: Path, *, threads: int = 1) -> Path:
    write_project(root, FILES)
    hooks = "".join("  - " + _yaml_string(sql) + "\n" for sql in SETUP)
    with (root / "dbt_project.yml").open("a") as handle:
        handle.write("on-run-start:\n" + hooks)
    (root / "profiles.yml").write_text(warehouse.profile(threads=threads))
    build(root)
    return root


def _source_columns(path: Path, table: str) -> dict[str, dict[str, Any]]:
    entry = next(t for t in load(path)["sources"][0]["tables"] if t["name"] == table)
    return {col["name"]: col for col in entry.get("columns", [])}


def _yaml_of(root: Path, model: str) -> Path:
    return next(p for p in (root / "models").rglob("*.yml") if f"name: {model}" in p.read_text())


def _yaml_string(sql: str) -> str:
    return '"' + sql.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def project(warehouse: Warehouse, tmp_path: Path) -> Path:
    """The project built on the test's warehouse, read over two threads (three schemas)."""
    return _make(warehouse, tmp_path / "project", threads=2)


def _per_relation_run(root: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    # No translator for any adapter: every relation is read on its own, as before bulk reads existed.
    with monkeypatch.context() as patch:
        patch.setattr(bulk_catalog, "TRANSLATORS", {})
        return run_cli(root, *args)


def test_columns_types_case_and_other_schemas(project: Path, warehouse: Warehouse, run_cli: RunCli) -> None:
    result = run_cli(project)
    assert result.exit_code == 0, result.output
    sources = project / "models/sources.yml"
    orders = _source_columns(sources, "orders")
    assert list(orders) == ["id", "amount", "note", "placed_at", "flag"]  # warehouse order
    assert {name: orders[name].get("data_type") for name in TYPES[warehouse.name]} == TYPES[warehouse.name]
    assert list(_source_columns(sources, "MixedCase")) == ["Id", "Some Col"]  # quoted, case kept
    assert _source_columns(sources, "missing") == {}  # not built: nothing added
    # A model in another schema (mart) is read as well, its columns in the table's order.
    assert list(columns(_yaml_of(project, "order_facts"), "order_facts")) == ["order_id", "amount", "x"]
    # A name DuckDB cannot quote warns there and gets no columns; the run goes on. Postgres looks the
    # name up as a string, finds no such table, and says nothing, as for any table not built yet.
    assert _source_columns(sources, '"GROUP"') == {}
    unreadable = 'raw."GROUP": cannot read the columns' in result.output
    assert unreadable == (warehouse.name == "duckdb"), result.output
    assert CATALOG_WARNING not in result.output


@pytest.mark.parametrize("flags", [(), ("--numeric-precision-and-scale", "--string-length")])
def test_bulk_read_writes_what_per_relation_reads_write(
    project: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    flags: tuple[str, ...],
) -> None:
    before = copy_project(project, tmp_path / "per_relation")
    bulk = run_cli(project, *flags)
    per_relation = _per_relation_run(before, run_cli, monkeypatch, *flags)
    assert bulk.exit_code == per_relation.exit_code == 0, bulk.output + per_relation.output
    assert snapshot(project) == snapshot(before)
    assert bulk.output.replace(str(project), "P") == per_relation.output.replace(str(before), "P")


def test_a_refused_catalog_query_reads_each_relation_and_warns_once(
    project: Path, warehouse: Warehouse, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected_root = copy_project(project, tmp_path / "expected")
    expected = _per_relation_run(expected_root, run_cli, monkeypatch)
    # The project overrides the adapter's catalog macros with ones that fail as a missing grant does.
    (project / "macros").mkdir()
    (project / "macros/refuse.sql").write_text(
        "".join(
            f"{{% macro {warehouse.name}__{name}(information_schema, {arg}) %}}"
            "{{ exceptions.raise_compiler_error('permission denied for table pg_class') }}"
            "{% endmacro %}\n"
            for name, arg in (("get_catalog_relations", "relations"), ("get_catalog", "schemas"))
        )
    )
    result = run_cli(project)
    assert result.exit_code == 0, result.output
    assert result.output.count(CATALOG_WARNING) == 1, result.output
    assert "permission denied for table pg_class" in result.output, result.output
    assert "3 schema(s)" in result.output  # raw, main and mart each fell back
    (project / "macros/refuse.sql").unlink()
    assert snapshot(project) == snapshot(expected_root), expected.output


def test_nothing_is_asked_for_ephemeral_deselected_or_uninspected_nodes(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[list[str]] = []
    real = catalog_module.columns_in_relations

    def recording(adapter: Any, relations: dict[str, Any], **kwargs: Any) -> Any:
        asked.append(sorted(relations))
        return real(adapter, relations, **kwargs)

    monkeypatch.setattr(catalog_module, "columns_in_relations", recording)
    assert run_cli(copy_project(project, tmp_path / "all"), "--check").exit_code in (0, 1)
    assert asked and "model.test_project.eph" not in asked[-1]
    assert "model.test_project.order_facts" in asked[-1]
    asked.clear()
    assert run_cli(copy_project(project, tmp_path / "one"), "--select", "stg_orders").exit_code == 0
    assert asked == [["model.test_project.stg_orders"]]
    asked.clear()
    assert run_cli(copy_project(project, tmp_path / "off"), "--disable-introspection").exit_code == 0
    catalog = tmp_path / "catalog.json"
    catalog.write_text('{"nodes": {}, "sources": {}}')
    assert run_cli(copy_project(project, tmp_path / "cat"), "--catalog-path", str(catalog)).exit_code == 0
    assert asked == []


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_a_user_without_rights_on_the_catalog_gets_the_fallback_and_one_warning(
    project: Path, warehouse: Warehouse, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert warehouse.server is not None
    expected_root = copy_project(project, tmp_path / "expected")
    assert _per_relation_run(expected_root, run_cli, monkeypatch).exit_code == 0
    database = warehouse.database(project)
    # information_schema's views run with their owner's rights, so the per-relation path still works
    # for a user who may not read pg_catalog's tables directly.
    warehouse.server.psql(
        "create role reader login; "
        "grant usage on schema raw, main, main_mart to reader; "
        "grant select on all tables in schema raw, main, main_mart to reader; "
        "revoke select on pg_catalog.pg_attribute from public;",
        dbname=database,
    )
    profiles = project / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("user: postgres", "user: reader"))
    result = run_cli(project)
    assert result.exit_code == 0, result.output
    assert result.output.count(CATALOG_WARNING) == 1, result.output
    assert "permission denied" in result.output
    assert snapshot(project) == snapshot(expected_root)


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_a_connection_lost_half_way_is_exit_2_and_nothing_written(
    project: Path, warehouse: Warehouse, run_cli: RunCli
) -> None:
    # The first catalog query ends every session of the run's database, its own included, as a server
    # restart or a proxy timeout would: the run has read some schemas and not the others.
    (project / "macros").mkdir()
    (project / "macros/cut.sql").write_text(
        "{% macro postgres__get_catalog_relations(information_schema, relations) %}"
        "{% do run_query('select pg_terminate_backend(pid) from pg_stat_activity "
        "where datname = current_database()') %}"
        "{% endmacro %}\n"
    )
    before = snapshot(project)
    result = run_cli(project)
    assert result.exit_code == 2, result.output
    problem = [line for line in result.output.splitlines() if line.strip()]
    assert len(problem) == 1, result.output
    assert "--catalog-path" in problem[0] and "Traceback" not in result.output
    assert snapshot(project) == before
