"""Moved to ``dbt_osmosis.core.dbt.catalog``; this path is kept for one release."""

from dbt_osmosis.core.dbt.catalog import (
    ColumnMap,
    WarehouseColumn,
    columns_from_catalog,
    columns_from_warehouse,
    data_type,
    error_reason,
)

__all__ = [
    "ColumnMap",
    "WarehouseColumn",
    "columns_from_catalog",
    "columns_from_warehouse",
    "data_type",
    "error_reason",
]
