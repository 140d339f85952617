"""Models whose relation does not exist get one summary line, not silence (#23, item 6)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_document
from tests.support.projects import dbt, write_project


def test_models_not_built_are_counted_in_one_line(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "project",
        {
            "models/a.sql": "select 1 as id\n",
            "models/b.sql": "select 1 as id\n",
            "models/c.sql": "{{ config(materialized='ephemeral') }}\nselect 1 as id\n",
        },
    )
    dbt(root, "run", "--select", "a")
    result = run_document(root)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    # a is built (its column is added); c is ephemeral, never a relation; b is the one to build.
    assert "a: added column id" in output
    assert "1 model is not built yet: run dbt run or dbt build to document its columns (b)." in output
    assert output.count("not built yet") == 1
