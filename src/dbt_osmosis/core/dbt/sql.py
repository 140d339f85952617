"""Compile or run a SQL string against the project through dbt (``dbt compile/show --inline``).

dbt does the work, as it would for ``dbt show``: Jinja, ``ref()`` and ``source()`` resolve against the
project, the profile's connection runs the query. The result comes back as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt_osmosis.core.dbt.project import ProjectOptions, dbt_args, resolve_options, working_directory
from dbt_osmosis.core.errors import OsmosisError

__all__ = ["QueryResult", "SqlError", "compile_sql", "run_sql"]


class SqlError(OsmosisError):
    """dbt could not compile or run the SQL it was given."""


@dataclass(frozen=True)
class QueryResult:
    """The rows a query returned (at most the limit asked for), with column names and type names."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def compile_sql(options: ProjectOptions, sql: str) -> str:
    """The SQL with its Jinja rendered and refs resolved, as ``dbt compile --inline`` gives it."""
    result = _invoke(options, ["compile", "--inline", sql], "compile")
    node = getattr(result.results[0], "node", None)
    compiled = getattr(node, "compiled_code", None)
    if not isinstance(compiled, str):
        raise SqlError("dbt compiled nothing for the SQL given.")
    return compiled


def run_sql(options: ProjectOptions, sql: str, limit: int) -> QueryResult:
    """Run the SQL through dbt (``dbt show --inline``) and return at most ``limit`` rows (-1: all)."""
    result = _invoke(options, ["show", "--inline", sql, "--limit", str(limit)], "run")
    table = getattr(result.results[0], "agate_table", None)
    if table is None:
        return QueryResult((), (), ())
    return QueryResult(
        columns=tuple(str(name) for name in table.column_names),
        types=tuple(type(kind).__name__ for kind in table.column_types),
        rows=tuple(tuple(row) for row in table.rows),
    )


def _invoke(options: ProjectOptions, args: list[str], verb: str) -> Any:
    from dbt.cli.main import dbtRunner

    resolved = resolve_options(options)
    with working_directory(resolved.project_dir):
        outcome = dbtRunner().invoke([args[0], *dbt_args(resolved), *args[1:]])
    results = getattr(outcome.result, "results", None)
    if not outcome.success or not results:
        reason = outcome.exception
        if reason is None and results:
            reason = getattr(results[0], "message", None)
        cause = getattr(reason, "__cause__", None)
        text = " ".join(str(reason or f"dbt could not {verb} the SQL").split())
        if cause is not None:
            text += ": " + " ".join(str(cause).split())
        raise SqlError(f"dbt could not {verb} the SQL: {text}")
    return outcome.result
