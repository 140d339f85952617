"""Time and peak memory of ``dbt-osmosis sql run --limit -1`` on a generated DuckDB table.

Writes a small dbt-duckdb project whose warehouse holds ``big``, a table of ROWS rows (default
1,000,000) and five columns (integer, short text, decimal, a 40-character text, date), then runs, each in
its own process, with stdout sent to /dev/null:

- ``sql run "select * from big" --limit -1 --output csv``  (every row, streamed)
- ``sql run "select * from big" --limit -1 --output json`` (every row, streamed)
- ``sql run "select * from big" --limit -1``               (a table: stops at its row cap, says so)

and prints the wall time, the CPU time and the peak resident memory of each process.

    .venv/bin/python benchmarks/bench_sql_run.py [ROWS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROFILE = """\
bench:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      threads: 1
"""


def make_project(root: Path, rows: int) -> None:
    import duckdb

    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text('name: bench\nversion: "1.0"\nconfig-version: 2\nprofile: bench\n')
    (root / "profiles.yml").write_text(PROFILE)
    (root / "models" / "one.sql").write_text("select 1 as id\n")
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    connection.execute(
        "create table big as select i as id, 'name_' || i as name, (i * 1.5)::decimal(18, 2) as amount, "
        "'a fairly long text column value number ' || i as description, "
        f"date '2024-01-01' + (i % 365)::int as day from range({rows}) t(i)"
    )
    connection.close()


def measure(root: Path, *args: str) -> tuple[float, float, float, int]:
    """Run ``dbt-osmosis sql run`` once; (wall seconds, CPU seconds, peak RSS in MB, exit code)."""
    command = [sys.executable, "-m", "dbt_osmosis", "sql", "run", "select * from big", "--limit", "-1"]
    command += ["--project-dir", str(root), "--profiles-dir", str(root), *args]
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        process = subprocess.Popen(command, stdout=devnull, cwd=root)
        # wait4 gives this one child's own resource usage (getrusage(CHILDREN) would mix the runs).
        _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "bench"
        make_project(root, rows)
        print(f"sql run on {rows:,} rows")
        for label, args in (
            ("--output csv", ("--output", "csv")),
            ("--output json", ("--output", "json")),
            ("table (default)", ()),
        ):
            wall, cpu, peak, code = measure(root, *args)
            print(f"  {label:16} exit {code}  {wall:6.1f} s wall  {cpu:6.1f} s CPU  {peak:7.0f} MB peak RSS")


if __name__ == "__main__":
    main()
