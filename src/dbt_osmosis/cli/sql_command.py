"""``sql compile`` and ``sql run``: a SQL string through dbt, the result printed.

Rows come from the API as a stream. ``--output csv``, ``json`` (one JSON array) and ``jsonl`` (JSON
Lines) write each row as it arrives, so any number of rows costs one batch of memory; a table has to
see every row before it can size its columns, so it holds at most ``TABLE_ROW_CAP`` rows and says
so when the query has more. On a terminal the table fits the window; piped or redirected, it is
printed at its full width (a file has no window to fit).
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from decimal import Decimal
from typing import IO, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from dbt_osmosis.api import ProjectLocation, sql_compile, sql_run
from dbt_osmosis.core.dbt.sql import QueryResult, RowStream

__all__ = ["TABLE_ROW_CAP", "result_table", "run_sql_command"]

#: The most rows a table holds (rich lays out the whole table in memory before printing it).
TABLE_ROW_CAP = 10_000


def run_sql_command(
    where: ProjectLocation, sql: str, limit: int | None, console: Console, output: str = "table"
) -> int:
    """Compile (``limit`` ``None``) or run the SQL; print the SQL or the rows; return 0."""
    if limit is None:
        # Plain text, not rich markup: the compiled SQL is meant to be copied or piped as is.
        click.echo(sql_compile(sql, where))
        return 0
    with sql_run(sql, where, limit) as stream:
        if output == "table":
            _print_table(stream, limit, console)
        else:
            _write_rows(stream, limit, output, console.file)
    return 0


def result_table(result: QueryResult) -> Table:
    """The rows as a rich table, one column per result column, NULL shown as such."""
    table = _empty_table(result.columns, tuple(kind in {"Number", "Integer"} for kind in result.types))
    for row in result.rows:
        table.add_row(*_cells(row))
    return table


def _empty_table(columns: tuple[str, ...], numeric: tuple[bool, ...]) -> Table:
    table = Table(show_lines=False)
    for name, number in zip(columns, numeric, strict=True):
        table.add_column(escape(name), justify="right" if number else "left")
    return table


def _cells(row: tuple[Any, ...]) -> list[str]:
    return [escape("NULL" if value is None else str(value)) for value in row]


def _print_table(stream: RowStream, limit: int, console: Console) -> None:
    table = _empty_table(stream.columns, stream.numeric)
    capped = False
    for row in stream:
        if table.row_count == TABLE_ROW_CAP:
            capped = True
            break
        table.add_row(*_cells(row))
    if console.is_terminal:
        console.print(table)
    else:
        # rich would squeeze the table into 80 columns (the width it assumes without a terminal) and
        # wrap every cell; a file or a pipe gets the table at the width its contents need.
        natural = Measurement.get(console, console.options.update_width(1_000_000), table).maximum
        wide = Console(file=console.file, width=max(natural, console.width), highlight=False)
        wide.print(table)
    shown = table.row_count
    if capped:
        console.print(
            f"Showing the first {shown} rows; the query has more. A table holds at most {TABLE_ROW_CAP} "
            "rows: use --output csv or --output json to stream them all.",
            soft_wrap=True,
        )
    elif stream.more:
        console.print(f"{shown} row(s) (the first {limit}; the query has more; --limit changes how many)")
    else:
        console.print(f"{shown} row(s)")


def _write_rows(stream: RowStream, limit: int, output: str, out: IO[str]) -> None:
    try:
        if output == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(stream.columns)
            for row in stream:
                # An empty field for NULL, as databases' own CSV exports write it.
                writer.writerow(["" if value is None else value for value in row])
        else:
            names = _unique(stream.columns)
            # JSON: one array, opened before the first row and closed after the last, a row a line;
            # JSON Lines: one object a line, nothing around them.
            array = output == "json"
            before, between, after = ("[\n", ",\n", "\n]\n") if array else ("", "\n", "\n")
            written = False
            for row in stream:
                out.write(between if written else before)
                values = (_finite(value) for value in row)
                out.write(
                    json.dumps(dict(zip(names, values, strict=True)), default=_json_value, ensure_ascii=False)
                )
                written = True
            if written:
                out.write(after)
            elif array:
                out.write("[]\n")
        out.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error. Point stdout at /dev/null so Python's
        # final flush at exit does not fail on the closed pipe.
        _silence_stdout()
        return
    if stream.more:
        click.echo(
            f"Wrote the first {limit} row(s); the query has more (--limit -1 writes them all).", err=True
        )


def _finite(value: Any) -> Any:
    # JSON has no NaN or infinity (json.dumps would write NaN and Infinity, which parsers refuse):
    # they are written as the strings "NaN", "Infinity" and "-Infinity", as a Decimal's are.
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


def _json_value(value: Any) -> Any:
    # Warehouses return NUMERIC/DECIMAL columns as Decimal: a JSON number when a float holds it exactly,
    # else a string, so that no digit of a money amount is lost. Dates and the rest: their text.
    if isinstance(value, Decimal) and value.is_finite():
        as_float = float(value)
        if Decimal(repr(as_float)) == value:
            return int(value) if value == value.to_integral_value() and "." not in str(value) else as_float
    return str(value)


def _unique(columns: tuple[str, ...]) -> tuple[str, ...]:
    # Two columns of one name would collapse into one JSON key; the second becomes name_2.
    seen: dict[str, int] = {}
    names = []
    for name in columns:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return tuple(names)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (a test runner's captured stdout)
        pass
