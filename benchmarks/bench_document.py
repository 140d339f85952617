"""Time `dbt-osmosis yaml document` on generated projects of N models.

Each N runs in a fresh subprocess (so peak memory is per run), twice: a cold run that writes the YAML
and a warm run on the result (dbt's partial parse, nothing to change). Columns come from a generated
catalog.json, so the figures are the tool's own work plus dbt parse, not warehouse round trips.

    .venv/bin/python benchmarks/bench_document.py [N ...]     (default: 50 200 1000)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from dbt_osmosis.core.document import DocumentOptions, plan_document, write_changes
from dbt_osmosis.core.project import ProjectOptions, load_project
root, catalog = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
project = load_project(ProjectOptions(project_dir=root, profiles_dir=root))
plan = plan_document(project, DocumentOptions(catalog_path=catalog))
t = time.perf_counter()
written = write_changes(plan)
write_seconds = time.perf_counter() - t
print(json.dumps({
    "parse": project.parse_seconds,
    "columns": plan.introspection_seconds,
    "plan": plan.work_seconds,
    "write": write_seconds,
    "total": time.perf_counter() - started,
    "files": len(written),
    "changes": len(plan.changes),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run(root: Path, catalog: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(catalog)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    sys.path.insert(0, str(HERE))
    from generate_project import generate

    print(
        f"{'N':>5} {'run':>5} {'parse s':>8} {'own s':>7} {'plan s':>7} {'write s':>7} {'files':>6} {'peak MB':>8}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "project"
            catalog = generate(root, n)
            for label in ("cold", "warm"):
                r = run(root, catalog)
                own = r["columns"] + r["plan"] + r["write"]
                print(
                    f"{n:>5} {label:>5} {r['parse']:>8.2f} {own:>7.2f} {r['plan']:>7.2f} {r['write']:>7.2f} "
                    f"{r['files']:>6.0f} {r['peak_mb']:>8.0f}"
                )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [50, 200, 1000])
