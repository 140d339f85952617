"""Moved to ``dbt_osmosis.core.dbt.target``; this path is kept for one release."""

from dbt_osmosis.core.dbt.target import (
    dbt_target_dir,
)

__all__ = [
    "dbt_target_dir",
]
