"""The steps of one selected node, in order, and ``learn``, which records what a node documents.

Place its entry, add columns and data types, handle stale columns, inherit docs and extra keys; then
its children can inherit what it now documents.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.dbt.catalog import WarehouseColumn
from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.inheritance import ColumnKnowledge, is_placeholder
from dbt_osmosis.core.document.types import DocumentOptions, DocumentPlan, NodeContext
from dbt_osmosis.core.document.versions import model_key, shared_item, versions_of
from dbt_osmosis.core.errors import EntryEditError
from dbt_osmosis.core.schema.entries import column_key, create_entry, find_entry, insert_after, insert_item
from dbt_osmosis.core.schema.items import (
    column_items,
    copy_scalar,
    existing_meta,
    index_of,
    merge_meta,
    merge_tags,
    set_meta,
)
from dbt_osmosis.core.schema.placement import readable_target_path
from dbt_osmosis.core.schema.versions import VersionView, entry_of, version_view
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = [
    "PROGENITOR_KEY",
    "add_data_types",
    "add_missing_columns",
    "apply_node_steps",
    "handle_stale_columns",
    "inherit_column_docs",
    "inherit_extra_keys",
    "learn",
    "locate_entry",
]


PROGENITOR_KEY = "osmosis_progenitor"


_NOT_INHERITED_META = frozenset({PROGENITOR_KEY, "osmosis_generated", "osmosis_rejected"})


def apply_node_steps(context: NodeContext) -> None:
    """The per-node pipeline for a selected node, in order."""
    for step in (
        locate_entry,
        add_missing_columns,
        add_data_types,
        handle_stale_columns,
        inherit_column_docs,
        inherit_extra_keys,
    ):
        step(context)
        if context.entry is None or context.node.unique_id in context.plan.frozen:
            return
        if isinstance(context.entry, VersionView) and context.schema_file is not None:
            # A version's view is a picture: the step may have added or removed columns under it.
            context.entry = entry_of(context.schema_file, context.node)


def locate_entry(context: NodeContext, *, create: bool = True) -> None:
    """Find the node's YAML entry where dbt says it is, or create one where the path template says."""
    node, plan = context.node, context.plan
    if node.version is not None and not node.patch_path:
        # dbt only knows a model is versioned from its YAML; without one there is nothing to read.
        if create:
            plan.warnings.append(f"{node.display_name}: versioned model with no YAML entry; left alone.")
        return
    if node.patch_path:
        schema_file = plan.store.get(node.patch_path)
        entry = find_entry(schema_file, node) if schema_file else None
        if schema_file is not None and entry is not None:
            if _left_for_anchor(context, schema_file, entry, create):
                plan.entries[node.unique_id] = schema_file
                return
            if node.version is not None:
                view = version_view(entry, node.version)
                if isinstance(view, str):
                    # Children inherit nothing from it either: what it documents is unclear.
                    if create:
                        plan.warnings.append(
                            f"{node.display_name}: in {schema_file.display_path}, {view}; "
                            "versioned model left as written."
                        )
                    return
                entry = view
            plan.entries[node.unique_id] = schema_file
            context.schema_file, context.entry = schema_file, entry
        elif create:
            plan.warnings.append(
                f"{node.display_name}: dbt says it is documented in {node.patch_path}, "
                "but no entry by that name was found there; left alone."
            )
        return
    if not create or node.resource_type == "source":
        return
    schema_file = plan.store.get_or_create(readable_target_path(node, plan.project.root))
    plan.entries[node.unique_id] = schema_file
    if schema_file.display_path in plan.blocked:
        plan.frozen.add(node.unique_id)
        return
    found = find_entry(schema_file, node)
    if found is not None and _left_for_anchor(context, schema_file, found, create):
        return
    context.schema_file, context.entry = schema_file, found
    if context.entry is None:
        schema_file.make_editable()
        context.entry = create_entry(schema_file, node)
        context.record("new entry")


def _left_for_anchor(context: NodeContext, schema_file: SchemaFile, entry: Any, report: bool) -> bool:
    # True (and reported once) when the node's entry is shared through an alias: read it, never edit it.
    plan, node = context.plan, context.node
    if schema_file.display_path in plan.blocked:
        plan.frozen.add(node.unique_id)
        return True
    if node.unique_id not in plan.frozen and not plan.shares_through_alias(schema_file, entry):
        return False
    if report:
        plan.anchored.add(node.unique_id)
    if report and node.unique_id not in plan.frozen:
        plan.warnings.append(
            f"{node.display_name}: its entry in {schema_file.display_path} is shared through a YAML "
            "anchor; edit by hand (left as written)."
        )
    plan.frozen.add(node.unique_id)
    return True


