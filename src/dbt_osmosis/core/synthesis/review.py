"""``yaml review``: find every model-written text by its mark, and accept or reject it.

Accepting removes the mark and keeps the text (it is now the team's text). Rejecting removes the text
and the mark and leaves ``osmosis_rejected: true`` in the same meta, so ``--synthesize`` does not ask
for it again until it is run with ``--llm-refresh-stale`` or the rejection is deleted by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.document.versions import answers_for
from dbt_osmosis.core.errors import EntryEditError
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.items import column_items, set_meta
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import VersionView, entry_of
from dbt_osmosis.core.schema.yamlio import SchemaFile, write_atomic
from dbt_osmosis.core.synthesis.provenance import (
    GENERATED_META_KEY,
    REJECTED_META_KEY,
    inputs_hash,
    marks_of,
    remove_meta_key,
    set_entry_meta,
)

__all__ = ["ReviewItem", "ReviewSession"]


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

    @property
    def unreviewed(self) -> bool:
        """Model-written text still waiting for a reviewer (a rejection is a verdict, not a text)."""
        return not self.rejected


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
                stale=not mark.rejected and mark.inputs != current,
                rejected=mark.rejected,
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
            target = self._target(item) if item.unreviewed else None
            if target is not None and remove_meta_key(target, [GENERATED_META_KEY]):
                done += 1
        return done

    def reject(self, items: Sequence[ReviewItem]) -> int:
        """Remove the text and the mark of ``items``, recording the rejection; return how many."""
        done = 0
        for item in items:
            target = self._target(item) if item.unreviewed else None
            if target is None:
                continue
            remove_meta_key(target, [GENERATED_META_KEY])
            if "description" in target:
                del target["description"]
            if item.column:
                set_meta(target, {REJECTED_META_KEY: True})
            else:
                set_entry_meta(target, {REJECTED_META_KEY: True})
            done += 1
        return done

    def write(self) -> list[str]:
        """Write every file a verdict changed, atomically; return their project-relative paths."""
        written: list[str] = []
        for schema_file in self.store.files():
            if schema_file.changed():
                write_atomic(schema_file.path, schema_file.render())
                written.append(schema_file.display_path)
        return written
