"""Find and create a node's entry and its column entries inside a parsed schema file.

Entries are ruamel ``CommentedMap`` objects edited in place, so every key the run does not own stays
exactly where the author put it.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from dbt_osmosis.core.project import Node
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = ["carry_comment", "column_key", "create_entry", "find_entry", "insert_after", "insert_item"]


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
    insert_item(items, len(items), entry)
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
    if position > 0:
        carry_comment(_slot_of_key(mapping, keys[position - 1]), _slot_of_key(mapping, key))


def insert_item(items: list[Any], index: int, item: Any) -> None:
    """Insert ``item`` into a YAML list, keeping comments next to the entries they introduce."""
    items.insert(index, item)
    if index > 0 and isinstance(items, CommentedSeq):
        carry_comment(_slot_of_item(items, index - 1), _slot_of_item(items, index))


def carry_comment(previous: _Slot | None, new: _Slot | None) -> None:
    """Move the full-line comments and blank lines after ``previous`` to after ``new``.

    ruamel keeps a comment written on its own line above an entry as a trailing comment of whatever
    came before it. When something is inserted between the two, the comment must follow the insertion
    so that it still stands right above the entry it introduces; an end-of-line comment stays put.
    """
    if previous is None or new is None:
        return
    container, key, slot = previous
    entry = container.ca.items.get(key)
    token = entry[slot] if entry is not None and len(entry) > slot else None
    if token is None or not isinstance(token.value, str):
        return
    if isinstance(container[key], LiteralScalarString | FoldedScalarString):
        # A block scalar ends its own last line, so everything in the token follows it.
        following = token.value
        entry[slot] = None
    else:
        end_of_line, newline, following = token.value.partition("\n")
        if not following:
            return
        token.value = end_of_line + newline
    target, target_key, target_slot = new
    slots = target.ca.items.setdefault(target_key, [None, None, None, None])
    # The moved text has no end-of-line part of its own: its first line ends the new node's line.
    slots[target_slot] = CommentToken("\n" + following, token.start_mark, None)


# Where ruamel keeps the comment that follows a node: (container, key or index, slot in ca.items).
_Slot = tuple[Any, Any, int]


def _slot_of_key(mapping: CommentedMap, key: Any) -> _Slot | None:
    value = mapping[key]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value):
        return _deepest_last(value)
    return (mapping, key, 2)


def _slot_of_item(items: CommentedSeq, index: int) -> _Slot | None:
    value = items[index]
    if isinstance(value, CommentedMap | CommentedSeq) and len(value):
        return _deepest_last(value)
    return (items, index, 0)


def _deepest_last(node: CommentedMap | CommentedSeq) -> _Slot | None:
    if isinstance(node, CommentedMap):
        return _slot_of_key(node, list(node.keys())[-1])
    return _slot_of_item(node, len(node) - 1)


def _named(items: object, name: str) -> dict[str, Any] | None:
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    return None