def add_missing_columns(context: NodeContext) -> None:
    """Add warehouse columns the YAML does not list, each at its warehouse position."""
    options, node, entry = context.plan.options, context.node, context.entry
    warehouse = context.warehouse_columns
    if entry is None or warehouse is None or options.skip_add_columns:
        return
    if node.resource_type == "source" and options.skip_add_source_columns:
        return
    present = {column_key(item.get("name")) for item in column_items(entry)}
    if all(column_key(col.name) in present for col in warehouse):
        return
    if isinstance(entry, VersionView):
        _add_missing_version_columns(context, warehouse)
        return
    editable = context.edit_entry()
    items = editable.get("columns")
    new_list = not isinstance(items, list)
    if new_list:
        items = CommentedSeq()
    insert_at = 0
    added: list[str] = []
    for column in warehouse:
        key = column_key(column.name)
        if key in present:
            insert_at = index_of(items, key) + 1
            continue
        item = _new_column(column, options)
        insert_item(items, insert_at, item)
        insert_at += 1
        present.add(key)
        added.append(str(item["name"]))
    if new_list:
        # Inserted already filled, so that the blank lines and comments carried onto it land after its
        # last item instead of between `columns:` and its first item.
        insert_after(editable, "columns", items, ("name", "description", "config"))
    context.record(f"added column{'s' if len(added) > 1 else ''} {', '.join(added)}")


def _new_column(column: WarehouseColumn, options: DocumentOptions) -> CommentedMap:
    item = CommentedMap()
    item["name"] = column.name.lower() if options.output_to_lower else column.name
    if column.data_type and not options.skip_add_data_types:
        item["data_type"] = column.data_type.lower() if options.output_to_lower else column.data_type
    return item


def _add_missing_version_columns(context: NodeContext, warehouse: list[WarehouseColumn]) -> None:
    """Add a version's missing columns where dbt will read them for that version, and nowhere else.

    A column goes into the model-level ``columns:`` when this version reads it from there and every
    other version that would read it there has it too; otherwise into the version's own ``columns:``
    when it has one; otherwise it is not added, with a warning (adding it would document it for a
    version that does not have it).
    """
    plan, node, options = context.plan, context.node, context.plan.options
    view = context.edit()
    model = view.shape.model if isinstance(view, VersionView) else None
    if not isinstance(view, VersionView) or not isinstance(model, CommentedMap):
        raise EntryEditError(f"{node.display_name}: its versioned entry could not be edited.")
    shape = view.shape
    present = {column_key(item.get("name")) for item in column_items(view)}
    siblings = [other for other in versions_of(plan.project.nodes, node) if other.unique_id != node.unique_id]
    to_model: dict[str, CommentedMap] = {}
    to_own: dict[str, CommentedMap] = {}
    at_model = {column_key(item.get("name")) for item in column_items(model)}
    for column in warehouse:
        key = column_key(column.name)
        if key in present:
            continue
        item = _new_column(column, options)
        name = str(item["name"])
        # A model-level entry of that name (in any spelling) that this version leaves out: a second
        # one beside it would be a second column to dbt, so the version's own entry is the place.
        left_out = not shape.includes(name) or key in at_model
        lacking = [] if left_out else [o for o in siblings if _would_wrongly_read(plan, shape.model, o, name)]
        if not left_out and not lacking:
            to_model[key] = item
        elif shape.own is not None:
            to_own[key] = item
        elif left_out:
            plan.warnings.append(
                f"{node.display_name}: column {name} not added: the model-level `columns:` list it in "
                "another spelling, which dbt keeps apart; add it to this version by hand."
            )
        else:
            versions = ", ".join(other.display_name for other in lacking)
            one = len(lacking) == 1
            plan.warnings.append(
                f"{node.display_name}: column {name} not added: {versions} also read{'s' if one else ''} "
                f"the model-level `columns:` and {'does' if one else 'do'} not have it (or "
                f"{'its' if one else 'their'} columns are unknown to this run); give this version its own "
                "`columns:` (starting with `- include: all`) to add it there."
            )
    added: list[str] = []
    if to_model:
        items = model.get("columns")
        if isinstance(items, list):
            added += _insert_columns(items, warehouse, to_model, 0)
        else:
            items = CommentedSeq()
            added += _insert_columns(items, warehouse, to_model, 0)
            insert_after(model, "columns", items, ("name", "description", "latest_version", "config", "docs"))
    own = shape.own
    if to_own and own is not None:
        # After the include/exclude element when it leads the list, as authors write it.
        start = 0
        while start < len(own) and isinstance(own[start], dict) and "name" not in own[start]:
            start += 1
        added += _insert_columns(own, warehouse, to_own, start)
    if added:
        context.record(f"added column{'s' if len(added) > 1 else ''} {', '.join(added)}")


