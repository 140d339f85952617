"""Moved to ``dbt_osmosis.core.process.gc_tuning``; this path is kept for one release."""

from dbt_osmosis.core.process.gc_tuning import (
    keep_long_lived,
    long_lived_heap,
)

__all__ = [
    "keep_long_lived",
    "long_lived_heap",
]
