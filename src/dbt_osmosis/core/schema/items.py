"""The items of a schema entry: its column mappings, and the tags and meta a column carries.

Edits go through ``entries``' insert helpers so that comments and blank lines stay where authors put them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from dbt_osmosis.core.schema.entries import column_key, insert_after, insert_item, meta_map

__all__ = ["column_items", "copy_scalar", "existing_meta", "index_of", "merge_meta", "merge_tags", "set_meta"]


def column_items(entry: Any) -> list[Any]:
    """The column mappings of an entry (empty when it lists none)."""
    columns = entry.get("columns") if isinstance(entry, dict) else None
    if not isinstance(columns, list):
        return []
    return [item for item in columns if isinstance(item, dict)]


def index_of(items: Iterable[Any], key: str) -> int:
    """The position of the column named ``key`` in ``items`` (-1 when absent)."""
    for index, item in enumerate(items):
        if isinstance(item, dict) and column_key(item.get("name")) == key:
            return index
    return -1


def copy_scalar(value: Any) -> Any:
    """A copy of a description to write into another file, styled by its text alone."""
    # The copy's style follows from its text alone: the parent's quoting belongs to the parent's file,
    # and whether that file was read for editing in this run (ruamel keeps quoting, the fast reader
    # does not) must not change the bytes written downstream. Text over several lines is a literal
    # block, which reads back exactly; anything else is quoted only where YAML needs it.
    if not isinstance(value, str):
        return value
    text = str(value)
    return LiteralScalarString(text) if "\n" in text else text


def merge_tags(item: CommentedMap, tags: Iterable[str]) -> None:
    """Add the ``tags`` a column lacks, after those it has (creating its ``tags:`` if absent)."""
    current = item.get("tags")
    if not isinstance(current, list):
        # Inserted already filled, so that comments carried onto it land after its last item.
        insert_after(item, "tags", CommentedSeq(tags), ("name", "data_type", "description"))
        return
    for tag in tags:
        if tag not in current:
            insert_item(current, len(current), tag)


def existing_meta(item: CommentedMap) -> dict[str, Any]:
    """A column's meta as dbt reads it: ``config.meta`` overlaid by ``meta``."""
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


def merge_meta(item: CommentedMap, meta: Any) -> None:
    """Add the keys of ``meta`` that a column's meta lacks; those it has are kept."""
    if not meta:
        return
    existing = existing_meta(item)
    missing = {key: value for key, value in meta.items() if key not in existing}
    if missing:
        set_meta(item, missing)
