"""The bundled demo (demo_duckdb/) built on PostgreSQL documents exactly as it does on DuckDB.

The demo is seeded and run on each warehouse, then ``yaml document`` writes its YAML. The files must be
the same byte for byte once each ``data_type`` is put in one spelling (:data:`SAME_TYPE`), because the
two warehouses name the same types differently (DuckDB ``INTEGER``, ``VARCHAR``, ``DECIMAL(16,2)``;
Postgres ``integer``, ``text``, ``numeric``). One column's type genuinely differs
(:data:`DIFFERENT_TYPE`). Every other byte (which columns, their order, descriptions inherited from
upstream, where each entry lives) is the same, and each warehouse's own words are checked on a file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_document
from tests.support.pgserver import PostgresServer
from tests.support.projects import build, snapshot
from tests.support.warehouses import Warehouse

DEMO = Path(__file__).resolve().parents[2] / "demo_duckdb"

#: Each warehouse's name for a type, in one spelling; only differences of naming are listed.
SAME_TYPE = {
    "INTEGER": "int",
    "integer": "int",
    "BIGINT": "bigint",
    "bigint": "bigint",
    "VARCHAR": "text",
    "text": "text",
    "DATE": "date",
    "date": "date",
    "BOOLEAN": "boolean",
    "boolean": "boolean",
    "numeric": "decimal",  # Postgres reports no precision for numeric(16,2) without the 1.x flag
}
_DECIMAL = re.compile(r"^DECIMAL\(\d+,\d+\)$")

#: Columns whose type differs for a reason other than naming, with the reason.
DIFFERENT_TYPE = {
    # dbt.datediff is date_diff() on DuckDB (BIGINT) and date subtraction on Postgres (integer).
    "active_days": "days between two dates",
}

_NAME = re.compile(r"^\s*- name: (.*)$")
_DATA_TYPE = re.compile(r"^(\s*data_type: )(.*)$")


def _normalised(files: dict[str, bytes]) -> dict[str, str]:
    normalised: dict[str, str] = {}
    for path, data in files.items():
        lines, name = [], ""
        for line in data.decode().split("\n"):
            if found := _NAME.match(line):
                name = found.group(1)
            elif found := _DATA_TYPE.match(line):
                written = found.group(2)
                same = (
                    "decimal" if _DECIMAL.match(written) else SAME_TYPE.get(written, f"UNMAPPED<{written}>")
                )
                line = found.group(1) + (f"<{DIFFERENT_TYPE[name]}>" if name in DIFFERENT_TYPE else same)
            lines.append(line)
        normalised[path] = "\n".join(lines)
    return normalised


def _demo_on(warehouse: Warehouse, root: Path) -> Path:
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb", "*.duckdb.wal"))
    (root / "profiles.yml").write_text(warehouse.profile("jaffle_shop_duckdb", threads=4))
    build(root)
    result = run_document(root)
    assert result.exit_code == 0, result.output
    return root


def test_the_demo_documents_the_same_on_postgres_as_on_duckdb(
    postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBT_DUCKDB_PATH", raising=False)
    duckdb_root = _demo_on(Warehouse("duckdb"), tmp_path / "duckdb")
    postgres = Warehouse("postgres", postgres_server)
    postgres_root = _demo_on(postgres, tmp_path / "postgres")
    on_duckdb, on_postgres = snapshot(duckdb_root), snapshot(postgres_root)
    assert on_duckdb != snapshot(DEMO), "the run documented nothing"
    assert _normalised(on_postgres) == _normalised(on_duckdb)
    # Each warehouse wrote its own words for the types, not the other's.
    customers = "models/marts/_customers.yml"
    assert "data_type: INTEGER" in on_duckdb[customers].decode()
    assert "data_type: integer" in on_postgres[customers].decode()
    both = "".join([*_normalised(on_postgres).values(), *_normalised(on_duckdb).values()])
    assert "UNMAPPED" not in both
    assert both.count("<days between two dates>") == 2
