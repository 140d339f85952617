"""`sql run` and `sql compile` (1.x commands): a SQL string through dbt, the result printed."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result

from tests.support.cli import run_command


def sql(project: Path, command: str, *args: str) -> Result:
    return run_command(project, "sql", command, *args)


def test_sql_compile_resolves_refs_and_prints_plain_sql(chain: Path) -> None:
    result = sql(chain, "compile", "select first_name from {{ ref('customers') }} -- {{ 1 + 1 }}")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == 'select first_name from "warehouse"."main"."customers" -- 2'


def test_sql_run_prints_the_rows_as_a_table_up_to_the_limit(chain: Path) -> None:
    query = "select customer_id, first_name, null as nothing from {{ ref('customers') }} order by customer_id"
    result = sql(chain, "run", query, "--limit", "1", "--target", "dev", "--profile", "test_project")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "customer_id" in line)
    assert "first_name" in header and "nothing" in header
    assert "Ada" in result.output and "NULL" in result.output
    assert "Grace" not in result.output  # the second row is past the limit
    assert "1 row(s) (the first 1" in result.output
    everything = sql(chain, "run", query, "--limit", "-1")
    assert everything.exit_code == 0, everything.output
    assert "Ada" in everything.output and "Grace" in everything.output
    assert "2 row(s)\n" in everything.output


def test_sql_that_fails_is_one_line_and_exit_2(chain: Path) -> None:
    result = sql(chain, "run", "select * from no_such_table")
    assert result.exit_code == 2
    assert "dbt could not run the SQL" in result.output
    assert "no_such_table" in result.output
    assert "Traceback" not in result.output
