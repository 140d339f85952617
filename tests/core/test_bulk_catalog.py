"""The bulk catalog read gives exactly what get_columns_in_relation gives, on DuckDB and on PostgreSQL.

Each warehouse gets a small dbt project whose on-run-start hook creates tables with many column types
(enums, domains, arrays, sized strings and numbers, a dropped column, a view, a materialized view on
Postgres, a mixed-case quoted name beside its lower-case twin), declared as sources beside two models.
"""

from __future__ import annotations

import itertools
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from dbt.cli.main import dbtRunner

from dbt_osmosis.core.dbt import bulk_catalog
from dbt_osmosis.core.dbt.bulk_catalog import columns_in_relations
from dbt_osmosis.core.dbt.catalog import data_type
from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project, working_directory
from tests.support.pgserver import PostgresServer

DUCKDB_SETUP = [
    "create schema if not exists raw",
    "create type mood as enum ('sad', 'ok')",
    """create table raw.types (
        a integer, b bigint, c decimal(10,2), d varchar, e varchar(10), f double, g float, h boolean,
        i date, j timestamp, k timestamptz, l time, m interval, n blob, o uuid, p integer[],
        q struct(x integer, y varchar), r map(varchar, integer), s hugeint, t utinyint, u timestamp_ns,
        v integer[3], w mood, x decimal(38,0), y numeric, z tinyint, aa json, bb union(n integer, s varchar)
    )""",
    "alter table raw.types drop column b",
    'create table raw."MixedCase" ("Id" integer, "Some Col" varchar)',
    "create view raw.v as select a, c, e from raw.types",
]

POSTGRES_SETUP = [
    "create schema if not exists raw",
    "create type raw.mood as enum ('sad', 'ok')",
    "create domain raw.posint as integer check (value > 0)",
    """create table raw.types (
        a smallint, b integer, c bigint, d numeric(10,2), e numeric, f real, g double precision,
        h varchar(10), i varchar, j char(3), k text, l boolean, m date, n timestamp, o timestamp(3),
        p timestamptz, q time, r timetz, s interval, t interval year to month, u uuid, v json, w jsonb,
        x bytea, y int[], z varchar(5)[], dd bit(3), ee bit varying(8), ff money, gg inet,
        hh numeric(5), ii "char", jj name, pp character(1), rr timestamp(0) with time zone
    )""",
    "alter table raw.types drop column b",
    "create table raw.user_types (id integer, feeling raw.mood, amount raw.posint)",
    'create table raw."MixedCase" ("Id" integer, "Some Col" text)',
    "create table raw.mixedcase (id bigint)",
    "create materialized view raw.mv as select 1 as one, 'x'::varchar(4) as two",
    "create view raw.v as select a, d, h from raw.types",
]

SOURCES = """
version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: types
      - name: MixedCase
        quoting: {{identifier: true}}
      - name: v
      - name: missing
{extra}
"""

POSTGRES_EXTRA_SOURCES = """
      - name: user_types
      - name: mixedcase
      - name: mv
"""


@dataclass
class Warehouse:
    name: str
    project: DbtProject
    schemas: int
    #: Relations the catalog cannot translate for certain, read one by one.
    untranslatable: int


def _write_project(root: Path, profile: str, setup: list[str], extra_sources: str) -> None:
    hooks = "\n".join(f"  - {_yaml_string(sql)}" for sql in setup)
    (root / "dbt_project.yml").write_text(
        f'name: bulk\nversion: "1.0"\nconfig-version: 2\nprofile: bulk\non-run-start:\n{hooks}\n'
    )
    (root / "profiles.yml").write_text(profile)
    models = root / "models"
    models.mkdir(parents=True)
    (models / "orders.sql").write_text("select 1 as id, 'a' as name, 2.5 as amount")
    (models / "other_schema.sql").write_text("{{ config(schema='mart') }}\nselect 1 as id")
    (models / "sources.yml").write_text(SOURCES.format(extra=extra_sources))


