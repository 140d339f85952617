"""The ``yaml document`` pipeline: select -> columns -> (per node, in DAG order) place -> add -> inherit.

``plan_document`` edits YAML in memory only and reports what it did; ``write_changes`` is the single
place that touches disk. A node's steps are small named functions so the order of work reads as a list.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from dbt_osmosis.core.dbt import selection
from dbt_osmosis.core.dbt.catalog import (
    ColumnMap,
    WarehouseColumn,
    columns_from_catalog,
    columns_from_warehouse,
)
from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.errors import EntryEditError, NodeError, YamlError
from dbt_osmosis.core.inheritance import (
    DEFAULT_PLACEHOLDERS,
    ColumnKnowledge,
    Knowledge,
    is_placeholder,
    topological_order,
)
from dbt_osmosis.core.schema.entries import (
    column_key,
    create_entry,
    find_entry,
    insert_after,
    insert_item,
    meta_map,
)
from dbt_osmosis.core.schema.placement import target_path
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import VersionView, version_view
from dbt_osmosis.core.schema.writable import write_files
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic

__all__ = [
    "Change",
    "DocumentOptions",
    "DocumentPlan",
    "NodeContext",
    "answers_for",
    "apply_node_steps",
    "column_items",
    "context_for",
    "entry_of",
    "inherit_column_docs",
    "inherit_extra_keys",
    "learn",
    "orphan_entries",
    "plan_document",
    "select_nodes",
    "set_meta",
    "write_changes",
]

log = logging.getLogger("dbt_osmosis")

PROGENITOR_KEY = "osmosis_progenitor"
_NOT_INHERITED_META = frozenset({PROGENITOR_KEY, "osmosis_generated", "osmosis_rejected"})


@dataclass(frozen=True)
class DocumentOptions:
    """What a ``yaml document`` run should do; one field per CLI option."""

    models: tuple[str, ...] = ()
    fqn: tuple[str, ...] = ()
    catalog_path: Path | None = None
    disable_introspection: bool = False
    force_inherit_descriptions: bool = False
    skip_add_columns: bool = False
    skip_add_source_columns: bool = False
    skip_add_tags: bool = False
    skip_merge_meta: bool = False
    skip_add_data_types: bool = False
    add_progenitor_to_meta: bool = False
    output_to_lower: bool = False
    remove_stale_columns: bool = False
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    numeric_precision_and_scale: bool = False
    string_length: bool = False
    inherit_keys: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    selector: str | None = None
    state: Path | None = None


@dataclass(frozen=True)
class Change:
    """One thing the run did, for the report."""

    node: str
    path: str
    what: str


@dataclass
class DocumentPlan:
    """The in-memory result of a run: edited files, what changed, what to warn about, and timings."""

    project: DbtProject
    options: DocumentOptions
    store: SchemaStore
    knowledge: Knowledge
    order: list[Node]
    targets: list[Node]
    columns: ColumnMap
    entries: dict[str, SchemaFile] = field(default_factory=dict)  # node id -> the file documenting it
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    introspection_seconds: float = 0.0
    work_seconds: float = 0.0
    #: Nodes whose YAML is read (children still inherit from it) but never edited by this run.
    frozen: set[str] = field(default_factory=set)
    #: Files this run must not write (read-only, outside the project, not editable), with the reason.
    blocked: dict[str, str] = field(default_factory=dict)
    #: Nodes whose steps failed, by display name, with the reason; the rest of the run went on.
    failures: dict[str, str] = field(default_factory=dict)
    #: Which version of a versioned model inherits each model-level column this run, by (file and
    #: model, column key): the others reading the same entry leave it to that one.
    version_claims: dict[tuple[str, str], str] = field(default_factory=dict)
    _shared: dict[int, tuple[Any, frozenset[int]]] = field(default_factory=dict, repr=False)

    def shares_through_alias(self, schema_file: SchemaFile, entry: Any) -> bool:
        """Whether ``entry``, or anything inside it, is also reachable elsewhere in its file.

        That is what a YAML anchor and alias (``columns: *common``, ``<<: *base``) make: one object in
        two places. Editing it for one node would silently change the other, so such a node is left
        as written.
        """
        data = schema_file.data
        cached = self._shared.get(id(data))
        if cached is None or cached[0] is not data:
            cached = (data, _shared_containers(data))
            self._shared[id(data)] = cached
        shared = cached[1]
        return bool(shared) and any(id(value) in shared for value in _containers(entry))

    def changed_files(self) -> list[SchemaFile]:
        """The files whose text on disk would change (files the run may not write are left out)."""
        return [
            schema_file
            for schema_file in self.store.files()
            if schema_file.display_path not in self.blocked and schema_file.changed()
        ]

    def block(self, schema_file: SchemaFile, reason: str) -> None:
        """Leave ``schema_file`` as it is on disk, and every node documented in it unedited."""
        # Reports print the path first; a reason that starts with it (YamlError's do) would repeat it.
        self.blocked.setdefault(schema_file.display_path, reason.removeprefix(f"{schema_file.display_path} "))
        for unique_id, owner in self.entries.items():
            if owner is schema_file:
                self.frozen.add(unique_id)


@dataclass
class NodeContext:
    """What one node's steps share: the plan, the node, its YAML entry and its warehouse columns."""

    plan: DocumentPlan
    node: Node
    schema_file: SchemaFile | None = None
    entry: dict[str, Any] | None = None

    def record(self, what: str) -> None:
        """Note a change to this node for the final report."""
        path = self.schema_file.display_path if self.schema_file else ""
        if self.schema_file is not None:
            self.schema_file.touch()
        self.plan.changes.append(Change(self.node.display_name, path, what))

    @property
    def model_entry(self) -> dict[str, Any] | None:
        """The entry as the file holds it: the model's own entry for a version of a versioned model."""
        return self.entry.shape.model if isinstance(self.entry, VersionView) else self.entry

    def edit(self) -> dict[str, Any]:
        """What the node's steps read and change, taken from its file's current state.

        For most nodes this is the entry itself. For a version of a versioned model it is a
        ``VersionView``: its column entries are the file's own (the model-level ones it reads and its
        own), so changes to them land where dbt reads them; its description and meta are written
        through ``edit_holder``.
        """
        entry = self.edit_entry()
        return self.entry if isinstance(self.entry, VersionView) else entry

    def edit_entry(self) -> CommentedMap:
        """The entry, ready to change, always taken from its file's current state.

        The file is re-read with the round-trip parser on its first edit by any node; every context
        that found its entry in the fast read before that looks it up again here, so the order in
        which nodes sharing a file are edited does not matter.
        """
        schema_file, entry = self.schema_file, self.model_entry
        if schema_file is None or entry is None:
            raise EntryEditError(f"{self.node.display_name}: has no YAML entry to edit.")
        schema_file.make_editable()
        if not isinstance(entry, CommentedMap) or not _holds(schema_file, self.node, entry):
            found = find_entry(schema_file, self.node)
            if not isinstance(found, CommentedMap):
                raise EntryEditError(
                    f"{self.node.display_name}: its entry in {schema_file.display_path} could not be found "
                    "again by the round-trip parser; the file was left as written."
                )
            entry = found
        self.entry = entry
        if self.node.version is not None:
            # Rebuilt on every edit: another version of the model may have changed the model-level columns.
            view = version_view(entry, self.node.version)
            if isinstance(view, str):
                raise EntryEditError(f"{self.node.display_name}: {view}; left as written.")
            self.entry = view
        return entry

    def edit_holder(self) -> CommentedMap:
        """The mapping that holds the node's description and meta, ready to change.

        The entry itself, or for a version of a versioned model the version's own mapping when it
        has a ``description:`` key (the model's entry otherwise: dbt reads the model's description then).
        """
        view = self.edit()
        holder = view.shape.holder() if isinstance(view, VersionView) else view
        if not isinstance(holder, CommentedMap):
            raise EntryEditError(f"{self.node.display_name}: its YAML entry could not be edited.")
        return holder

    @property
    def warehouse_columns(self) -> list[WarehouseColumn] | None:
        """The relation's columns in warehouse order, or ``None`` when they are unknown."""
        return self.plan.columns.get(self.node.unique_id)


