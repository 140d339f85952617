"""Small dbt-duckdb projects written by tests, built once and copied per test."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping
from pathlib import Path

from dbt.cli.main import dbtRunner

from dbt_osmosis.core.dbt.project import working_directory

PROFILE = """\
test_project:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      threads: 1
"""


def write_project(root: Path, files: Mapping[str, str], *, osmosis_template: str | None = None) -> Path:
    """Write a dbt project with the given files (paths relative to ``root``); return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    config = ""
    if osmosis_template:
        config = f'models:\n  test_project:\n    +dbt-osmosis: "{osmosis_template}"\n'
    (root / "dbt_project.yml").write_text(
        'name: test_project\nversion: "1.0"\nconfig-version: 2\nprofile: test_project\n' + config
    )
    (root / "profiles.yml").write_text(PROFILE)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def build(root: Path) -> None:
    """`dbt seed` and `dbt run` the project, so the warehouse has every relation."""
    common = ["--project-dir", str(root), "--profiles-dir", str(root), "--quiet", "--log-level", "none"]
    with working_directory(root):
        for command in ("seed", "run"):
            result = dbtRunner().invoke([command, *common])
            assert result.success, f"dbt {command} failed: {result.exception}"


def copy_project(source: Path, destination: Path) -> Path:
    """A private copy of a built project (warehouse file included) for one test to change."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("target", "logs"))
    return destination


def snapshot(root: Path) -> dict[str, bytes]:
    """Every YAML file of the project, by relative path, byte for byte."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*.yml"))
        if "target" not in path.parts and path.name not in {"dbt_project.yml", "profiles.yml"}
    }
