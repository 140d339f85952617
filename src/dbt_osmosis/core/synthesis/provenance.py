"""Which texts a model wrote, from what, and whether that has changed since: the marks in a node's meta.

With ``--llm-mark-generated`` every synthesized description carries a mark in its meta (the column's
``meta``, or the model's ``config.meta``)::

    osmosis_generated: {provider: openai, model: gpt-4.1-mini, inputs: 3f9a0c1d2b7e, text: 5d41402abc4b}

``inputs`` is a short hash of what the text was written from: the node's SQL, its columns (names and
data types), and the documentation of its direct parents (each parent's description, and its
descriptions of the columns this node shares with it). When any of those change, the mark is stale
and ``--llm-refresh-stale`` asks again. A text a reviewer rejected keeps no text and no mark, but an
``osmosis_rejected: true`` in the same meta, so that it is not asked for again: it lives in the YAML
because a rejection must survive a fresh clone (``target/`` does not).

``text`` is a short hash of the text as the model's answer was written: a person who rewrites the text
and leaves the mark in place makes the two differ, and the text is then the person's (``edited``): it
is never rejected, refreshed or counted as model-written again. Marks written before this key existed
have no ``text`` and are taken as not edited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from dbt_osmosis.core.dbt.project import Node
from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.schema.entries import column_key, insert_after, meta_map

__all__ = [
    "GENERATED_META_KEY",
    "REJECTED_META_KEY",
    "Mark",
    "Redo",
    "entry_meta",
    "inputs_hash",
    "item_meta",
    "marks_of",
    "remove_meta_key",
    "set_entry_meta",
    "text_hash",
]

GENERATED_META_KEY = "osmosis_generated"
REJECTED_META_KEY = "osmosis_rejected"
#: Hex digits of the inputs hash kept in a mark: enough to tell versions apart, short enough to read.
HASH_CHARS = 12

EntryOf = Callable[[Node], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Mark:
    """One marked text of a node: ``column`` is empty for the model description."""

    column: str
    provider: str
    model: str
    inputs: str
    rejected: bool = False
    #: The text no longer is what the model wrote (its hash differs from the mark's ``text``).
    edited: bool = False


@dataclass(frozen=True)
class Redo:
    """Model-written texts of a node to be written again (stale or rejected), by column key."""

    table: bool = False
    columns: frozenset[str] = frozenset()
    #: A reviewer rejected some of them: the answers they came from must not be served again.
    rejected: bool = False

    def __bool__(self) -> bool:
        return self.table or bool(self.columns)


def _meta_maps(mapping: Mapping[str, Any]) -> list[Any]:
    config = mapping.get("config")
    found = [config.get("meta")] if isinstance(config, Mapping) else []
    found.append(mapping.get("meta"))
    return [meta for meta in found if isinstance(meta, Mapping)]


def entry_meta(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A node entry's meta, from ``config.meta`` and ``meta`` together."""
    merged: dict[str, Any] = {}
    for meta in _meta_maps(entry):
        merged.update(meta)
    return merged


def item_meta(item: Mapping[str, Any]) -> dict[str, Any]:
    """A column entry's meta, from ``meta`` and ``config.meta`` together."""
    return entry_meta(item)


def text_hash(text: object) -> str:
    """A short hash of a description as written (whitespace folded, so re-wrapping is not an edit)."""
    folded = " ".join(str(text or "").split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:HASH_CHARS]


def _mark_from(meta: Mapping[str, Any], column: str, holder: Mapping[str, Any]) -> Mark | None:
    value = meta.get(GENERATED_META_KEY)
    if isinstance(value, Mapping):
        written = value.get("text")
        return Mark(
            column,
            str(value.get("provider") or ""),
            str(value.get("model") or ""),
            str(value.get("inputs") or ""),
            edited=bool(written) and str(written) != text_hash(holder.get("description")),
        )
    if meta.get(REJECTED_META_KEY) is True:
        return Mark(column, "", "", "", rejected=True)
    return None


def marks_of(entry: Mapping[str, Any]) -> list[Mark]:
    """Every mark of a node entry: the model description's first, then its columns' in YAML order."""
    marks: list[Mark] = []
    own = _mark_from(entry_meta(entry), "", entry)
    if own is not None:
        marks.append(own)
    columns = entry.get("columns")
    for item in columns if isinstance(columns, list) else []:
        if isinstance(item, Mapping) and item.get("name") is not None:
            mark = _mark_from(item_meta(item), str(item["name"]), item)
            if mark is not None:
                marks.append(mark)
    return marks


def inputs_hash(
    node: Node,
    entry: Mapping[str, Any],
    entry_of: EntryOf,
    nodes: Mapping[str, Node],
    placeholders: Sequence[str],
) -> str:
    """A short hash of what a node's texts are written from: SQL, columns, and its parents' docs."""

    def text(value: object) -> str:
        return "" if is_placeholder(value, placeholders) else " ".join(str(value).split())

    columns = entry.get("columns")
    items = [item for item in (columns if isinstance(columns, list) else []) if isinstance(item, Mapping)]
    own = [[column_key(item.get("name")), str(item.get("data_type") or "")] for item in items]
    shared = {key for key, _ in own}
    upstream: list[list[Any]] = []
    for parent_id in sorted(node.depends_on):
        parent = nodes.get(parent_id)
        parent_entry = entry_of(parent) if parent is not None else None
        if parent is None or parent_entry is None:
            upstream.append([parent_id])
            continue
        parent_columns = parent_entry.get("columns")
        docs = sorted(
            [column_key(item.get("name")), text(item.get("description"))]
            for item in (parent_columns if isinstance(parent_columns, list) else [])
            if isinstance(item, Mapping) and column_key(item.get("name")) in shared
        )
        upstream.append([parent_id, text(parent_entry.get("description")), docs])
    payload = {"sql": " ".join(node.raw_code.split()), "columns": own, "upstream": upstream}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_CHARS]


def set_entry_meta(entry: CommentedMap, values: Mapping[str, Any]) -> None:
    """Set keys of a node entry's meta: ``config.meta`` (or ``meta`` when the author uses it)."""
    target = meta_map(entry)
    if target is not None:
        for key, value in values.items():
            insert_after(target, key, value, tuple(target.keys()))
        return
    config = entry.get("config")
    if isinstance(config, CommentedMap):
        insert_after(config, "meta", CommentedMap(values), tuple(config.keys()))
        return
    # dbt wants a node's meta under config (a top-level meta is deprecated there since 1.10).
    block = CommentedMap()
    block["meta"] = CommentedMap(values)
    insert_after(entry, "config", block, ("name", "description", "docs", "latest_version", "access"))


def remove_meta_key(mapping: CommentedMap, keys: Iterable[str]) -> bool:
    """Remove ``keys`` from a mapping's meta (both places); drop a meta or config left empty by it."""
    removed = False
    wanted = set(keys)
    for holder in (mapping.get("config"), mapping):
        if not isinstance(holder, CommentedMap):
            continue
        meta = holder.get("meta")
        if not isinstance(meta, CommentedMap):
            continue
        here = [key for key in meta if key in wanted]
        for key in here:
            del meta[key]
        if here and not meta:
            del holder["meta"]
        removed = removed or bool(here)
    config = mapping.get("config")
    if removed and isinstance(config, CommentedMap) and not config:
        del mapping["config"]
    return removed