def _holds(schema_file: SchemaFile, node: Node, entry: CommentedMap) -> bool:
    # Identity, not equality: the entry must be the very object the file will render.
    return find_entry(schema_file, node) is entry


def entry_of(schema_file: SchemaFile, node: Node) -> dict[str, Any] | None:
    """What a node's steps read from ``schema_file``: its entry, or the view of its version.

    ``None`` when the file does not document it, or documents a version in a shape that cannot be read
    the way dbt reads it.
    """
    entry = find_entry(schema_file, node)
    if entry is None or node.version is None:
        return entry
    view = version_view(entry, node.version)
    return None if isinstance(view, str) else view


def answers_for(nodes: Mapping[str, Node], node: Node, entry: Mapping[str, Any], column: str | None) -> bool:
    """Whether ``node`` answers for a text it reads: the description (``column`` None) or a column's.

    Always, except for a version of a versioned model reading model-level text that other versions read
    too: that text is judged (stale or not, listed for review) by one version only, the first by unique
    id among those reading it, so that versions never disagree about it from run to run.
    """
    if not isinstance(entry, VersionView):
        return True
    shape = entry.shape
    if column is None:
        if shape.holder() is not shape.model:
            return True
    else:
        item = next((i for i in entry["columns"] if column_key(i.get("name")) == column), None)
        if item is None or not shape.is_shared(item):
            return True
    for other in sorted(_versions_of(nodes, node), key=lambda n: n.unique_id):
        view = version_view(shape.model, other.version or "")
        if isinstance(view, str):
            continue
        if column is None and view.shape.holder() is view.shape.model:
            return other.unique_id == node.unique_id
        if column is not None and any(
            column_key(i.get("name")) == column and view.shape.is_shared(i) for i in view["columns"]
        ):
            return other.unique_id == node.unique_id
    return True


