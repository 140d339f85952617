"""Small dbt-duckdb projects written by tests, built once per session and copied per test."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
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
QUIET = ("--quiet", "--log-level", "none")


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


def dbt(root: Path, *args: str) -> Any:
    """Run one dbt command on the project, quietly, from its folder; fail the test if dbt fails."""
    common = ["--project-dir", str(root), "--profiles-dir", str(root), *QUIET]
    with working_directory(root):
        result = dbtRunner().invoke([*args, *common])
    assert result.success, f"dbt {args[0]} failed in {root.name}: {result.exception}"
    return result


def build(root: Path) -> None:
    """`dbt seed` and `dbt run` the project, so the warehouse has every relation."""
    for command in ("seed", "run"):
        dbt(root, command)


def dbt_parses(root: Path) -> None:
    """`dbt parse` from scratch (no partial parse) passes on the project."""
    dbt(root, "parse", "--no-partial-parse")


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


class ProjectStore:
    """Projects made once per test session (per worker under xdist) and kept for the session.

    A test module names a project and says how to make it; the first test to ask pays for the build
    (``dbt seed``/``dbt run``, or a parse), later ones get the same folder or object back. Tests that
    change files work on a ``copy`` of the built folder.
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._made: dict[str, Any] = {}

    def built(self, name: str, make: Callable[[Path], object], *, folder: str = "project") -> Path:
        """The folder of project ``name``, made by ``make(root)`` on first use (``root`` is ``folder``)."""
        key = f"built:{name}"
        if key not in self._made:
            root = self._factory.mktemp(name) / folder
            make(root)
            self._made[key] = root
        path: Path = self._made[key]
        return path

    def copy(self, name: str, make: Callable[[Path], object], destination: Path) -> Path:
        """A private copy of project ``name`` (built on first use) at ``destination``."""
        return copy_project(self.built(name, make), destination)

    def kept(self, name: str, make: Callable[[], Any]) -> Any:
        """Any object made once per session, such as a parsed project that tests only read."""
        key = f"kept:{name}"
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]


def built_from(files: Mapping[str, str], **options: Any) -> Callable[[Path], None]:
    """A ``make`` for ``ProjectStore``: write the files, then `dbt seed` and `dbt run`."""

    def make(root: Path) -> None:
        write_project(root, files, **options)
        build(root)

    return make