def _would_wrongly_read(plan: DocumentPlan, model: dict[str, Any], other: Node, name: str) -> bool:
    """Whether version ``other`` would read a model-level column ``name`` it is not known to have."""
    shape = version_view(model, other.version or "")
    if isinstance(shape, str):
        return True
    if not shape.shape.includes(name):
        return False
    key = column_key(name)
    if any(column_key(item.get("name")) == key for item in shape.shape.own_items()):
        return False  # its own entry of that name is what dbt reads for it
    columns = plan.columns.get(other.unique_id)
    return columns is None or all(column_key(col.name) != key for col in columns)


def _insert_columns(
    items: list[Any], warehouse: list[WarehouseColumn], new: Mapping[str, CommentedMap], start: int
) -> list[str]:
    """Insert the ``new`` column entries into ``items``, each after its warehouse predecessor."""
    insert_at = start
    added: list[str] = []
    for column in warehouse:
        key = column_key(column.name)
        item = new.get(key)
        if item is None:
            index = index_of(items, key)
            if index >= 0:
                insert_at = index + 1
            continue
        insert_item(items, insert_at, item)
        insert_at += 1
        added.append(str(item["name"]))
    return added


def add_data_types(context: NodeContext) -> None:
    """Give existing column entries the warehouse's data type when they have none."""
    options, entry = context.plan.options, context.entry
    warehouse = context.warehouse_columns
    if entry is None or warehouse is None or options.skip_add_data_types:
        return
    types = {column_key(col.name): col.data_type for col in warehouse if col.data_type}
    wanted = {
        column_key(item.get("name"))
        for item in column_items(entry)
        if "data_type" not in item and types.get(column_key(item.get("name")))
    }
    if not wanted:
        return
    typed: list[str] = []
    for item in column_items(context.edit()):
        key = column_key(item.get("name"))
        if key in wanted:
            data_type = types[key] or ""
            value = data_type.lower() if options.output_to_lower else data_type
            insert_after(item, "data_type", value, ("name", "description"))
            typed.append(str(item.get("name")))
    context.record(f"data types for {', '.join(typed)}")


def handle_stale_columns(context: NodeContext) -> None:
    """Report YAML columns the warehouse no longer has; remove them only when asked."""
    options, entry = context.plan.options, context.entry
    warehouse = context.warehouse_columns
    if entry is None or not warehouse:
        return
    present = {column_key(col.name) for col in warehouse}
    stale = [
        str(item.get("name")) for item in column_items(entry) if column_key(item.get("name")) not in present
    ]
    if not stale:
        return
    names = ", ".join(stale)
    if not options.remove_stale_columns:
        context.plan.warnings.append(
            f"{context.node.display_name}: column(s) {names} are in the YAML but not in the warehouse "
            "(kept; pass --remove-stale-columns to remove them)."
        )
        return
    editable = context.edit()
    doomed = [item for item in column_items(editable) if column_key(item.get("name")) not in present]
    columns = editable["columns"]
    if isinstance(editable, VersionView):
        # A model-level entry is read by the other versions too: only the version's own entries go.
        shape = editable.shape
        kept = [str(item.get("name")) for item in doomed if shape.is_shared(item)]
        if kept:
            context.plan.warnings.append(
                f"{context.node.display_name}: column(s) {', '.join(kept)} are not in the warehouse but "
                "are read from the model-level columns, which other versions share (kept; list them "
                "under this version's `exclude:` to drop them for it)."
            )
        doomed = [item for item in doomed if not shape.is_shared(item)]
        columns = shape.own or []
        if not doomed:
            return
        names = ", ".join(str(item.get("name")) for item in doomed)
    for item in doomed:
        columns.remove(item)
    context.record(f"removed stale column{'s' if len(doomed) > 1 else ''} {names}")