def _yaml_string(sql: str) -> str:
    return '"' + " ".join(sql.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _build_and_load(root: Path) -> DbtProject:
    with working_directory(root):
        result = dbtRunner().invoke(
            ["run", "--project-dir", str(root), "--profiles-dir", str(root), "--quiet", "--log-level", "none"]
        )
    assert result.success, f"dbt run failed: {result.exception}"
    return load_project(ProjectOptions(project_dir=root, profiles_dir=root))


@pytest.fixture(scope="module")
def postgres(postgres_server: PostgresServer) -> PostgresServer:
    postgres_server.create_database("bulk")
    return postgres_server


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp(f"bulk_{request.param}")
    if request.param == "duckdb":
        profile = "bulk:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        profile += "      path: w.duckdb\n      threads: 2\n"
        _write_project(root, profile, DUCKDB_SETUP, "")
        yield Warehouse("duckdb", _build_and_load(root), schemas=3, untranslatable=1)
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    profile = textwrap.dedent(f"""\
        bulk:
          target: dev
          outputs:
            dev:
              type: postgres
              host: {server.host}
              port: {server.port}
              user: {server.user}
              password: unused
              dbname: bulk
              schema: analytics
              threads: 4
        """)
    _write_project(root, profile, POSTGRES_SETUP, POSTGRES_EXTRA_SOURCES)
    yield Warehouse("postgres", _build_and_load(root), schemas=3, untranslatable=2)


def _relations(adapter: Any, config: Any, project: DbtProject) -> dict[str, Any]:
    manifest = project.manifest
    found: dict[str, Any] = {}
    for unique_id in sorted(project.nodes):
        raw = manifest.nodes.get(unique_id) or manifest.sources.get(unique_id)
        found[unique_id] = adapter.Relation.create_from(config, raw)
    return found


def _fields(columns: list[Any]) -> list[tuple[Any, ...]]:
    return [(c.name, c.dtype, c.char_size, c.numeric_precision, c.numeric_scale) for c in columns]


def _written(columns: list[Any]) -> list[list[str | None]]:
    """The data_type catalog.py writes for each column, under every combination of the 1.x flags."""
    flags = list(product([False, True], repeat=2))
    return [[data_type(c, numeric, length) for numeric, length in flags] for c in columns]


def _per_relation(adapter: Any, relations: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: list(adapter.get_columns_in_relation(rel)) for key, rel in relations.items()}


def test_bulk_read_matches_get_columns_in_relation(warehouse: Warehouse) -> None:
    with warehouse.project.adapter() as (adapter, config):
        relations = _relations(adapter, config, warehouse.project)
        expected = _per_relation(adapter, relations)
        bulk = columns_in_relations(adapter, relations)
    assert bulk.errors == {}
    assert bulk.warnings == []
    assert set(bulk.columns) == set(relations)
    for key in relations:
        assert _fields(bulk.columns[key]) == _fields(expected[key]), key
        assert _written(bulk.columns[key]) == _written(expected[key]), key
        assert [type(c) for c in bulk.columns[key]] == [type(c) for c in expected[key]], key
    assert bulk.bulk_queries == warehouse.schemas, "one catalog query per schema"
    assert bulk.per_relation_lookups == warehouse.untranslatable
    # The fixture covers what it claims: columns were found, and the missing source has none.
    assert any(len(cols) > 20 for cols in bulk.columns.values())
    assert bulk.columns["source.bulk.raw.missing"] == []


def test_a_failing_bulk_query_falls_back_per_relation_with_one_warning_per_schema(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    with warehouse.project.adapter() as (adapter, config):
        relations = _relations(adapter, config, warehouse.project)
        expected = _per_relation(adapter, relations)
        original = adapter.execute_macro

        def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.startswith("get_catalog"):
                raise RuntimeError("permission denied for schema information_schema")
            return original(name, *args, **kwargs)

        monkeypatch.setattr(adapter, "execute_macro", refuse)
        bulk = columns_in_relations(adapter, relations)
    assert len(bulk.warnings) == warehouse.schemas
    assert all("permission denied" in line for line in bulk.warnings)
    assert bulk.per_relation_lookups == len(relations)
    assert {k: _fields(v) for k, v in bulk.columns.items()} == {k: _fields(v) for k, v in expected.items()}


def test_long_relation_lists_read_whole_schemas(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_catalog, "MAX_RELATIONS_PER_QUERY", 0)
    with warehouse.project.adapter() as (adapter, config):
        relations = _relations(adapter, config, warehouse.project)
        expected = _per_relation(adapter, relations)
        bulk = columns_in_relations(adapter, relations, threads=1)
    assert bulk.bulk_queries == warehouse.schemas
    assert {k: _fields(v) for k, v in bulk.columns.items()} == {k: _fields(v) for k, v in expected.items()}


def test_an_adapter_without_a_translator_reads_each_relation(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_catalog, "TRANSLATORS", {})
    with warehouse.project.adapter() as (adapter, config):
        relations = _relations(adapter, config, warehouse.project)
        expected = _per_relation(adapter, relations)
        bulk = columns_in_relations(adapter, relations)
    assert bulk.bulk_queries == 0
    assert bulk.warnings == []
    assert bulk.per_relation_lookups == len(relations)
    assert {k: _fields(v) for k, v in bulk.columns.items()} == {k: _fields(v) for k, v in expected.items()}


def test_catalog_types_differ_from_get_columns_in_relation_on_postgres(postgres: PostgresServer) -> None:
    # Why a translator is needed at all: the catalog's words for a type, next to information_schema's.
    output = postgres.psql(
        "select format_type(a.atttypid, a.atttypmod) || '|' || c.data_type "
        "from pg_attribute a join pg_class t on t.oid = a.attrelid "
        "join information_schema.columns c on c.table_schema = 'raw' and c.table_name = t.relname "
        "and c.column_name = a.attname "
        "where t.relname = 'types' and a.attnum > 0 and not a.attisdropped order by a.attnum",
        dbname="bulk",
    )
    pairs = {tuple(line.split("|", 1)) for line in output.splitlines() if line}
    assert {
        ("character varying(10)", "character varying"),
        ("numeric(10,2)", "numeric"),
        ("integer[]", "ARRAY"),
        ("timestamp(3) without time zone", "timestamp without time zone"),
        ("interval year to month", "interval"),
        ("character(3)", "character"),
    } <= pairs


def test_a_failed_schema_is_read_relation_by_relation_over_the_threads(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One schema, its catalog query refused: its relations are read one by one, over two connections
    # at once. The first two lookups wait for each other, which only two threads at once can satisfy;
    # read in series, the first would wait out the barrier and fail, and the test with it.
    meeting = threading.Barrier(2, timeout=60)
    calls = itertools.count()
    threads_used: set[str] = set()
    with warehouse.project.adapter() as (adapter, config):
        relations = {
            key: rel
            for key, rel in _relations(adapter, config, warehouse.project).items()
            if rel.schema == "raw"
        }
        expected = _per_relation(adapter, relations)
        original_macro, original_lookup = adapter.execute_macro, adapter.get_columns_in_relation

        def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.startswith("get_catalog"):
                raise RuntimeError("permission denied for schema information_schema")
            return original_macro(name, *args, **kwargs)

        def lookup(relation: Any) -> Any:
            threads_used.add(threading.current_thread().name)
            if next(calls) < 2:
                meeting.wait()
            return original_lookup(relation)

        monkeypatch.setattr(adapter, "execute_macro", refuse)
        monkeypatch.setattr(adapter, "get_columns_in_relation", lookup)
        bulk = columns_in_relations(adapter, relations, threads=2)
    assert len(relations) > 3
    assert bulk.errors == {}
    assert len(bulk.warnings) == 1
    assert bulk.per_relation_lookups == len(relations)
    assert len(threads_used) == 2
    assert {k: _fields(v) for k, v in bulk.columns.items()} == {k: _fields(v) for k, v in expected.items()}


def test_catalog_rows_read_from_the_cursor_are_the_rows_of_dbts_table(warehouse: Warehouse) -> None:
    # DuckDB's catalog rows are read straight from the cursor (no agate table); they must say what
    # dbt's table says, column for column, or the YAML would differ.
    with warehouse.project.adapter() as (adapter, config):
        relations = list(_relations(adapter, config, warehouse.project).values())
        plain = bulk_catalog._catalog_rows(adapter, relations, plain=True)
        through_agate = bulk_catalog._catalog_rows(adapter, relations, plain=False)
    assert len(plain) > 20
    assert [{k: str(v) for k, v in row.items()} for row in plain] == [
        {k: str(v) for k, v in row.items()} for row in through_agate
    ]


def test_one_schema_read_in_one_query_opens_no_other_connection(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Extra connections cost a handshake each on a far warehouse: a schema that one query reads whole
    # is read on the caller's connection, whatever the profile's threads.
    opened: list[str] = []
    with warehouse.project.adapter() as (adapter, config):
        relations = {
            key: rel
            for key, rel in _relations(adapter, config, warehouse.project).items()
            if rel.schema == "raw" and rel.identifier in {"types", "v"}  # both placed by the catalog query
        }
        original = adapter.connection_named

        def connection_named(name: str, *args: Any, **kwargs: Any) -> Any:
            opened.append(name)
            return original(name, *args, **kwargs)

        monkeypatch.setattr(adapter, "connection_named", connection_named)
        bulk = columns_in_relations(adapter, relations, threads=4)
    assert len(relations) == 2
    assert bulk.bulk_queries == 1
    assert bulk.per_relation_lookups == 0
    assert set(bulk.columns) == set(relations)
    assert opened == []
