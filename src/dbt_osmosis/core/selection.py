"""Moved to ``dbt_osmosis.core.dbt.selection``; this path is kept for one release."""

from dbt_osmosis.core.dbt.selection import (
    Selection,
    dbt_selected_ids,
    select_nodes,
)

__all__ = [
    "Selection",
    "dbt_selected_ids",
    "select_nodes",
]
