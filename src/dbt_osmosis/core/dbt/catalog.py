"""The real columns of each relation: from the warehouse through the dbt adapter, or from catalog.json.

The result maps a node's unique id to its columns in warehouse order. A node that is missing from the
map has unknown columns (not built yet, or introspection disabled): the run then adds no columns to it.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt_osmosis.core.dbt.bulk_catalog import columns_in_relations
from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.errors import ProjectError

__all__ = ["WarehouseColumn", "columns_from_catalog", "columns_from_warehouse", "data_type", "error_reason"]


@dataclass(frozen=True)
class WarehouseColumn:
    """A column as the warehouse reports it."""

    name: str
    data_type: str | None


ColumnMap = dict[str, list[WarehouseColumn]]


def columns_from_warehouse(
    project: DbtProject,
    nodes: Iterable[Node],
    warnings: list[str] | None = None,
    *,
    numeric_precision_and_scale: bool = False,
    string_length: bool = False,
) -> ColumnMap:
    """Ask the warehouse for the columns of every node's relation, in as few queries as it allows.

    The adapter's catalog macros (those ``dbt docs generate`` uses) read one schema per query, the
    schemas spread over the profile's threads; where that query fails (no rights on the catalog) or the
    adapter's catalog words cannot be mapped for certain, relations are read one by one, and a bulk
    failure says so in one warning. Ephemeral models have no relation and are not asked about.

    A relation that cannot be read (a name this warehouse cannot quote, a table that only exists
    elsewhere) leaves that node's columns unknown and adds a line to ``warnings``; only a failure of the
    connection itself ends the run, because then no node's columns can be trusted. With
    ``numeric_precision_and_scale`` numeric types carry them (``NUMBER(38,8)``), with ``string_length``
    character types carry their length (``VARCHAR(128)``), as dbt renders them.
    """
    wanted = list(nodes)
    found: ColumnMap = {}
    if not wanted:
        return found
    manifest = project.manifest
    with project.adapter() as (adapter, config):
        relations: dict[str, Any] = {}
        for node in wanted:
            raw = manifest.nodes.get(node.unique_id) or manifest.sources.get(node.unique_id)
            if raw is None or _is_ephemeral(raw):
                continue
            # create_from applies the project's quoting policy, which a hand-built relation would miss.
            relations[node.unique_id] = adapter.Relation.create_from(config, raw)
        if not relations:
            return found
        try:
            bulk = columns_in_relations(adapter, relations, threads=getattr(config, "threads", None))
        except Exception as exc:  # a worker could not open or keep its connection
            raise ProjectError(
                f"Lost the warehouse connection while reading columns: {error_reason(exc)}. Check the "
                "connection and run again, or pass --catalog-path or --disable-introspection."
            ) from exc
        if bulk.errors and not _connection_works(adapter):
            first = next(key for key in relations if key in bulk.errors)  # node order, not thread order
            raise ProjectError(
                f"Cannot read the columns of {relations[first]} from the warehouse: "
                f"{error_reason(bulk.errors[first])}. Check the connection (is the database file locked by "
                "another program?), or pass --catalog-path or --disable-introspection."
            ) from bulk.errors[first]
        if warnings is not None and bulk.bulk_failures:
            warnings.append(_bulk_warning(bulk.bulk_failures))
        for node in wanted:  # node order keeps the warnings and the map deterministic
            relation = relations.get(node.unique_id)
            if relation is None:
                continue
            failure = bulk.errors.get(node.unique_id)
            if failure is not None:
                if warnings is not None:
                    warnings.append(
                        f"{node.display_name}: cannot read the columns of {relation} "
                        f"({error_reason(failure)}); "
                        "no columns added to it."
                    )
                continue
            columns = bulk.columns.get(node.unique_id)
            if columns:
                found[node.unique_id] = [
                    WarehouseColumn(col.name, data_type(col, numeric_precision_and_scale, string_length))
                    for col in columns
                ]
    return found


def _is_ephemeral(raw: Any) -> bool:
    return str(getattr(getattr(raw, "config", None), "materialized", "") or "") == "ephemeral"


def _bulk_warning(reasons: list[str]) -> str:
    # One line however many schemas failed: the cause is nearly always the same (rights on the catalog).
    return (
        f"Cannot read the warehouse catalog in one query per schema ({reasons[0].rstrip('.')}); read the "
        f"relations of {len(reasons)} schema(s) one by one instead, which is slower on a remote warehouse. "
        "Grant the profile's user read access to the catalog to speed this up."
    )


#: dbt's exception headers: the first line of their text, which says nothing about the cause.
_DBT_ERROR_HEADER = re.compile(r"^(\w+ )?(Runtime|Database|Compilation|Parsing|Internal|Dependency) Error$")


def error_reason(exc: BaseException) -> str:
    """The first line of an exception's text that says what went wrong (dbt's headers skipped)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    meaningful = [line for line in lines if not _DBT_ERROR_HEADER.match(line)]
    return (meaningful or lines or [type(exc).__name__])[0].rstrip(".")


def _connection_works(adapter: Any) -> bool:
    # A failed statement can leave an open transaction aborted; roll it back so the next relation gets a
    # clean connection, then prove the connection still answers.
    with contextlib.suppress(Exception):  # nothing to roll back, or no transactions: both fine
        adapter.connections.rollback_if_open()
    try:
        adapter.execute("select 1", fetch=True)
    except Exception:
        return False
    return True


def columns_from_catalog(path: Path, nodes: Iterable[Node]) -> ColumnMap:
    """Read columns from a ``catalog.json`` written by ``dbt docs generate``."""
    try:
        catalog = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProjectError(
            f"Cannot read the catalog at {path}: {exc.strerror}. Check --catalog-path."
        ) from exc
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"The catalog at {path} is not valid JSON (line {exc.lineno}): regenerate it with "
            "`dbt docs generate`."
        ) from exc
    if not isinstance(catalog, dict) or not isinstance(catalog.get("nodes", {}), dict):
        raise ProjectError(
            f"The catalog at {path} has no 'nodes' mapping: regenerate it with `dbt docs generate`."
        )
    entries: dict[str, Any] = {**catalog.get("nodes", {}), **catalog.get("sources", {})}
    found: ColumnMap = {}
    for node in nodes:
        entry = entries.get(node.unique_id)
        if not isinstance(entry, dict):
            continue
        columns = entry.get("columns") or {}
        ordered = sorted(columns.values(), key=lambda col: col.get("index", 0))
        found[node.unique_id] = [WarehouseColumn(str(col["name"]), col.get("type")) for col in ordered]
    return found


def data_type(
    column: Any, numeric_precision_and_scale: bool = False, string_length: bool = False
) -> str | None:
    """The type to write for a dbt adapter column: the warehouse's name, or dbt's sized rendering.

    ``dtype`` is what the warehouse calls the type; ``data_type`` is dbt's rendering of it with the
    precision and scale of numbers and the length of strings, which the 1.x flags ask for.
    """
    precise = (numeric_precision_and_scale and _is(column, "is_numeric")) or (
        string_length and _is(column, "is_string")
    )
    if precise:
        rendered = getattr(column, "data_type", None)
        if rendered:
            return str(rendered)
    raw = getattr(column, "dtype", None) or getattr(column, "data_type", None)
    return str(raw) if raw else None


def _is(column: Any, check: str) -> bool:
    method = getattr(column, check, None)
    return bool(method()) if callable(method) else False
