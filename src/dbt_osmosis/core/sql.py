"""Moved to ``dbt_osmosis.core.dbt.sql``; this path is kept for one release."""

from dbt_osmosis.core.dbt.sql import (
    QueryResult,
    SqlError,
    compile_sql,
    run_sql,
)

__all__ = [
    "QueryResult",
    "SqlError",
    "compile_sql",
    "run_sql",
]
