"""Moved to ``dbt_osmosis.core.process.runlock``; this path is kept for one release."""

from dbt_osmosis.core.process.runlock import (
    LOCK_NAME,
    ProjectLockedError,
    project_lock,
)

__all__ = [
    "LOCK_NAME",
    "ProjectLockedError",
    "project_lock",
]