def inherit_column_docs(context: NodeContext) -> None:
    """Fill undocumented columns (or all, with -F) from the nearest upstream node that documents them."""
    options, plan, entry = context.plan.options, context.plan, context.entry
    if entry is None:
        return
    found: dict[str, ColumnKnowledge] = {}
    model = model_key(context)
    for item in column_items(entry):
        key = column_key(item.get("name"))
        current = item.get("description")
        missing = is_placeholder(current, options.placeholders)
        if not missing and not options.force_inherit_descriptions:
            continue
        upstream = plan.knowledge.nearest(context.node.unique_id, key)
        if upstream is not None and model is not None and shared_item(entry, item):
            # The first version (in DAG order) with an upstream text for a model-level column owns it
            # for the run: with -F, another version whose parents say otherwise must not overwrite it,
            # or each run would undo the other version's text.
            owner = plan.version_claims.setdefault((model, key), context.node.unique_id)
            if owner != context.node.unique_id and not missing:
                continue
        if upstream is None or (not missing and str(upstream.description) == str(current)):
            continue
        found[key] = upstream
    if not found:
        return
    inherited: list[str] = []
    editable = context.edit()
    for item in column_items(editable):
        upstream_doc = found.get(column_key(item.get("name")))
        if upstream_doc is None:
            continue
        insert_after(item, "description", copy_scalar(upstream_doc.description), ("name",))
        if upstream_doc.tags and not options.skip_add_tags:
            merge_tags(item, upstream_doc.tags)
        if not options.skip_merge_meta:
            merge_meta(item, upstream_doc.meta)
        if options.add_progenitor_to_meta:
            set_meta(item, {PROGENITOR_KEY: upstream_doc.progenitor})
        inherited.append(str(item.get("name")))
    context.record(f"inherited docs for {', '.join(inherited)}")


def inherit_extra_keys(context: NodeContext) -> None:
    """Copy the column keys named by ``--add-inheritance-for-specified-keys`` from upstream when absent."""
    keys, entry = context.plan.options.inherit_keys, context.entry
    if not keys or entry is None:
        return
    wanted: dict[str, dict[str, Any]] = {}
    for item in column_items(entry):
        column = column_key(item.get("name"))
        upstream = context.plan.knowledge.nearest(context.node.unique_id, column)
        if upstream is None:
            continue
        missing = {key: upstream.extra[key] for key in keys if key in upstream.extra and key not in item}
        if missing:
            wanted[column] = missing
    if not wanted:
        return
    names: list[str] = []
    for item in column_items(context.edit()):
        missing = wanted.get(column_key(item.get("name")), {})
        for key, value in missing.items():
            insert_after(item, key, copy.deepcopy(value), tuple(item.keys()))
        if missing:
            names.append(str(item.get("name")))
    context.record(f"inherited {', '.join(keys)} for {', '.join(names)}")


def learn(context: NodeContext) -> None:
    """Record what this node now documents so that its children can inherit it."""
    plan = context.plan
    schema_file = plan.entries.get(context.node.unique_id)
    entry = entry_of(schema_file, context.node) if schema_file is not None else None
    if entry is None:
        plan.knowledge.learn(context.node.unique_id, {})
        return
    own: dict[str, ColumnKnowledge] = {}
    for item in column_items(entry):
        description = item.get("description")
        if is_placeholder(description, plan.options.placeholders):
            continue
        key = column_key(item.get("name"))
        meta = existing_meta(item)
        progenitor = meta.get(PROGENITOR_KEY)
        if not isinstance(progenitor, str):
            upstream = plan.knowledge.nearest(context.node.unique_id, key)
            inherited = upstream is not None and str(upstream.description) == str(description)
            progenitor = upstream.progenitor if upstream is not None and inherited else context.node.unique_id
        tags = item.get("tags") or []
        own[key] = ColumnKnowledge(
            description=description,
            progenitor=progenitor,
            tags=tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
            # Where a text came from and who wrote it describe this node's copy, not its children's.
            meta={k: v for k, v in meta.items() if k not in _NOT_INHERITED_META},
            extra={key: item[key] for key in plan.options.inherit_keys if key in item},
        )
    plan.knowledge.learn(context.node.unique_id, own)
