"""``yaml review``: find every model-written text by its mark, and accept or reject it.

Accepting removes the mark and keeps the text (it is now the team's text). Rejecting removes the text
and the mark and leaves ``osmosis_rejected: true`` in the same meta, so ``--synthesize`` does not ask
for it again until it is run with ``--llm-refresh-stale`` or the rejection is deleted by hand.

Rejecting a column's text also removes the copies inheritance made of it downstream: a descendant's
column of the same name whose text is the rejected text, or whose ``osmosis_progenitor`` names the
rejecting node. A text a person edited under its mark is theirs: listed as ``edited``, never rejected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.document.steps import PROGENITOR_KEY
from dbt_osmosis.core.document.versions import answers_for
from dbt_osmosis.core.errors import EntryEditError
from dbt_osmosis.core.schema.aliases import containers, shared_containers
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.items import column_items, set_meta
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import VersionView, entry_of
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic
from dbt_osmosis.core.synthesis.provenance import (
    GENERATED_META_KEY,
    REJECTED_META_KEY,
    inputs_hash,
    item_meta,
    marks_of,
    remove_meta_key,
    set_entry_meta,
    text_hash,
)

__all__ = ["Copy", "ReviewItem", "ReviewSession"]


@dataclass(frozen=True)
class ReviewItem:
    """One marked text: ``column`` is empty for the model description."""

    node: Node
    path: str
    column: str
    provider: str
    model: str
    stale: bool
    rejected: bool
    #: A person rewrote the text and left the mark: it is theirs, not the model's.
    edited: bool = False

    @property
    def unreviewed(self) -> bool:
        """Model-written text still waiting for a reviewer (a rejection is a verdict, an edit a person's)."""
        return not self.rejected and not self.edited


@dataclass(frozen=True)
class Copy:
    """A copy inheritance made downstream of a model-written text that was rejected."""

    node: Node
    path: str
    column: str
    #: The node whose rejected text it copies.
    progenitor: str


class ReviewSession:
    """The marks of the selected nodes, read from their YAML, and the edits a verdict makes."""

    def __init__(self, project: DbtProject, nodes: Sequence[Node], placeholders: Sequence[str]) -> None:
        self.project = project
        self.placeholders = tuple(placeholders)
        self.store = SchemaStore(project.root)
        self._files: dict[str, SchemaFile] = {}
        for node in project.nodes.values():
            schema_file = self.store.get(node.patch_path) if node.patch_path else None
            if schema_file is not None:
                self._files[node.unique_id] = schema_file
        self.items = [item for node in nodes for item in self._marks(node)]
        #: Copies of rejected texts removed downstream by ``reject``, and those it had to leave.
        self.copies_removed = 0
        self.copies_left: list[Copy] = []

    def entry_of(self, node: Node) -> Mapping[str, Any] | None:
        """The node's YAML entry as the file holds it now (``None`` when it has none)."""
        schema_file = self._files.get(node.unique_id)
        # A version of a versioned model reads its own view of the model's entry.
        return entry_of(schema_file, node) if schema_file is not None else None

    def _marks(self, node: Node) -> list[ReviewItem]:
        entry = self.entry_of(node)
        marks = marks_of(entry) if entry is not None else []
        if entry is not None and marks:
            # A model-level text several versions read is listed once, under the version answering for it.
            nodes = self.project.nodes
            marks = [m for m in marks if answers_for(nodes, node, entry, column_key(m.column) or None)]
        if entry is None or not marks:
            return []
        current = inputs_hash(node, entry, self.entry_of, self.project.nodes, self.placeholders)
        path = self._files[node.unique_id].display_path
        return [
            ReviewItem(
                node,
                path,
                mark.column,
                mark.provider,
                mark.model,
                stale=not mark.rejected and not mark.edited and mark.inputs != current,
                rejected=mark.rejected,
                edited=mark.edited,
            )
            for mark in marks
        ]

    def _editable(self, node: Node) -> tuple[dict[str, Any], CommentedMap]:
        """What the node reads (its entry, or its version's view) and where its description is held."""
        schema_file = self._files[node.unique_id]
        schema_file.make_editable()
        entry = entry_of(schema_file, node)
        holder = entry.shape.holder() if isinstance(entry, VersionView) else entry
        if entry is None or not isinstance(holder, CommentedMap):
            raise EntryEditError(
                f"{node.display_name}: its entry in {schema_file.display_path} cannot be edited."
            )
        schema_file.touch()
        return entry, holder

    def _target(self, item: ReviewItem) -> CommentedMap | None:
        entry, holder = self._editable(item.node)
        if not item.column:
            return holder
        key = column_key(item.column)
        for column in column_items(entry):
            if column_key(column.get("name")) == key and isinstance(column, CommentedMap):
                return column
        return None

    def accept(self, items: Sequence[ReviewItem]) -> int:
        """Remove the marks of ``items`` and keep their text; return how many were accepted."""
        done = 0
        for item in items:
            target = self._target(item) if not item.rejected else None
            if target is not None and remove_meta_key(target, [GENERATED_META_KEY]):
                done += 1
        return done

    def reject(self, items: Sequence[ReviewItem]) -> int:
        """Remove the text and the mark of ``items``, recording the rejection; return how many."""
        done = 0
        for item in items:
            # An edited text is a person's: never removed here, whatever the selection.
            target = self._target(item) if item.unreviewed else None
            if target is None:
                continue
            text = target.get("description")
            remove_meta_key(target, [GENERATED_META_KEY])
            if "description" in target:
                del target["description"]
            if item.column:
                set_meta(target, {REJECTED_META_KEY: True})
                if text is not None:
                    self.copies_removed += self._remove_copies(item.node, column_key(item.column), text)
            else:
                set_entry_meta(target, {REJECTED_META_KEY: True})
            done += 1
        return done

    def _descendants(self, node: Node) -> Iterator[Node]:
        # Breadth first over the whole project: a copy is a copy wherever it sits, selected or not.
        children: dict[str, list[Node]] = {}
        for other in self.project.nodes.values():
            for parent in other.depends_on:
                children.setdefault(parent, []).append(other)
        seen = {node.unique_id}
        queue = list(children.get(node.unique_id, []))
        while queue:
            child = queue.pop(0)
            if child.unique_id in seen:
                continue
            seen.add(child.unique_id)
            yield child
            queue.extend(children.get(child.unique_id, []))

    def copies(self, node: Node, key: str, text: object = None) -> list[tuple[Copy, Any]]:
        """Columns ``key`` downstream of ``node`` that copy its text (or name it their progenitor)."""
        wanted = text_hash(text) if text is not None else None
        found: list[tuple[Copy, Any]] = []
        for child in self._descendants(node):
            entry = self.entry_of(child)
            if entry is None:
                continue
            for column in column_items(entry):
                if column_key(column.get("name")) != key or column.get("description") is None:
                    continue
                meta = item_meta(column)
                if GENERATED_META_KEY in meta:
                    continue  # the model wrote this one for the child itself: its own review item
                same = wanted is not None and text_hash(column.get("description")) == wanted
                if same or meta.get(PROGENITOR_KEY) == node.unique_id:
                    path = self._files[child.unique_id].display_path
                    found.append((Copy(child, path, str(column.get("name")), node.unique_id), column))
        return found

    def _remove_copies(self, node: Node, key: str, text: object) -> int:
        removed = 0
        for copy, column in self.copies(node, key, text):
            schema_file = self._files[copy.node.unique_id]
            if self._shared(schema_file, column):
                self.copies_left.append(copy)  # one object in two places: editing it would edit both
                continue
            schema_file.make_editable()
            # make_editable may have re-read the file: find the column again in the editable data.
            for editable in column_items(self.entry_of(copy.node)):
                if column_key(editable.get("name")) == key and isinstance(editable, CommentedMap):
                    if "description" in editable:
                        del editable["description"]
                    remove_meta_key(editable, [PROGENITOR_KEY])
            schema_file.touch()
            removed += 1
        return removed

    def _shared(self, schema_file: SchemaFile, value: Any) -> bool:
        shared = shared_containers(schema_file.data)
        return bool(shared) and any(id(item) in shared for item in containers(value))

    def leftover_copies(self) -> list[Copy]:
        """Copies downstream of rejected column texts that are still there (known by their progenitor)."""
        left: list[Copy] = []
        for item in self.items:
            if item.rejected and item.column:
                left.extend(copy for copy, _ in self.copies(item.node, column_key(item.column)))
        return left

    def anchored(self, nodes: Sequence[Node]) -> list[str]:
        """Display names of ``nodes`` whose entry is shared through a YAML anchor (never edited here)."""
        found: list[str] = []
        for node in nodes:
            schema_file = self._files.get(node.unique_id)
            entry = self.entry_of(node)
            if schema_file is not None and entry is not None and self._shared(schema_file, entry):
                found.append(node.display_name)
        return found

    def write(self) -> list[str]:
        """Write every file a verdict changed, atomically; return their project-relative paths."""
        written: list[str] = []
        for schema_file in self.store.files():
            if schema_file.changed():
                write_atomic(schema_file.path, schema_file.render())
                written.append(schema_file.display_path)
        return written
