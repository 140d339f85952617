"""`sql run` of SQL that ends in its own LIMIT, on DuckDB and on a real PostgreSQL server.

dbt's ``get_limit_sql`` appends a ``limit`` clause, as ``dbt show`` does; SQL with its own would get
two. The user's limit must hold, and ``--limit`` must still cap what is read.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import Result

from tests.support.cli import run_command
from tests.support.projects import build, write_project
from tests.support.warehouses import Warehouse

FILES = {
    "models/numbers.sql": (
        "{{ config(materialized='table') }}\n"
        "select * from (values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as t(n)\n"
    ),
}


@pytest.fixture
def project(warehouse: Warehouse, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_project(root, FILES)
    (root / "profiles.yml").write_text(warehouse.profile())
    build(root)
    return root


def _numbers(result: Result) -> list[int]:
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["n"]
    return [int(row[0]) for row in rows[1:]]


def _run(project: Path, sql: str, *args: str) -> Result:
    return run_command(project, "sql", "run", sql, "--output", "csv", *args)


ORDERED = "select n from {{ ref('numbers') }} order by n"


@pytest.mark.parametrize(
    ("tail", "limit", "expected"),
    [
        ("limit 4", "50", [1, 2, 3, 4]),  # the user's limit holds
        ("limit 4", "2", [1, 2]),  # --limit still caps what is read
        ("limit 4", "0", []),
        ("LIMIT 4 offset 2 -- the middle", "50", [3, 4, 5, 6]),  # a comment after it, any case
        ("limit 4;", "50", [1, 2, 3, 4]),
        ("offset 0 rows fetch first 3 rows only", "50", [1, 2, 3]),  # the standard spelling
        ("limit 4", "-1", [1, 2, 3, 4]),
    ],
)
def test_sql_ending_in_its_own_limit_runs(tail: str, limit: str, expected: list[int], project: Path) -> None:
    assert _numbers(_run(project, f"{ORDERED} {tail}", "--limit", limit)) == expected


def test_the_table_says_when_the_limit_left_rows_out(project: Path) -> None:
    result = run_command(project, "sql", "run", f"{ORDERED} limit 4", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "3 row(s) (the first 3; the query has more" in result.output
    # Exactly the user's limit: nothing was left out.
    exact = run_command(project, "sql", "run", f"{ORDERED} limit 4", "--limit", "4")
    assert exact.exit_code == 0, exact.output
    assert exact.stdout.rstrip().endswith("4 row(s)")


def test_sql_without_its_own_limit_is_sent_as_dbt_show_sends_it(project: Path) -> None:
    assert _numbers(_run(project, ORDERED, "--limit", "3")) == [1, 2, 3]
    # A subquery's limit is not the query's: the outer query has none of its own.
    inner = "select n from (select n from {{ ref('numbers') }} order by n limit 6) as s order by n"
    assert _numbers(_run(project, inner, "--limit", "4")) == [1, 2, 3, 4]
    # A trailing comment after a ";" no longer swallows the clause put after it.
    assert _numbers(_run(project, f"{ORDERED}; -- done", "--limit", "2")) == [1, 2]


def test_comment_marks_inside_a_string_are_part_of_the_query(project: Path) -> None:
    # Only a real comment at the end is taken off: '--' or '/*' in a literal is the user's text.
    sql = "select n, 'a -- b' as note, '/* c */' as other from {{ ref('numbers') }} order by n"
    result = _run(project, sql, "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["n", "note", "other"], ["1", "a -- b", "/* c */"], ["2", "a -- b", "/* c */"]]


def test_what_counts_as_a_trailing_limit() -> None:
    from dbt_osmosis.core.dbt.sql import ends_with_row_limit

    assert ends_with_row_limit("select 1 limit 5")
    assert ends_with_row_limit("select 1 LIMIT 5 OFFSET 2 -- x\n")
    assert ends_with_row_limit("select 1 limit 5; /* end */")
    assert ends_with_row_limit("select * from t fetch next 3 rows only")
    assert not ends_with_row_limit("select * from (select 1 limit 5) as t")
    assert not ends_with_row_limit("select 1 -- limit 5")
    assert not ends_with_row_limit("select limit_value from t")
