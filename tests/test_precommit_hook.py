"""The pre-commit hook: its manifest is valid, and its exact command gates out-of-date YAML."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"


def hook(hook_id: str = "dbt-osmosis-yaml-check") -> dict:
    hooks = YAML(typ="safe").load(HOOKS.read_text())
    assert isinstance(hooks, list) and [h["id"] for h in hooks] == ["dbt-osmosis-yaml-check", "dbt-osmosis"]
    return next(h for h in hooks if h["id"] == hook_id)


def test_hook_manifest_has_what_pre_commit_requires() -> None:
    found = hook()
    assert found["id"] == "dbt-osmosis-yaml-check"
    assert {"id", "name", "entry", "language"} <= set(found)
    assert found["language"] == "python"
    assert found["pass_filenames"] is False
    assert "--check" in shlex.split(found["entry"])
    assert "--synthesize" not in found["entry"]


@pytest.mark.slow
def test_hook_command_passes_when_up_to_date_and_fails_after_an_edit(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(
        REPO / "demo_duckdb", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*")
    )
    # dbt in a subprocess, as a developer would run it: an in-process build would keep DuckDB's
    # file lock for the rest of the test process.
    dbt = str(Path(sys.executable).parent / "dbt")
    for step in ("seed", "run"):
        subprocess.run(
            [dbt, step, "--project-dir", ".", "--profiles-dir", "."],
            cwd=project,
            check=True,
            capture_output=True,
        )
    # The command pre-commit runs, from the project folder as a team would configure it.
    command = [*shlex.split(hook()["entry"]), "--project-dir", ".", "--profiles-dir", "."]
    command[0] = str(Path(sys.executable).parent / command[0])

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)

    assert run().returncode == 1  # the demo ships with gaps for the tool to fill
    document = [*command[: command.index("--check")], "--project-dir", ".", "--profiles-dir", "."]
    documented = subprocess.run(document, cwd=project, capture_output=True, text=True, check=False)
    assert documented.returncode == 0, documented.stdout + documented.stderr
    up_to_date = run()
    assert up_to_date.returncode == 0, up_to_date.stdout + up_to_date.stderr

    # Someone deletes a column entry by hand: the hook blocks the commit.
    staging = project / "models/staging/_stg_orders.yml"
    lines = staging.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- name: store_name")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- name:")), len(lines)
    )
    staging.write_text("".join(lines[:start] + lines[end:]))
    blocked = run()
    assert blocked.returncode == 1
    assert "would change" in blocked.stdout
