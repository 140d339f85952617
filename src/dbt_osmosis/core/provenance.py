"""Moved to ``dbt_osmosis.core.synthesis.provenance``; this path is kept for one release."""

from dbt_osmosis.core.synthesis.provenance import (
    GENERATED_META_KEY,
    HASH_CHARS,
    REJECTED_META_KEY,
    EntryOf,
    Mark,
    Redo,
    entry_meta,
    inputs_hash,
    item_meta,
    marks_of,
    remove_meta_key,
    set_entry_meta,
)

__all__ = [
    "GENERATED_META_KEY",
    "HASH_CHARS",
    "REJECTED_META_KEY",
    "EntryOf",
    "Mark",
    "Redo",
    "entry_meta",
    "inputs_hash",
    "item_meta",
    "marks_of",
    "remove_meta_key",
    "set_entry_meta",
]
