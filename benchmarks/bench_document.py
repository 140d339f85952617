"""First-run speed of `dbt-osmosis yaml document` against a full `dbt parse` on generated projects.

For each N (models), on a fresh copy of a generated project (see generate_project.py; most models have
no YAML yet, so a first run creates hundreds of files):

1. `dbt parse --no-partial-parse`, as a subprocess: the fixed cost any run pays.
2. `dbt-osmosis yaml document --catalog-path catalog.json`, as a subprocess on another fresh copy: the
   first run a user sees (columns from a generated catalog, so no warehouse round trips).
3. The same work in-process under cProfile, to show where the time beyond dbt's parse goes.

Wall-clock times include interpreter start-up for both commands; peak memory is each process's
maximum resident set. The goal at 800 nodes is a first run within 1.25 x the parse.

    .venv/bin/python benchmarks/bench_document.py [N ...]     (default: 80 800 4000)

With ``--warehouse duckdb`` or ``--warehouse postgres`` the run reads its columns from a real warehouse
instead of catalog.json: every relation of the generated project is created as a table (the columns
catalog.json lists, with several types), then the run introspects it. Postgres is a throwaway server
(tests/support/pgserver.py) reached through benchmarks/latency_proxy.py, ``--rtt-ms`` per round trip
(default 40, a same-region cloud warehouse), with the profile's threads (4). Besides the first run
against a full parse, it times a repeat ``yaml document --check`` with nothing to change against a
warm ``dbt parse`` (partial parsing on, after one parse)::

    .venv/bin/python benchmarks/bench_document.py --warehouse postgres [--rtt-ms 40] [N ...]

``--repeat K`` runs each measurement K times (alternating) and reports the median, which a busy machine
needs. ``--memory`` adds each process's peak resident memory (its own maximum RSS, children included).
``--osmosis-150 PATH`` also times dbt-osmosis 1.5.0's ``yaml document`` (PATH: its executable, from a
virtualenv of its own; nothing of it is part of this project) on another fresh copy of the same project
and warehouse, e.g.::

    python3.11 -m venv /tmp/venv-150
    /tmp/venv-150/bin/pip install dbt-osmosis==1.5.0 dbt-core==1.11.16 dbt-duckdb dbt-postgres
    .venv/bin/python benchmarks/bench_document.py --warehouse postgres --osmosis-150 /tmp/venv-150/bin/dbt-osmosis

(dbt-core is pinned to this project's version: unpinned, pip picks a pre-release that downloads a parser
from GitHub while installing.) To measure another checkout of dbt-osmosis with this script, put its
``src`` first on ``PYTHONPATH``; the subprocesses inherit it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

PROFILE_CHILD = r"""
import cProfile, collections, json, pstats, sys, time
from pathlib import Path
from dbt_osmosis.core.document import DocumentOptions, plan_document, write_changes
from dbt_osmosis.core.dbt.project import ProjectOptions, load_project
root, catalog = Path(sys.argv[1]), Path(sys.argv[2])
project = load_project(ProjectOptions(project_dir=root, profiles_dir=root))
profiler = cProfile.Profile()
started = time.perf_counter()
profiler.enable()
plan = plan_document(project, DocumentOptions(catalog_path=catalog))
written = write_changes(plan)
profiler.disable()
beyond = time.perf_counter() - started
by_area = collections.Counter()
for (filename, _, name), (_, _, tottime, _, _) in pstats.Stats(profiler).stats.items():
    if "dbt_osmosis" in filename:
        area = "dbt_osmosis." + filename.split("dbt_osmosis/")[-1].removesuffix(".py").replace("/", ".")
    elif "site-packages/" in filename:
        area = filename.split("site-packages/")[-1].split("/")[0]
    elif filename.startswith("~") or filename.startswith("<"):
        area = "builtins"
    else:
        area = "stdlib"
    by_area[area] += tottime
print(json.dumps({"parse": project.parse_seconds, "beyond": beyond, "files": len(written),
                  "areas": by_area.most_common(6)}))
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds and peak resident megabytes of one subprocess."""
    seconds, _, megabytes = timed_cpu(command, cwd)
    return seconds, megabytes


def timed_cpu(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall-clock seconds, CPU seconds (user + system) and peak resident megabytes of one subprocess.

    CPU time stays meaningful on a busy machine, where wall-clock time mostly measures the wait for a
    core; against a far warehouse the wall-clock time is the one that counts.
    """
    # stderr goes to a file, not a pipe: a command that logs more than a pipe holds (1.5.0 logs every
    # file it writes) would block on a pipe nobody reads until it ends.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {errors.read().decode(errors='replace')[-4000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def fresh_copy(source: Path, destination: Path) -> Path:
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("target", "logs"))
    return destination