def _versions_of(nodes: Mapping[str, Node], node: Node) -> list[Node]:
    """Every version of ``node``'s model documented in the same entry, ``node`` included."""
    same = (node.package_name, node.name, node.patch_path)
    return [
        other
        for other in nodes.values()
        if other.version is not None and (other.package_name, other.name, other.patch_path) == same
    ]


def select_nodes(project: DbtProject, models: Sequence[str], fqns: Sequence[str]) -> list[Node]:
    """The nodes a run works on: all of the project's, or those matching names, paths or fqn prefixes."""
    return selection.select_nodes(project, selection.Selection(models=tuple(models), fqn=tuple(fqns)))


def plan_document(
    project: DbtProject,
    options: DocumentOptions,
    store: SchemaStore | None = None,
    *,
    columns: ColumnMap | None = None,
) -> DocumentPlan:
    """Run every step in memory and return the plan; nothing is written to disk.

    ``store`` holds files an earlier step of the same run already changed in memory (``yaml refactor``).
    ``columns`` reuses the warehouse columns of an earlier plan instead of asking the warehouse again.
    """
    targets = selection.select_nodes(
        project,
        selection.Selection(
            options.models, options.fqn, options.select, options.exclude, options.selector, options.state
        ),
    )
    parents = {uid: [p for p in node.depends_on if p in project.nodes] for uid, node in project.nodes.items()}
    order = [project.nodes[uid] for uid in topological_order(parents)]

    started = time.perf_counter()
    unreadable: list[str] = []
    if columns is not None:
        pass
    elif options.catalog_path is not None:
        columns = columns_from_catalog(options.catalog_path, targets)
    elif not options.disable_introspection:
        columns = columns_from_warehouse(
            project,
            targets,
            unreadable,
            numeric_precision_and_scale=options.numeric_precision_and_scale,
            string_length=options.string_length,
        )
    else:
        columns = {}
    introspection_seconds = time.perf_counter() - started

    started = time.perf_counter()
    plan = DocumentPlan(
        project=project,
        options=options,
        store=store if store is not None else SchemaStore(project.root),
        knowledge=Knowledge(parents),
        order=order,
        targets=targets,
        columns=columns,
        introspection_seconds=introspection_seconds,
    )
    plan.warnings.extend(unreadable)
    target_ids = {node.unique_id for node in targets}
    for node in order:
        context = NodeContext(plan, node)
        try:
            if node.unique_id in target_ids:
                apply_node_steps(context)
            else:
                locate_entry(context, create=False)
        except YamlError as exc:
            # The file cannot be edited safely (a duplicate key, say): leave it and its nodes alone.
            if context.schema_file is None:
                raise
            plan.block(context.schema_file, str(exc))
        except NodeError as exc:
            plan.failures[node.display_name] = str(exc)
            plan.frozen.add(node.unique_id)
        learn(context)
    plan.warnings.extend(orphan_entries(project, plan.store.files()))
    plan.work_seconds = time.perf_counter() - started
    return plan


