"""A model's answer, checked and applied: what it still lacks, and writing it into the node's YAML.

Only asked-for columns are written, only where still undocumented (or being written again); invented
names, duplicates and empty texts are counted on the node's outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.document.types import NodeContext
from dbt_osmosis.core.schema.entries import column_key, insert_after
from dbt_osmosis.core.schema.items import column_items, set_meta
from dbt_osmosis.core.synthesis.answer_text import (
    DEFAULT_MAX_DESCRIPTION_CHARS,
    clean_text,
    description_from_answer,
)
from dbt_osmosis.core.synthesis.provenance import (
    GENERATED_META_KEY,
    REJECTED_META_KEY,
    Redo,
    remove_meta_key,
    set_entry_meta,
    text_hash,
)
from dbt_osmosis.core.synthesis.types import NodeOutcome

__all__ = ["apply_answer", "incomplete"]


def apply_answer(
    context: NodeContext,
    parsed: Any,
    asked: Sequence[str],
    *,
    want_table: bool,
    outcome: NodeOutcome,
    generated_by: Mapping[str, str] | None,
    max_chars: int = DEFAULT_MAX_DESCRIPTION_CHARS,
    redo: Redo | None = None,
    problems: Mapping[str, str] | None = None,
) -> None:
    """Write an answer into the node's YAML: only asked-for columns, only where still undocumented.

    Every text is data, made safe by ``description_from_answer`` (Jinja neutralised, control
    characters removed, cut to ``max_chars``); an empty one fails that column and is reported, and so
    does one in ``problems`` (it says nothing: see ``quality``), which is never written.
    """
    redo = redo or Redo()
    if not isinstance(parsed, dict):
        return
    problems = problems or {}
    if problems:
        outcome.rejected_quality.extend(problems.values())
        message = "rejected for quality, left undocumented: " + "; ".join(problems.values())
        outcome.error = f"{outcome.error}; {message}" if outcome.error else message
    placeholders = context.plan.options.placeholders
    wanted = {column_key(name) for name in asked}
    answers: dict[str, str] = {}
    unanswered: dict[str, str] = {}
    for item in parsed.get("columns") or []:
        if not isinstance(item, dict):
            continue
        key = column_key(item.get("name", ""))
        text = description_from_answer(item.get("description"), max_chars=max_chars)
        if key not in wanted:
            outcome.invented.append(str(item.get("name")))
        elif key in problems:
            continue
        elif text and key in answers:
            # A column described twice: the first description wins, whatever order the model chose.
            outcome.duplicates.append(str(item.get("name")))
        elif text:
            answers[key] = text
        else:
            unanswered.setdefault(key, str(item.get("name")))
    # A column counts as empty only when no description of it was usable, wherever it came in the list.
    empty = [name for key, name in unanswered.items() if key not in answers]
    table_text = description_from_answer(parsed.get("description"), max_chars=max_chars) if want_table else ""
    if "" in problems:
        table_text, want_table = "", False
    if want_table and not table_text:
        empty.append("the model description")
    if empty:
        outcome.empty.extend(empty)
        message = f"empty answer for {', '.join(empty)} (left undocumented)"
        outcome.error = f"{outcome.error}; {message}" if outcome.error else message
    entry = context.entry
    if entry is None or (not answers and not table_text):
        return
    editable = context.edit()
    filled: list[str] = []
    for item in column_items(editable):
        key = column_key(item.get("name"))
        again = key in redo.columns
        if key in answers and (again or is_placeholder(item.get("description"), placeholders)):
            insert_after(item, "description", answers[key], ("name",))
            if again:
                remove_meta_key(item, [REJECTED_META_KEY])
            if generated_by:
                set_meta(item, {GENERATED_META_KEY: {**generated_by, "text": text_hash(answers[key])}})
            filled.append(str(item.get("name")))
    if table_text and (redo.table or is_placeholder(editable.get("description"), placeholders)):
        # The entry itself, or for a version of a versioned model where dbt reads its description.
        holder = context.edit_holder()
        insert_after(holder, "description", table_text, ("name", "v"))
        if redo.table:
            remove_meta_key(holder, [REJECTED_META_KEY])
        if generated_by:
            set_entry_meta(holder, {GENERATED_META_KEY: {**generated_by, "text": text_hash(table_text)}})
        outcome.table_filled = True
    outcome.columns_filled.extend(filled)
    if filled or outcome.table_filled:
        what = ["description"] if outcome.table_filled and not filled else []
        if filled:
            what.append(f"descriptions for {', '.join(filled)}")
        verb = "would ask for" if outcome.dry_run else "synthesized"
        context.record(f"{verb} {' and '.join(what)}")


def incomplete(parsed: Any, chunk: Sequence[str], want_table: bool) -> str | None:
    """What an answer that passed the schema still lacks (a description asked for), or ``None``."""
    if not isinstance(parsed, dict):
        return "the answer is not a JSON object"
    lacking: list[str] = []
    if want_table and not clean_text(parsed.get("description")):
        lacking.append("the model description")
    answered = {
        column_key(item.get("name", ""))
        for item in parsed.get("columns") or []
        if isinstance(item, dict) and clean_text(item.get("description"))
    }
    missing = [name for name in chunk if column_key(name) not in answered]
    if missing:
        lacking.append("descriptions for the columns " + ", ".join(missing))
    return "the answer has no " + " and no ".join(lacking) if lacking else None
