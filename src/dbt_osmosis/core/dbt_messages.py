"""Moved to ``dbt_osmosis.core.dbt.messages``; this path is kept for one release."""

from dbt_osmosis.core.dbt.messages import (
    one_line,
)

__all__ = [
    "one_line",
]
