"""Moved to ``dbt_osmosis.core.synthesis.review``; this path is kept for one release."""

from dbt_osmosis.core.synthesis.review import (
    ReviewItem,
    ReviewSession,
)

__all__ = [
    "ReviewItem",
    "ReviewSession",
]
