"""``sql compile`` and ``sql run``: a SQL string through dbt, the result printed."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dbt_osmosis.api import ProjectLocation
from dbt_osmosis.core.dbt.sql import QueryResult, compile_sql, run_sql

__all__ = ["result_table", "run_sql_command"]


def run_sql_command(where: ProjectLocation, sql: str, limit: int | None, console: Console) -> int:
    """Compile (``limit`` ``None``) or run the SQL; print the SQL or a table of rows; return 0."""
    options = where.resolve()
    if limit is None:
        # Plain text, not rich markup: the compiled SQL is meant to be copied or piped as is.
        click.echo(compile_sql(options, sql))
        return 0
    result = run_sql(options, sql, limit)
    console.print(result_table(result))
    shown = f"{len(result.rows)} row(s)"
    if limit >= 0 and len(result.rows) == limit:
        shown += f" (the first {limit}; --limit changes how many)"
    console.print(shown)
    return 0


def result_table(result: QueryResult) -> Table:
    """The rows as a rich table, one column per result column, NULL shown as such."""
    table = Table(show_lines=False)
    for name, kind in zip(result.columns, result.types, strict=True):
        table.add_column(escape(name), justify="right" if kind in {"Number", "Integer"} else "left")
    for row in result.rows:
        table.add_row(*(escape("NULL" if value is None else str(value)) for value in row))
    return table
