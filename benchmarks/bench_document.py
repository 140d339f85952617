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
"""

from __future__ import annotations

import json
import os
import shutil
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
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


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


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [80, 800, 4000])
