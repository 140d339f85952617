"""Moved to ``dbt_osmosis.core.schema.yaml_errors``; this path is kept for one release."""

from dbt_osmosis.core.schema.yaml_errors import (
    yaml_error_message,
)

__all__ = [
    "yaml_error_message",
]
