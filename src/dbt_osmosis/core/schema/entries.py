"""Find and create a node's entry and its column entries inside a parsed schema file.

Entries are ruamel ``CommentedMap`` objects edited in place, so every key the run does not own stays
exactly where the author put it.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.schema.yamlio import SchemaFile

__all__ = [
    "carry_comment",
    "column_key",
    "create_entry",
    "find_entry",
    "insert_after",
    "insert_item",
    "meta_map",
]


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
    """Insert ``item`` into a YAML list, keeping comments next to the entries they introduce.

    When every entry of the list is separated from the next by a blank line, the new one is too.
    """
    spaced = isinstance(items, CommentedSeq) and _blank_separated(items)
    items.insert(index, item)
    if not isinstance(items, CommentedSeq):
        return
    if index > 0:
        carry_comment(_slot_of_item(items, index - 1), _slot_of_item(items, index))
    if spaced:
        if index > 0:
            _ensure_blank_after(_slot_of_item(items, index - 1))
        if index + 1 < len(items):
            _ensure_blank_after(_slot_of_item(items, index))


def _blank_separated(items: CommentedSeq) -> bool:
    # At least two entries, and a blank line right after each but the last.
    if len(items) < 2:
        return False
    return all(_following(_slot_of_item(items, index)).startswith("\n") for index in range(len(items) - 1))


def _following(slot: _Slot | None) -> str:
    # The full lines (blank lines and comments) that follow a node, as ruamel keeps them.
    if slot is None:
        return ""
    container, key, position = slot
    entry = container.ca.items.get(key)
    token = entry[position] if entry is not None and len(entry) > position else None
    if token is None or not isinstance(token.value, str):
        return ""
    if isinstance(container[key], LiteralScalarString | FoldedScalarString):
        return str(token.value)
    return token.value.partition("\n")[2]


def _ensure_blank_after(slot: _Slot | None) -> None:
    if slot is None or _following(slot).startswith("\n"):
        return
    container, key, position = slot
    slots = container.ca.items.setdefault(key, [None, None, None, None])
    while len(slots) <= position:
        slots.append(None)
    token = slots[position]
    if token is None or not isinstance(token.value, str):
        block = isinstance(container[key], LiteralScalarString | FoldedScalarString)
        slots[position] = CommentToken("\n" if block else "\n\n", CommentMark(0), None)
    elif isinstance(container[key], LiteralScalarString | FoldedScalarString):
        token.value = "\n" + token.value
    else:
        end_of_line, _, following = token.value.partition("\n")
        token.value = end_of_line + "\n\n" + following


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
        # dict.get: the same lookup without CommentedMap's Python-level __getitem__, which made this
        # scan a visible share of a run over a file listing hundreds of entries.
        if isinstance(item, dict) and dict.get(item, "name") == name:
            return item
    return None


def meta_map(mapping: CommentedMap) -> CommentedMap | None:
    """The meta mapping an entry or column already has: ``config.meta`` first, then ``meta``."""
    config = mapping.get("config")
    if isinstance(config, CommentedMap):
        nested = config.get("meta")
        if isinstance(nested, CommentedMap):
            return nested
    meta = mapping.get("meta")
    return meta if isinstance(meta, CommentedMap) else None
