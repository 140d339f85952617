"""What a ``yaml document`` run works with: its options, the plan it builds, and one node's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from dbt_osmosis.core.dbt.catalog import ColumnMap, WarehouseColumn
from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.document.inheritance import DEFAULT_PLACEHOLDERS, Knowledge
from dbt_osmosis.core.errors import EntryEditError
from dbt_osmosis.core.schema.aliases import containers, shared_containers
from dbt_osmosis.core.schema.entries import find_entry
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import VersionView, version_view
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = ["Change", "DocumentOptions", "DocumentPlan", "NodeContext"]


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
    #: Selected nodes left unedited because their entry is shared through a YAML anchor.
    anchored: set[str] = field(default_factory=set)
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
            cached = (data, shared_containers(data))
            self._shared[id(data)] = cached
        shared = cached[1]
        return bool(shared) and any(id(value) in shared for value in containers(entry))

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
