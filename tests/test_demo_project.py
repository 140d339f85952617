"""The bundled demo project (demo_duckdb/) must build on DuckDB exactly as `make demo` builds it."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_duckdb"
MART_TABLES = ["customers", "orders", "order_items", "products", "daily_revenue", "customer_lifetime_value"]
SEED_FILES = ["raw_customers", "raw_orders", "raw_payments", "raw_products", "raw_order_items"]
# Flags that keep dbt from phoning home during tests.
OFFLINE = ["--no-send-anonymous-usage-stats", "--no-version-check"]


@pytest.fixture
def demo_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the demo, made the working directory the way the Makefile does it."""
    project = tmp_path / "demo_duckdb"
    shutil.copytree(
        DEMO_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb", "*.duckdb.wal")
    )
    monkeypatch.delenv("DBT_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    monkeypatch.chdir(project)
    return project


def _dbt(project: Path, command: str, *extra: str, callbacks: list[Any] | None = None) -> Any:
    from dbt.cli.main import dbtRunner

    args = [command, "--project-dir", str(project), "--profiles-dir", str(project), *OFFLINE, *extra]
    result = dbtRunner(callbacks=callbacks or []).invoke(args)
    if not result.success:
        # A failing node comes back as a result, not an exception: name the nodes and their errors.
        failures = [
            f"{r.node.name}: {r.message}"
            for r in getattr(result.result, "results", [])
            if str(r.status) not in ("success", "pass")
        ]
        pytest.fail(f"dbt {command} failed: {result.exception or failures}")
    return result.result


@pytest.mark.slow
def test_seed_and_run_build_every_mart_with_rows(demo_copy: Path) -> None:
    import duckdb

    _dbt(demo_copy, "seed")
    run_results = _dbt(demo_copy, "run")
    statuses = {r.node.name: str(r.status) for r in run_results.results}
    assert len(statuses) >= 12
    assert set(statuses.values()) == {"success"}, statuses

    # The default profile keeps the database inside the project folder, not somewhere else on disk.
    database = demo_copy / "jaffle_shop.duckdb"
    assert database.is_file()

    # dbt-duckdb keeps its connection open in this process after the run; DuckDB only lets a second
    # connection to the same file in with the same configuration, so this one cannot be read-only.
    with duckdb.connect(str(database)) as con:
        counts = {
            table: con.execute(f'select count(*) from main."{table}"').fetchall()[0][0]
            for table in MART_TABLES
        }
        assert all(count > 0 for count in counts.values()), counts
        assert counts["customers"] == 100
        assert counts["orders"] == 300
        assert counts["order_items"] == 600
        assert counts["products"] == 10

        # Payments and order lines are generated to agree, so every order is fully paid at list price.
        unpaid = con.execute("select count(*) from main.orders where amount <> subtotal").fetchall()[0][0]
        assert unpaid == 0
        # Every order line was read through source('raw', ...) and joined to a product that exists.
        lines_sold = con.execute("select sum(units_sold) from main.products").fetchall()[0][0]
        units_ordered = con.execute("select sum(quantity) from main.order_items").fetchall()[0][0]
        assert lines_sold == units_ordered > 600


@pytest.mark.slow
def test_parse_is_warning_free_and_leaves_work_for_dbt_osmosis(demo_copy: Path) -> None:
    warnings: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level in ("warn", "error"):
            warnings.append(f"{event.info.name}: {event.info.msg}")

    manifest = _dbt(demo_copy, "parse", "--no-partial-parse", "--show-all-deprecations", callbacks=[collect])
    assert warnings == []

    models = {node.name: node for node in manifest.nodes.values() if node.resource_type == "model"}
    assert len(models) >= 12
    without_yaml = sorted(name for name, node in models.items() if node.patch_path is None)
    assert len(without_yaml) >= 3, without_yaml
    assert all(not name.startswith("stg_") for name in without_yaml)

    # The docs block is resolved into the staging column description that downstream models inherit.
    assert "return_pending" in models["stg_orders"].columns["order_status"].description
    assert any(source.source_name == "raw" for source in manifest.sources.values())

    # The tool reads its placement template from the `+dbt-osmosis` model config.
    assert models["orders"].config.extra.get("dbt-osmosis") == "_{model}.yml"


def test_seed_generator_reproduces_the_committed_csvs(tmp_path: Path) -> None:
    project = tmp_path / "demo_duckdb"
    shutil.copytree(DEMO_DIR / "scripts", project / "scripts")
    (project / "seeds").mkdir()

    subprocess.run([sys.executable, str(project / "scripts" / "generate_seeds.py")], check=True)

    names = [f"{name}.csv" for name in SEED_FILES]
    match, mismatch, errors = filecmp.cmpfiles(DEMO_DIR / "seeds", project / "seeds", names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(match) == sorted(names)
    assert sum((DEMO_DIR / "seeds" / name).stat().st_size for name in names) < 60_000