# The keys of a schema file whose entries describe nodes defined elsewhere (in SQL or CSV files):
# an entry whose node is gone (renamed, deleted) documents and tests nothing.
_PATCH_KEYS = {"models": "model", "seeds": "seed", "snapshots": "snapshot", "analyses": "analysis"}


def orphan_entries(project: DbtProject, files: Iterable[SchemaFile]) -> list[str]:
    """A warning for each entry of these files that names no node dbt knows (enabled or disabled).

    dbt reports such entries only in its own log, which a run keeps quiet; a model renamed after its
    YAML was written otherwise leaves the old entry, its tests included, silently documenting nothing.
    """
    manifest = project.manifest
    known: set[tuple[str, str]] = set()
    raws = [*manifest.nodes.values()]
    for disabled in (getattr(manifest, "disabled", None) or {}).values():
        raws.extend(disabled)
    for raw in raws:
        known.add((str(getattr(raw, "resource_type", "")), str(getattr(raw, "name", ""))))
    warnings: list[str] = []
    for schema_file in files:
        if schema_file.original is None:
            continue
        for key, resource_type in _PATCH_KEYS.items():
            items = schema_file.data.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                name = item.get("name") if isinstance(item, dict) else None
                if isinstance(name, str) and (resource_type, name) not in known:
                    warnings.append(
                        f"{schema_file.display_path}: `{name}` under `{key}:` matches no {resource_type} "
                        "in the project (renamed or deleted?); its entry and tests document nothing."
                    )
    return warnings


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
    schema_file = plan.store.get_or_create(target_path(node))
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
            insert_at = _index_of(items, key) + 1
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
    siblings = [
        other for other in _versions_of(plan.project.nodes, node) if other.unique_id != node.unique_id
    ]
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
            index = _index_of(items, key)
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
    model = _model_key(context)
    for item in column_items(entry):
        key = column_key(item.get("name"))
        current = item.get("description")
        missing = is_placeholder(current, options.placeholders)
        if not missing and not options.force_inherit_descriptions:
            continue
        upstream = plan.knowledge.nearest(context.node.unique_id, key)
        if upstream is not None and model is not None and _shared(entry, item):
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
        insert_after(item, "description", _copy_scalar(upstream_doc.description), ("name",))
        if upstream_doc.tags and not options.skip_add_tags:
            _merge_tags(item, upstream_doc.tags)
        if not options.skip_merge_meta:
            _merge_meta(item, upstream_doc.meta)
        if options.add_progenitor_to_meta:
            set_meta(item, {PROGENITOR_KEY: upstream_doc.progenitor})
        inherited.append(str(item.get("name")))
    context.record(f"inherited docs for {', '.join(inherited)}")


def _model_key(context: NodeContext) -> str | None:
    # What the versions of one model share: their entry in one file (None for an unversioned node).
    if not isinstance(context.entry, VersionView) or context.schema_file is None:
        return None
    return f"{context.schema_file.display_path}\0{context.node.package_name}.{context.node.name}"


