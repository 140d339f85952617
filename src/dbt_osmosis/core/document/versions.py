"""Versions of a versioned model documented in one entry: which version answers for shared text.

The versions of a model read their model-level description and columns from one YAML entry; these
helpers keep them from judging or overwriting that shared text differently from run to run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.types import NodeContext
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.versions import VersionView, version_view

__all__ = ["answers_for", "model_key", "shared_item", "versions_of"]


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
    for other in sorted(versions_of(nodes, node), key=lambda n: n.unique_id):
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


def versions_of(nodes: Mapping[str, Node], node: Node) -> list[Node]:
    """Every version of ``node``'s model documented in the same entry, ``node`` included."""
    same = (node.package_name, node.name, node.patch_path)
    return [
        other
        for other in nodes.values()
        if other.version is not None and (other.package_name, other.name, other.patch_path) == same
    ]


def model_key(context: NodeContext) -> str | None:
    """What the versions of one model share: their entry in one file (None for an unversioned node)."""
    if not isinstance(context.entry, VersionView) or context.schema_file is None:
        return None
    return f"{context.schema_file.display_path}\0{context.node.package_name}.{context.node.name}"


def shared_item(entry: dict[str, Any], item: object) -> bool:
    """Whether ``item`` is a model-level column entry that the versions of ``entry``'s model share."""
    return isinstance(entry, VersionView) and entry.shape.is_shared(item)