def main(sizes: list[int]) -> None:
    sys.path.insert(0, str(HERE))
    from generate_project import generate

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            pristine = Path(tmp) / "pristine"
            catalog = generate(pristine, n)
            parse_dir = fresh_copy(pristine, Path(tmp) / "parse")
            parse_s, parse_mb = timed(
                [
                    str(BIN / "dbt"),
                    "parse",
                    "--no-partial-parse",
                    "--quiet",
                    "--project-dir",
                    ".",
                    "--profiles-dir",
                    ".",
                ],
                parse_dir,
            )
            run_dir = fresh_copy(pristine, Path(tmp) / "run")
            run_s, run_mb = timed(
                [str(BIN / "dbt-osmosis"), "yaml", "document", "--project-dir", ".", "--profiles-dir", ".",
                 "--catalog-path", str(catalog)],
                run_dir,
            )  # fmt: skip
            profile_dir = fresh_copy(pristine, Path(tmp) / "profile")
            out = subprocess.run(
                [sys.executable, "-c", PROFILE_CHILD, str(profile_dir), str(catalog)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            profile = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((n, parse_s, run_s, parse_mb, run_mb, profile))
            print(
                f"N={n:>5}  dbt parse {parse_s:6.2f} s ({parse_mb:5.0f} MB)   first run {run_s:6.2f} s "
                f"({run_mb:5.0f} MB)   ratio {run_s / parse_s:4.2f}x   files written {profile['files']}",
                flush=True,
            )
            areas = ", ".join(f"{area} {seconds:.2f}s" for area, seconds in profile["areas"])
            print(
                f"         beyond parse (in-process, profiled): {profile['beyond']:.2f} s: {areas}",
                flush=True,
            )
    goal = [row for row in rows if row[0] == 800]
    if goal:
        ratio = goal[0][2] / goal[0][1]
        print(f"goal at 800 nodes: first run <= 1.25 x parse; measured {ratio:.2f} x")


#: Column types the warehouse benchmark gives the generated columns, so type mapping is exercised.
BENCH_TYPES = {
    "id": "integer",
    "customer_id": "integer",
    "order_id": "bigint",
    "status": "varchar(20)",
    "amount": "numeric(10,2)",
    "created_at": "timestamp",
    "updated_at": "timestamp",
}


def create_tables_sql(catalog: Path) -> str:
    """One ``create table`` per relation of the generated project, in schema main, as catalog.json lists."""
    entries = json.loads(catalog.read_text())
    statements = ["create schema if not exists main;"]
    for unique_id, entry in [*entries["nodes"].items(), *entries["sources"].items()]:
        columns = sorted(entry["columns"].values(), key=lambda col: col["index"])
        body = ", ".join(f"{col['name']} {BENCH_TYPES.get(col['name'], 'varchar')}" for col in columns)
        statements.append(f"create table main.{unique_id.rsplit('.', 1)[-1]} ({body});")
    return "\n".join(statements)


def postgres_profile(host: str, port: int, user: str, dbname: str) -> str:
    """The generated project's profile, pointed at a Postgres database."""
    return (
        "bench:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
        f"      host: {host}\n      port: {port}\n      user: {user}\n      password: unused\n"
        f"      dbname: {dbname}\n      schema: main\n      threads: 4\n"
    )


def warehouse_mode(
    warehouse: str,
    sizes: list[int],
    rtt: float,
    *,
    repeat: int = 1,
    memory: bool = False,
    osmosis_150: Path | None = None,
) -> None:
    """First run and repeat --check against dbt parse, reading columns from a real warehouse."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from tests.support.pgserver import PostgresServer

    from generate_project import generate
    from latency_proxy import LatencyProxy

    osmosis = [str(BIN / "dbt-osmosis"), "yaml", "document", "--project-dir", ".", "--profiles-dir", "."]
    parse = [str(BIN / "dbt"), "parse", "--quiet", "--project-dir", ".", "--profiles-dir", "."]
    with contextlib.ExitStack() as stack:
        server = proxy = None
        if warehouse == "postgres":
            server = stack.enter_context(PostgresServer())
            proxy = stack.enter_context(LatencyProxy(server.host, server.port, rtt=rtt))
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                pristine = Path(tmp) / "pristine"
                catalog = generate(pristine, n)
                sql = create_tables_sql(catalog)
                if server is not None and proxy is not None:
                    server.create_database(f"bench_{n}")
                    import psycopg2

                    with psycopg2.connect(server.dsn_for(f"bench_{n}")) as con, con.cursor() as cursor:
                        cursor.execute(sql)  # too long for psql's command line at 800 nodes
                    (pristine / "profiles.yml").write_text(
                        postgres_profile(proxy.host, proxy.port, server.user, f"bench_{n}")
                    )
                else:
                    import duckdb

                    with duckdb.connect(str(pristine / "bench.duckdb")) as con:
                        con.execute(sql)
                runs: dict[str, list[tuple[float, float, float]]] = {}
                for _ in range(repeat):
                    parse_dir = fresh_copy(pristine, Path(tmp) / "parse")
                    runs.setdefault("full", []).append(timed_cpu([*parse, "--no-partial-parse"], parse_dir))
                    run_dir = fresh_copy(pristine, Path(tmp) / "run")
                    runs.setdefault("first", []).append(timed_cpu(osmosis, run_dir))
                    # The first repeat re-parses the files the first run wrote (dbt's partial-parse state
                    # predates them); from then on a pre-commit hook's --check meets a warm project.
                    runs.setdefault("after_write", []).append(timed_cpu([*osmosis, "--check"], run_dir))
                    runs.setdefault("warm", []).append(timed_cpu(parse, run_dir))
                    runs.setdefault("check", []).append(timed_cpu([*osmosis, "--check"], run_dir))
                    if osmosis_150 is not None:
                        old_dir = fresh_copy(pristine, Path(tmp) / "osmosis_150")
                        runs.setdefault("v150", []).append(
                            timed_cpu([str(osmosis_150), *osmosis[1:]], old_dir)
                        )
                first, full, warm = _median(runs["first"]), _median(runs["full"]), _median(runs["warm"])
                check, after_write = _median(runs["check"]), _median(runs["after_write"])
                where = f"postgres at {rtt * 1000:.0f} ms RTT" if server is not None else "duckdb"
                times = f" (median of {repeat})" if repeat > 1 else ""
                print(
                    f"{where} N={n}{times}: first run {_vs(first, full)} a full parse (peak {first[2]:.0f} MB); "
                    f"repeat --check {_vs(check, warm)} a warm parse; the first repeat, re-parsing the "
                    f"files the first run wrote, {_vs(after_write, warm)} it",
                    flush=True,
                )
                if memory:
                    print(
                        f"  peak memory (max RSS): full parse {full[2]:.0f} MB, first run {first[2]:.0f} MB, "
                        f"warm parse {warm[2]:.0f} MB, repeat --check {check[2]:.0f} MB",
                        flush=True,
                    )
                if "v150" in runs:
                    old = _median(runs["v150"])
                    print(
                        f"  dbt-osmosis 1.5.0 first run {old[0]:.2f} s wall / {old[1]:.2f} s CPU "
                        f"(peak {old[2]:.0f} MB): this run is {old[0] / first[0]:.1f}x faster wall, "
                        f"{old[1] / first[1]:.1f}x less CPU",
                        flush=True,
                    )


def _median(samples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    # Each figure's own median: wall time, CPU time and memory vary independently under load.
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        statistics.median(s[2] for s in samples),
    )


def _vs(run: tuple[float, float, float], base: tuple[float, float, float]) -> str:
    return (
        f"{run[0]:.2f} s wall / {run[1]:.2f} s CPU = {run[0] / base[0]:.2f}x wall, {run[1] / base[1]:.2f}x CPU "
        f"of ({base[0]:.2f} s / {base[1]:.2f} s)"
    )


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("sizes", nargs="*", type=int)
    arguments.add_argument("--warehouse", choices=["duckdb", "postgres"])
    arguments.add_argument("--rtt-ms", type=float, default=40.0)
    arguments.add_argument("--repeat", type=int, default=1)
    arguments.add_argument("--memory", action="store_true")
    arguments.add_argument("--osmosis-150", type=Path)
    parsed = arguments.parse_args()
    if parsed.warehouse:
        warehouse_mode(
            parsed.warehouse,
            parsed.sizes or [80, 800],
            parsed.rtt_ms / 1000,
            repeat=parsed.repeat,
            memory=parsed.memory,
            osmosis_150=parsed.osmosis_150,
        )
    else:
        main(parsed.sizes or [80, 800, 4000])