def _shared(entry: dict[str, Any], item: object) -> bool:
    return isinstance(entry, VersionView) and entry.shape.is_shared(item)


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
        meta = _existing_meta(item)
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


def context_for(plan: DocumentPlan, node: Node) -> NodeContext:
    """A context for a node whose entry was located by an earlier pass (none if it has no entry)."""
    context = NodeContext(plan, node)
    schema_file = plan.entries.get(node.unique_id)
    if schema_file is not None and node.unique_id not in plan.frozen:
        context.schema_file = schema_file
        context.entry = entry_of(schema_file, node)
    return context


def write_changes(
    plan: DocumentPlan,
    writer: Callable[[Path, str], None] = write_atomic,
    together: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Write every changed file atomically; return their project-relative paths.

    A file that cannot be written is recorded in ``plan.blocked`` and the others are still written;
    the files of one group of ``together`` (joined by entries ``yaml refactor`` moved) are written all
    or none. A symlinked file is written at its target (preflight has checked that it is inside the
    project).
    """
    return write_files(plan.changed_files(), plan.blocked, writer, together)


def column_items(entry: Any) -> list[Any]:
    """The column mappings of an entry (empty when it lists none)."""
    columns = entry.get("columns") if isinstance(entry, dict) else None
    if not isinstance(columns, list):
        return []
    return [item for item in columns if isinstance(item, dict)]


def _index_of(items: Iterable[Any], key: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and column_key(item.get("name")) == key:
            return index
    return -1


def _copy_scalar(value: Any) -> Any:
    # The copy's style follows from its text alone: the parent's quoting belongs to the parent's file,
    # and whether that file was read for editing in this run (ruamel keeps quoting, the fast reader
    # does not) must not change the bytes written downstream. Text over several lines is a literal
    # block, which reads back exactly; anything else is quoted only where YAML needs it.
    if not isinstance(value, str):
        return value
    text = str(value)
    return LiteralScalarString(text) if "\n" in text else text


def _merge_tags(item: CommentedMap, tags: Iterable[str]) -> None:
    current = item.get("tags")
    if not isinstance(current, list):
        # Inserted already filled, so that comments carried onto it land after its last item.
        insert_after(item, "tags", CommentedSeq(tags), ("name", "data_type", "description"))
        return
    for tag in tags:
        if tag not in current:
            insert_item(current, len(current), tag)


def _existing_meta(item: CommentedMap) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    config = item.get("config")
    if isinstance(config, dict) and isinstance(config.get("meta"), dict):
        meta.update(config["meta"])
    if isinstance(item.get("meta"), dict):
        meta.update(item["meta"])
    return meta


def set_meta(item: CommentedMap, values: Mapping[str, Any]) -> None:
    """Set keys of a column's meta (``config.meta`` when the author uses it), creating the map if absent."""
    target = meta_map(item)
    if target is None:
        # Inserted already filled, so that comments carried onto it land after its last key.
        insert_after(item, "meta", CommentedMap(values), ("name", "data_type", "description", "tags"))
        return
    for key, value in values.items():
        insert_after(target, key, value, tuple(target.keys()))


def _merge_meta(item: CommentedMap, meta: Any) -> None:
    if not meta:
        return
    existing = _existing_meta(item)
    missing = {key: value for key, value in meta.items() if key not in existing}
    if missing:
        set_meta(item, missing)


def _containers(value: Any) -> Iterator[Any]:
    """Every mapping and list in ``value``, itself included (each object once)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend(item.values() if isinstance(item, dict) else item)


def _shared_containers(data: Any) -> frozenset[int]:
    """Ids of the mappings and lists reachable by more than one path from the top of a document.

    Each object is entered at most twice, so the walk stays linear even for alias bombs, and whatever
    sits inside a shared object is itself reached twice and so counted as shared too.
    """
    visits: dict[int, int] = {}
    stack = [data]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list):
            continue
        count = visits.get(id(item), 0) + 1
        visits[id(item)] = count
        if count <= 2:
            stack.extend(item.values() if isinstance(item, dict) else item)
    return frozenset(key for key, count in visits.items() if count > 1)
