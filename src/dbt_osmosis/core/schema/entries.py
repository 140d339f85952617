"""Find and create a node's entry and its column entries inside a parsed schema file.

Entries are ruamel ``CommentedMap`` objects edited in place, so every key the run does not own stays
exactly where the author put it.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dbt_osmosis.core.project import Node
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = ["column_key", "create_entry", "find_entry", "insert_after"]


def column_key(name: object) -> str:
    """How column names are compared: case-insensitively, ignoring the quotes of quoted identifiers."""
    return str(name).strip().strip('"`[]').lower()


def find_entry(schema_file: SchemaFile, node: Node) -> dict[str, Any] | None:
    """The mapping that documents ``node`` in ``schema_file`` (a source's table entry for sources)."""
    items = schema_file.data.get(node.yaml_key)
    if not isinstance(items, list):
        return None
    if node.resource_type == "source":
        for source in items:
            if isinstance(source, dict) and source.get("name") == node.source_name:
                return _named(source.get("tables"), node.name)
        return None
    return _named(items, node.name)


def create_entry(schema_file: SchemaFile, node: Node) -> CommentedMap:
    """Append a new entry for ``node`` (name only) to the file's list for its resource type."""
    items = schema_file.data.get(node.yaml_key)
    if not isinstance(items, list):
        items = CommentedSeq()
        schema_file.data[node.yaml_key] = items
    entry = CommentedMap()
    entry["name"] = node.name
    items.append(entry)
    return entry


def insert_after(mapping: CommentedMap, key: str, value: Any, after: tuple[str, ...]) -> None:
    """Set ``mapping[key]``; a new key goes right after the last present key of ``after``."""
    if key in mapping:
        mapping[key] = value
        return
    keys = list(mapping.keys())
    position = 0
    for anchor in after:
        if anchor in mapping:
            position = max(position, keys.index(anchor) + 1)
    mapping.insert(position, key, value)


def _named(items: object, name: str) -> dict[str, Any] | None:
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    return None
