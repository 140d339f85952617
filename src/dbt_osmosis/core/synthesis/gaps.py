"""What a node still lacks after inheritance, which model-written texts went stale, and their input stamps.

Pure reads of the plan, except ``stamp_inputs``, which records in a written text's mark the hash of
the inputs it was written from (what ``yaml review`` later compares to call it stale).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.document.planning import context_for
from dbt_osmosis.core.document.types import NodeContext
from dbt_osmosis.core.document.versions import answers_for
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.items import column_items
from dbt_osmosis.core.synthesis.provenance import (
    GENERATED_META_KEY,
    REJECTED_META_KEY,
    Redo,
    entry_meta,
    inputs_hash,
    item_meta,
    marks_of,
)

__all__ = ["Gap", "current_inputs_hash", "find_gap", "stale_texts", "stamp_inputs"]


@dataclass(frozen=True)
class Gap:
    """What a node still lacks after inheritance."""

    table: bool
    columns: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.table or bool(self.columns)


def find_gap(context: NodeContext, redo: Redo | None = None) -> Gap:
    """The node's missing table description and undocumented columns (names as the YAML spells them).

    A text a reviewer rejected is not missing; a text in ``redo`` (stale or rejected, with
    ``--llm-refresh-stale``) is.
    """
    entry = context.entry
    if entry is None:
        return Gap(False, ())
    redo = redo or Redo()
    placeholders = context.plan.options.placeholders

    def wanted(mapping: Any, meta: dict[str, Any], again: bool) -> bool:
        if again:
            return True
        return (
            is_placeholder(mapping.get("description"), placeholders)
            and meta.get(REJECTED_META_KEY) is not True
        )

    columns = tuple(
        str(item.get("name"))
        for item in column_items(entry)
        if item.get("name") is not None
        and wanted(item, item_meta(item), column_key(item.get("name")) in redo.columns)
    )
    return Gap(wanted(entry, entry_meta(entry), redo.table), columns)


def stale_texts(context: NodeContext) -> Redo:
    """The node's model-written texts whose inputs changed since they were written, or were rejected."""
    entry = context.entry
    marks = marks_of(entry) if entry is not None else []
    if entry is not None and marks:
        # A model-level text read by several versions of a model is judged by one of them only.
        nodes, node = context.plan.project.nodes, context.node
        marks = [mark for mark in marks if answers_for(nodes, node, entry, column_key(mark.column) or None)]
    if entry is None or not marks:
        return Redo()
    current = current_inputs_hash(context)
    # A text a person edited under the mark is theirs now: never written again behind their back.
    again = [mark for mark in marks if not mark.edited and (mark.rejected or mark.inputs != current)]
    return Redo(
        table=any(not mark.column for mark in again),
        columns=frozenset(column_key(mark.column) for mark in again if mark.column),
        rejected=any(mark.rejected for mark in again),
    )


def current_inputs_hash(context: NodeContext) -> str:
    """The hash of the node's inputs as they are now (what a written text's mark records)."""
    plan = context.plan
    entry = context.entry or {}

    def entry_of(node: Node) -> Any:
        return context_for(plan, node).entry

    return inputs_hash(context.node, entry, entry_of, plan.project.nodes, plan.options.placeholders)


def stamp_inputs(context: NodeContext, table: bool, columns: Iterable[str]) -> None:
    """Record in the marks of these texts (written this run) a hash of the node's inputs as they are now."""
    current = current_inputs_hash(context)
    editable = context.edit()
    keys = set(columns)
    holders: list[Any] = [context.edit_holder()] if table else []
    holders += [item for item in column_items(editable) if column_key(item.get("name")) in keys]
    for holder in holders:
        for meta in (holder.get("meta"), (holder.get("config") or {}).get("meta")):
            mark = meta.get(GENERATED_META_KEY) if isinstance(meta, dict) else None
            if isinstance(mark, dict) and mark.get("inputs") != current:
                mark["inputs"] = current
