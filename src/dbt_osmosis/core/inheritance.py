"""Moved to ``dbt_osmosis.core.document.inheritance``; this path is kept for one release."""

from dbt_osmosis.core.document.inheritance import (
    DEFAULT_PLACEHOLDERS,
    ColumnKnowledge,
    Knowledge,
    is_placeholder,
    topological_order,
)

__all__ = [
    "DEFAULT_PLACEHOLDERS",
    "ColumnKnowledge",
    "Knowledge",
    "is_placeholder",
    "topological_order",
]
