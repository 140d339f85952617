"""Moved to ``dbt_osmosis.core.document.preflight``; this path is kept for one release."""

from dbt_osmosis.core.document.preflight import (
    check_files,
    files_to_edit,
    preflight,
)

__all__ = [
    "check_files",
    "files_to_edit",
    "preflight",
]
