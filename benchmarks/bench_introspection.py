"""Reading the columns of every relation: bulk catalog queries against one lookup per relation.

On a generated project (generate_project.py) whose relations exist as tables, times
``columns_from_warehouse`` in process, once with the bulk catalog read and once with every adapter's
translator removed (each relation read with ``get_columns_in_relation``, as before bulk reads), and
checks that both found the same columns. PostgreSQL is a throwaway server behind the latency proxy.

    .venv/bin/python benchmarks/bench_introspection.py [--warehouse duckdb|postgres] [--rtt-ms 40] [N ...]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(warehouse: str, sizes: list[int], rtt: float) -> None:
    """Print bulk and per-relation timings for each size."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from tests.support.pgserver import PostgresServer

    from bench_document import create_tables_sql, postgres_profile
    from dbt_osmosis.core.dbt import bulk_catalog
    from dbt_osmosis.core.dbt.catalog import columns_from_warehouse
    from dbt_osmosis.core.dbt.project import ProjectOptions, load_project
    from generate_project import generate
    from latency_proxy import LatencyProxy

    translators = dict(bulk_catalog.TRANSLATORS)
    with contextlib.ExitStack() as stack:
        server = proxy = None
        if warehouse == "postgres":
            server = stack.enter_context(PostgresServer())
            proxy = stack.enter_context(LatencyProxy(server.host, server.port, rtt=rtt))
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "project"
                sql = create_tables_sql(generate(root, n))
                if server is not None and proxy is not None:
                    import psycopg2

                    server.create_database(f"bench_{n}")
                    with psycopg2.connect(server.dsn_for(f"bench_{n}")) as con, con.cursor() as cursor:
                        cursor.execute(sql)
                    (root / "profiles.yml").write_text(
                        postgres_profile(proxy.host, proxy.port, server.user, f"bench_{n}")
                    )
                else:
                    import duckdb

                    with duckdb.connect(str(root / "bench.duckdb")) as con:
                        con.execute(sql)
                project = load_project(ProjectOptions(project_dir=root, profiles_dir=root))
                nodes = list(project.nodes.values())
                results = {}
                for label, table in (("bulk", translators), ("per relation", {})):
                    bulk_catalog.TRANSLATORS = table
                    wall, cpu = time.perf_counter(), time.process_time()
                    found = columns_from_warehouse(project, nodes, [])
                    results[label] = (time.perf_counter() - wall, time.process_time() - cpu, found)
                bulk_catalog.TRANSLATORS = translators
                (bulk_s, bulk_cpu, bulk), (per_s, per_cpu, per) = results["bulk"], results["per relation"]
                where = f"postgres at {rtt * 1000:.0f} ms RTT" if server is not None else "duckdb"
                print(
                    f"{where} N={n} ({len(nodes)} relations): bulk {bulk_s:.2f} s wall / {bulk_cpu:.2f} s CPU, "
                    f"per relation {per_s:.2f} s wall / {per_cpu:.2f} s CPU ({per_s / bulk_s:.1f}x), "
                    f"same columns: {bulk == per}",
                    flush=True,
                )


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("sizes", nargs="*", type=int)
    arguments.add_argument("--warehouse", choices=["duckdb", "postgres"], default="postgres")
    arguments.add_argument("--rtt-ms", type=float, default=40.0)
    parsed = arguments.parse_args()
    main(parsed.warehouse, parsed.sizes or [80, 800], parsed.rtt_ms / 1000)
